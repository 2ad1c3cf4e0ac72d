"""The asset graph materialized headless on the samples into a temporary DuckDB file."""
from decimal import Decimal

import dagster as dg
import duckdb
import openpyxl
import pytest


@pytest.fixture(scope="module")
def con(built_warehouse):
    from orchestration.outcome import blocked_by_checks

    assert blocked_by_checks(built_warehouse["build"]), _failures(built_warehouse["build"])
    with duckdb.connect(str(built_warehouse["settings"].db_path), read_only=True) as connection:
        yield connection


def _failures(result):
    return [e.message for e in result.all_events if e.is_failure]


def test_the_real_errors_block_the_rollup_and_a_report_asked_for_is_written(built_warehouse):
    """The samples' real budgets hold two error-level inconsistencies: the scheduled rollup stops
    at the checks, everything before them built; the report, asked for on its own, is written."""
    from orchestration.outcome import blocked_by_checks

    assert blocked_by_checks(built_warehouse["build"]), _failures(built_warehouse["build"])
    assert built_warehouse["report"].success, _failures(built_warehouse["report"])
    with duckdb.connect(str(built_warehouse["settings"].db_path), read_only=True) as connection:
        errors = connection.execute(
            "select rule_id, split_part(source_file, '/', -1), actual from audit.integrity_violation where severity = 'error' "
            "order by 1").fetchall()
    assert errors == [("N006", "jiangsu_procuratorate_2019_department_budget.pdf", "-0.132200"),
                      ("N007", "shanghai_putuo_2025_finance_bureau_department_budget.pdf", "8873600.00")]


def test_new_business_seals_figures_reach_the_marts(con):
    budget = con.execute(
        """
        select budget_adjusted_yuan, executed_yuan, execution_rate, fiscal_year, adcode, department, source_file, location
        from marts.fct_project_budget where project_name = '新开办企业免费刻制印章' and fund_source = 'total'
        """
    ).fetchone()
    assert budget[:6] == (Decimal("119936.00"), Decimal("119936.00"), Decimal("1.000000"), 2024, "141181", "孝义市行政审批服务管理局")
    assert budget[6].endswith("shanxi_xiaoyi_2024_final_accounts_and_project_self_evaluations.txt")
    assert budget[7] == "line 833"
    evaluation = con.execute(
        """
        select total_score_reported, grade_reported, total_score_recomputed, grade_recomputed
        from marts.fct_project_evaluation where project_name = '新开办企业免费刻制印章'
        """
    ).fetchone()
    assert evaluation == (Decimal("100.00"), "优", Decimal("100.00"), "优")


def test_money_columns_are_exact_decimals(con):
    types = dict(
        con.execute(
            "select column_name, data_type from information_schema.columns "
            "where table_schema = 'marts' and table_name = 'fct_project_budget'"
        ).fetchall()
    )
    assert types["budget_adjusted_yuan"] == types["executed_yuan"] == "DECIMAL(18,2)"


def test_every_xiaoyi_project_is_in_the_marts(con):
    rows = con.execute(
        "select count(*), count(distinct project_name) from marts.fct_project_evaluation where adcode = '141181'"
    ).fetchone()
    assert rows == (16, 16)
    statuses = dict(con.execute("select status, count(*) from marts.dim_document group by 1").fetchall())
    assert statuses == {"loaded": 27}  # the four real budget files among them


def test_recomputed_scores_differ_where_the_documents_disagree(con):
    rows = dict(
        con.execute(
            """
            select project_name, total_score_recomputed from marts.fct_project_evaluation
            where total_score_recomputed <> total_score_reported
            """
        ).fetchall()
    )
    # 证照印制数量: target ≥12000, actual 2800, reported full 10 points: 10 × 2800 / 12000 = 2.33
    assert rows["证照印制费用"] == Decimal("92.33")
    # 山西CA数字证书办理费: the indicator weights add up to 85, three rows carry no score
    assert rows["山西CA数字证书办理费"] == Decimal("95.00")


def test_audit_tables_hold_the_integrity_run(con):
    runs = con.execute("select rule_id, rows_checked, success from audit.integrity_run").fetchall()
    budget_rows = con.execute("select count(*) from marts.fct_project_budget").fetchone()[0]
    assert ("PB001", budget_rows, True) in runs
    assert ("PB003", budget_rows, False) in runs
    columns = [r[0] for r in con.execute("describe audit.integrity_violation").fetchall()]
    for column in ("rule_id", "severity", "document_id", "source_file", "location", "entity", "expected", "actual", "difference", "message"):
        assert column in columns


def test_asset_checks_carry_dbt_tests_and_integrity_rules(built_warehouse):
    evaluations = built_warehouse["build"].get_asset_check_evaluations()
    names = {e.check_name for e in evaluations}
    assert "integrity_rules_fct_project_budget" in names
    assert any(n.startswith("unique_") for n in names)
    budget = [e for e in evaluations if e.check_name == "integrity_rules_fct_project_budget"]
    # the samples break a scoring rule (a warning): the check fails without blocking the report
    assert budget and not budget[0].passed and budget[0].severity == dg.AssetCheckSeverity.WARN
    assert built_warehouse["report"].success


