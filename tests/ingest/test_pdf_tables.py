"""PDF tables rebuilt from positions, and final accounts read from the model, on generated variants."""
from __future__ import annotations

from decimal import Decimal
from pathlib import Path

import pytest

from ingest.forms.final_accounts import parse_document
from ingest.pipeline import ingest_file
from ingest.readers.pdf import read_pdf
from tests.ingest.pdf_fixtures import SUBJECTS, Variant, final_accounts_pdf

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
    "across pages, header not repeated": Variant(split_after=3, repeat_header=False),
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


def test_a_two_sided_table_gives_both_lists(tmp_path):
    _, accounts = _read(tmp_path, Variant())
    summary = {(line.row_label, line.column_label): line.amount_yuan for line in accounts.lines if line.table_code == "01"}
    assert summary[("本年收入合计", "收入/金额")] == Decimal("13350600.00")
    assert summary[("本年支出合计", "支出/金额")] == Decimal("13350600.00")
    assert summary[("二、社会保障和就业支出", "支出/金额")] == Decimal("1005000.00")
    assert ("二、事业收入", "收入/金额") not in summary


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
    shares = {f.label: (f.value, f.base_label) for f in parsed.accounts.facts if f.kind == "share"}
    assert shares["基本支出"] == (Decimal("0.8243"), "支出合计")


def test_a_source_adds_a_title_synonym_without_code(tmp_path):
    path = tmp_path / "accounts.pdf"
    path.write_bytes(final_accounts_pdf(Variant()))
    document = read_pdf(path, path.read_bytes(), "0" * 64)
    renamed = parse_document(document, vocabulary_extra={"final_accounts": {"tables": [
        {"code": "05", "titles": ["支出决算表"], "name": "一般公共预算财政拨款支出决算表"}]}})
    assert "05" in {t.table_code for t in renamed.tables}
