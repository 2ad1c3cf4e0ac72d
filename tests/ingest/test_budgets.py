"""Department budgets: read from generated PDFs in the layouts provinces print, and from the real
published ones, by the budget vocabulary."""
from __future__ import annotations

import json
from decimal import Decimal
from pathlib import Path

import pytest

from ingest.reading import ingest_file
from tests.ingest.pdf_fixtures import SUBJECTS, BudgetVariant, budget_pdf

REAL = Path(__file__).resolve().parents[2] / "data" / "samples" / "real"


def _yuan(wan: str) -> Decimal:
    return (Decimal(wan.replace(",", "")) * 10000).quantize(Decimal("0.01"))


def _ingest(tmp_path: Path, data: bytes, name: str = "budget.pdf"):
    path = tmp_path / name
    path.write_bytes(data)
    [parsed] = ingest_file(path)
    return parsed


VARIANTS = {
    "three code columns, 元": BudgetVariant(),
    "one code column, 万元": BudgetVariant(codes="one", unit="万元"),
    "numbered 表一, columns in another order": BudgetVariant(numbering="表{n}", order=("项目支出", "合计", "基本支出")),
    "no numbers, caption inside the grid": BudgetVariant(numbering="", caption_in_grid=True),
    "no rulings": BudgetVariant(ruled=False, codes="one"),
}


@pytest.mark.parametrize("variant", VARIANTS.values(), ids=VARIANTS.keys())
def test_a_budget_is_read_by_what_its_tables_say(tmp_path, variant):
    parsed = _ingest(tmp_path, budget_pdf(variant))
    document, statements = parsed.document, parsed.statements
    assert (document.doc_type, document.scope, document.fiscal_year) == ("department_budget", "department", 2025)
    # the file prints five of the eight standard tables: it is read, and what it lacks is said
    assert (document.status, document.reason) == ("partial", "; ".join(
        f"table {code} ({name}) not found" for code, name in
        (("02", "收入预算总表"), ("04", "财政拨款收支预算总表"), ("06", "一般公共预算基本支出经济分类预算表"))))
    assert document.department == "孝义市审计局"
    tables = {t.table_code: t for t in statements.tables}
    assert set(tables) == {"01", "03", "05", "07", "08"}
    assert tables["08"].is_empty and not tables["05"].is_empty
    assert tables["07"].unit == "万元" and tables["05"].unit == variant.unit
    for code in ("03", "05"):
        cells = {(l.subject_code, l.column_label): l.amount_yuan for l in statements.lines if l.table_code == code}
        for subject, _, total, basic, project in SUBJECTS:
            assert cells[(subject, "合计")] == _yuan(total), (code, subject)
            assert cells.get((subject, "基本支出")) == (_yuan(basic) if basic else None), (code, subject)
            assert cells.get((subject, "项目支出")) == (_yuan(project) if project else None), (code, subject)
    summary = {(l.row_label, l.column_label): l.amount_yuan for l in statements.lines if l.table_code == "01"}
    assert summary[("收入总计", "收入/金额")] == summary[("支出总计", "支出/金额")] == _yuan("1,335.06")
    three = {l.column_label: l.amount_yuan for l in statements.lines if l.table_code == "07"}
    assert three == {"三公经费合计": _yuan("3.50"), "因公出国（境）费": _yuan("2.00"), "公务接待费": _yuan("1.50"),
                     "机关运行经费": _yuan("229.43")}


def test_a_budget_narrative_states_changes_and_subjects(tmp_path):
    facts = _ingest(tmp_path, budget_pdf()).statements.facts
    changes = {f.label: (f.current_yuan, f.change_yuan, f.value) for f in facts if f.kind == "growth"}
    assert changes["孝义市审计局收入预算"] == (_yuan("1,335.06"), _yuan("35.06"), Decimal("0.027"))
    assert changes["项目支出预算数"] == (_yuan("234.56"), -_yuan("65.44"), Decimal("-0.2"))
    [subject] = [f for f in facts if f.kind == "subject_amount"]
    assert (subject.label, subject.base_label, subject.value_yuan, subject.page) == (
        "行政运行(项)", "人大事务(款)", _yuan("1,000.00"), 2)


