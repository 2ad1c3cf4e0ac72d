"""Write a suite run into the warehouse's audit schema."""
from __future__ import annotations

from pathlib import Path

import duckdb
import pyarrow as pa

from expectations.catalogue import Rule, default_rules
from expectations.suite import SuiteRun, validate

VIOLATION_SCHEMA = pa.schema(
    [
        ("rule_id", pa.string()), ("severity", pa.string()), ("document_id", pa.string()),
        ("source_file", pa.string()), ("location", pa.string()), ("entity", pa.string()),
        ("expected", pa.string()), ("actual", pa.string()), ("difference", pa.string()),
        ("message", pa.string()), ("description_zh", pa.string()), ("run_at", pa.timestamp("us", tz="UTC")),
    ]
)
RUN_SCHEMA = pa.schema(
    [
        ("rule_id", pa.string()), ("applies_to", pa.string()), ("rows_checked", pa.int64()),
        ("violations", pa.int64()), ("errors", pa.int64()), ("warnings", pa.int64()), ("infos", pa.int64()),
        ("severity", pa.string()), ("success", pa.bool_()), ("exception", pa.string()),
        ("run_at", pa.timestamp("us", tz="UTC")),
    ]
)


def ensure_audit_schema(con: duckdb.DuckDBPyConnection) -> None:
    con.execute("create schema if not exists audit")
    for name, schema in (("integrity_violation", VIOLATION_SCHEMA), ("integrity_run", RUN_SCHEMA)):
        con.register("empty_shape", schema.empty_table())
        con.execute(f"create table if not exists audit.{name} as select * from empty_shape")
        con.unregister("empty_shape")


def write_audit(con: duckdb.DuckDBPyConnection, run: SuiteRun) -> None:
    """Replace the findings of the rules this run checked, in one transaction; other rules' rows stay."""
    violations = [
        {
            "rule_id": v["rule_id"], "severity": v["severity"], "document_id": v.get("document_id"),
            "source_file": v.get("source_file"), "location": v.get("location"), "entity": v.get("entity"),
            "expected": v.get("expected"), "actual": v.get("actual"), "difference": v.get("difference"),
            "message": v.get("message"), "description_zh": r.rule.description_zh, "run_at": run.run_at,
        }
        for r in run.results
        for v in r.violations
    ]
    runs = [
        {
            "rule_id": r.rule.id, "applies_to": r.rule.applies_to, "rows_checked": r.rows_checked,
            "violations": len(r.violations),
            "errors": sum(v["severity"] == "error" for v in r.violations),
            "warnings": sum(v["severity"] == "warning" for v in r.violations),
            "infos": sum(v["severity"] == "info" for v in r.violations),
            "severity": r.rule.severity, "success": r.success, "exception": r.exception, "run_at": run.run_at,
        }
        for r in run.results
    ]
    con.execute("begin transaction")
    try:
        ensure_audit_schema(con)
        rule_ids = pa.table({"rule_id": pa.array([r.rule.id for r in run.results], pa.string())})
        con.register("checked_rules", rule_ids)
        for name, rows, schema in (("integrity_violation", violations, VIOLATION_SCHEMA), ("integrity_run", runs, RUN_SCHEMA)):
            con.execute(f"delete from audit.{name} where rule_id in (select rule_id from checked_rules)")
            if rows:
                con.register("incoming", pa.Table.from_pylist(rows, schema=schema))
                con.execute(f"insert into audit.{name} select * from incoming")
                con.unregister("incoming")
        con.unregister("checked_rules")
        con.execute("commit")
    except BaseException:
        con.execute("rollback")
        raise


def check_and_record(
    db_path: Path, applies_to: str | None = None, rules: tuple[Rule, ...] | None = None, docs_dir: Path | None = None
) -> SuiteRun:
    """Validate the rules (those of one mart, or all) and record their findings in audit.*;
    with `docs_dir`, also write GE's Data Docs there."""
    rules = rules if rules is not None else default_rules()
    selected = tuple(r for r in rules if applies_to is None or r.applies_to == applies_to)
    run = validate(db_path, selected, docs_dir)  # closes GE's connection before the write below
    with duckdb.connect(str(db_path)) as con:
        write_audit(con, run)
    return run
