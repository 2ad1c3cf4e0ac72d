"""Exact figures from every sample layout beyond the Xiaoyi project reports."""
from decimal import Decimal
from pathlib import Path

import pytest

from ingest.reading import ingest_file
from ingest.registry import load_registry
from tests.conftest import ROOT, SAMPLES, XIAOYI

REGISTRY = load_registry(ROOT / "data" / "sources.yml")


def one(name):
    (parsed,) = ingest_file(SAMPLES / name, REGISTRY)
    return parsed


def test_quannan_cell_per_line_table_and_prose_funds():
    parsed = one("jiangxi_quannan_2021_hall_operations_evaluation_report.txt")
    d, report = parsed.document, parsed.report
    # the text says only 我县: the region comes from the source registry
    assert (d.status, d.fiscal_year, d.region.adcode, d.source_name) == ("loaded", 2021, "360729", "jiangxi_quannan_hall")
    assert len(report.indicators) == 13
    first = report.indicators[0]
    assert (first.level1, first.level1_points, first.level2, first.indicator_name) == ("产出指标", Decimal("50"), "数量指标", "物业配备安保及保洁人员")
    units = next(i for i in report.indicators if i.indicator_name == "进驻单位")
    assert (units.level2, units.target_operator, units.target_value, units.actual_value) == ("可持续影响", ">=", Decimal("30"), Decimal("39"))
    execution = report.indicators[-1]
    assert (execution.level1, execution.level1_points, execution.target_operator, execution.actual_value) == (
        "预算执行率", Decimal("10"), ">", Decimal("100"),
    )
    assert {i.level1: i.level1_points for i in report.indicators} == {
        "产出指标": Decimal("50"), "效益指标": Decimal("30"), "满意度指标": Decimal("10"), "预算执行率": Decimal("10"),
    }
    (funds,) = report.budget_lines
    assert (funds.budget_adjusted_yuan, funds.executed_yuan, funds.execution_rate, funds.line_no) == (
        Decimal("450000.00"), Decimal("450000.00"), Decimal("1"), 6,
    )
    assert (report.evaluation.total_score_reported, report.evaluation.grade_reported, report.evaluation.line_no) == (Decimal("100"), "优", 17)


def test_quannan_without_the_registry_is_partial_not_guessed():
    (parsed,) = ingest_file(SAMPLES / "jiangxi_quannan_2021_hall_operations_evaluation_report.txt")
    assert (parsed.document.status, parsed.document.region.adcode, parsed.document.reason) == ("partial", None, "region not resolved")


def test_yanling_fragment_stream_table():
    parsed = one("hunan_yanling_2020_budget_performance_report.txt")
    d, report = parsed.document, parsed.report
    assert (d.status, d.fiscal_year, d.region.adcode, d.region.county) == ("loaded", 2020, "430225", "炎陵县")
    assert [(i.level2, i.weight, i.score_reported) for i in report.indicators] == [
        ("数量指标", Decimal("20"), Decimal("20")), ("质量指标", Decimal("10"), Decimal("10")),
        ("时效指标", Decimal("10"), Decimal("10")), ("成本指标", Decimal("10"), Decimal("10")),
        ("经济效益", Decimal("10"), Decimal("10")), ("社会效益", Decimal("10"), Decimal("10")),
        ("生态效益", Decimal("10"), Decimal("10")), ("可持续影响", Decimal("10"), Decimal("10")),
        ("服务对象满意度", Decimal("9"), Decimal("9")),
    ]
    satisfaction = report.indicators[-1]
    assert (satisfaction.level1, satisfaction.level1_points, satisfaction.indicator_name, satisfaction.line_no) == (
        "满意度指标", Decimal("10"), "服务社会公众", 216,
    )
    # a bare "99%" is a level to reach
    assert (satisfaction.target_operator, satisfaction.target_value, satisfaction.actual_value) == (">=", Decimal("99"), Decimal("100"))
    assert report.evaluation.total_score_reported == Decimal("99")
    assert report.budget_lines[0].budget_adjusted_yuan == Decimal("620000.00")


def test_baoshan_prose_report():
    parsed = one("yunnan_baoshan_2022_project_self_evaluation_report.txt")
    d, report = parsed.document, parsed.report
    assert (d.status, d.doc_type, d.fiscal_year, d.region.adcode, d.department, d.project_name) == (
        "loaded", "narrative_self_evaluation", 2022, "5305", "保山市政务服务管理局", "房租及物业补助经费项目",
    )
    assert (report.evaluation.total_score_reported, report.evaluation.grade_reported) == (Decimal("99"), "优")
    (funds,) = report.budget_lines
    assert (funds.executed_yuan, funds.execution_rate, funds.execution_rate_decimals) == (Decimal("2225038.16"), Decimal("1"), 2)
    parts = {f.label: f.value_yuan for f in report.facts if f.kind == "part"}
    assert parts == {"物业管理费": Decimal("644138.16"), "租赁费": Decimal("1580900.00")}
    assert sum(parts.values()) == funds.executed_yuan


@pytest.fixture(scope="module")
def accounts():
    parsed = ingest_file(XIAOYI)[0]
    assert parsed.document.doc_type == "final_accounts" and parsed.document.status == "loaded"
    return parsed.statements


def test_every_xiaoyi_table_is_found_empty_ones_included(accounts):
    assert [t.table_code for t in accounts.tables] == ["01", "02", "03", "04", "05", "06", "07", "08", "09", "10"]
    assert [t.table_code for t in accounts.tables if t.is_empty] == ["07", "08"]
    assert all(t.unit == "万元" for t in accounts.tables)


