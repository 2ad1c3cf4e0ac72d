"""Every format reads into the same records as its text twin."""
from dataclasses import replace
from decimal import Decimal

import pytest

from ingest.reading import ingest_file
from ingest.readers.html import html_to_lines
from tests.ingest import formats


def _records(path):
    (parsed,) = ingest_file(path)
    report = parsed.report
    report = replace(
        report,
        budget_lines=tuple(replace(b, line_no=0) for b in report.budget_lines),
        indicators=tuple(replace(i, line_no=0) for i in report.indicators),
        evaluation=replace(report.evaluation, line_no=0),
    )
    d = parsed.document
    return (d.status, d.doc_type, d.fiscal_year, d.region, d.department, d.implementing_unit, d.project_name), report


@pytest.fixture(scope="module")
def text_twin(tmp_path_factory):
    path = tmp_path_factory.mktemp("twin") / "table.txt"
    path.write_bytes(formats.as_text())
    return _records(path)


def test_text_twin_reads_the_table(text_twin):
    document, report = text_twin
    assert document == ("loaded", "project_self_evaluation_table", 2020, document[3], "山西省行政审批服务管理局",
                        "山西省行政审批服务管理局", "营商环境评估费")
    assert document[3].adcode == "14"
    total = report.budget_lines[0]
    assert (total.budget_adjusted_yuan, total.executed_yuan, total.execution_rate) == (
        Decimal("16500000.00"), Decimal("7903500.00"), Decimal("0.479"),
    )
    assert [i.indicator_name for i in report.indicators] == ["企业问卷发放数", "问卷回收率", "科学评价各市营商环境", "评价城市"]
    assert report.indicators[3].deviation_reason == "未达标"
    assert report.evaluation.total_score_reported == Decimal("98.8")


@pytest.mark.parametrize("suffix", [".md", ".html", ".docx", ".xlsx", ".xls", ".pdf"])
def test_format_parses_like_its_text_twin(tmp_path, suffix, text_twin):
    path = tmp_path / f"table{suffix}"
    path.write_bytes(formats.WRITERS[suffix]())
    assert _records(path) == text_twin


def test_html_expands_spans_strips_tags_and_entities():
    html = (
        "<p>说明 &amp; 备注<script>alert(1)</script></p>"
        "<table><tr><th colspan='2'>年初预算数</th><th rowspan='2'>全年</th></tr>"
        "<tr><td>目标申报</td><td>预算<br>编制</td></tr>"
        "<tr><td>1,515,000</td><td><table><tr><td>内</td><td>表</td></tr></table></td><td>&lt;b&gt;</td></tr></table>"
    )
    assert html_to_lines(html) == [
        "说明 & 备注",
        "年初预算数\t年初预算数\t全年",
        "目标申报\t预算 编制\t全年",
        "1,515,000\t内 表\t<b>",
    ]


def test_a_sheet_reads_a_centred_title_once_and_each_number_with_the_decimals_it_shows():
    import io

    from openpyxl import Workbook

    from ingest.readers.office import xlsx_to_lines

    book = Workbook()
    sheet = book.active
    sheet.title = "公开01表"
    sheet.append(["收入支出决算总表"])
    sheet.merge_cells("A1:D1")  # a title centred over the table
    sheet.append(["收入", None, "支出", None])
    sheet.merge_cells("A2:B2")
    sheet.merge_cells("C2:D2")  # headers over two columns each
    sheet.append(["项目", "金额", "项目", "执行率"])
    sheet.append(["一般公共预算财政拨款收入", 931.1, "一般公共服务支出", 47.9])
    sheet["B4"].number_format = "#,##0.00"
    sheet["D4"].number_format = "0.00"
    sheet.append(["本年收入合计", 1650, "栏次", 2])
    sheet["B5"].number_format = "#,##0.00"
    out = io.BytesIO()
    book.save(out)
    assert xlsx_to_lines(out.getvalue()) == [
        "## 公开01表",
        "收入支出决算总表",
        "收入\t收入\t支出\t支出",
        "项目\t金额\t项目\t执行率",
        "一般公共预算财政拨款收入\t931.10\t一般公共服务支出\t47.90",
        "本年收入合计\t1650.00\t栏次\t2",
    ]


