"""Write parsed documents into the warehouse's raw schema, in bulk and exactly once."""
from __future__ import annotations


from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from datetime import datetime, timezone
from typing import TYPE_CHECKING

import duckdb
import pyarrow as pa
import pyarrow.compute as pc

from ingest.approvals import SCHEMA as APPROVALS_SCHEMA
from ingest.known import CURRENT_PARSERS, NOTHING_KNOWN, KnownFiles
from ingest.records import IngestResult, ParsedDocument, no_cyclic_gc

if TYPE_CHECKING:
    from ingest.pipeline import Batch

MONEY = pa.decimal128(18, 2)
SCORE = pa.decimal128(9, 2)
RATE = pa.decimal128(12, 6)

# the standard tables of a final accounts and of a budget share one shape, and land in raw tables
# of their own (which of them, by the document's kind)
_STATEMENT_TABLE = pa.schema(
    [
        ("document_id", pa.string()), ("table_code", pa.string()), ("title", pa.string()), ("line_no", pa.int32()),
        ("unit", pa.string()), ("is_empty", pa.bool_()), ("row_count", pa.int32()), ("page", pa.int32()),
    ]
)
_STATEMENT_LINE = pa.schema(
    [
        ("document_id", pa.string()), ("line_no", pa.int32()), ("table_code", pa.string()), ("section", pa.string()),
        ("row_label", pa.string()), ("row_no", pa.string()), ("subject_code", pa.string()),
        ("subject_name", pa.string()), ("column_label", pa.string()), ("column_no", pa.string()),
        ("amount", pa.decimal128(24, 6)), ("unit", pa.string()), ("amount_yuan", MONEY),
        ("page", pa.int32()), ("table_row", pa.int32()), ("row_key", pa.string()), ("ocr_confidence", pa.float64()),
    ]
)
STATEMENT_TABLES = {
    "final_accounts": ("final_account_tables", "final_account_lines"),
    "department_budget": ("budget_tables", "budget_table_lines"),
}

SCHEMAS: dict[str, pa.Schema] = {
    "documents": pa.schema(
        [
            ("document_id", pa.string()), ("source_file", pa.string()), ("sha256", pa.string()),
            ("section", pa.int32()), ("line_start", pa.int32()), ("line_end", pa.int32()),
            ("doc_type", pa.string()), ("fiscal_year", pa.int32()), ("province", pa.string()),
            ("city", pa.string()), ("county", pa.string()), ("adcode", pa.string()),
            ("department", pa.string()), ("implementing_unit", pa.string()), ("project_name", pa.string()),
            ("status", pa.string()), ("reason", pa.string()), ("parser", pa.string()),
            ("encoding", pa.string()), ("is_synthetic", pa.bool_()), ("source_name", pa.string()),
            ("tolerance_factor", pa.float64()), ("published_on", pa.string()),
            ("file_modified_at", pa.timestamp("us", tz="UTC")), ("loaded_at", pa.timestamp("us", tz="UTC")),
            ("file_size", pa.int64()), ("pages", pa.int32()), ("scope", pa.string()), ("part", pa.string()),
            ("ocr_pages", pa.int32()),
        ]
    ),
    "budget_lines": pa.schema(
        [
            ("document_id", pa.string()), ("line_no", pa.int32()), ("fund_source", pa.string()),
            ("fund_source_label", pa.string()), ("unit", pa.string()),
            ("budget_declared_yuan", MONEY), ("budget_initial_yuan", MONEY), ("budget_adjusted_yuan", MONEY),
            ("executed_yuan", MONEY), ("balance_yuan", MONEY), ("execution_rate", RATE),
            ("execution_rate_decimals", pa.int32()), ("weight", SCORE), ("score_reported", SCORE), ("note", pa.string()),
            ("ocr_confidence", pa.float64()),
        ]
    ),
    "indicator_lines": pa.schema(
        [
            ("document_id", pa.string()), ("line_no", pa.int32()), ("seq", pa.int32()), ("level1", pa.string()), ("level1_points", SCORE),
            ("level2", pa.string()), ("indicator_name", pa.string()), ("target_text", pa.string()),
            ("target_operator", pa.string()), ("target_value", pa.decimal128(18, 4)),
            ("target_value_high", pa.decimal128(18, 4)), ("target_unit", pa.string()), ("actual_text", pa.string()),
            ("actual_value", pa.decimal128(18, 4)), ("actual_unit", pa.string()), ("weight", SCORE), ("score_reported", SCORE),
            ("deviation_reason", pa.string()), ("ocr_confidence", pa.float64()),
        ]
    ),
    "narrative_facts": pa.schema(
        [
            ("document_id", pa.string()), ("line_no", pa.int32()), ("kind", pa.string()), ("label", pa.string()),
            ("value", pa.decimal128(24, 6)), ("unit", pa.string()), ("value_yuan", MONEY), ("text", pa.string()),
            ("page", pa.int32()), ("base_label", pa.string()), ("current_yuan", MONEY), ("change_yuan", MONEY),
        ]
    ),
    "final_account_tables": _STATEMENT_TABLE,
    "final_account_lines": _STATEMENT_LINE,
    "budget_tables": _STATEMENT_TABLE,
    "budget_table_lines": _STATEMENT_LINE,
    "evaluations": pa.schema(
        [
            ("document_id", pa.string()), ("line_no", pa.int32()), ("total_score_reported", SCORE),
            ("grade_reported", pa.string()), ("execution_score_reported", SCORE),
            ("indicator_score_reported", SCORE),
        ]
    ),
}

