from decimal import Decimal

import pytest

from ingest.layout import REPORT_WITH_INDICATORS, classify, split_sections
from ingest.parsers.project_report import parse_lines as parse_project_report, strip_code


@pytest.fixture(scope="module")
def xiaoyi_reports(xiaoyi_lines):
    sections = split_sections(xiaoyi_lines)
    return {
        r.project_name: r
        for r in (parse_project_report(list(s.lines), s.line_start) for s in sections[1:])
    }


def test_xiaoyi_file_holds_final_accounts_then_sixteen_project_reports(xiaoyi_lines):
    sections = split_sections(xiaoyi_lines)
    assert len(sections) == 17
    assert sections[0].line_start == 1 and sections[1].line_start == 540
    assert all(classify(s.text) == REPORT_WITH_INDICATORS for s in sections[1:])


def test_every_xiaoyi_project_has_funds_indicators_and_result(xiaoyi_reports):
    assert len(xiaoyi_reports) == 16
    for name, report in xiaoyi_reports.items():
        assert report.budget_lines, name
        assert report.indicators, name
        assert report.evaluation.total_score_reported == Decimal("100"), name
        assert report.evaluation.grade_reported == "优", name
        assert report.department == "孝义市行政审批服务管理局"


def test_new_business_seals_project_exact_figures(xiaoyi_reports):
    report = xiaoyi_reports["新开办企业免费刻制印章"]
    total = report.budget_lines[0]
    assert total.fund_source == "total" and total.unit == "元"
    assert total.budget_declared_yuan == Decimal("120000.00")
    assert total.budget_initial_yuan == Decimal("120000.00")
    assert total.budget_adjusted_yuan == Decimal("119936.00")
    assert total.executed_yuan == Decimal("119936.00")
    assert total.balance_yuan == Decimal("0.00")
    assert total.execution_rate == Decimal("1")
    assert total.score_reported == Decimal("10")
    assert total.line_no == 833
    local = report.budget_lines[1]
    assert (local.fund_source, local.execution_rate, local.note) == ("local", None, "按实际结算金额进行支付")
    names = [i.indicator_name for i in report.indicators]
    assert names == [
        "刻制印章套数", "印章合格率", "完成及时性", "每套印章成本", "降低企业经营成本",
        "优化营商环境", "集中统一办理", "激活市场活力", "企业满意度",
    ]
    seals = report.indicators[0]
    assert (seals.level1, seals.level2) == ("产出指标", "数量指标")
    assert (seals.target_operator, seals.target_value, seals.target_unit) == (">=", Decimal("1500"), "套")
    assert (seals.actual_value, seals.weight, seals.score_reported, seals.line_no) == (Decimal("1500"), Decimal("20"), Decimal("20"), 840)
    assert sum(i.weight for i in report.indicators) == Decimal("90")
    assert report.evaluation.execution_score_reported == Decimal("10")
    assert report.evaluation.indicator_score_reported == Decimal("90")


def test_thousands_separators_in_yuan(xiaoyi_reports):
    total = xiaoyi_reports["电子政务外网服务项目"].budget_lines[0]
    assert total.budget_initial_yuan == Decimal("1515000.00")
    assert total.budget_adjusted_yuan == Decimal("1315000.00")


def test_rows_broken_across_page_debris_keep_their_cells(xiaoyi_reports):
    audit = xiaoyi_reports["社会组织法定代表人离任审计、注销清算审计"]
    burden = next(i for i in audit.indicators if i.indicator_name == "减轻社会组织负担")
    assert (burden.level1, burden.level2, burden.target_text, burden.actual_text) == ("效益指标", "经济效益", "明显", "达成预期指标")
    # the extraction repeats the score in a third cell: weight 8, score 8
    assert (burden.weight, burden.score_reported) == (Decimal("8"), Decimal("8"))
    network = xiaoyi_reports["2025-2027年电子政务外网服务及项目可研等"]
    assert any(i.indicator_name == "工作效率提升情况" for i in network.indicators)


def test_published_inconsistencies_are_kept_as_printed(xiaoyi_reports):
    ca = xiaoyi_reports["山西CA数字证书办理费"]
    assert sum(i.weight for i in ca.indicators) == Decimal("85")
    assert [i.score_reported for i in ca.indicators[:3]] == [None, None, None]
    licences = xiaoyi_reports["证照印制费用"]
    printed = next(i for i in licences.indicators if i.indicator_name == "证照印制数量")
    assert (printed.target_value, printed.actual_value, printed.score_reported) == (Decimal("12000"), Decimal("2800"), Decimal("10"))


