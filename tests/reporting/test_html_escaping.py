"""Document text is shown as text in the reports: never run as markup in the HTML, never made a
formula or a link in the workbook."""
from decimal import Decimal

from reporting.page import write_html
from reporting.views import REGION_HEADERS
from reporting.workbook import write_xlsx

HOSTILE = '<script>alert("x")</script><img src=x onerror=alert(1)>'


def _data(HOSTILE: str) -> dict:
    return {
        "regions": [{**dict.fromkeys(k for k, _, _ in REGION_HEADERS), "region_code": "141181", "level": "县级",
                     "region": HOSTILE, "validation": "未通过", "projects": 1, "budget_adjusted_yuan": Decimal("100"),
                     "executed_yuan": Decimal("100"), "execution_rate": Decimal("1"), "score_reported_avg": 100,
                     "score_recomputed_avg": 100, "score_gap": 0, "grade_excellent": 1, "grade_good": 0, "grade_fair": 0,
                     "grade_poor": 0, "errors": 1, "warnings": 1, "infos": 0, "expenditure_total_yuan": Decimal("100")}],
        "projects": [{"region": "孝义市", "department": HOSTILE, "project_name": HOSTILE, "budget_adjusted_yuan": Decimal("100"),
                      "executed_yuan": Decimal("100"), "execution_rate": Decimal("1"), "total_score_reported": 100,
                      "total_score_recomputed": 100, "grade_reported": "优", "grade_recomputed": "优", "flagged": 1,
                      "source_file": "/data/a<b>.txt", "location": "line 1", "is_synthetic": False,
                      "document_id": "d1", "adcode": "141181", "region_validation": "未通过"}],
        "departments": [{"region": "孝义市", "department": HOSTILE, "errors": 1, "flagged": 1, "document_id": "d1",
                         "source_file": "b.txt", "region_validation": "未通过", **dict.fromkeys((
            "income_total_yuan", "expenditure_total_yuan", "basic_yuan", "project_yuan", "basic_share", "personnel_yuan",
            "public_expenses_yuan", "three_public_budget_yuan", "three_public_actual_yuan", "expenditure_growth"))}],
        "execution": [{"region": "孝义市", "department": HOSTILE, "budget_yuan": Decimal("100"), "final_yuan": Decimal("90"),
                       "difference_yuan": Decimal("-10"), "completion_rate": Decimal("0.9"), "budget_file": HOSTILE,
                       "final_file": "b.txt", "region_validation": "未通过", "is_synthetic": False,
                       "budget_document_id": "d1"}],
        "highlights": [{"category": "执行率最低", "item": HOSTILE, "value": "1%"}],
        "violations": [{"rule_id": "PI001", "severity": "warning", "region": "孝义市", "entity": HOSTILE, "expected": "1",
                        "actual": "2", "difference": "1", "message": HOSTILE, "source_file": "a.txt", "location": "line 1",
                        "document_id": "d1", "adcode": "141181"}],
    }


def test_document_text_is_escaped(tmp_path):
    data = _data(HOSTILE)
    path = tmp_path / "r.html"
    write_html(path, 2024, data)
    html = path.read_text(encoding="utf-8")
    assert "<script>" not in html and "<img" not in html
    assert "&lt;script&gt;alert(&#34;x&#34;)&lt;/script&gt;" in html
    assert "a&lt;b&gt;.txt" in html
    # the chart labels are document text too
    assert "<svg" in html and html.count("&lt;script&gt;") >= 5


FORMULAS = ["=cmd|' /C calc'!A0", '=HYPERLINK("http://evil.example","点击")', "http://evil.example/a", "+1+1", "@SUM(A1:A2)"]


def test_document_text_is_never_a_formula_or_a_link_in_the_workbook(tmp_path):
    from openpyxl import load_workbook

    for text in FORMULAS:
        path = tmp_path / "r.xlsx"
        write_xlsx(path, 2024, _data(text))
        book = load_workbook(path)
        cells = [cell for sheet in book.worksheets for row in sheet.iter_rows() for cell in row]
        assert not [c.coordinate for c in cells if c.data_type == "f"], text
        shown = [c for c in cells if c.value == text]
        assert shown and all(c.data_type == "s" for c in shown), text
        # the only links are the workbook's own, to its violations sheet
        assert all(c.hyperlink.location for c in cells if c.hyperlink), text