# every raw table: the documents' above, and what the source registry declares beside them
RAW_SCHEMAS = {**SCHEMAS, "approvals": APPROVALS_SCHEMA}

_DUCK_TYPES = {
    pa.string(): "varchar", pa.int32(): "integer", pa.int64(): "bigint", pa.bool_(): "boolean", pa.float64(): "double",
    pa.date32(): "date",
    pa.timestamp("us", tz="UTC"): "timestamptz",
}


def duck_type(arrow_type: pa.DataType) -> str:
    if pa.types.is_decimal(arrow_type):
        return f"decimal({arrow_type.precision},{arrow_type.scale})"
    return _DUCK_TYPES[arrow_type]


def ensure_raw_schema(con: duckdb.DuckDBPyConnection) -> None:
    """Create the raw tables; a warehouse made by an earlier version gains the columns added since."""
    con.execute("create schema if not exists raw")
    for table, schema in RAW_SCHEMAS.items():
        columns = ", ".join(f'"{f.name}" {duck_type(f.type)}' for f in schema)
        con.execute(f"create table if not exists raw.{table} ({columns})")
        for column in schema:
            con.execute(f'alter table raw.{table} add column if not exists "{column.name}" {duck_type(column.type)}')


@dataclass(frozen=True)
class LoadSummary:
    new_documents: int
    unchanged_documents: int
    rows: dict[str, int]
    fiscal_years: tuple[int, ...] = ()  # the years of the new documents: what downstream must rebuild
    statuses: dict[str, int] = field(default_factory=dict)  # documents read, new or not, by status


CONTENT_TABLES = tuple(t for t in SCHEMAS if t != "documents")


def _document_row(parsed: ParsedDocument, loaded_at: datetime) -> dict:
    d = parsed.document
    return {
        "document_id": d.document_id, "source_file": d.source_file, "sha256": d.sha256,
        "section": d.section, "line_start": d.line_start, "line_end": d.line_end, "doc_type": d.doc_type,
        "fiscal_year": d.fiscal_year, "province": d.region.province, "city": d.region.city,
        "county": d.region.county, "adcode": d.region.adcode, "department": d.department,
        "implementing_unit": d.implementing_unit, "project_name": d.project_name, "status": d.status,
        "reason": d.reason, "parser": d.parser, "encoding": d.encoding, "is_synthetic": d.is_synthetic,
        "source_name": d.source_name, "tolerance_factor": d.tolerance_factor, "published_on": d.published_on,
        "file_modified_at": datetime.fromtimestamp(d.file_modified_at, timezone.utc) if d.file_modified_at else None,
        "loaded_at": loaded_at, "file_size": d.file_size, "pages": d.pages, "scope": d.scope, "part": d.part,
        "ocr_pages": d.ocr_pages,
    }


def _content_records(documents: list[ParsedDocument]) -> dict[str, tuple[list[str], list]]:
    """Per raw table (but `documents`): the parsed records of its rows, and each one's document id."""
    out: dict[str, tuple[list[str], list]] = {name: ([], []) for name in CONTENT_TABLES}

    def add(name: str, document_id: str, records) -> None:
        if records:
            ids, items = out[name]
            ids.extend([document_id] * len(records))
            items.extend(records)

    for parsed in documents:
        document_id = parsed.document.document_id
        statements, report = parsed.statements, parsed.report
        if statements is not None:
            tables, lines = STATEMENT_TABLES.get(parsed.document.doc_type, STATEMENT_TABLES["final_accounts"])
            add(tables, document_id, statements.tables)
            add(lines, document_id, statements.lines)
            add("narrative_facts", document_id, statements.facts)
        if report is not None:
            add("budget_lines", document_id, report.budget_lines)
            add("indicator_lines", document_id, report.indicators)
            add("evaluations", document_id, (report.evaluation,) if report.evaluation else ())
            add("narrative_facts", document_id, report.facts)
    return out


