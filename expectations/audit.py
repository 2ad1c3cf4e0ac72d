"""Write a suite run into the warehouse's audit schema."""
from __future__ import annotations

from datetime import datetime
from pathlib import Path

import duckdb
import pyarrow as pa

from expectations.catalogue import Rule, default_rules
from expectations.suite import SuiteRun, partitioned_marts, validate, year_list
from ingest.changes import years_changed_since
from ingest.limits import comment, connect_duckdb, table_exists

VIOLATION_SCHEMA = pa.schema(
    [
        ("rule_id", pa.string()), ("severity", pa.string()), ("document_id", pa.string()),
        ("source_file", pa.string()), ("location", pa.string()), ("entity", pa.string()),
        ("expected", pa.string()), ("actual", pa.string()), ("difference", pa.string()),
        ("message", pa.string()), ("description_zh", pa.string()), ("run_at", pa.timestamp("us", tz="UTC")),
        ("unit", pa.string()),  # the rule's: what expected, actual and difference are in
    ]
)
RUN_SCHEMA = pa.schema(
    [
        ("rule_id", pa.string()), ("applies_to", pa.string()), ("rows_checked", pa.int64()),
        ("violations", pa.int64()), ("errors", pa.int64()), ("warnings", pa.int64()), ("infos", pa.int64()),
        ("severity", pa.string()), ("success", pa.bool_()), ("exception", pa.string()),
        ("run_at", pa.timestamp("us", tz="UTC")), ("fiscal_years", pa.string()),
    ]
)
# How far each rule has been checked: the rule as it read then, and the last load it saw.
CHECKED_SCHEMA = pa.schema(
    [
        ("rule_id", pa.string()), ("rule_digest", pa.string()),
        ("loaded_through", pa.timestamp("us", tz="UTC")), ("checked_at", pa.timestamp("us", tz="UTC")),
    ]
)
TABLES = (("integrity_violation", VIOLATION_SCHEMA), ("integrity_run", RUN_SCHEMA), ("integrity_checked", CHECKED_SCHEMA))
# what each audit table and column holds, kept as the tables' comments in DuckDB (duckdb_columns())
COMMENTS = {
    "integrity_violation": ("Every finding of the integrity rules the warehouse holds: one row per rule and disagreeing row.", {
        "rule_id": "The rule (expectations/rules.csv).",
        "severity": "error, warning or info (a difference inside the rounding band); the catalogue's severity otherwise.",
        "document_id": "The document the finding is on (marts.dim_document).",
        "source_file": "The file it came from.",
        "location": "Where in the file: a line, or a PDF page and table row (p.8 支出决算表 row 14).",
        "entity": "What disagrees: the table row, subject, indicator or statement.",
        "expected": "The figure the rule computes from the others, as text, in `unit`.",
        "actual": "The figure the document prints, as text, in `unit`.",
        "difference": "actual - expected, as text, in `unit`.",
        "message": "The finding in Chinese, with both figures.",
        "description_zh": "What the rule checks, in Chinese.",
        "run_at": "When the check that found it ran.",
        "unit": "What expected, actual and difference are in: 元, 比率 (a fraction), 分, 个, 文字 or 文中单位.",
    }),
    "integrity_run": ("Each rule's last run: rows checked, findings by severity the warehouse holds, success.", {
        "rule_id": "The rule.", "applies_to": "The mart it reads.", "rows_checked": "Rows of the mart it read.",
        "violations": "Its findings the warehouse holds, every severity.", "errors": "Of them, errors.",
        "warnings": "Of them, warnings.", "infos": "Of them, infos (inside the rounding band).",
        "severity": "The catalogue's severity.", "success": "Whether it ran and found no error or warning.",
        "exception": "Why it could not run, if it could not.", "run_at": "When it ran.",
        "fiscal_years": "The fiscal years it read (comma-separated); null for every year.",
    }),
    "integrity_checked": ("How far each rule has seen the loads: the next check reads the years loaded since.", {
        "rule_id": "The rule.", "rule_digest": "The rule as it read then (a changed rule reads every year again).",
        "loaded_through": "The last load it saw.", "checked_at": "When it ran.",
    }),
}


def ensure_audit_schema(con: duckdb.DuckDBPyConnection) -> None:
    con.execute("create schema if not exists audit")
    for name, schema in TABLES:
        con.register("empty_shape", schema.empty_table())
        con.execute(f"create table if not exists audit.{name} as select * from empty_shape")
        con.unregister("empty_shape")
    # a warehouse from before a run recorded the years it read, or a finding its unit
    con.execute("alter table audit.integrity_run add column if not exists fiscal_years varchar")
    con.execute("alter table audit.integrity_violation add column if not exists unit varchar")
    for table, (about, columns) in COMMENTS.items():
        comment(con, f"audit.{table}", about, columns)


def _audit_rows(run: SuiteRun, loaded_through: datetime | None) -> tuple[list[dict], list[dict], list[dict]]:
    """The rows a run adds to audit.integrity_violation, integrity_run and integrity_checked."""
    violations = [
        {
            "rule_id": v["rule_id"], "severity": v["severity"], "document_id": v.get("document_id"),
            "source_file": v.get("source_file"), "location": v.get("location"), "entity": v.get("entity"),
            "expected": v.get("expected"), "actual": v.get("actual"), "difference": v.get("difference"),
            "message": v.get("message"), "description_zh": r.rule.description_zh, "run_at": run.run_at,
            "unit": r.rule.unit,
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
            "fiscal_years": None if run.fiscal_years is None else ",".join(str(y) for y in sorted(run.fiscal_years)),
        }
        for r in run.results
    ]
    checked = [
        {"rule_id": r.rule.id, "rule_digest": r.rule.digest, "loaded_through": loaded_through, "checked_at": run.run_at}
        for r in run.results
        if r.exception is None  # a rule that could not run is checked in full next time
    ]
    return violations, runs, checked


