"""What the command prints of a warehouse once it has run: documents, rows per mart, findings, reports."""
from __future__ import annotations

import sys
from pathlib import Path

from ingest.limits import connect_duckdb, table_exists


def print_summary(db_path: Path, reports: list, raw: bool = False, found: dict[str, int] | None = None) -> None:
    """`reports`: the report paths (reporting.yearly.ReportPaths) to name; `found`: the findings by
    severity the run's checks reported (`outcome.findings`), else those the warehouse holds."""
    documents = "raw.documents" if raw else "marts.dim_document"
    with connect_duckdb(db_path, read_only=True) as con:
        statuses = dict(con.execute(f"select status, count(*) from {documents} group by status").fetchall())
        marts = [
            r[0]
            for r in con.execute(
                "select table_name from information_schema.tables where table_schema = 'marts' order by 1"
            ).fetchall()
        ]
        rows = {m: con.execute(f'select count(*) from marts."{m}"').fetchone()[0] for m in marts}
        if found is not None:
            severities = found
        elif table_exists(con, "audit.integrity_violation"):
            severities = dict(con.execute("select severity, count(*) from audit.integrity_violation group by all").fetchall())
        else:
            severities = {}
        reason_column = "reason" if raw else "status_reason"
        problems = con.execute(
            f"select source_file, line_start, section, status, {reason_column} from {documents} "
            "where status <> 'loaded' order by source_file, line_start"
        ).fetchall()
    for source_file, line_start, section, status, reason in problems:
        where = f"{source_file}:{line_start}" if section else source_file
        print(f"{where}: {status}: {reason}", file=sys.stderr)
    total = sum(statuses.values())
    print(f"warehouse: {db_path}")
    print(f"documents read: {total} (loaded {statuses.get('loaded', 0)}, partial {statuses.get('partial', 0)}, "
          f"quarantined {statuses.get('quarantined', 0)})")
    print("rows per mart: " + ", ".join(f"{m} {n}" for m, n in rows.items()))
    print(f"violations: error {severities.get('error', 0)}, warning {severities.get('warning', 0)}, "
          f"info {severities.get('info', 0)}")
    for paths in reports:
        print(f"report: {paths.xlsx}")
        print(f"report: {paths.html}")
