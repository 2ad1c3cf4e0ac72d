"""Scanned PDFs read by OCR: pages of a real publication and of a generated final accounts rendered
to images (at 150 and 300 dpi, one turned a little as a scanner leaves it), wrapped as image-only
PDFs, read to the same figures as their text layer."""
import io
from collections import Counter
from pathlib import Path

import pytest

from demo.formats import as_scanned
from ingest.reading import ingest_file

ROOT = Path(__file__).resolve().parents[2]
PUTUO = ROOT / "data" / "samples" / "real" / "shanghai_putuo_2024_finance_bureau_final_accounts.pdf"


def _pages(source: bytes, indices: list[int]) -> bytes:
    """The pages `indices` (0-based) of a PDF, as a PDF of their own, text layer kept."""
    import pypdfium2 as pdfium

    src, out = pdfium.PdfDocument(source), pdfium.PdfDocument.new()
    out.import_pages(src, indices)
    buffer = io.BytesIO()
    out.save(buffer)
    return buffer.getvalue()


def _read(path: Path, data: bytes):
    path.write_bytes(data)
    [parsed] = ingest_file(path)
    return parsed


def _amounts(parsed) -> Counter:
    return Counter((l.table_code, l.subject_code, l.row_key, l.row_label, l.column_label, l.amount_yuan)
                   for l in parsed.statements.lines)


def _same_figures(text_layer, scan) -> tuple[float, list[tuple]]:
    """The share of the text layer's amounts the scan read alike, and the totals and subjects'
    amounts among those it did not."""
    printed, read = _amounts(text_layer), _amounts(scan)
    assert sum(printed.values()) > 20
    missed = [k for k in (printed - read).elements() if k[1] or k[2]]
    return sum((printed & read).values()) / sum(printed.values()), missed


@pytest.mark.parametrize("dpi, turn, pages", [(150, 0.0, [0, 5, 6, 7, 8]), (300, 0.8, [0, 9, 10, 11, 12])],
                         ids=["150dpi", "300dpi-turned"])
def test_a_scan_of_a_real_final_accounts_reads_to_its_text_layers_figures(tmp_path, dpi, turn, pages):
    original = _pages(PUTUO.read_bytes(), pages)
    text_layer = _read(tmp_path / "text.pdf", original)
    scan = _read(tmp_path / "scan.pdf", as_scanned(original, dpi, turn))
    # a few of its pages: the tables not among them are missed alike
    assert (scan.document.status, scan.document.doc_type) == (text_layer.document.status, "final_accounts")
    assert scan.document.reason == text_layer.document.reason
    assert (text_layer.document.ocr_pages, scan.document.ocr_pages) == (0, len(pages))
    assert (scan.document.region, scan.document.fiscal_year, scan.document.department) == (
        text_layer.document.region, text_layer.document.fiscal_year, text_layer.document.department)
    share, missed = _same_figures(text_layer, scan)
    assert share >= 0.97 and missed == [], f"{share:.1%} of the amounts read alike; misread: {missed}"
    # every amount read by OCR says how sure it was; the text layer's say nothing
    assert all(l.ocr_confidence is None for l in text_layer.statements.lines)
    assert all(0 < l.ocr_confidence <= 1 for l in scan.statements.lines)
    assert [l.page for l in scan.statements.lines] == sorted(l.page for l in scan.statements.lines)


def test_a_scan_of_a_generated_final_accounts_reads_to_the_same_figures(tmp_path):
    from demo.generator import generate

    corpus = generate(tmp_path / "corpus", 1, (2024, 2024), seed=7, departments=1, error_rate=0.0, formats=("pdf",))
    account = corpus.accounts[0]
    original = (tmp_path / "corpus" / account.file).read_bytes()
    text_layer = _read(tmp_path / "text.pdf", original)
    scan = _read(tmp_path / "scan.pdf", as_scanned(original, 200))
    assert scan.document.status == text_layer.document.status == "loaded"
    assert scan.document.ocr_pages == scan.document.pages
    share, missed = _same_figures(text_layer, scan)
    # its condensed digits set hard against the rulings: OCR may drop a digit of a code here
    assert share >= 0.97 and len(missed) <= 0.03 * sum(_amounts(text_layer).values()), (share, missed)
    assert not [k for k in missed if k[2]], "every total read alike"


