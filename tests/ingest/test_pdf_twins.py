"""A generated final accounts printed as a PDF reads to the same records as its text twin: every
amount, table (empty or not) and stated figure, though its tables run across pages."""
from __future__ import annotations

from ingest.reading import ingest_file
from tests.ingest.pdf_fixtures import text_to_pdf


def _records(parsed):
    lines = {(l.table_code, l.subject_code or l.row_label, l.column_label, l.amount_yuan) for l in parsed.statements.lines}
    tables = {(t.table_code, t.is_empty) for t in parsed.statements.tables}
    facts = {(f.kind, f.label, f.value) for f in parsed.statements.facts}
    return lines, tables, facts


def test_a_generated_final_accounts_reads_the_same_from_its_pdf(tmp_path):
    from demo.generator import generate

    generate(tmp_path / "corpus", 1, (2024, 2024), seed=3, departments=2)
    texts = sorted((tmp_path / "corpus").glob("*决算.txt")) + sorted((tmp_path / "corpus").glob("*决算.md"))
    assert texts
    for text in texts[:2]:
        [twin] = ingest_file(text)
        pdf = tmp_path / (text.stem + ".pdf")
        pdf.write_bytes(text_to_pdf(text.read_text(encoding="utf-8").splitlines()))
        [printed] = ingest_file(pdf)
        assert (printed.document.doc_type, printed.document.status) == ("final_accounts", twin.document.status)
        assert (printed.document.fiscal_year, printed.document.region, printed.document.department) == (
            twin.document.fiscal_year, twin.document.region, twin.document.department)
        assert _records(printed) == _records(twin)
        # the tables broke across pages, their continuations printed without a header
        pages = {}
        for line in printed.statements.lines:
            pages.setdefault(line.table_code, set()).add(line.page)
        assert sum(len(p) > 1 for p in pages.values()) >= 3
