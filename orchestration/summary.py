"""What the command prints of a warehouse once it has run: documents, rows per mart, findings, reports."""
from __future__ import annotations

import sys
from pathlib import Path

from ingest.limits import connect_duckdb, table_exists
from orchestration.lock import data_docs


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


def print_run_summary(db_path: Path, reports: list, found: dict[str, int] | None = None) -> None:
    """What `fiscal run` ends with: the summary, and where the Data Docs are."""
    print_summary(db_path, reports, found=found)
    docs = data_docs(db_path) / "index.html"
    if docs.exists():
        print(f"data docs: {docs}")


def held_reports(con, out_dir: Path, quiet: bool = False) -> list:
    """The reports of the years the warehouse holds (a year no report covers is said, unless `quiet`)."""
    from orchestration.changes import held_years, reportable_years
    from reporting.yearly import report_paths

    reportable = reportable_years()
    held = held_years(con)
    for year in held:
        if str(year) not in reportable and not quiet:
            print(f"fiscal: no report for fiscal year {year}: reports cover {min(reportable)}–{max(reportable)}",
                  file=sys.stderr)
    return [report_paths(out_dir, y) for y in held if str(y) in reportable]


def print_blocking(db_path: Path, limit: int = 10) -> None:
    """What blocks the reports, region by region (on stderr): each region and year with error-level
    findings, how many and the first of them (rule, file and place, difference), and how to go on."""
    with connect_duckdb(db_path, read_only=True) as con:
        if not table_exists(con, "audit.integrity_violation"):
            return
        regions = con.execute(
            """
            select concat_ws(' ', d.province, d.city, d.county) as region, d.fiscal_year, count(*) as errors,
                   arg_min(v.rule_id || ' ' || coalesce(v.description_zh, v.message) || ': ' || v.source_file
                           || coalesce(' ' || v.location, '') || coalesce(', 差额 ' || v.difference, ''),
                           v.source_file || coalesce(v.location, '')) as first
            from audit.integrity_violation as v
            left join marts.dim_document as d using (document_id)
            where v.severity = 'error'
            group by all
            order by errors desc, region, d.fiscal_year
            """
        ).fetchall()
    for region, year, errors, first in regions[:limit]:
        print(f"  {region or '(region unknown)'} {year}: {errors} error{'s' if errors > 1 else ''}, e.g. {first}",
              file=sys.stderr)
    if len(regions) > limit:
        print(f"  … and {len(regions) - limit} more regions and years (audit.integrity_violation holds them all)",
              file=sys.stderr)
    if regions:
        print("fiscal: correct those documents (a corrected re-publication replaces the earlier one), or run with "
              "--allow-errors to write the reports with those regions marked 未通过", file=sys.stderr)
