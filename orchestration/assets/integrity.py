"""Integrity rules as asset checks: each mart's catalogue rules, validated by Great Expectations in DuckDB."""
from pathlib import Path

import dagster as dg

from expectations.catalogue import default_rules
from orchestration.resources import WarehouseResource

# The marts the report reads, and every mart a catalogue rule applies to (each gets its check).
MARTS = tuple(
    sorted(
        {"dim_document", "fct_project_budget", "fct_performance_indicator", "fct_project_evaluation"}
        | {r.applies_to for r in default_rules()}
    )
)
MART_KEYS = {m: dg.AssetKey(["marts", m]) for m in MARTS}


def _mart_check(mart: str) -> dg.AssetChecksDefinition:
    rule_ids = [r.id for r in default_rules() if r.applies_to == mart]

    @dg.asset_check(
        asset=MART_KEYS[mart],
        name=f"integrity_rules_{mart}",
        blocking=True,
        description=(
            f"The catalogue's rules on marts.{mart} ({', '.join(rule_ids)}), validated by Great Expectations "
            "inside DuckDB; every failing row lands in audit.integrity_violation."
        ),
    )
    def check(context: dg.AssetCheckExecutionContext, warehouse: WarehouseResource) -> dg.AssetCheckResult:
        from expectations.audit import check_and_record

        run = check_and_record(warehouse.db_path, applies_to=mart, docs_dir=Path(warehouse.out_dir) / "data_docs")
        counts = run.counts()
        broken = [r.rule.id for r in run.results if r.exception]
        for result in run.results:
            if result.exception:
                context.log.error(f"rule {result.rule.id} could not run: {result.exception}")
        return dg.AssetCheckResult(
            passed=not counts["error"] and not counts["warning"] and not broken,
            # Only money that does not add up (error) blocks what is built downstream.
            severity=dg.AssetCheckSeverity.ERROR if counts["error"] or broken else dg.AssetCheckSeverity.WARN,
            metadata={
                "rules": ", ".join(r.rule.id for r in run.results),
                "rows_checked": max((r.rows_checked for r in run.results), default=0),
                "errors": counts["error"],
                "warnings": counts["warning"],
                "infos": counts["info"],
                "rules_that_failed_to_run": ", ".join(broken),
            },
        )

    return check


mart_integrity_checks = [_mart_check(m) for m in sorted({r.applies_to for r in default_rules()})]
