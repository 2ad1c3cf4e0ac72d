"""Final accounts published as Excel workbooks and Word files, read from the document model the same
way as a PDF's: titles and units in merged rows inside the sheet, merged headers, codes in three
columns, a workbook that holds one standard table alone."""
from __future__ import annotations

import io
from decimal import Decimal

from ingest.reading import ingest_file
from tests.ingest.pdf_fixtures import SUBJECTS, TOTAL

# the expenditure table's grid in 元: 类 | 款 | 项 | 科目名称 | 项目支出 | 基本支出 | 本年支出合计 (another order)
ORDER = ("项目支出", "基本支出", "本年支出合计")


def _yuan(text: str) -> str:
    return f"{Decimal(text.replace(',', '')) * 10000:.2f}" if text else ""


def _body() -> list[list[str]]:
    rows = []
    for code, name, total, basic, project in SUBJECTS:
        amounts = {"本年支出合计": total, "基本支出": basic, "项目支出": project}
        rows.append([code[:3], code[3:5], code[5:7], name] + [_yuan(amounts[c]) for c in ORDER])
    totals = {"本年支出合计": TOTAL[1], "基本支出": TOTAL[2], "项目支出": TOTAL[3]}
    rows.append(["合计", "", "", ""] + [_yuan(totals[c]) for c in ORDER])  # the total row last
    return rows


def _workbook(with_summary: bool = True) -> bytes:
    from openpyxl import Workbook

    book = Workbook()
    sheet = book.active
    sheet.title = "公开03表"
    sheet.append(["孝义市审计局2023年度支出决算表"] + [None] * 6)
    sheet.merge_cells("A1:G1")
    sheet.append([None] * 6 + ["单位：元"])
    sheet.append(["科目编码", None, None, "科目名称"] + list(ORDER))
    sheet.merge_cells("A3:C3")
    for c in "DEFG":
        sheet.merge_cells(f"{c}3:{c}4")
    sheet.append(["类", "款", "项"])
    for row in _body():
        sheet.append([float(v) if v and v.replace(".", "").isdigit() and "." in v else v for v in row])
    if with_summary:
        summary = book.create_sheet("公开01表")
        summary.append(["收入支出决算总表"] + [None] * 3)
        summary.merge_cells("A1:D1")
        summary.append([None, None, None, "单位：万元"])
        summary.append(["收入", None, "支出", None])
        summary.merge_cells("A3:B3")
        summary.merge_cells("C3:D3")
        summary.append(["项目", "决算数", "项目", "决算数"])
        summary.append(["本年收入合计", 1335.06, "本年支出合计", 1335.06])
        summary.append(["总计", 1345.06, "总计", 1345.06])
    out = io.BytesIO()
    book.save(out)
    return out.getvalue()


def _expected(code: str, column: str) -> Decimal:
    subject = next(s for s in SUBJECTS if s[0] == code)
    text = {"本年支出合计": subject[2], "基本支出": subject[3], "项目支出": subject[4]}[column]
    return Decimal(_yuan(text))


def test_a_workbook_is_read_by_title_header_and_unit(tmp_path):
    path = tmp_path / "孝义市审计局2023年度部门决算.xlsx"
    path.write_bytes(_workbook())
    [parsed] = ingest_file(path)
    assert parsed.document.doc_type == "final_accounts"
    tables = {t.table_code: t for t in parsed.statements.tables}
    assert (tables["03"].unit, tables["01"].unit) == ("元", "万元")
    cells = {(l.subject_code or l.row_label, l.column_label): l.amount_yuan for l in parsed.statements.lines if l.table_code == "03"}
    for code, *_ in SUBJECTS:
        assert cells[(code, "本年支出合计")] == _expected(code, "本年支出合计"), code
    assert cells[("2010102", "项目支出")] == Decimal("2345600.00")
    assert ("2010101", "项目支出") not in cells
    assert cells[("合计", "基本支出")] == Decimal("11005000.00")
    summary = {(l.row_label, l.column_label): l.amount_yuan for l in parsed.statements.lines if l.table_code == "01"}
    assert summary[("总计", "收入/金额")] == summary[("总计", "支出/金额")] == Decimal("13450600.00")


def test_a_workbook_with_one_standard_table_is_read_as_that_table(tmp_path):
    path = tmp_path / "孝义市审计局2023年度部门决算_支出.xlsx"
    path.write_bytes(_workbook(with_summary=False))
    [parsed] = ingest_file(path)
    assert (parsed.document.doc_type, parsed.document.status) == ("final_accounts", "partial")
    assert "table 01 (收入支出决算总表) not found" in parsed.document.reason
    assert {l.table_code for l in parsed.statements.lines} == {"03"}


def test_a_word_file_is_read_like_the_workbook(tmp_path):
    from docx import Document

    document = Document()
    document.add_paragraph("孝义市审计局2023年度部门决算")
    document.add_paragraph("支出决算表")
    document.add_paragraph("单位：元")
    body = _body()
    table = document.add_table(rows=2 + len(body), cols=7)
    header = table.rows[0].cells
    header[0].merge(header[2]).text = "科目编码"
    for c, text in zip(range(3, 7), ("科目名称",) + ORDER):
        header[c].merge(table.rows[1].cells[c]).text = text
    for c, text in enumerate(("类", "款", "项")):
        table.rows[1].cells[c].text = text
    for r, row in enumerate(body, start=2):
        for c, text in enumerate(row):
            table.rows[r].cells[c].text = text
    out = io.BytesIO()
    document.save(out)
    path = tmp_path / "accounts.docx"
    path.write_bytes(out.getvalue())
    [parsed] = ingest_file(path)
    assert parsed.document.doc_type == "final_accounts"
    cells = {(l.subject_code or l.row_label, l.column_label): l.amount_yuan for l in parsed.statements.lines}
    assert cells[("2080505", "基本支出")] == Decimal("1005000.00")
    assert cells[("20101", "本年支出合计")] == Decimal("12345600.00")
    assert ("2010101", "项目支出") not in cells
