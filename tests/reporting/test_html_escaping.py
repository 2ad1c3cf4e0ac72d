"""Document text is shown as text in the HTML report, never run as markup."""
from decimal import Decimal

from reporting.yearly import REGION_HEADERS, _write_html

HOSTILE = '<script>alert("x")</script><img src=x onerror=alert(1)>'


def test_document_text_is_escaped(tmp_path):
    data = {
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
                       "final_file": "b.txt", "region_validation": "未通过", "is_synthetic": False}],
        "highlights": [{"category": "执行率最低", "item": HOSTILE, "value": "1%"}],
        "violations": [{"rule_id": "PI001", "severity": "warning", "region": "孝义市", "entity": HOSTILE, "expected": "1",
                        "actual": "2", "difference": "1", "message": HOSTILE, "source_file": "a.txt", "location": "line 1",
                        "document_id": "d1", "adcode": "141181"}],
    }
    path = tmp_path / "r.html"
    _write_html(path, 2024, data)
    html = path.read_text(encoding="utf-8")
    assert "<script>" not in html and "<img" not in html
    assert "&lt;script&gt;alert(&#34;x&#34;)&lt;/script&gt;" in html
    assert "a&lt;b&gt;.txt" in html
    # the chart labels are document text too
    assert "<svg" in html and html.count("&lt;script&gt;") >= 5
