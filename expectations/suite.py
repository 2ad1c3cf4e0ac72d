"""Validate the DuckDB marts with Great Expectations suites built from the rule catalogue.

The queries run inside DuckDB through GE's SQL datasource; no table is pulled into pandas.
"""
from __future__ import annotations

import gc
import threading
from dataclasses import dataclass, field
from datetime import datetime, timezone
from pathlib import Path

import duckdb

from expectations.catalogue import Rule, default_rules

MART_SCHEMA = "marts"
VIOLATION_COLUMNS = (
    "document_id", "source_file", "location", "entity", "expected", "actual", "difference", "severity", "message",
)


@dataclass(frozen=True)
class RuleResult:
    rule: Rule
    success: bool
    rows_checked: int
    violations: tuple[dict, ...]
    exception: str | None = None


@dataclass
class SuiteRun:
    run_at: datetime
    results: list[RuleResult] = field(default_factory=list)
    # the fiscal years the rules read (None: every year)
    fiscal_years: frozenset[int] | None = None
    # each rule's findings by severity in the warehouse once this run was recorded, every year included
    recorded: dict[str, dict[str, int]] | None = None

    def violations(self, severity: str | None = None, applies_to: str | None = None) -> list[dict]:
        return [
            v for r in self.results if applies_to is None or r.rule.applies_to == applies_to
            for v in r.violations if severity is None or v["severity"] == severity
        ]

    def counts(self, applies_to: str | None = None) -> dict[str, int]:
        """Violations by severity, of every rule or of the rules on one mart."""
        out = {"error": 0, "warning": 0, "info": 0}
        for v in self.violations(applies_to=applies_to):
            out[v["severity"]] += 1
        return out

    def warehouse_counts(self, applies_to: str | None = None) -> dict[str, int]:
        """The findings by severity the warehouse holds for these rules after this run: the same as
        `counts` when the run read every year; with fewer years, the other years' findings too."""
        if self.recorded is None:
            return self.counts(applies_to)
        out = {"error": 0, "warning": 0, "info": 0}
        for result in self.results:
            if applies_to is None or result.rule.applies_to == applies_to:
                for severity, n in self.recorded.get(result.rule.id, {}).items():
                    out[severity] += n
        return out


class _DuckDBDialect(str):
    """Stands for DuckDB in GE's list of dialects that must keep one connection open.

    GE reads a query's rows after returning its connection to the pool; duckdb_engine drops the
    result set with the connection, so every metric comes back empty. GE keeps a single persisted
    connection for SQLite and a few others: DuckDB joins that list.
    """

    @property
    def value(self) -> str:
        return str(self)


def _persist_duckdb_connections() -> None:
    from great_expectations.execution_engine import sqlalchemy_execution_engine as engine_module

    dialects = engine_module._PERSISTED_CONNECTION_DIALECTS
    if not any(str(getattr(d, "value", d)) == "duckdb" for d in dialects):
        engine_module._PERSISTED_CONNECTION_DIALECTS = (*dialects, _DuckDBDialect("duckdb"))


SCRATCH_SCHEMA = "integrity_scratch"


def preload_in_background() -> threading.Thread:
    """Import Great Expectations (a few seconds of module loading) on a background thread, for a
    process that will validate soon and is waiting on something else meanwhile (a dbt subprocess)."""

    def _import() -> None:
        import great_expectations  # noqa: F401
        from great_expectations.data_context.types import base  # noqa: F401
        from great_expectations.execution_engine import sqlalchemy_execution_engine  # noqa: F401

    global _preload
    thread = threading.Thread(target=_import, name="preload-great-expectations", daemon=True)
    thread.start()
    _preload = thread
    return thread


_preload: threading.Thread | None = None