def to_arrow(documents: list[ParsedDocument], loaded_at: datetime) -> dict[str, pa.Table]:
    """Every raw table's rows for these documents, as one Arrow table each, built column by column
    straight from the records (no row dictionaries in between)."""
    if not documents:
        return {name: schema.empty_table() for name, schema in SCHEMAS.items()}
    # millions of short-lived values: no cycles among them, nothing for the collector to find
    with no_cyclic_gc():
        tables = {"documents": pa.Table.from_pylist([_document_row(p, loaded_at) for p in documents],
                                                    schema=SCHEMAS["documents"])}
        for name, (document_ids, records) in _content_records(documents).items():
            schema = SCHEMAS[name]
            if not records:
                tables[name] = schema.empty_table()
                continue
            columns = [pa.array(document_ids, pa.string())]
            for column in list(schema)[1:]:  # every content table opens with document_id
                columns.append(pa.array([getattr(r, column.name) for r in records], column.type))
            tables[name] = pa.Table.from_arrays(columns, schema=schema)
        return tables


def known_files(con: duckdb.DuckDBPyConnection) -> KnownFiles:
    """The files the warehouse holds as today's parsers would read them (their SHA-256, and the path,
    size and modification time each was read with): reading them again would change nothing, so
    ingest skips them."""

    columns = {r[0] for r in con.execute(
        "select column_name from information_schema.columns where table_schema = 'raw' and table_name = 'documents'"
    ).fetchall()}
    if not columns:
        return NOTHING_KNOWN
    # a warehouse from before sizes were recorded: its files are known by content alone
    size = "documents.file_size" if "file_size" in columns else "cast(null as bigint)"
    rows = con.execute(
        f"""
        with current_files as (
            -- content that could not be read is no reason to skip a file: each path gets its record
            select sha256 from raw.documents group by sha256
            having bool_and(parser is null or list_contains($parsers, parser)) and bool_or(status <> 'quarantined')
        )
        select distinct documents.sha256, documents.source_file, {size}, epoch_us(documents.file_modified_at)
        from raw.documents as documents
        semi join current_files on documents.sha256 = current_files.sha256
        """,
        {"parsers": sorted(CURRENT_PARSERS)},
    ).fetchall()
    # the content each path held when it was last read (its latest load)
    holding = con.execute(
        "select source_file, arg_max(sha256, loaded_at) from raw.documents group by source_file"
    ).fetchall()
    return KnownFiles(
        hashes=frozenset(r[0] for r in rows),
        stats=frozenset(r[1:] for r in rows if r[2] is not None and r[3] is not None),
        holding=dict(holding),
    )


def load(con: duckdb.DuckDBPyConnection, result: IngestResult) -> LoadSummary:
    """Insert parsed documents not yet in the warehouse (see `load_batches`)."""
    return load_batches(con, [to_arrow(result.documents, datetime.now(timezone.utc))])


FLUSH_DOCUMENTS = 4096


def load_batches(con: duckdb.DuckDBPyConnection, batches: Iterable[dict[str, pa.Table] | Batch],
                 with_each_commit: Callable[[duckdb.DuckDBPyConnection, frozenset[int]], None] | None = None) -> LoadSummary:
    """Insert documents not yet in the warehouse, a batch of Arrow tables at a time as they arrive; a
    document already there with the same parser is left alone, one read by another parser is replaced.

    Each flush of about FLUSH_DOCUMENTS documents is a transaction of its own, holding every row of
    each of its documents (and the removal of the versions they replace), so an interrupted load
    keeps whole documents: those of the flushes it finished, and nothing of the rest, which running
    it again loads. One transaction for a whole load held memory until its end (about 2.3 MiB per
    128 documents). `with_each_commit(con, years)` runs inside each transaction, before its commit,
    with the fiscal years of its documents: what is recorded of them commits with them.
    """
    ensure_raw_schema(con)
    loading = _Loading(con, with_each_commit)
    try:
        loading.begin()
        for batch in batches:
            loading.take(batch if isinstance(batch, dict) else batch.tables)
            # a few large inserts cost far less than many small ones; the buffer bounds the memory held
            if loading.pending_documents >= FLUSH_DOCUMENTS:
                loading.commit()
                loading.begin()
        loading.commit()
    except BaseException:
        if loading.open:
            con.execute("rollback")
        raise
    return loading.summary()


