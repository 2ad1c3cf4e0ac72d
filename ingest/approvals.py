"""The approval dates of the source registry, kept in the warehouse (raw.approvals) beside the
documents, so the marts can set each document's publication against them."""
from __future__ import annotations

from collections.abc import Iterable

import duckdb
import pyarrow as pa

from ingest.registry import Approval

TABLE = "raw.approvals"
SCHEMA = pa.schema([
    ("adcode", pa.string()), ("fiscal_year", pa.int32()), ("doc_type", pa.string()),
    ("department", pa.string()), ("approved_on", pa.date32()), ("note", pa.string()),
])


def _rows(approvals: Iterable[Approval]) -> set[tuple]:
    return {(a.region, a.fiscal_year, a.doc_type, a.department, a.approved_on, a.note) for a in approvals}


def write_approvals(con: duckdb.DuckDBPyConnection, approvals: Iterable[Approval]) -> set[int]:
    """Make raw.approvals hold the registry's approvals, and return the fiscal years whose
    approvals changed (added, removed or moved): their reports judge the 20-day rule anew. The
    same registry written again changes nothing."""
    wanted = _rows(approvals)
    held = set(con.execute(f"select adcode, fiscal_year, doc_type, department, approved_on, note from {TABLE}").fetchall())
    if wanted == held:
        return set()
    con.execute(f"delete from {TABLE}")
    if wanted:
        table = pa.Table.from_pylist([dict(zip(SCHEMA.names, row)) for row in sorted(wanted, key=repr)], schema=SCHEMA)
        con.register("approvals_rows", table)
        con.execute(f"insert into {TABLE} by name select * from approvals_rows")
        con.unregister("approvals_rows")
    return {row[1] for row in wanted ^ held}