def validate(
    db_path: Path, rules: tuple[Rule, ...] | None = None, docs_dir: Path | None = None,
    fiscal_years: frozenset[int] | None = None,
) -> SuiteRun:
    """Run every rule's query once inside DuckDB, then validate the results with Great Expectations,
    one suite per mart, and close GE's connection. With `fiscal_years`, the rules read those years'
    rows only: their mart and every other mart they name, cut by `fiscal_year_partition`.

    Each rule's failing rows are materialized in a scratch table by one DuckDB query (the identities
    are evaluated exactly once, in the engine); GE's UnexpectedRowsExpectation then checks each
    rule's table is empty and records the outcome, so Data Docs show every rule and its rows. With
    `docs_dir`, GE's Data Docs (a static HTML site of the suites and their results) are written there.
    """
    if _preload is not None:
        _preload.join()  # a half-finished import on another thread must not be seen half-done here
    import great_expectations as gx

    _persist_duckdb_connections()
    rules = rules if rules is not None else default_rules()
    run = SuiteRun(run_at=datetime.now(timezone.utc), fiscal_years=fiscal_years)
    findings, rows_checked, broken = _materialize(db_path, rules, fiscal_years)
    run.results.extend(RuleResult(rule, False, 0, (), message) for rule, message in broken.items())
    rules = tuple(r for r in rules if r not in broken)
    if not rules:
        return run
    context = _context(docs_dir)
    source = context.data_sources.add_sql(name="warehouse", connection_string=f"duckdb:///{Path(db_path).resolve()}")
    by_table: dict[str, list[Rule]] = {}
    for rule in rules:
        by_table.setdefault(rule.applies_to, []).append(rule)
    outcomes: dict[str, tuple[bool, str | None]] = {}
    definitions = []
    try:
        for table, table_rules in by_table.items():
            asset = source.add_table_asset(name=table, table_name=table, schema_name=MART_SCHEMA)
            batch = asset.add_batch_definition_whole_table(f"{table}_all")
            suite = context.suites.add(gx.ExpectationSuite(name=f"integrity_{table}"))
            for rule in table_rules:
                suite.add_expectation(
                    gx.expectations.UnexpectedRowsExpectation(
                        # the rule's rows, as DuckDB found them; {batch} ties the expectation to its mart
                        unexpected_rows_query=(
                            f"select * from {SCRATCH_SCHEMA}.{_scratch(rule)} where (select count(*) from {{batch}}) >= 0"
                        ),
                        description=rule.description_en,
                        meta={"rule_id": rule.id},
                    )
                )
            definitions.append(
                context.validation_definitions.add(gx.ValidationDefinition(name=f"integrity_{table}", data=batch, suite=suite))
            )
        if docs_dir is None:
            results = [definition.run(result_format="SUMMARY") for definition in definitions]
        else:
            # one checkpoint for every mart; the Data Docs site is then built once for all of them
            # (GE's UpdateDataDocsAction rebuilds the whole index after each mart's validation)
            from great_expectations.data_context.types.resource_identifiers import ExpectationSuiteIdentifier

            checkpoint = context.checkpoints.add(
                gx.Checkpoint(name="integrity", validation_definitions=definitions, result_format="SUMMARY")
            )
            run_results = checkpoint.run().run_results
            results = list(run_results.values())
            context.build_data_docs(
                resource_identifiers=[*run_results, *(ExpectationSuiteIdentifier(name=r.suite_name) for r in results)],
                build_index=True,
            )
        for outcome in results:
            for result in outcome.results:
                outcomes[(result.expectation_config.meta or {})["rule_id"]] = (bool(result.success), _exception(result))
    finally:
        _close(source)
        _drop_scratch(db_path)
    for rule in rules:
        success, exception = outcomes.get(rule.id, (False, "no result from Great Expectations"))
        rows = findings[rule.id]
        # GE's verdict and DuckDB's rows must agree: an empty table passes, any row fails
        if exception is None and success != (not rows):
            exception = f"Great Expectations reported {'success' if success else 'failure'} for {len(rows)} failing rows"
        run.results.append(
            RuleResult(
                rule=rule,
                success=success and exception is None,
                rows_checked=rows_checked.get(rule.applies_to, 0),
                violations=tuple({**row, "rule_id": rule.id} for row in rows),
                exception=exception,
            )
        )
    return run


def _scratch(rule: Rule) -> str:
    return "rule_" + "".join(c if c.isalnum() else "_" for c in rule.id.lower())


PARTITION_COLUMN = "fiscal_year_partition"


def partitioned_marts(con: duckdb.DuckDBPyConnection) -> set[str]:
    """The marts kept by fiscal year (a `fiscal_year_partition` column): those a run can cut to some years."""
    return {r[0] for r in con.execute(
        "select table_name from information_schema.columns where table_schema = ? and column_name = ?",
        [MART_SCHEMA, PARTITION_COLUMN],
    ).fetchall()}


