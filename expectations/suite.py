"""Validate the DuckDB marts with Great Expectations suites built from the rule catalogue.

The queries run inside DuckDB through GE's SQL datasource; no table is pulled into pandas.
"""
from __future__ import annotations

import gc
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

    def violations(self, severity: str | None = None) -> list[dict]:
        return [v for r in self.results for v in r.violations if severity is None or v["severity"] == severity]

    def counts(self) -> dict[str, int]:
        out = {"error": 0, "warning": 0, "info": 0}
        for v in self.violations():
            out[v["severity"]] += 1
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


def validate(db_path: Path, rules: tuple[Rule, ...] | None = None, docs_dir: Path | None = None) -> SuiteRun:
    """Run every rule as an UnexpectedRowsExpectation, one suite per mart, and close GE's connection.

    With `docs_dir`, GE's Data Docs (a static HTML site of the suites and their results) are written there.
    """
    import great_expectations as gx

    _persist_duckdb_connections()
    rules = rules if rules is not None else default_rules()
    run = SuiteRun(run_at=datetime.now(timezone.utc))
    # A query DuckDB cannot bind would leave GE's one connection in an aborted transaction and fail
    # every rule after it: find those first and report them as rules that could not run.
    broken = _preflight(db_path, rules)
    run.results.extend(RuleResult(rule, False, 0, (), message) for rule, message in broken.items())
    rules = tuple(r for r in rules if r not in broken)
    if not rules:
        return run
    context = _context(docs_dir)
    source = context.data_sources.add_sql(name="warehouse", connection_string=f"duckdb:///{Path(db_path).resolve()}")
    by_table: dict[str, list[Rule]] = {}
    for rule in rules:
        by_table.setdefault(rule.applies_to, []).append(rule)
    raw_results: list[tuple[Rule, dict]] = []
    try:
        for table, table_rules in by_table.items():
            asset = source.add_table_asset(name=table, table_name=table, schema_name=MART_SCHEMA)
            batch = asset.add_batch_definition_whole_table(f"{table}_all")
            suite = context.suites.add(gx.ExpectationSuite(name=f"integrity_{table}"))
            suite.add_expectation(gx.expectations.ExpectTableRowCountToBeBetween(min_value=0, meta={"kind": "rows_checked"}))
            for rule in table_rules:
                suite.add_expectation(
                    gx.expectations.UnexpectedRowsExpectation(
                        unexpected_rows_query=rule.sql, description=rule.description_en, meta={"rule_id": rule.id}
                    )
                )
            definition = context.validation_definitions.add(
                gx.ValidationDefinition(name=f"integrity_{table}", data=batch, suite=suite)
            )
            if docs_dir is None:
                outcome = definition.run(result_format="COMPLETE")
            else:
                checkpoint = context.checkpoints.add(
                    gx.Checkpoint(
                        name=f"integrity_{table}",
                        validation_definitions=[definition],
                        actions=[gx.checkpoint.UpdateDataDocsAction(name="data_docs")],
                        result_format="COMPLETE",
                    )
                )
                (outcome,) = checkpoint.run().run_results.values()
            rows_checked = next(
                int(r.result.get("observed_value") or 0)
                for r in outcome.results
                if (r.expectation_config.meta or {}).get("kind") == "rows_checked"
            )
            for result in outcome.results:
                meta = result.expectation_config.meta or {}
                if meta.get("kind") == "rows_checked":
                    continue
                rule = next(r for r in table_rules if r.id == meta["rule_id"])
                raw_results.append(
                    (
                        rule,
                        {
                            "success": bool(result.success),
                            "rows_checked": rows_checked,
                            "count": int(result.result.get("observed_value") or 0),
                            "rows": _rows(result.result.get("details", {}).get("unexpected_rows")),
                            "exception": _exception(result),
                        },
                    )
                )
    finally:
        _close(source)
    for rule, data in raw_results:
        rows = data["rows"]
        if data["count"] > len(rows):
            # GE returns at most a sample of the failing rows; the audit table wants every one.
            rows = _all_rows(db_path, rule)
        run.results.append(
            RuleResult(
                rule=rule,
                success=data["success"] and data["exception"] is None,
                rows_checked=data["rows_checked"],
                violations=tuple({**row, "rule_id": rule.id} for row in rows),
                exception=data["exception"],
            )
        )
    return run


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


def _preflight(db_path: Path, rules: tuple[Rule, ...]) -> dict[Rule, str]:
    broken = {}
    with duckdb.connect(str(db_path), read_only=True) as con:
        for rule in rules:
            try:
                con.execute("explain " + rule.query_for(f"{MART_SCHEMA}.{rule.applies_to}"))
            except duckdb.Error as exc:
                broken[rule] = f"{type(exc).__name__}: {exc}".splitlines()[0]
    return broken


def _rows(unexpected) -> list[dict]:
    if unexpected is None:
        return []
    if hasattr(unexpected, "to_dict"):
        records = unexpected.to_dict(orient="records")
    else:
        records = list(unexpected)
    return [{k: (None if v is None else str(v)) for k, v in r.items() if k in VIOLATION_COLUMNS} for r in records]


def _exception(result) -> str | None:
    info = result.exception_info or {}
    if info.get("raised_exception"):
        return str(info.get("exception_message"))
    for value in info.values():
        if isinstance(value, dict) and value.get("raised_exception"):
            return str(value.get("exception_message"))
    return None


def _all_rows(db_path: Path, rule: Rule) -> list[dict]:
    with duckdb.connect(str(db_path), read_only=True) as con:
        cursor = con.execute(rule.query_for(f"{MART_SCHEMA}.{rule.applies_to}"))
        names = [d[0] for d in cursor.description]
        return [
            {k: (None if v is None else str(v)) for k, v in zip(names, row) if k in VIOLATION_COLUMNS}
            for row in cursor.fetchall()
        ]


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
