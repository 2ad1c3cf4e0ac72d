"""PDF tables rebuilt from positions, and final accounts read from the model, on generated variants."""
from __future__ import annotations

from decimal import Decimal
from pathlib import Path

import pytest

from ingest.forms.final_accounts import parse_document
from ingest.reading import ingest_file
from ingest.readers.pdf import read_pdf
from ingest.registry import load_registry
from tests.ingest.pdf_fixtures import SUBJECTS, Variant, final_accounts_pdf, three_public_pdf

LONG_NAME = SUBJECTS[3][1]


def _read(tmp_path: Path, variant: Variant):
    path = tmp_path / "accounts.pdf"
    path.write_bytes(final_accounts_pdf(variant))
    document = read_pdf(path, path.read_bytes(), "0" * 64)
    return document, parse_document(document)


def _expenditure(accounts, unit_factor: Decimal = Decimal(10000)):
    """{(subject code or row label, column label): amount in yuan} of the expenditure table."""
    return {(line.subject_code or line.row_label, line.column_label): line.amount_yuan
            for line in accounts.lines if line.table_code == "03"}


def _expected_yuan(text: str) -> Decimal:
    return (Decimal(text.replace(",", "")) * 10000).quantize(Decimal("0.01"))


VARIANTS = {
    "three code columns": Variant(),
    "one code column": Variant(codes="one"),
    "columns in another order": Variant(order=("基本支出", "项目支出", "本年支出合计")),
    "amounts above their label": Variant(above=True),
    "table in 元": Variant(unit="元"),
    "code glued to the name": Variant(codes="glued"),
    "across pages, header repeated": Variant(split_after=3),
    "across pages, header not repeated": Variant(split_after=3, repeat_header=False),
    "total row last, across pages": Variant(total_first=False, split_after=5),
    "no rulings": Variant(ruled=False, codes="one"),
    "no rulings, codes in three columns": Variant(ruled=False),
    "no rulings, amounts above their label": Variant(ruled=False, codes="one", above=True),
}


@pytest.mark.parametrize("variant", VARIANTS.values(), ids=VARIANTS.keys())
def test_every_subject_amount_is_read_in_its_column(tmp_path, variant):
    _, accounts = _read(tmp_path, variant)
    cells = _expenditure(accounts)
    for code, name, total, basic, project in SUBJECTS:
        assert cells[(code, "本年支出合计")] == _expected_yuan(total), code
        if basic:
            assert cells[(code, "基本支出")] == _expected_yuan(basic), code
        else:
            assert (code, "基本支出") not in cells, f"{code}: a blank cell read as an amount"
        if project:
            assert cells[(code, "项目支出")] == _expected_yuan(project), code
    assert cells[("合计", "本年支出合计")] == Decimal("13350600.00")
    assert cells[("合计", "基本支出")] == Decimal("11005000.00")
    # each subject once: no header read as a row, no row lost or doubled at a page break
    codes = [line.subject_code for line in accounts.lines if line.table_code == "03" and line.column_label == "本年支出合计"]
    assert sorted(filter(None, codes)) == sorted(s[0] for s in SUBJECTS)


def test_a_wrapped_label_reads_as_one_name(tmp_path):
    _, accounts = _read(tmp_path, Variant())
    names = {line.subject_code: line.subject_name for line in accounts.lines if line.table_code == "03"}
    assert names["2010102"] == LONG_NAME.replace("（", "(").replace("）", ")")


def test_tables_are_found_by_title_and_carry_their_page_and_unit(tmp_path):
    _, accounts = _read(tmp_path, Variant(unit="元", split_after=3))
    tables = {t.table_code: t for t in accounts.tables}
    assert (tables["01"].page, tables["01"].unit) == (2, "万元")
    assert (tables["03"].page, tables["03"].unit) == (3, "元")
    pages = {line.page for line in accounts.lines if line.table_code == "03"}
    assert pages == {3, 4}, "rows after the break carry the page they are printed on"
    assert "table 05 (一般公共预算财政拨款支出决算表) not found" in accounts.missed


def test_a_two_sided_table_gives_both_lists(tmp_path):
    _, accounts = _read(tmp_path, Variant())
    summary = {(line.row_label, line.column_label): line.amount_yuan for line in accounts.lines if line.table_code == "01"}
    assert summary[("本年收入合计", "收入/金额")] == Decimal("13350600.00")
    assert summary[("本年支出合计", "支出/金额")] == Decimal("13350600.00")
    assert summary[("二、社会保障和就业支出", "支出/金额")] == Decimal("1005000.00")
    assert ("二、事业收入", "收入/金额") not in summary


def test_an_unruled_two_sided_table_keeps_its_centred_headers_over_both_columns(tmp_path):
    document, accounts = _read(tmp_path, Variant(ruled=False, codes="one"))
    assert document.tables[0].grid[0] == ["收入", "收入", "支出", "支出"]
    summary = {(line.row_label, line.column_label): line.amount_yuan for line in accounts.lines if line.table_code == "01"}
    assert summary[("本年收入合计", "收入/金额")] == summary[("本年支出合计", "支出/金额")] == Decimal("13350600.00")