def _materialize(
    db_path: Path, rules: tuple[Rule, ...], fiscal_years: frozenset[int] | None = None
) -> tuple[dict[str, list[dict]], dict[str, int], dict[Rule, str]]:
    """Each rule's failing rows into a scratch table, by one query each; the rows, the rows checked
    per mart, and the rules whose query DuckDB could not run (with its message)."""
    findings: dict[str, list[dict]] = {}
    broken: dict[Rule, str] = {}
    rows_checked: dict[str, int] = {}
    with duckdb.connect(str(db_path)) as con:
        con.execute(f"create schema if not exists {SCRATCH_SCHEMA}")
        reading = {} if fiscal_years is None else _cut_to_years(con, rules, fiscal_years)
        for table in sorted({r.applies_to for r in rules}):
            try:
                rows_checked[table] = con.execute(
                    f"select count(*) from {reading.get(f'{MART_SCHEMA}.{table}', f'{MART_SCHEMA}.{table}')}"
                ).fetchone()[0]
            except duckdb.Error:
                rows_checked[table] = 0
        for rule in rules:
            batch = f"{MART_SCHEMA}.{rule.applies_to}"
            try:
                con.execute(
                    f"create or replace table {SCRATCH_SCHEMA}.{_scratch(rule)} as "
                    + rule.query_for(reading.get(batch, batch), reading)
                )
                cursor = con.execute(f"select * from {SCRATCH_SCHEMA}.{_scratch(rule)}")
            except duckdb.Error as exc:
                broken[rule] = f"{type(exc).__name__}: {exc}".splitlines()[0]
                continue
            names = [d[0] for d in cursor.description]
            findings[rule.id] = [
                {k: (None if v is None else str(v)) for k, v in zip(names, row) if k in VIOLATION_COLUMNS}
                for row in cursor.fetchall()
            ]
    return findings, rows_checked, broken


def year_list(years) -> str:
    """Fiscal years as SQL literals, in order: `2024, 2025` (empty for none)."""
    return ", ".join(str(int(y)) for y in sorted(years))


def _cut_to_years(con: duckdb.DuckDBPyConnection, rules: tuple[Rule, ...], fiscal_years: frozenset[int]) -> dict[str, str]:
    """A temporary view of each partitioned mart holding only `fiscal_years`, by the name it replaces."""
    partitioned = partitioned_marts(con)
    whole = sorted({r.applies_to for r in rules} - partitioned)
    if whole:
        # its findings of every year would be recorded over those of some years
        raise ValueError(f"rules on {', '.join(whole)} cannot be cut to fiscal years: no {PARTITION_COLUMN} column")
    years = year_list(fiscal_years)
    condition = f"{PARTITION_COLUMN} in ({years})" if years else "false"
    reading = {}
    for table in sorted(partitioned):
        view = f"in_years_{table}"
        con.execute(f"create or replace temp view {view} as select * from {MART_SCHEMA}.{table} where {condition}")
        reading[f"{MART_SCHEMA}.{table}"] = view
    return reading


def _drop_scratch(db_path: Path) -> None:
    with duckdb.connect(str(db_path)) as con:
        con.execute(f"drop schema if exists {SCRATCH_SCHEMA} cascade")


def _context(docs_dir: Path | None = None):
    """An in-memory GE context that sends no usage analytics and draws no progress bars."""
    import great_expectations as gx
    from great_expectations.data_context.types.base import (
        DataContextConfig,
        InMemoryStoreBackendDefaults,
        ProgressBarsConfig,
    )

    config = DataContextConfig(
        store_backend_defaults=InMemoryStoreBackendDefaults(),
        analytics_enabled=False,
        progress_bars=ProgressBarsConfig(globally=False),
        data_docs_sites={
            "integrity": {
                "class_name": "SiteBuilder",
                "store_backend": {"class_name": "TupleFilesystemStoreBackend", "base_directory": str(Path(docs_dir).resolve())},
                "site_index_builder": {"class_name": "DefaultSiteIndexBuilder"},
            }
        } if docs_dir is not None else {},
    )
    return gx.get_context(mode="ephemeral", project_config=config)


def _exception(result) -> str | None:
    info = result.exception_info or {}
    if info.get("raised_exception"):
        return str(info.get("exception_message"))
    for value in info.values():
        if isinstance(value, dict) and value.get("raised_exception"):
            return str(value.get("exception_message"))
    return None


def _close(source) -> None:
    """Release the DuckDB file: GE's persisted connection holds its lock until closed."""
    engine = source.get_execution_engine()
    connection = getattr(engine, "_connection", None)
    if connection is not None:
        connection.close()
        engine._connection = None
    engine.close()
    engine.engine.dispose()
    # Adding an asset tests the connection through the datasource's own engine: release it too.
    own_engine = getattr(source, "_engine", None)
    if own_engine is not None:
        own_engine.dispose()
    gc.collect()