def test_a_page_partly_text_and_partly_a_picture_of_a_table_is_read_from_both(tmp_path):
    """The title and prose from the text layer, the table pasted in as an image by OCR."""
    import pypdfium2 as pdfium
    from reportlab.lib.utils import ImageReader
    from reportlab.pdfbase import pdfmetrics
    from reportlab.pdfbase.cidfonts import UnicodeCIDFont
    from reportlab.pdfgen import canvas

    original = _pages(PUTUO.read_bytes(), [0, 7])  # the cover, and 收入决算表 printed as text
    text_layer = _read(tmp_path / "text.pdf", original)
    table_page = pdfium.PdfDocument(original)[1]
    width, height = table_page.get_size()
    picture = io.BytesIO()
    table_page.render(scale=200 / 72).to_pil().convert("RGB").save(picture, format="PNG")
    pdfmetrics.registerFont(UnicodeCIDFont("STSong-Light"))
    out = io.BytesIO()
    pdf = canvas.Canvas(out, pagesize=(width, height))
    pdf.setFont("STSong-Light", 16)
    pdf.drawString(60, height - 40, "上海市普陀区财政局2024年度部门决算")
    pdf.setFont("STSong-Light", 10)
    pdf.drawString(60, height - 60, "以下为收入决算表。")
    pdf.drawImage(ImageReader(io.BytesIO(picture.getvalue())), 0, 0, width, height - 70, preserveAspectRatio=True)
    pdf.showPage()
    pdf.save()
    mixed = _read(tmp_path / "mixed.pdf", out.getvalue())
    assert mixed.document.status in ("loaded", "partial") and mixed.document.doc_type == "final_accounts"
    assert mixed.document.ocr_pages == 1
    assert "以下为收入决算表。" in "\n".join(ingest_model_lines(tmp_path / "mixed.pdf"))
    income = Counter(k for k in _amounts(text_layer).elements() if k[0] == "02")
    read = _amounts(mixed)
    assert income and sum((income & read).values()) / sum(income.values()) >= 0.97


def ingest_model_lines(path: Path) -> list[str]:
    from ingest.readers import read

    return list(read(path, path.read_bytes(), "x").lines)


def test_a_scanned_project_self_evaluation_reads_to_the_same_funds_and_indicators(tmp_path):
    from demo.generator import generate

    corpus = generate(tmp_path / "corpus", 1, (2024, 2024), seed=7, departments=1, error_rate=0.0, formats=("pdf",))
    original = (tmp_path / "corpus" / corpus.projects[0].file).read_bytes()
    text_layer = _read(tmp_path / "text.pdf", original)
    scan = _read(tmp_path / "scan.pdf", as_scanned(original, 200))
    assert scan.document.status == text_layer.document.status == "loaded"
    assert scan.document.ocr_pages == scan.document.pages > 0

    def funds(parsed):
        return [(b.fund_source, b.budget_adjusted_yuan, b.executed_yuan, b.execution_rate) for b in parsed.report.budget_lines]

    def indicators(parsed):
        return Counter((i.indicator_name, i.weight, i.score_reported, i.target_value, i.actual_value)
                       for i in parsed.report.indicators)

    assert funds(scan) == funds(text_layer) and funds(text_layer)
    printed = indicators(text_layer)
    assert sum((printed & indicators(scan)).values()) >= 0.9 * sum(printed.values())
    assert all(b.ocr_confidence is None for b in text_layer.report.budget_lines)
    assert all(0 < b.ocr_confidence <= 1 for b in scan.report.budget_lines)
    assert all(0 < i.ocr_confidence <= 1 for i in scan.report.indicators if i.weight is not None)