QUARANTINED = [
    ("scan.pdf", formats.scanned_pdf, "no text layer (scanned), and OCR found no text in its images"),
    ("broken.pdf", lambda: b"%PDF-1.4\n garbage \x00\x01 not a pdf body", "corrupt PDF"),
    ("notpdf.pdf", lambda: b"hello", "corrupt PDF: no PDF header"),
    ("broken.docx", lambda: b"this is not a zip", "corrupt DOCX: not a zip container"),
    ("broken.xlsx", lambda: b"PK\x03\x04 truncated", "corrupt XLSX"),
    ("broken.xls", lambda: b"\xd0\xcf\x11\xe0 not really", "corrupt XLS"),
    ("data.bin", lambda: b"\x00\x01", "unsupported file type '.bin'"),
    ("empty.txt", lambda: b"", "empty file"),
    ("binary.txt", lambda: bytes(range(256)) * 4, "binary content, not text"),
    ("mangled.txt", lambda: "项目名称".encode("gb18030") + b"\x80\xff\x80", "undecodable text (neither UTF-8 nor GB18030)"),
]


@pytest.mark.parametrize(("name", "make", "reason"), QUARANTINED, ids=[q[0] for q in QUARANTINED])
def test_each_bad_file_is_quarantined_with_its_reason(tmp_path, name, make, reason):
    path = tmp_path / name
    path.write_bytes(make())
    (parsed,) = ingest_file(path)
    assert parsed.document.status == "quarantined"
    assert parsed.document.reason.startswith(reason)
    assert "\n" not in parsed.document.reason


def test_a_scan_is_quarantined_with_its_reason_where_no_ocr_engine_is_installed(tmp_path, monkeypatch):
    from ingest.readers import ocr

    monkeypatch.setattr(ocr, "available", lambda: False)
    path = tmp_path / "scan.pdf"
    path.write_bytes(formats.scanned_pdf())
    (parsed,) = ingest_file(path)
    assert (parsed.document.status, parsed.document.reason) == (
        "quarantined", "no text layer (scanned), and the OCR engine (rapidocr_onnxruntime) is not installed")


def test_word_97_needs_a_converter(tmp_path, monkeypatch):
    monkeypatch.setattr("shutil.which", lambda name: None)
    path = tmp_path / "old.doc"
    path.write_bytes(b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1" + b"\x00" * 512)
    (parsed,) = ingest_file(path)
    assert (parsed.document.status, parsed.document.reason) == (
        "quarantined", "'.doc' (Word 97-2003) needs LibreOffice to convert it, and LibreOffice is not installed",
    )


def test_unknown_kind_of_document_is_quarantined(tmp_path):
    path = tmp_path / "news.txt"
    path.write_text("县里召开春季植树动员大会\n\n会议要求各乡镇做好植树工作。", encoding="utf-8")
    (parsed,) = ingest_file(path)
    assert (parsed.document.status, parsed.document.doc_type) == ("quarantined", "unknown")
    assert parsed.document.reason == "layout 'unknown': no parser for it yet"


def test_declared_encoding_that_does_not_fit_is_quarantined(tmp_path):
    from ingest.registry import load_registry

    (tmp_path / "in").mkdir()
    path = tmp_path / "in" / "a.txt"
    path.write_bytes("项目名称".encode("utf-8") + b"\xff")
    registry_file = tmp_path / "sources.yml"
    registry_file.write_text("sources:\n  - {name: s, path: 'in/*', encoding: utf-8}\n", encoding="utf-8")
    (parsed,) = ingest_file(path, load_registry(registry_file))
    assert parsed.document.status == "quarantined"
    assert parsed.document.reason.startswith("not decodable as the declared encoding utf-8")
    assert parsed.document.source_name == "s"
