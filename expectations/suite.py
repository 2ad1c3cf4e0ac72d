"""Validate the DuckDB marts with Great Expectations suites built from the rule catalogue.

Each rule's query runs inside DuckDB through GE's SQL datasource; no table is pulled into pandas.
"""
from __future__ import annotations

import gc
import threading
from dataclasses import dataclass, field
from datetime import datetime, timezone
from pathlib import Path
from urllib.parse import urlencode

import duckdb

from expectations.catalogue import FINDING_COLUMNS, Rule, default_rules
from ingest.limits import DUCKDB_SETTINGS, connect_duckdb

MART_SCHEMA = "marts"


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
    """Validate every rule with Great Expectations, one suite per mart, and close GE's connection.

    Each rule is an expectation whose query is the rule's own, run by GE against its mart inside
    DuckDB: the rows it returns are the findings, severity decided (`findings_query`), and what
    is recorded is what GE found. With `fiscal_years`, the rules read those years' rows only: their
    mart and every other mart they name, cut by `fiscal_year_partition` (views in a scratch schema,
    dropped afterwards). With `docs_dir`, GE's Data Docs (a static HTML site of the suites and their
    results) are written there.
    """
    if _preload is not None:
        _preload.join()  # a half-finished import on another thread must not be seen half-done here
    import great_expectations as gx

    from expectations.ge_rules import ExpectRuleToFindNothing

    _persist_duckdb_connections()
    rules = rules if rules is not None else default_rules()
    run = SuiteRun(run_at=datetime.now(timezone.utc), fiscal_years=fiscal_years)
    if not rules:
        return run
    reading, rows_checked, documents = _prepare(db_path, rules, fiscal_years)
    context = _context(docs_dir)
    source = context.data_sources.add_sql(name="warehouse", connection_string=f"duckdb:///{Path(db_path).resolve()}?{urlencode(DUCKDB_SETTINGS)}")
    outcomes: dict[str, tuple[bool, tuple[dict, ...], str | None]] = {}
    try:
        definitions = []
        for table, table_rules in _by_mart(rules).items():
            schema, name = reading.get(f"{MART_SCHEMA}.{table}", f"{MART_SCHEMA}.{table}").split(".")
            asset = source.add_table_asset(name=table, table_name=name, schema_name=schema)
            suite = context.suites.add(gx.ExpectationSuite(name=f"integrity_{table}"))
            for rule in table_rules:
                suite.add_expectation(ExpectRuleToFindNothing(
                    unexpected_rows_query=rule.query_for("{batch}", reading, documents),
                    description=rule.description_en, meta={"rule_id": rule.id},
                ))
            batch = asset.add_batch_definition_whole_table(f"{table}_all")
            definitions.append(
                context.validation_definitions.add(gx.ValidationDefinition(name=f"integrity_{table}", data=batch, suite=suite))
            )
        for outcome in _run_definitions(context, definitions, docs_dir):
            for result in outcome.results:
                rows = ((result.result or {}).get("details") or {}).get("unexpected_rows") or ()
                outcomes[(result.expectation_config.meta or {})["rule_id"]] = (
                    bool(result.success), tuple(finding(row) for row in rows), _exception(result))
    finally:
        _close(source)
        _drop_scratch(db_path)
    for rule in rules:
        success, rows, exception = outcomes.get(rule.id, (False, (), "no result from Great Expectations"))
        run.results.append(RuleResult(
            rule=rule, success=success and exception is None, rows_checked=rows_checked.get(rule.applies_to, 0),
            violations=tuple({**row, "rule_id": rule.id} for row in rows), exception=exception,
        ))
    return run


def _by_mart(rules: tuple[Rule, ...]) -> dict[str, list[Rule]]:
    by_table: dict[str, list[Rule]] = {}
    for rule in rules:
        by_table.setdefault(rule.applies_to, []).append(rule)
    return by_table