def _amount(accounts, table, **where):
    (line,) = [
        l for l in accounts.lines
        if l.table_code == table and all(getattr(l, k) == v for k, v in where.items())
    ]
    return line


def test_functional_codes_and_columns(accounts):
    line = _amount(accounts, "03", subject_code="2010302", column_label="项目支出")
    assert (line.subject_name, line.amount, line.amount_yuan, line.column_no, line.line_no) == (
        "一般行政管理事务", Decimal("379.63"), Decimal("3796300.00"), "3", 154,
    )
    total = _amount(accounts, "02", row_label="合计", column_label="本年收入合计")
    assert total.amount == Decimal("1649.56")
    assert len([l for l in accounts.lines if l.table_code == "03"]) == 48


def test_two_sided_and_four_sided_tables(accounts):
    assert _amount(accounts, "01", row_label="本年收入合计").column_label == "收入/金额"
    spent = _amount(accounts, "01", row_label="本年支出合计")
    assert (spent.column_label, spent.row_no, spent.amount) == ("支出/金额", "58", Decimal("1649.56"))
    grants = _amount(accounts, "04", row_label="一、一般公共服务支出", column_label="支出/一般公共预算财政拨款")
    assert grants.amount == Decimal("1132.76")
    # 06 prints four code/name/amount groups side by side
    assert _amount(accounts, "06", subject_code="30101").amount == Decimal("358.35")
    assert _amount(accounts, "06", subject_code="30229").amount == Decimal("21.53")
    assert _amount(accounts, "06", subject_code="310").amount == Decimal("0.72")


def test_three_public_expenses_nested_headers(accounts):
    labels = {l.column_label: l.amount for l in accounts.lines if l.table_code == "09"}
    assert labels == {
        "预算数/合计": Decimal("0.42"),
        "预算数/公务用车购置及运行维护费/小计": Decimal("0.42"),
        "预算数/公务用车购置及运行维护费/公务用车运行维护费": Decimal("0.42"),
        "决算数/合计": Decimal("0.42"),
        "决算数/公务用车购置及运行维护费/小计": Decimal("0.42"),
        "决算数/公务用车购置及运行维护费/公务用车运行维护费": Decimal("0.42"),
    }


def test_statistics_table_sections_and_counts(accounts):
    procurement = _amount(accounts, "10", row_label="合计")
    assert (procurement.section, procurement.amount_yuan) == ("一、政府采购情况", Decimal("2882800.00"))
    vehicles = _amount(accounts, "10", row_label="(一)车辆数合计(辆)")
    assert (vehicles.unit, vehicles.amount, vehicles.amount_yuan) == ("count", Decimal("2"), None)


def test_narrative_figures_of_the_final_accounts(accounts):
    assert accounts.facts
    assert all(f.line_no >= 396 for f in accounts.facts)  # from 第三部分 情况说明 on
    amounts = {f.value_yuan for f in accounts.facts if f.value_yuan is not None}
    assert Decimal("16495600.00") in amounts  # 1649.56万元, stated in the narrative


def test_registry_confines_paths_and_rejects_bad_entries(tmp_path):
    from ingest.registry import RegistryError

    bad = tmp_path / "sources.yml"
    bad.write_text("sources:\n  - {name: x, path: ../../etc/*}\n", encoding="utf-8")
    with pytest.raises(RegistryError, match="must stay under the registry root"):
        load_registry(bad)
    bad.write_text("sources:\n  - {name: x, path: '*.txt', colour: red}\n", encoding="utf-8")
    with pytest.raises(RegistryError, match="unknown field"):
        load_registry(bad)
    bad.write_text("sources:\n  - {name: x, path: '*.txt', vocabulary: {project_reports: {level2: []}}}\n", encoding="utf-8")
    with pytest.raises(RegistryError, match=r"vocabulary must map a form \(budget, final_accounts, project_report\)"):
        load_registry(bad)
    for entry, message in (
        ("{name: x, path: '*.txt', fiscal_year: 99999999999}", "fiscal_year must be a year from 1949 to 2100"),
        ("{name: x, path: '*.txt', fiscal_year: '2023'}", "fiscal_year must be a year"),
        ("{name: x, path: '*.txt', region: '999999'}", "region '999999' is not a province, city or county code"),
        ("{name: x, path: '*.txt', tolerance_factor: -1}", "tolerance_factor must be a number above 0"),
        ("{name: x, path: '*.txt', department: [a, b]}", "department must be text"),
        ("{name: x, path: '*.txt', encoding: klingon}", "encoding 'klingon' is not a known text encoding"),
        ("just text", "must be a mapping"),
    ):
        bad.write_text(f"sources:\n  - {entry}\n", encoding="utf-8")
        with pytest.raises(RegistryError, match=f"{bad}: source .*{message}"):
            load_registry(bad)
    bad.write_text("root: /\nsources: []\n", encoding="utf-8")
    with pytest.raises(RegistryError, match="must be an existing project folder, not the file system's root"):
        load_registry(bad)
    good = tmp_path / "sources.yml"
    good.write_text("sources:\n  - {name: gbk, path: 'in/*.txt', encoding: gb18030, region: '141181', fiscal_year: 2023}\n", encoding="utf-8")
    registry = load_registry(good)
    assert registry.match(tmp_path / "in" / "a.txt").name == "gbk"
    assert registry.match(tmp_path / "other" / "a.txt") is None
    assert registry.match(Path("/elsewhere/in/a.txt")) is None