def test_the_findings_a_run_reports_are_those_the_warehouse_holds(built_warehouse, con):
    """What the command prints of a run's findings is read from its checks' results."""
    from orchestration.outcome import findings

    held = dict(con.execute("select severity, count(*) from audit.integrity_violation group by all").fetchall())
    assert held["error"] > 0 and held["warning"] > 0
    assert findings(built_warehouse["build"]) == {"error": held["error"], "warning": held["warning"],
                                                  "info": held.get("info", 0)}


def test_report_files_open_and_hold_the_figures(built_warehouse, con):
    out = built_warehouse["settings"].out_dir / "2024"
    book = openpyxl.load_workbook(out / "yearly_comparison_2024.xlsx")
    assert book.sheetnames == ["重点提示", "地区对比", "同级对比", "项目明细", "部门决算", "预决算", "预决算分类", "公开完整性", "校验问题", "说明"]
    notes = [[c.value for c in r] for r in book["重点提示"].iter_rows(min_row=2)]
    # 证照印制费用 reports 100 where the rules give 92.33: the largest inflation of the year
    inflation = [n for n in notes if n[0] == "自评分虚高最多"]
    assert inflation[0][1] == "孝义市 证照印制费用" and inflation[0][2] == "自评 100.00，重算 92.33"
    assert ["执行率最低", "孝义市", "100.00%（第 1 名）"] in notes
    departments = book["部门决算"]
    dept_header = [c.value for c in departments[1]]
    (dept,) = [row for row in (dict(zip(dept_header, [c.value for c in r])) for r in departments.iter_rows(min_row=2))
               if row["行政区划代码"] == "141181"]
    summary = con.execute(
        "select expenditure_total_yuan, basic_yuan, personnel_yuan, three_public_actual_yuan from marts.fct_department_summary"
        " where adcode = '141181'"
    ).fetchone()
    assert [dept["本年支出合计(万元)"], dept["基本支出(万元)"], dept["人员经费(万元)"], dept["“三公”经费决算(万元)"]] == [
        pytest.approx(float(v) / 10000) for v in summary
    ]
    assert dept["基本支出(万元)"] == pytest.approx(998.51)
    projects = book["项目明细"]
    header = [c.value for c in projects[1]]
    rows = [dict(zip(header, [c.value for c in row])) for row in projects.iter_rows(min_row=2)]
    seals = next(r for r in rows if r["项目"] == "新开办企业免费刻制印章")
    assert seals["全年预算数(万元)"] == pytest.approx(11.99)  # 119,936 yuan
    assert seals["自评等级"] == "优"
    assert len(rows) == con.execute("select count(*) from marts.fct_project_evaluation where fiscal_year = 2024").fetchone()[0]
    regions = book["地区对比"]
    region_header = [c.value for c in regions[1]]
    by_level = {(r[0], r[1]): dict(zip(region_header, r)) for r in regions.iter_rows(min_row=2, values_only=True)}
    # Xiaoyi is a county of Lüliang (141100) in Shanxi (140000): its own row and both rollups hold
    # its figures; 普陀区 of Shanghai (a municipality: 310100 and 310000) likewise, with the larger
    # spending; every code printed with six digits
    assert set(by_level) == {("141181", "县级"), ("141100", "市汇总"), ("140000", "省汇总"),
                             ("310107", "县级"), ("310100", "市汇总"), ("310000", "省汇总")}
    executed = con.execute(
        "select sum(executed_yuan) from marts.fct_project_budget where fiscal_year = 2024 and fund_source = 'total'"
    ).fetchone()[0]
    for putuo in (row for (code, _), row in by_level.items() if code.startswith("31")):
        assert putuo["决算支出合计(万元)"] == pytest.approx(2940.05)
        assert putuo["基本支出占比"] == pytest.approx(2336.91 / 2940.05)
        assert putuo["支出排名"] == 1
    for xiaoyi in (row for (code, _), row in by_level.items() if code.startswith("14")):
        assert xiaoyi["项目全年执行数(万元)"] == pytest.approx(float(executed) / 10000, abs=0.005)
        assert xiaoyi["自评项目数"] == 16
        assert xiaoyi["决算支出合计(万元)"] == pytest.approx(1649.56)
        assert xiaoyi["基本支出占比"] == pytest.approx(998.51 / 1649.56)
        # functional shares are of the classes' sum (1649.55 in the printed figures), so they add up to 100%
        assert xiaoyi["一般公共服务占比"] == pytest.approx(1132.76 / (1132.76 + 113.19 + 45.07 + 271.41 + 87.12))
        assert xiaoyi["支出排名"] == 2
    html = (out / "yearly_comparison_2024.html").read_text(encoding="utf-8")
    assert "新开办企业免费刻制印章" in html and 'lang="zh-CN"' in html
    assert "部门决算" in html and "998.51" in html


