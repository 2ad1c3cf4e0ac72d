"""Which years' reports are due.

The reports due are recorded in the warehouse itself (`audit.reports_due`), by the ingest that
changed their years (`ingest.changes.affected_years`): they are swapped in with the data, and a
year leaves the list only once its report is written. A run that is stopped before its reports
are written leaves them due, and the next run writes them.
"""
from __future__ import annotations

from collections.abc import Iterable
from datetime import datetime, timezone

import duckdb

from ingest.limits import comment, table_exists

DUE = "audit.reports_due"
FIRST_FISCAL_YEAR = 2000


def reportable_years(now: datetime | None = None) -> set[str]:
    """The fiscal years a report can be written for: from FIRST_FISCAL_YEAR through the current one
    (a year's budget is published while it runs). The yearly report's partitions are these."""
    return {str(y) for y in range(FIRST_FISCAL_YEAR, (now or datetime.now(timezone.utc)).year + 1)}


def mark_due(con: duckdb.DuckDBPyConnection, years: Iterable[int]) -> None:
    """Record that the reports of `years` are due (written, or rewritten, by the next report run)."""
    if not table_exists(con, DUE):  # once, not in every load's transaction
        con.execute("create schema if not exists audit")
        con.execute(f"create table {DUE} (fiscal_year integer primary key, since timestamp with time zone)")
        comment(con, DUE, "The fiscal years whose reports are due: their documents changed since the report was written.",
                {"fiscal_year": "The year.", "since": "When it became due (the load that changed it)."})
    for year in sorted(set(years)):
        con.execute(f"insert into {DUE} values (?, current_timestamp) on conflict do nothing", [year])


def due_years(con: duckdb.DuckDBPyConnection) -> set[int]:
    """The years whose reports are due."""
    return {r[0] for r in con.execute(f"select fiscal_year from {DUE}").fetchall()} if table_exists(con, DUE) else set()


def reports_to_write(con: duckdb.DuckDBPyConnection, reportable: set[str], written) -> list[int]:
    """The years whose report is to be written now: due, or not written yet (`written(year)` says),
    among the years the warehouse holds documents of and a report can be written for."""
    due = due_years(con)
    return sorted(y for y in held_years(con) if str(y) in reportable and (y in due or not written(y)))


def held_years(con: duckdb.DuckDBPyConnection) -> list[int]:
    """The fiscal years the warehouse holds documents of (read, not quarantined), in order."""
    return [r[0] for r in con.execute(
        "select distinct fiscal_year from marts.dim_document where fiscal_year is not null and status <> 'quarantined' order by 1"
    ).fetchall()]


def clear_due(con: duckdb.DuckDBPyConnection, years: Iterable[int]) -> None:
    """The reports of `years` are written: they are no longer due."""
    years = sorted(set(years))
    if years and table_exists(con, DUE):
        con.execute(f"delete from {DUE} where fiscal_year in ({', '.join(str(int(y)) for y in years)})")


def build_changes(con: duckdb.DuckDBPyConnection) -> dict[str, object]:
    """What a dbt build is told changed since the last build that passed (dbt's own record of it,
    `audit.build_checked`): `changed_years`, the fiscal years the documents loaded since then change
    (`ingest.changes`), which its facts rebuild and its data tests read, and `changed_since_us`, that
    build's last load, after which its tests read the documents. Nothing (every year, every row)
    when no build has passed, or none saw a document."""
    from ingest.changes import years_changed_since

    if not table_exists(con, "audit.build_checked"):
        return {}
    since, since_us = con.execute(
        "select max(loaded_through), epoch_us(max(loaded_through)) from audit.build_checked"
    ).fetchone()
    years = years_changed_since(con, since)
    if years is None:
        return {}
    return {"changed_years": sorted(years), "changed_since_us": since_us}