def test_a_publication_printed_as_two_files_reads_as_its_two_halves(tmp_path):
    narrative = _ingest(tmp_path, budget_pdf(tables=False), "narrative.pdf")
    tables = _ingest(tmp_path, budget_pdf(narrative=False), "tables.pdf")
    for half in (narrative, tables):
        assert (half.document.doc_type, half.document.fiscal_year, half.document.department) == (
            "department_budget", 2025, "孝义市审计局")
    assert narrative.document.status == "loaded", narrative.document.reason
    assert narrative.statements.tables == () and narrative.statements.missed == ()
    assert any(f.kind == "growth" for f in narrative.statements.facts)
    assert not any(f.kind == "growth" for f in tables.statements.facts)


def test_a_unit_budget_says_so():
    from ingest.forms.budget import scope

    assert scope("孝义市审计局2025年单位预算") == "unit"
    assert scope("2025年部门预算（含单位预算）") == "department"


def _expected(name: str) -> dict:
    return json.loads((REAL / "expected.json").read_text(encoding="utf-8"))[name]


REAL_BUDGETS = {
    "shanghai_putuo_2025_finance_bureau_department_budget.pdf": "05",
    "jiangsu_procuratorate_2019_department_budget.pdf": "05",
    "jiangsu_party_committee_office_2019_department_budget_tables.pdf": "05",
}


@pytest.mark.parametrize("name", REAL_BUDGETS, ids=lambda n: n.split("_")[0] + "_" + n.split("_")[1])
def test_the_real_budgets_are_read_with_their_subjects_and_tables(name):
    expected = _expected(name)
    [parsed] = ingest_file(REAL / name)
    document = parsed.document
    assert document.status == "loaded", document.reason
    assert (document.doc_type, document.fiscal_year, document.department) == (
        "department_budget", expected["fiscal_year"], expected["department"])
    assert document.region.adcode.startswith(expected["adcode_prefix"])
    subjects = {l.subject_code: l.amount_yuan for l in parsed.statements.lines
                if l.table_code == REAL_BUDGETS[name] and l.subject_code and l.column_label == "合计"}
    for code, amount in expected["subjects"]:
        assert subjects[code] == Decimal(str(amount)).quantize(Decimal("0.01")), code
    empty = {t.title for t in parsed.statements.tables if t.is_empty}
    assert {t.replace(f"{expected['fiscal_year']}年", "") for t in empty} == set(expected["tables_empty_stated"])
    assert len(parsed.statements.tables) == len(expected["tables_present"]) - ("项目经费情况说明" in expected["tables_present"])


def test_the_real_narratives_state_what_was_checked_by_hand():
    [shanghai] = ingest_file(REAL / "shanghai_putuo_2025_finance_bureau_department_budget.pdf")
    stated = {f.label: f.value_yuan for f in shanghai.statements.facts if f.kind == "subject_amount"}
    assert stated["机关事业单位职业年金缴费支出(项)"] == Decimal("8873600.00")  # the table says 873,617元
    assert len([f for f in shanghai.statements.facts if f.kind == "subject_amount"]) == 11  # the hidden copy is not read
    [office] = ingest_file(REAL / "jiangsu_party_committee_office_2019_department_budget_narrative.pdf")
    changes = {f.label: f for f in office.statements.facts if f.kind == "growth" and f.value is not None}
    housing = changes["住房保障(类)支出"]
    assert (housing.current_yuan, housing.change_yuan, housing.value) == (
        Decimal("38940900.00"), Decimal("8789300.00"), Decimal("0.3"))