def _run_definitions(context, definitions, docs_dir: Path | None):
    """Each mart's validation result; with `docs_dir`, through one checkpoint for every mart, so
    that the Data Docs site is built once (GE's UpdateDataDocsAction rebuilds the whole index
    after each mart's validation)."""
    import great_expectations as gx

    if docs_dir is None:
        return [definition.run(result_format="COMPLETE") for definition in definitions]
    from great_expectations.data_context.types.resource_identifiers import ExpectationSuiteIdentifier

    checkpoint = context.checkpoints.add(
        gx.Checkpoint(name="integrity", validation_definitions=definitions, result_format="COMPLETE")
    )
    run_results = checkpoint.run().run_results
    results = list(run_results.values())
    context.build_data_docs(
        resource_identifiers=[*run_results, *(ExpectationSuiteIdentifier(name=r.suite_name) for r in results)],
        build_index=True,
    )
    from expectations.offline import localise

    localise(docs_dir)  # whole without the internet: its scripts and styles inside the site
    return results


def finding(row: dict) -> dict:
    return {k: (None if v is None else str(v)) for k, v in row.items() if k in FINDING_COLUMNS}


PARTITION_COLUMN = "fiscal_year_partition"


def partitioned_marts(con: duckdb.DuckDBPyConnection) -> set[str]:
    """The marts kept by fiscal year (a `fiscal_year_partition` column): those a run can cut to some years."""
    return {r[0] for r in con.execute(
        "select table_name from information_schema.columns where table_schema = ? and column_name = ?",
        [MART_SCHEMA, PARTITION_COLUMN],
    ).fetchall()}


def _prepare(db_path: Path, rules: tuple[Rule, ...],
             fiscal_years: frozenset[int] | None) -> tuple[dict[str, str], dict[str, int], str | None]:
    """The relations the rules read in place of the marts they name (views of some years, for a
    run cut to fiscal years), the rows checked per mart, and the relation that says which
    documents hold figures OCR was unsure of (none in a warehouse without it)."""
    rows_checked: dict[str, int] = {}
    with connect_duckdb(db_path) as con:
        documents = f"{MART_SCHEMA}.dim_document" if con.execute(
            "select count(*) from duckdb_columns() where schema_name = ? and table_name = 'dim_document' "
            "and column_name = 'ocr_unsure_figures'", [MART_SCHEMA]).fetchone()[0] else None
        reading = {} if fiscal_years is None else _cut_to_years(con, rules, fiscal_years)
        for table in sorted({r.applies_to for r in rules}):
            try:
                rows_checked[table] = con.execute(
                    f"select count(*) from {reading.get(f'{MART_SCHEMA}.{table}', f'{MART_SCHEMA}.{table}')}"
                ).fetchone()[0]
            except duckdb.Error:
                rows_checked[table] = 0
    return reading, rows_checked, documents


def year_list(years) -> str:
    """Fiscal years as SQL literals, in order: `2024, 2025` (empty for none)."""
    return ", ".join(str(int(y)) for y in sorted(years))


def _cut_to_years(con: duckdb.DuckDBPyConnection, rules: tuple[Rule, ...], fiscal_years: frozenset[int]) -> dict[str, str]:
    """A view of each partitioned mart holding only `fiscal_years`, in the scratch schema, by the
    name it replaces."""
    partitioned = partitioned_marts(con)
    whole = sorted({r.applies_to for r in rules} - partitioned)
    if whole:
        # its findings of every year would be recorded over those of some years
        raise ValueError(f"rules on {', '.join(whole)} cannot be cut to fiscal years: no {PARTITION_COLUMN} column")
    years = year_list(fiscal_years)
    condition = f"{PARTITION_COLUMN} in ({years})" if years else "false"
    con.execute(f"create schema if not exists {SCRATCH_SCHEMA}")
    reading = {}
    for table in sorted(partitioned):
        view = f"{SCRATCH_SCHEMA}.in_years_{table}"
        con.execute(f"create or replace view {view} as select * from {MART_SCHEMA}.{table} where {condition}")
        reading[f"{MART_SCHEMA}.{table}"] = view
    return reading


def _drop_scratch(db_path: Path) -> None:
    with connect_duckdb(db_path) as con:
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
    """Release the DuckDB file: GE's persisted connection (see `_persist_duckdb_connections`)
    holds its lock until closed, and GE's own `close` leaves it open."""
    engine = source.get_execution_engine()
    connection = getattr(engine, "_connection", None)
    if connection is not None:
        connection.close()
        engine._connection = None
    engine.close()
    engine.engine.dispose()
    # Adding an asset tests the connection through the datasource's own engine: release it too.
    source.get_engine().dispose()
    gc.collect()
