"""Which fiscal years a load changes: the one statement of it.

A year's figures are compared with the year before (the change on the previous year, last year's
budget against this year's final accounts), so the documents of a year change that year and the
year after. Each consumer keeps its own mark of how far it has seen the loads (the last passed dbt
build, each integrity rule's last run, the reports written) and asks this module which years the
documents loaded since then change: the ingest, for the reports it makes due; the dbt build, for
the years its facts rebuild and its tests read (passed as `--vars`); the integrity checks; and,
through the reports due, the command line and the sensors.
"""
from __future__ import annotations

from collections.abc import Iterable
from datetime import datetime

import duckdb

from ingest.limits import table_exists

# a year's documents change the figures of these years, counted from theirs
REACH = (0, 1)
# where the last build recorded each document's year
BUILT_DOCUMENTS = "marts.dim_document"


def affected_years(years: Iterable[int]) -> frozenset[int]:
    """The years whose figures documents of `years` change."""
    return frozenset(int(y) + shift for y in years for shift in REACH)


def years_changed_since(con: duckdb.DuckDBPyConnection, since: datetime | None) -> frozenset[int] | None:
    """The fiscal years the documents loaded after `since` change: theirs, and those the warehouse's
    last build had them in (a document read anew may now be read as another year, which its old
    year loses), each with the years it reaches. A document with no year counts as year 0, the
    partition its rows are kept in. None, meaning every year, when there is no mark to count from."""
    if since is None:
        return None
    found = con.execute(
        "select distinct coalesce(fiscal_year, 0) from raw.documents where loaded_at > ?", [since]
    ).fetchall()
    if table_exists(con, BUILT_DOCUMENTS):
        found += con.execute(
            f"select distinct coalesce(built.fiscal_year, 0) from {BUILT_DOCUMENTS} as built"
            " join raw.documents as loaded on loaded.document_id = built.document_id where loaded.loaded_at > ?",
            [since],
        ).fetchall()
    return affected_years(year for (year,) in found)
