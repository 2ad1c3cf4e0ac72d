"""Integrity rules as asset checks: each mart's catalogue rules, validated by Great Expectations in DuckDB."""
from pathlib import Path

import dagster as dg

from expectations.catalogue import default_rules
from orchestration.lock import data_docs
from orchestration.progress import Ticker, say
from orchestration.resources import WarehouseResource

# The marts the report reads, and every mart a catalogue rule applies to (each gets its check).
MARTS = tuple(
    sorted(
        {"dim_document", "fct_project_budget", "fct_performance_indicator", "fct_project_evaluation",
         "region_comparison", "region_document"}
        | {r.applies_to for r in default_rules()}
    )
)
MART_KEYS = {m: dg.AssetKey(["marts", m]) for m in MARTS}


RULE_MARTS = tuple(sorted({r.applies_to for r in default_rules()}))


def _spec(mart: str) -> dg.AssetCheckSpec:
    rule_ids = [r.id for r in default_rules() if r.applies_to == mart]
    return dg.AssetCheckSpec(
        name=f"integrity_rules_{mart}",
        asset=MART_KEYS[mart],
        blocking=True,
        description=(
            f"The catalogue's rules on marts.{mart} ({', '.join(rule_ids)}), validated by Great Expectations "
            "inside DuckDB on the fiscal years loaded since they last ran; every failing row lands in "
            "audit.integrity_violation."
        ),
    )


@dg.multi_asset_check(specs=[_spec(m) for m in RULE_MARTS], name="integrity_rules", can_subset=False)
def integrity_rules(context: dg.AssetCheckExecutionContext, warehouse: WarehouseResource):
    """One Great Expectations validation for every mart (one context, one connection), reported as
    one check per mart."""
    from expectations.audit import check_and_record
    from expectations.suite import year_list

    # the years whose documents were loaded since the rules last ran; the findings of other years stay
    ticker = Ticker("checks")
    say("checks", "running the integrity rules")
    if warehouse.engine == "spark":  # the same rules on Spark SQL, over every year of Spark's marts
        from orchestration import spark

        run = spark.check_and_record(Path(warehouse.db_path))
    else:
        run = check_and_record(warehouse.db_path, docs_dir=data_docs(warehouse.db_path), since_last_check=True)
    held = run.warehouse_counts()
    ticker.done(f"findings held: error {held['error']}, warning {held['warning']}, info {held['info']}")
    years = "every year" if run.fiscal_years is None else year_list(run.fiscal_years) or "none"
    context.log.info(f"integrity rules read fiscal years: {years}")
    for mart in RULE_MARTS:
        results = [r for r in run.results if r.rule.applies_to == mart]
        # the verdict is the warehouse's: findings of years this run did not need to read count too
        counts = run.warehouse_counts(applies_to=mart)
        broken = [r.rule.id for r in results if r.exception]
        for result in results:
            if result.exception:
                context.log.error(f"rule {result.rule.id} could not run: {result.exception}")
        yield dg.AssetCheckResult(
            asset_key=MART_KEYS[mart],
            check_name=f"integrity_rules_{mart}",
            passed=not counts["error"] and not counts["warning"] and not broken,
            # Only money that does not add up (error) blocks what is built downstream.
            severity=dg.AssetCheckSeverity.ERROR if counts["error"] or broken else dg.AssetCheckSeverity.WARN,
            metadata={
                "rules": ", ".join(r.rule.id for r in results),
                "rows_checked": max((r.rows_checked for r in results), default=0),
                "fiscal_years_read": years,
                "errors": counts["error"],
                "warnings": counts["warning"],
                "infos": counts["info"],
                "rules_that_failed_to_run": ", ".join(broken),
            },
        )


mart_integrity_checks = [integrity_rules]