class _Loading:
    """One load under way: what the warehouse held when it began, the documents waiting for the next
    commit, and what has been counted."""

    def __init__(self, con: duckdb.DuckDBPyConnection, with_each_commit) -> None:
        self.con, self.with_each_commit = con, with_each_commit
        self.existing = {row[0]: row[1:] for row in con.execute(
            "select document_id, coalesce(parser, ''), sha256, source_file, epoch_us(file_modified_at) from raw.documents"
        ).fetchall()}
        self.rows = {table: 0 for table in SCHEMAS}
        self.new = self.unchanged = 0
        self.years: set[int] = set()
        self.statuses = {status: 0 for status in ("loaded", "partial", "quarantined")}
        self.pending: dict[str, list[pa.Table]] = {table: [] for table in SCHEMAS}
        self.pending_documents = 0
        self.pending_years: set[int] = set()
        self.open = False  # whether a transaction is open

    def loaded_anew(self, document_id: str, parser: str | None, sha256: str, source: str, modified: int | None) -> bool:
        """A document is loaded anew when its parser changed, or when the file it came from is read
        again as it was (the same bytes found where other content has been since: a file restored
        to an earlier version), so that it is the file it is now."""
        if document_id not in self.existing:
            return True
        was_parser, was_sha, was_source, was_modified = self.existing[document_id]
        return was_parser != (parser or "") or (was_sha == sha256 and (was_source, was_modified) != (source, modified))

    def take(self, tables: dict[str, pa.Table]) -> None:
        """A batch's documents to load, their earlier versions removed in the open transaction."""
        docs = tables["documents"]
        ids = docs.column("document_id").to_pylist()
        as_read = zip(ids, docs.column("parser").to_pylist(), docs.column("sha256").to_pylist(),
                      docs.column("source_file").to_pylist(), pc.cast(docs.column("file_modified_at"), pa.int64()).to_pylist())
        for status in docs.column("status").to_pylist():
            self.statuses[status] = self.statuses.get(status, 0) + 1
        fresh = [row[0] for row in as_read if self.loaded_anew(*row)]
        self.unchanged += len(ids) - len(fresh)
        self.new += len(fresh)
        if not fresh:
            return
        if len(fresh) < len(ids):
            keep = pa.array(fresh, pa.string())
            tables = {name: t.filter(pc.is_in(t["document_id"], value_set=keep)) for name, t in tables.items()}
        self.pending_years.update(y for y in tables["documents"].column("fiscal_year").to_pylist() if y)
        replaced = [i for i in fresh if i in self.existing]
        if replaced:
            self.con.register("replaced_ids", pa.table({"document_id": pa.array(replaced, pa.string())}))
            for table in SCHEMAS:
                self.con.execute(f"delete from raw.{table} where document_id in (select document_id from replaced_ids)")
            self.con.unregister("replaced_ids")
        for table, arrow in tables.items():
            self.pending[table].append(arrow)
        self.pending_documents += len(fresh)

    def begin(self) -> None:
        self.con.execute("begin transaction")
        self.open = True

    def commit(self) -> None:
        """Insert what is pending and commit it with what the caller records of it."""
        for table, parts in self.pending.items():
            arrow = pa.concat_tables(parts) if len(parts) > 1 else (parts[0] if parts else None)
            parts.clear()
            if arrow is None or not arrow.num_rows:
                continue
            self.con.register("incoming", arrow)
            self.con.execute(f"insert into raw.{table} by name select * from incoming")
            self.con.unregister("incoming")
            self.rows[table] += arrow.num_rows
        if self.with_each_commit is not None and self.pending_years:
            self.with_each_commit(self.con, frozenset(self.pending_years))
        self.years.update(self.pending_years)
        self.pending_years.clear()
        self.pending_documents = 0
        self.open = False
        self.con.execute("commit")

    def summary(self) -> LoadSummary:
        return LoadSummary(new_documents=self.new, unchanged_documents=self.unchanged, rows=self.rows,
                           fiscal_years=tuple(sorted(self.years)), statuses=self.statuses)
