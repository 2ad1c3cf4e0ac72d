"""A generated province written as PDF, Word, Excel, HTML or Markdown reads to the same records as
the same province written as text, whatever the layout of its format."""
from collections import Counter
from dataclasses import asdict

import pytest

from demo.generator import generate
from ingest.reading import ingest_file

# where a figure was printed differs by format (a line, a page and row); what was read may not
PLACE = {"line_no", "page", "table_row", "text", "line_start", "line_end", "section"}


def _records(parsed) -> list[dict]:
    out = []
    for p in parsed:
        d = p.document
        record = {"document": (d.doc_type, d.status, d.fiscal_year, d.region, d.department, d.project_name, d.scope)}
        if p.statements is not None:
            record["lines"] = Counter(
                (l.table_code, l.subject_code, l.row_label, l.column_label, l.amount_yuan, l.row_key)
                for l in p.statements.lines)
            record["tables"] = sorted((t.table_code, t.is_empty) for t in p.statements.tables)
            record["facts"] = Counter((f.kind, f.label, f.value, f.unit, f.value_yuan) for f in p.statements.facts)
        if p.report is not None:
            record["report"] = _without_places(asdict(p.report))
        out.append(record)
    return out


def _without_places(value):
    if isinstance(value, dict):
        return {k: _without_places(v) for k, v in value.items() if k not in PLACE}
    if isinstance(value, (list, tuple)):
        return [_without_places(v) for v in value]
    return value


@pytest.fixture(scope="module")
def text_twins(tmp_path_factory):
    folder = tmp_path_factory.mktemp("txt")
    corpus = generate(folder, 1, (2023, 2024), seed=2000, departments=3, error_rate=0.5, formats=("txt",))
    return folder, corpus


@pytest.mark.parametrize("fmt", ["pdf", "docx", "xlsx", "html", "md"])
def test_every_generated_document_reads_the_same_in_each_format_as_from_its_text(fmt, text_twins, tmp_path):
    texts, corpus = text_twins
    kinds = {"project": len(corpus.projects), "final accounts": len(corpus.accounts), "budget": len(corpus.budgets)}
    assert all(kinds.values()), kinds
    printed = generate(tmp_path, 1, (2023, 2024), seed=2000, departments=3, error_rate=0.5, formats=(fmt,))
    assert [p.file for p in printed.projects] == [p.file.replace(".txt", f".{fmt}") for p in corpus.projects]
    for text in sorted(texts.glob("*.txt")):
        twin = _records(ingest_file(text))
        assert twin and all(r["document"][1] == "loaded" for r in twin), text.name
        assert _records(ingest_file(tmp_path / f"{text.stem}.{fmt}")) == twin, f"{text.stem}.{fmt}"


def test_a_generated_pdf_is_laid_out_as_published_ones_are(text_twins, tmp_path):
    """Its amounts stand in a text layer, in ruled tables that run across pages, with 类/款/项 codes in
    three columns, some tables in 元 and some in 万元: and each still reads to the same yuan."""
    from ingest.model import Paragraph, Table
    from ingest.readers import read

    generate(tmp_path, 1, (2024, 2024), seed=3, departments=1, error_rate=0.5, formats=("pdf",))
    [accounts] = sorted(tmp_path.glob("*决算.pdf"))
    model = read(accounts, accounts.read_bytes(), "")
    blocks = [block for page in model.pages for block in page.blocks]
    headers = [row for t in blocks if isinstance(t, Table) for row in t.grid[:3]]
    assert any(row[:3] == ["类", "款", "项"] for row in headers)
    prose = [p.text for p in blocks if isinstance(p, Paragraph)]
    assert "金额单位：元" in prose and "金额单位：万元" in prose
    [read] = ingest_file(accounts)
    units = Counter(t.unit for t in read.statements.tables if not t.is_empty)
    assert units["元"] and units["万元"]
    pages = {}
    for line in read.statements.lines:
        pages.setdefault(line.table_code, set()).add(line.page)
    assert any(len(p) > 1 for p in pages.values())  # a table continued on the next page


def test_formats_are_written_in_turn_and_the_same_seed_writes_the_same_files(tmp_path):
    corpus = generate(tmp_path / "a", 1, (2024, 2024), seed=4, departments=2, formats=("pdf", "pdf", "docx", "xlsx"))
    written = Counter(p.suffix for p in (tmp_path / "a").iterdir() if p.name != "truth.json")
    assert sum(written.values()) == corpus.documents
    assert written[".pdf"] >= 2 * written[".docx"] - 1 and abs(written[".docx"] - written[".xlsx"]) <= 1
    generate(tmp_path / "b", 1, (2024, 2024), seed=4, departments=2, formats=("pdf", "pdf", "docx", "xlsx"))
    assert {p.name: p.read_bytes() for p in (tmp_path / "a").iterdir()} == {
        p.name: p.read_bytes() for p in (tmp_path / "b").iterdir()}
    with pytest.raises(ValueError, match="doc: choose from txt, md, html, pdf, docx, xlsx"):
        generate(tmp_path / "c", 1, (2024, 2024), formats=("pdf", "doc"))