def test_a_unit_budget_published_as_a_workbook_reads_the_same(tmp_path):
    """A 单位预算 printed as a workbook, one sheet per table: titles in merged rows, a unit row,
    codes in one column, the 三公 table in 万元 beside tables in 元."""
    import openpyxl

    book = openpyxl.Workbook()
    sheet = book.active
    sheet.title = "支出预算总表"
    sheet.append(["孝义市审计局2025年单位预算"])
    sheet.append(["2025年单位支出预算总表"])
    sheet.merge_cells("A2:E2")
    sheet.append(["单位名称：孝义市审计局", None, None, None, "单位：元"])
    sheet.append(["科目编码", "科目名称", "合计", "基本支出", "项目支出"])
    sheet.append(["合计", None, 13350600.00, 11005000.00, 2345600.00])
    for code, name, total, basic, project in SUBJECTS:
        sheet.append([code, name, float(_yuan(total)), float(_yuan(basic)) if basic else None,
                      float(_yuan(project)) if project else None])
    three = book.create_sheet("三公")
    three.append(["2025年单位“三公”经费预算表"])
    three.append([None, None, None, "单位：万元"])
    three.append(["合计", "因公出国（境）费", "公务用车购置及运行费", "公务接待费"])
    three.append([3.5, 2.0, None, 1.5])
    path = tmp_path / "unit_budget.xlsx"
    book.save(path)
    [parsed] = ingest_file(path)
    document = parsed.document
    assert (document.doc_type, document.scope, document.fiscal_year) == ("department_budget", "unit", 2025)
    lines = parsed.statements.lines
    cells = {(l.subject_code, l.column_label): l.amount_yuan for l in lines if l.table_code == "03"}
    for code, _, total, basic, _ in SUBJECTS:
        assert cells[(code, "合计")] == _yuan(total)
        assert cells.get((code, "基本支出")) == (_yuan(basic) if basic else None)
    assert {l.column_label: l.amount_yuan for l in lines if l.table_code == "07"} == {
        "合计": _yuan("3.50"), "因公出国（境）费": _yuan("2.00"), "公务接待费": _yuan("1.50")}
    assert {l.row_key for l in lines if l.table_code == "03" and not l.subject_code} == {"total"}


def test_a_province_s_own_table_name_is_added_by_a_vocabulary_entry(tmp_path):
    """A budget whose expenditure table is titled in a way the vocabulary does not know is read once
    a source-registry entry adds the title (`vocabulary: {budget: {tables: …}}`), without code."""
    from ingest.forms.budget import parse_document
    from ingest.readers.pdf import read_pdf

    path = tmp_path / "budget.pdf"
    path.write_bytes(budget_pdf(titles={3: "部门支出安排计划表"}))
    document = read_pdf(path, path.read_bytes(), "")
    before = parse_document(document)
    assert "03" not in {t.table_code for t in before.tables}
    extra = {"budget": {"tables": [{"code": "03", "titles": ["支出安排计划表"], "name": "支出预算总表"}]}}
    after = parse_document(document, vocabulary_extra=extra)
    assert "03" in {t.table_code for t in after.tables}
    subjects = {l.subject_code for l in after.lines if l.table_code == "03" and l.subject_code}
    assert subjects == {code for code, *_ in SUBJECTS}


def test_amounts_merged_over_rows_of_the_other_side_are_read_once(tmp_path):
    """Jiangsu rules each side of the 收支预算总表 in its own rows: an amount merged over two rows
    is one amount, and a label cut in two by a ruling is one label."""
    from tests.ingest.pdf_fixtures import staggered_summary_pdf

    parsed = _ingest(tmp_path, staggered_summary_pdf())
    lines = sorted((line.row_label, line.amount) for line in parsed.statements.lines)
    assert lines == sorted([
        ("一、财政拨款收入", Decimal("150.00")), ("一、基本支出", Decimal("60.00")),
        ("二、单位预留机动经费", Decimal("50.00")), ("三、项目支出", Decimal("40.00")),
        ("收入总计", Decimal("150.00")), ("支出总计", Decimal("150.00")),
    ])
    income = [line for line in parsed.statements.lines if line.column_label.startswith("收入")]
    assert sum(line.amount for line in income if line.row_key != "income_grand_total") == Decimal("150.00")
