"""The real published final accounts, read whole: its figures against those checked by hand."""
from __future__ import annotations

import json
from decimal import Decimal
from pathlib import Path

from ingest.reading import ingest_file

REAL = Path(__file__).resolve().parents[2] / "data" / "samples" / "real"
SHANGHAI = "shanghai_putuo_2024_finance_bureau_final_accounts.pdf"


def _expected(name: str) -> dict:
    return json.loads((REAL / "expected.json").read_text(encoding="utf-8"))[name]


def test_shanghai_final_accounts_is_loaded_with_its_region_year_and_pages():
    expected = _expected(SHANGHAI)
    [parsed] = ingest_file(REAL / SHANGHAI)
    document = parsed.document
    assert document.status == "loaded", document.reason
    assert (document.doc_type, document.fiscal_year) == ("final_accounts", expected["fiscal_year"])
    assert document.region.adcode == expected["adcode_prefix"]
    assert document.department == expected["department"]
    assert document.pages == 25
    titles = {table.title for table in parsed.statements.tables}
    assert titles == set(expected["tables_present"])
    empty = {table.title for table in parsed.statements.tables if table.is_empty}
    assert empty == set(expected["tables_empty_stated"])


def test_shanghai_subjects_and_totals_are_the_printed_figures():
    expected = _expected(SHANGHAI)
    [parsed] = ingest_file(REAL / SHANGHAI)
    lines = parsed.statements.lines
    subjects = {line.subject_code: line.amount_yuan for line in lines
                if line.table_code == "03" and line.column_label == "本年支出合计" and line.subject_code}
    for code, amount in expected["subjects"]:
        assert subjects[code] == Decimal(str(amount)).quantize(Decimal("0.01")), code

    def cell(table, row, column):
        [amount] = [l.amount_yuan for l in lines if l.table_code == table and l.row_label == row and l.column_label == column]
        return float(amount)

    totals = expected["totals"]
    assert cell("01", "本年收入合计", "收入/金额") == totals["income_total"]
    assert cell("01", "本年支出合计", "支出/金额") == totals["expenditure_total"]
    assert cell("01", "年初结转和结余", "收入/金额") == totals["carryover_start"]
    assert cell("01", "年末结转和结余", "支出/金额") == totals["carryover_end"]
    assert cell("03", "合计", "基本支出") == totals["basic"]
    assert cell("03", "合计", "项目支出") == totals["project"]
    assert cell("06", "人员经费合计", "决算数") == totals["personnel"]
    assert cell("06", "公用经费合计", "决算数") == totals["public_expenses"]
    three_public = [l for l in lines if l.table_code == "09" and l.column_label == "预算数/合计"]
    assert [float(l.amount_yuan) for l in three_public] == [totals["three_public_budget"]]


def test_shanghai_figures_carry_the_page_and_row_a_person_finds_them_at():
    [parsed] = ingest_file(REAL / SHANGHAI)
    [row] = [l for l in parsed.statements.lines
             if l.table_code == "02" and l.subject_code == "2080505" and l.column_label == "本年收入合计"]
    assert (row.page, row.table_row, row.amount) == (8, 14, Decimal("160.75"))
    assert row.subject_name == "机关事业单位基本养老保险缴费支出"
    stated = [f for f in parsed.statements.facts if f.kind == "amount" and f.label == "财政拨款收入支出总计"]
    assert [(f.page, f.value) for f in stated] == [(21, Decimal("0.3"))]


def test_the_blank_shanghai_template_shows_every_table_and_no_figure():
    """The official template of the same family (placeholders XX, cells blank, codes spaced out
    as 3 0 1 0 1): every standard table is found, and no code or header is taken for an amount."""
    template = REAL.parents[1] / "reference" / "templates" / "shanghai_2024_final_accounts_template.pdf"
    [parsed] = ingest_file(template)
    assert parsed.document.doc_type == "final_accounts"
    assert (parsed.document.status, parsed.document.reason) == ("quarantined", "no final-accounts table read")
    from ingest.readers.pdf import read_pdf
    from ingest.forms.final_accounts import parse_document

    accounts = parse_document(read_pdf(template, template.read_bytes(), ""))
    assert accounts.missed == ()
    assert {t.table_code for t in accounts.tables} == {"01", "02", "03", "04", "05", "06", "07", "08", "09"}
    assert accounts.lines == ()


def test_a_table_row_printed_as_one_text_run_is_cut_into_its_columns():
    """Jiangsu's 收支预算总表 (a page turned a quarter, rulings for the header only): each body row
    is one PDFium text run whose single spaces stand for wide gaps; the reader still gives each
    figure its column."""
    from ingest.model import Table
    from ingest.readers.pdf import read_pdf

    path = REAL / "jiangsu_party_committee_office_2019_department_budget_tables.pdf"
    document = read_pdf(path, path.read_bytes(), "")
    [table] = [b for b in document.pages[0].blocks if isinstance(b, Table)]
    rows = [[" ".join(c.split()) for c in row] for row in table.grid]
    assert ["一、财政拨款", "27,664.22", "一、一般公共服务支出", "22,395.50", "一、基本支出", "11,700.63"] in rows
    assert ["1.一般公共预算", "27,664.22", "二、外交支出", "", "二、项目支出", "13,025.38"] in rows
    assert rows[-1] == ["收入合计", "27,664.22", "支出合计", "支出合计", "支出合计", "27,664.22"]