SHIFTED = """项目名称\t\t营商环境评估费\t\t\t\t
主管部门\t\t016山西省行政审批服务管理局\t\t\t实施单位\t山西省行政审批服务管理局
项目资金(万元)\t\t年初预算数\t\t\t全年预算数\t全年执行数\t分值\t执行率\t得分
\t\t年度资金总额\t\t1650\t\t\t1650\t790.35\t10\t47.9\t4.79
\t\t其中:中央财政资金\t\t0\t\t\t0\t0\t--\t0\t--
\t\t省级财政资金\t\t1650\t\t\t1650\t790.35\t--\t47.9\t--
\t一级指标\t二级指标\t三级指标\t年度指标值\t调整后指标值\t实际完成值\t分值\t得分\t偏差原因分析及改进措施
绩效目标\t产出指标\t数量指标\t企业问卷发放数\t不少于3000份\t\t3500份\t12.9\t12.9\t
\t满意度指标\t服务对象满意度指标\t评价城市\t75%\t\t72%\t12.85\t12.34\t未达标
\t总分\t\t\t\t\t\t100\t70.11\t
"""


def test_columns_are_matched_by_header_meaning_when_cells_shift():
    report = parse_project_report(SHIFTED.splitlines())
    assert report.project_name == "营商环境评估费"
    assert report.department == "山西省行政审批服务管理局"
    assert report.implementing_unit == "山西省行政审批服务管理局"
    total = report.budget_lines[0]
    assert total.unit == "万元"
    assert (total.budget_initial_yuan, total.budget_adjusted_yuan, total.executed_yuan) == (
        Decimal("16500000.00"), Decimal("16500000.00"), Decimal("7903500.00"),
    )
    assert (total.weight, total.execution_rate, total.execution_rate_decimals, total.score_reported) == (
        Decimal("10"), Decimal("0.479"), 1, Decimal("4.79"),
    )
    assert [b.fund_source for b in report.budget_lines] == ["total", "central", "provincial"]
    assert report.budget_lines[1].weight is None
    first, city = report.indicators
    assert (first.target_operator, first.target_value, first.actual_text) == (">=", Decimal("3000"), "3500份")
    assert (city.level1, city.level2, city.weight, city.score_reported, city.deviation_reason) == (
        "满意度指标", "服务对象满意度", Decimal("12.85"), Decimal("12.34"), "未达标",
    )
    assert report.evaluation.total_score_reported == Decimal("70.11")


def test_strip_code_prefixes():
    assert strip_code("019001-孝义市行政审批服务管理局") == "孝义市行政审批服务管理局"
    assert strip_code("016山西省行政审批服务管理局") == "山西省行政审批服务管理局"
    assert strip_code("炎陵县政务服务中心") == "炎陵县政务服务中心"


def test_indicator_values_are_read_under_their_headers_in_any_column_order():
    """A form that prints 分值 and 实际完成值 before 年度指标值: each value is read under its header,
    not from where it stands."""
    lines = [
        "项目支出绩效自评表",
        "（2020年度）",
        "项目名称：\t营商环境评估费",
        "\t年初预算数\t全年预算数\t全年执行数\t分值\t执行率\t得分",
        "年度资金总额\t1650\t1650\t790.35\t10\t47.9%\t4.79",
        "一级指标\t二级指标\t三级指标\t分值\t得分\t实际完成值\t年度指标值\t偏差原因分析及改进措施",
        "产出指标\t数量指标\t企业问卷发放数\t20\t20\t3500份\t≥3000份\t",
        "满意度指标\t服务对象满意度\t评价城市\t30\t28.8\t72%\t≥75%\t未达标",
        "总分\t\t\t100\t98.8\t\t\t",
    ]
    report = parse_project_report(lines)
    rows = [(i.indicator_name, i.target_text, i.actual_text, i.weight, i.score_reported, i.deviation_reason)
            for i in report.indicators]
    assert rows == [
        ("企业问卷发放数", "≥3000份", "3500份", Decimal("20"), Decimal("20"), None),
        ("评价城市", "≥75%", "72%", Decimal("30"), Decimal("28.8"), "未达标"),
    ]
    assert report.indicators[1].target_operator == ">=" and report.indicators[1].target_value == Decimal("75")
