"""Which fiscal years a load changes, as every consumer of it counts them."""
from datetime import datetime, timedelta, timezone

import duckdb

from ingest.changes import affected_years, years_changed_since

EARLIER = datetime(2026, 5, 1, tzinfo=timezone.utc)
MARK = EARLIER + timedelta(days=1)
LATER = MARK + timedelta(days=1)


def _warehouse(built: bool):
    con = duckdb.connect()
    con.execute("create schema raw")
    con.execute("create table raw.documents (document_id varchar, fiscal_year integer, loaded_at timestamptz)")
    con.executemany("insert into raw.documents values (?, ?, ?)", [
        ("old", 2021, EARLIER),      # seen by the mark
        ("new", 2023, LATER),        # loaded since
        ("moved", 2024, LATER),      # read anew since, as another year than the last build had it in
        ("yearless", None, LATER),   # no year: the partition 0
    ])
    if built:
        con.execute("create schema marts")
        con.execute("create table marts.dim_document (document_id varchar, fiscal_year integer)")
        con.executemany("insert into marts.dim_document values (?, ?)", [("old", 2021), ("moved", 2019)])
    return con


def test_a_year_changes_itself_and_the_year_after():
    assert affected_years([2020, 2023]) == {2020, 2021, 2023, 2024}
    assert affected_years([]) == frozenset()


def test_the_years_loaded_since_a_mark_and_those_their_documents_left():
    with _warehouse(built=True) as con:
        assert years_changed_since(con, MARK) == {0, 1, 2023, 2024, 2025, 2019, 2020}
        assert years_changed_since(con, LATER) == frozenset()  # nothing loaded since
        assert years_changed_since(con, None) is None  # no mark: every year


def test_before_any_build_the_years_are_those_loaded():
    with _warehouse(built=False) as con:
        assert years_changed_since(con, MARK) == {0, 1, 2023, 2024, 2025}