def test_merged_header_cells_span_their_columns(tmp_path):
    document, _ = _read(tmp_path, Variant())
    summary = document.tables[0]
    assert summary.grid[0] == ["收入", "收入", "支出", "支出"]
    income = next(cell for cell in summary.cells if cell.text == "收入")
    assert (income.row, income.col, income.colspan) == (0, 0, 2)


def test_the_pipeline_loads_a_generated_pdf_with_region_year_pages_and_figures(tmp_path):
    path = tmp_path / "xiaoyi_audit_2023.pdf"
    path.write_bytes(final_accounts_pdf(Variant(codes="one")))
    [parsed] = ingest_file(path)
    document = parsed.document
    assert (document.doc_type, document.fiscal_year, document.region.adcode) == ("final_accounts", 2023, "141181")
    assert document.department == "孝义市审计局"
    assert document.pages == 4
    shares = {f.label: (f.value, f.base_label) for f in parsed.statements.facts if f.kind == "share"}
    assert shares["基本支出"] == (Decimal("0.8243"), "支出合计")


def test_a_source_adds_a_title_synonym_without_code(tmp_path):
    path = tmp_path / "accounts.pdf"
    path.write_bytes(final_accounts_pdf(Variant()))
    document = read_pdf(path, path.read_bytes(), "0" * 64)
    renamed = parse_document(document, vocabulary_extra={"final_accounts": {"tables": [
        {"code": "05", "titles": ["支出决算表"], "name": "一般公共预算财政拨款支出决算表"}]}})
    assert "05" in {t.table_code for t in renamed.tables}


def test_a_file_with_one_standard_table_is_read_as_that_table(tmp_path):
    path = tmp_path / "three_public.pdf"
    path.write_bytes(three_public_pdf())
    [parsed] = ingest_file(path)
    assert (parsed.document.doc_type, parsed.document.status) == ("final_accounts", "partial")
    assert "table 01 (收入支出决算总表) not found" in parsed.document.reason
    amounts = {line.column_label: line.amount_yuan for line in parsed.statements.lines}
    assert amounts == {"预算数/合计": Decimal("35000.00"), "预算数/因公出国（境）费": Decimal("20000.00"),
                       "预算数/公务接待费": Decimal("15000.00"), "决算数/合计": Decimal("32000.00"),
                       "决算数/因公出国（境）费": Decimal("20000.00"), "决算数/公务接待费": Decimal("12000.00")}


def test_a_new_title_is_onboarded_by_a_registry_entry(tmp_path):
    """A province that titles its expenditure table 部门支出决算明细表: not found, until the source's
    registry entry names the title (README, Adding a new source)."""
    corpus = tmp_path / "corpus"
    corpus.mkdir()
    path = corpus / "accounts.pdf"
    path.write_bytes(final_accounts_pdf(Variant(expenditure_title="部门支出决算明细表")))
    [before] = ingest_file(path)
    assert "table 03 (支出决算表) not found" in before.document.reason
    (tmp_path / "sources.yml").write_text(
        "root: .\nsources:\n  - name: detail_titles\n    path: corpus/*.pdf\n    vocabulary:\n"
        "      final_accounts:\n        tables:\n          - {code: \"03\", titles: [支出决算明细表], name: 支出决算表}\n",
        encoding="utf-8")
    [after] = ingest_file(path, load_registry(tmp_path / "sources.yml"))
    assert after.document.status == "partial" and "table 03" not in after.document.reason
    cells = _expenditure(after.statements)
    assert cells[("2010101", "本年支出合计")] == Decimal("10000000.00")


def test_bands_joined_into_an_l_shape_stay_cells_row_by_row():
    """A caption band inside the frame, above a category column whose rows no line divides: the
    bands the missing rulings join are no rectangle, so they are kept apart row by row."""
    from ingest.model import Box
    from ingest.readers.layout_table import Word
    from ingest.readers.page_layout import layout_page

    horizontal = [(0, 0, 200), (20, 100, 200), (40, 100, 200), (60, 0, 200)]  # none across column 0 inside
    vertical = [(0, 0, 60), (100, 20, 60), (200, 0, 60)]  # none through the caption band
    words = [Word("收入预算总表", Box(60, 5, 140, 15)), Word("一般公共预算", Box(10, 25, 90, 35)),
             Word("小计", Box(110, 25, 150, 35)), Word("专项收入", Box(110, 45, 170, 55))]
    [table] = layout_page(1, words, horizontal, vertical, 300, 100).blocks
    assert table.grid == [["收入预算总表", "收入预算总表"], ["一般公共预算", "小计"], ["", "专项收入"]]


def test_a_page_set_one_character_at_a_time_reads_as_words_and_hides_clipped_text(tmp_path):
    from tests.ingest.pdf_fixtures import typeset_pdf

    seen = ["2025年，本部门收入预算3,121.42万元，比2024年预算增加107.62万元。", "1.行政运行1,623.18万元。"]
    hidden = ["2.一般行政管理事务10.00万元。"]  # below the frame's clip: not on the page as printed
    path = tmp_path / "typeset.pdf"
    path.write_bytes(typeset_pdf(seen, hidden, [("财政拨款收入", "31,214,205.80"), ("事业收入", "0.00")]))
    document = read_pdf(path, path.read_bytes(), "0" * 64)
    text = "\n".join(document.lines)
    for line in seen:
        assert line in text
    assert "一般行政管理事务" not in text
    assert "31,214,205.80" in text and "3 1" not in text
