"""The yearly comparison report: figures from the marts, flagged where the integrity rules found
problems, written as a workbook (reporting/workbook.py) and a page (reporting/page.py) with the
same views (reporting/views.py) of the same data (reporting/queries.py)."""
from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

import duckdb

from reporting.page import write_html
from reporting.queries import collect
from reporting.views import highlights, peers
from reporting.workbook import write_xlsx


@dataclass(frozen=True)
class ReportPaths:
    xlsx: Path
    html: Path

    def __iter__(self):
        return iter((self.xlsx, self.html))


def report_paths(out_dir: Path, year: int) -> ReportPaths:
    """Where a fiscal year's report is written: its workbook and its page."""
    base = Path(out_dir) / str(year) / f"yearly_comparison_{year}"
    return ReportPaths(base.with_suffix(".xlsx"), base.with_suffix(".html"))


def write_report(con: duckdb.DuckDBPyConnection, year: int, out_dir: Path) -> ReportPaths:
    data = collect(con, year)
    data["highlights"] = highlights(data)
    data["peers"] = peers(data["regions"])
    data["meta"] = about(con)
    paths = report_paths(out_dir, year)
    target = paths.xlsx.parent
    target.mkdir(parents=True, exist_ok=True)
    for stale in target.glob(f"yearly_comparison_{year}.*.tmp"):  # left by a writer that was stopped
        stale.unlink(missing_ok=True)
    write_xlsx(paths.xlsx, year, data)
    write_html(paths.html, year, data)
    return paths


def about(con: duckdb.DuckDBPyConnection) -> dict[str, str]:
    """When a report is written (Beijing time, as its readers keep it) and from which warehouse."""
    from datetime import datetime, timedelta, timezone

    [(path,)] = con.execute("select path from duckdb_databases() where database_name = current_database()").fetchall()
    generated = datetime.now(timezone(timedelta(hours=8))).strftime("%Y-%m-%d %H:%M（北京时间）")
    return {"generated": generated, "warehouse": Path(path).name if path else "(in memory)"}