def write_audit(con: duckdb.DuckDBPyConnection, run: SuiteRun, loaded_through: datetime | None = None) -> None:
    """Replace the findings of the rules this run checked, in one transaction; other rules' rows stay.

    A run that read some fiscal years replaces the findings on those years' documents only. Each
    rule that ran is marked checked through `loaded_through` (the last load it saw), as it reads
    now; `run.recorded` gets each rule's findings in the warehouse afterwards.
    """
    violations, runs, checked = _audit_rows(run, loaded_through)
    con.execute("begin transaction")
    try:
        ensure_audit_schema(con)
        rule_ids = pa.table({"rule_id": pa.array([r.rule.id for r in run.results], pa.string())})
        con.register("checked_rules", rule_ids)
        stale = "rule_id in (select rule_id from checked_rules)"
        if run.fiscal_years is not None:
            years = year_list(run.fiscal_years) or "null"
            stale += (
                " and document_id in (select document_id from raw.documents"
                f" where coalesce(fiscal_year, 0) in ({years}))"
            )
        con.execute(f"delete from audit.integrity_violation where {stale}")
        _insert(con, "integrity_violation", violations, VIOLATION_SCHEMA)
        recorded = {r.rule.id: {"error": 0, "warning": 0, "info": 0} for r in run.results}
        for rule_id, severity, n in con.execute(
            "select rule_id, severity, count(*) from audit.integrity_violation"
            " where rule_id in (select rule_id from checked_rules) group by all"
        ).fetchall():
            recorded[rule_id][severity] = n
        for row in runs:
            # the rule's findings in the warehouse now, not only those of the years this run read
            counts = recorded[row["rule_id"]]
            row.update(violations=sum(counts.values()), errors=counts["error"], warnings=counts["warning"],
                       infos=counts["info"])
        for name in ("integrity_run", "integrity_checked"):
            con.execute(f"delete from audit.{name} where rule_id in (select rule_id from checked_rules)")
        _insert(con, "integrity_run", runs, RUN_SCHEMA)
        _insert(con, "integrity_checked", checked, CHECKED_SCHEMA)
        con.unregister("checked_rules")
        con.execute("commit")
    except BaseException:
        con.execute("rollback")
        raise
    run.recorded = recorded


def _insert(con: duckdb.DuckDBPyConnection, table: str, rows: list[dict], schema: pa.Schema) -> None:
    if rows:
        con.register("incoming", pa.Table.from_pylist(rows, schema=schema))
        con.execute(f"insert into audit.{table} by name select * from incoming")
        con.unregister("incoming")


def last_load(con: duckdb.DuckDBPyConnection) -> datetime | None:
    """When the latest document in the warehouse was loaded."""
    if not table_exists(con, "raw.documents"):
        return None
    return con.execute("select max(loaded_at) from raw.documents").fetchone()[0]


def checked_through(con: duckdb.DuckDBPyConnection, rules: tuple[Rule, ...]) -> datetime | None:
    """How far every one of `rules` has seen the loads: the earliest of their marks. None (read
    every year) when one of them has not run yet as it reads now, or reads a mart not kept by fiscal
    year."""
    if not rules or not table_exists(con, "audit.integrity_checked") or not table_exists(con, "raw.documents"):
        return None
    if not {r.applies_to for r in rules} <= partitioned_marts(con):
        return None
    marks = {
        rule_id: (digest, loaded_through)
        for rule_id, digest, loaded_through in con.execute(
            "select rule_id, rule_digest, loaded_through from audit.integrity_checked"
        ).fetchall()
    }
    if any(marks.get(r.id, (None, None))[0] != r.digest or marks[r.id][1] is None for r in rules):
        return None
    return min(marks[r.id][1] for r in rules)


def forget_checks(con: duckdb.DuckDBPyConnection) -> None:
    """Make the next check read every year (the marts were rebuilt from scratch)."""
    if table_exists(con, "audit.integrity_checked"):
        con.execute("delete from audit.integrity_checked")


def check_and_record(
    db_path: Path, applies_to: str | None = None, rules: tuple[Rule, ...] | None = None, docs_dir: Path | None = None,
    since_last_check: bool = False,
) -> SuiteRun:
    """Validate the rules (those of one mart, or all) and record their findings in audit.*;
    with `docs_dir`, also write GE's Data Docs there. With `since_last_check`, the rules read only
    the fiscal years the documents loaded since they last ran change (`ingest.changes`)."""
    rules = rules if rules is not None else default_rules()
    selected = tuple(r for r in rules if applies_to is None or r.applies_to == applies_to)
    with connect_duckdb(db_path) as con:
        loaded_through = last_load(con)
        years = years_changed_since(con, checked_through(con, selected)) if since_last_check else None
    run = validate(db_path, selected, docs_dir, fiscal_years=years)  # closes GE's connection before the write
    with connect_duckdb(db_path) as con:
        write_audit(con, run, loaded_through)
    return run