def test_dev_server_binds_loopback():
    from pathlib import Path

    makefile = (Path(__file__).resolve().parents[2] / "Makefile").read_text(encoding="utf-8")
    dev = next(line for line in makefile.splitlines() if "dagster dev" in line)
    assert "-h 127.0.0.1" in dev


def test_the_real_shanghai_final_accounts_summary_is_the_hand_checked_one(con):
    import json

    from tests.conftest import SAMPLES

    expected = json.loads((SAMPLES / "real" / "expected.json").read_text(encoding="utf-8"))
    totals = expected["shanghai_putuo_2024_finance_bureau_final_accounts.pdf"]["totals"]
    columns = {"income_total": "income_total_yuan", "expenditure_total": "expenditure_total_yuan",
               "grand_total": "grand_total_yuan", "carryover_start": "carryover_start_yuan",
               "carryover_end": "carryover_end_yuan", "general_budget_appropriation": "general_budget_appropriation_yuan",
               "basic": "basic_yuan", "project": "project_yuan", "personnel": "personnel_yuan",
               "public_expenses": "public_expenses_yuan", "three_public_budget": "three_public_budget_yuan"}
    row = con.execute(
        f"select {', '.join(columns.values())} from marts.fct_department_summary where adcode = '310107'"
    ).fetchone()
    assert dict(zip(columns, map(float, row))) == {key: totals[key] for key in columns}
    # the 三公 table prints no 决算数 (blank cells); the narrative states 0.00
    assert con.execute("select three_public_actual_yuan from marts.fct_department_summary where adcode = '310107'").fetchone() == (None,)
    pages, department = con.execute(
        "select pages, department from marts.dim_document where source_file like '%shanghai_putuo_2024%'"
    ).fetchone()
    assert (pages, department) == (25, "上海市普陀区财政局")


def test_the_real_budgets_totals_are_the_hand_checked_ones(con):
    """Each real budget publication, its two files joined where it was printed as two: the totals
    of fct_department_budget against those checked by hand."""
    import json

    from tests.conftest import SAMPLES

    expected = json.loads((SAMPLES / "real" / "expected.json").read_text(encoding="utf-8"))
    columns = {"income_total": "income_total_yuan", "expenditure_total": "expenditure_total_yuan",
               "grand_total": "grand_total_yuan", "general_budget_appropriation": "general_budget_appropriation_yuan",
               "basic": "basic_yuan", "project": "project_yuan", "personnel": "personnel_yuan",
               "public_expenses": "public_expenses_yuan", "three_public_budget": "three_public_budget_yuan",
               "previous_year_expenditure_total": "previous_year_expenditure_total_yuan"}
    rows = con.execute(
        f"select split_part(source_file, '/', -1), publication_documents, {', '.join(columns.values())} "
        "from marts.fct_department_budget"
    ).fetchall()
    assert len(rows) == 3
    office = "jiangsu_party_committee_office_2019_department_budget_"
    for name, documents, *figures in rows:
        assert documents == (2 if name.startswith(office) else 1)
        totals = dict(expected[name]["totals"])
        if name.startswith(office):  # the narrative half states what the tables half does not
            totals.update(expected[office + "narrative.pdf"]["totals"])
        got = {key: float(value) for key, value in zip(columns, figures) if value is not None}
        assert got == {key: totals[key] for key in columns if key in totals}, name


def test_marts_and_audit_tables_carry_their_descriptions_as_comments(built_warehouse):
    """What a column means is in the warehouse itself, where a query writer looks (duckdb_columns())."""
    with duckdb.connect(str(built_warehouse["settings"].db_path), read_only=True) as con:
        table = con.execute("select comment from duckdb_tables() where schema_name = 'marts' "
                            "and table_name = 'fct_project_budget'").fetchone()[0]
        columns = dict(con.execute("select schema_name || '.' || table_name || '.' || column_name, comment "
                                   "from duckdb_columns() where schema_name in ('marts', 'audit')").fetchall())
    assert "summing every row counts the project's money twice" in table
    assert "'total' for the project's total row" in columns["marts.fct_project_budget.fund_source"]
    assert columns["marts.region_comparison.coverage_note"].startswith("Why the row is not ranked")
    from expectations.audit import COMMENTS

    for name, (_, described) in COMMENTS.items():
        for column, text in described.items():
            assert columns[f"audit.{name}.{column}"] == text
    # every column of every mart and audit table says what it holds (a doc block per name in
    # dbt_project/models/marts/_columns.md, or the model's own words where it narrows the meaning)
    assert sorted(name for name, text in columns.items() if not (text or "").strip()) == []
    assert columns["marts.dim_document.tolerance_factor"].startswith("How much wider")
    assert columns["marts.fct_final_account_line.half_unit_yuan"] == columns["marts.fct_budget_line.half_unit_yuan"]
    assert "县级" in columns["marts.region_comparison.level"] and "县级" not in columns["marts.dim_region.level"]
    assert columns["audit.build_checked.loaded_through"].startswith("The last load")
