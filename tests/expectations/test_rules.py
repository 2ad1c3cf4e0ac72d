"""Every catalogue rule on a fixture that passes and one that fails, with the exact figures.

The rules' SQL runs inside DuckDB on small mart tables made here; the Great Expectations wiring of
the same SQL is tested in test_suite.py.
"""
from decimal import Decimal

import duckdb
import pytest

from expectations.catalogue import default_rules

RULES = {r.id: r for r in default_rules()}

TYPES = {
    "line_no": "integer", "ocr_unsure_figures": "integer", "indicator_count": "integer", "execution_rate_decimals": "integer",
    "execution_rate": "decimal(12,6)", "fact_value": "decimal(24,6)", "half_unit_yuan": "decimal(18,4)",
    "weight": "decimal(9,2)", "score_reported": "decimal(9,2)", "score_recomputed": "decimal(9,2)",
    "level1_points": "decimal(9,2)", "execution_weight": "decimal(9,2)", "total_score_reported": "decimal(9,2)",
    "total_score_recomputed": "decimal(9,2)", "execution_score_reported": "decimal(9,2)",
    "min_score": "decimal(9,2)", "max_score": "decimal(9,2)", "fiscal_year": "integer", "in_rollup": "boolean",
}

WAN = Decimal("50.0000")  # half of 0.01 万元, in yuan


def _type(column: str) -> str:
    if column in TYPES:
        return TYPES[column]
    return "decimal(18,2)" if column.endswith("_yuan") else "varchar"


# Columns each mart has in the warehouse that the rules read (a fixture may leave them empty).
COLUMNS = {
    "marts.fct_project_budget": {"document_id", "source_file", "location", "project_name", "fund_source", "fund_source_label",
                                 "weight", "score_reported", "execution_rate", "execution_rate_decimals", "half_unit_yuan"},
    "marts.fct_performance_indicator": {"document_id", "source_file", "location", "project_name", "indicator_name", "level1",
                                        "level1_points", "target_text", "actual_text", "weight", "score_reported",
                                        "score_recomputed", "scoring_basis", "deviation_reason", "target_value"},
    "marts.fct_project_evaluation": {"document_id", "source_file", "location", "project_name", "total_score_reported",
                                     "grade_reported", "execution_score_reported", "execution_weight",
                                     "total_score_recomputed", "grade_recomputed", "indicator_count"},
    "marts.fct_final_account_line": {"document_id", "source_file", "location", "line_no", "table_code", "row_label",
                                     "column_label", "subject_code", "subject_name", "amount_yuan", "half_unit_yuan"},
    "marts.fct_narrative_fact": {"document_id", "source_file", "location", "line_no", "doc_type", "fact_kind", "fact_label", "fact_base_label",
                                 "fact_value", "fact_value_yuan", "sentence", "fiscal_year", "adcode", "department"},
    "marts.dim_document": {"document_id", "fiscal_year", "adcode", "department", "ocr_unsure_figures"},
    "marts.fct_budget_line": {"document_id", "source_file", "location", "line_no", "table_code", "table_title", "row_label",
                              "row_key", "column_label", "subject_code", "subject_name", "amount_yuan", "half_unit_yuan"},
    "marts.fct_budget_expenditure": {"publication_id", "subject_code", "subject_name", "total_yuan"},
    "marts.fct_department_budget": {"document_id", "source_file", "fiscal_year", "adcode", "department", "department_key",
                                    "budget_scope", "in_rollup", "expenditure_total_yuan", "three_public_budget_yuan",
                                    "previous_year_expenditure_total_yuan"},
    "marts.fct_three_public_expenses": {"document_id", "source_file", "location", "fiscal_year", "adcode", "department",
                                        "department_key", "expense_item", "budget_yuan"},
}


def make(tables: dict[str, list[dict]]):
    con = duckdb.connect()
    for schema in ("marts", "reference"):
        con.execute(f"create schema {schema}")
    for name, rows in tables.items():
        columns = sorted({k for row in rows for k in row} | COLUMNS.get(name, set()))
        con.execute(f"create table {name} ({', '.join(f'{c} {_type(c)}' for c in columns)})")
        for row in rows:
            con.execute(
                f"insert into {name} ({', '.join(columns)}) values ({', '.join('?' for _ in columns)})",
                [row.get(c) for c in columns],
            )
    return con


def violations(rule_id: str, tables: dict[str, list[dict]]) -> list[tuple]:
    rule = RULES[rule_id]
    con = make(tables)
    documents = "marts.dim_document" if "marts.dim_document" in tables else None
    cursor = con.execute(rule.query_for(f"marts.{rule.applies_to}", documents=documents))
    names = [d[0] for d in cursor.description]
    rows = [dict(zip(names, r)) for r in cursor.fetchall()]
    return sorted((r["expected"], r["actual"], r["difference"], r["severity"]) for r in rows)


def doc(**extra):
    return {"document_id": "d", "source_file": "a.txt", "location": "line 1", **extra}


def budget(fund_source, initial, adjusted, executed, **extra):
    return doc(project_name="p", fund_source=fund_source, fund_source_label=fund_source, half_unit_yuan=WAN,
               budget_initial_yuan=initial, budget_adjusted_yuan=adjusted, executed_yuan=executed, **extra)


def cell(table, row, column, amount, subject_code=None, line_no=1, subject_name=None):
    return doc(table_code=table, row_label=row, column_label=column, amount_yuan=amount, subject_code=subject_code,
               subject_name=subject_name, line_no=line_no, half_unit_yuan=WAN)


def bcell(table, row, column, amount, subject_code=None, line_no=1, row_key=None, subject_name=None):
    """An amount of a budget table, in yuan, printed in 万元."""
    return doc(table_code=table, table_title=f"表{table}", row_label=row, row_key=row_key, column_label=column,
               amount_yuan=amount, subject_code=subject_code, subject_name=subject_name, line_no=line_no, half_unit_yuan=WAN)


def growth(label, current, change, rate):
    return doc(doc_type="department_budget", fact_kind="growth", fact_label=label, current_yuan=current, change_yuan=change,
               fact_value=rate)


def stated_subject(label, parent, yuan, unit="万元"):
    return doc(doc_type="department_budget", fact_kind="subject_amount", fact_label=label, fact_base_label=parent,
               fact_value_yuan=yuan, fact_unit=unit, publication_id="t")


def budget_row(document_id, year, **figures):
    return {"document_id": document_id, "source_file": f"{document_id}.pdf", "fiscal_year": year, "adcode": "320000",
            "department": "中共江苏省委办公厅" if year == 2019 else "江苏省委办公厅", "department_key": "江苏省委办公厅",
            "budget_scope": "department", "in_rollup": True, **figures}


D = Decimal

CASES = {
    # rule: (pass tables, fail tables, expected violations of the failing fixture)
    "PB001": (
        {"marts.fct_project_budget": [budget("total", None, D("16500000"), D("7903500"), execution_rate=D("0.479"), execution_rate_decimals=1)]},
        {"marts.fct_project_budget": [budget("total", None, D("16500000"), D("7903500"), execution_rate=D("0.497"), execution_rate_decimals=1)]},
        [("0.479000", "0.497000", "0.018000", "warning")],
    ),
    "PB002": (
        {"marts.fct_project_budget": [budget("total", D("100"), D("100"), D("90")), budget("local", D("60"), D("60"), D("50")),
                                      budget("provincial", D("40"), D("40"), D("40"))]},
        {"marts.fct_project_budget": [budget("total", D("16500000"), D("16500000"), D("7903600")),
                                      budget("provincial", D("16500000"), D("16500000"), D("7903500")),
                                      budget("central", D("0"), D("0"), D("0"))]},
        # 100 yuan off with two printed sources in 万元: beyond 2 × 50 yuan? exactly 100 -> info
        [("7903500.00", "7903600.00", "100.00", "info")],
    ),
    "PB003": (
        {"marts.fct_project_budget": [budget("total", None, D("1"), D("1"), weight=D("10"), execution_rate=D("0.479"), score_reported=D("4.79"))]},
        {"marts.fct_project_budget": [budget("total", None, D("1"), D("1"), weight=D("10"), execution_rate=D("1"), score_reported=D("0"))]},
        [("10.00", "0.00", "-10.00", "warning")],
    ),
    "PI001": (
        {"marts.fct_performance_indicator": [doc(project_name="p", indicator_name="i", weight=D("10"), score_reported=D("10"))]},
        {"marts.fct_performance_indicator": [doc(project_name="p", indicator_name="i", weight=D("10"), score_reported=D("12"))]},
        [("≤ 10.00", "12.00", "2.00", "warning")],
    ),
    "PI002": (
        {"marts.fct_performance_indicator": [doc(project_name="p", level1="产出指标", level1_points=D("50"), weight=D("20")),
                                             doc(project_name="p", level1="产出指标", level1_points=D("50"), weight=D("30"))]},
        {"marts.fct_performance_indicator": [doc(project_name="p", level1="效益指标", level1_points=D("30"), weight=D("10")) for _ in range(4)]},
        [("30.00", "40.00", "10.00", "warning")],
    ),
    "PI003": (
        {"marts.fct_performance_indicator": [doc(project_name="p", indicator_name="i", scoring_basis="quantitative",
                                                 weight=D("10"), score_reported=D("2.33"), score_recomputed=D("2.33"))]},
        {"marts.fct_performance_indicator": [doc(project_name="p", indicator_name="i", scoring_basis="quantitative",
                                                 weight=D("10"), score_reported=D("10"), score_recomputed=D("2.33"))]},
        [("2.33", "10.00", "7.67", "warning")],
    ),
    "PI005": (
        # met and scored in full; met, below full, with its reason; short of the target (PI003's, not this)
        {"marts.fct_performance_indicator": [
            doc(project_name="p", indicator_name="服务人员配备率", scoring_basis="quantitative", target_text="≥100%",
                actual_text="100%", weight=D("11.25"), score_reported=D("11.25"), score_recomputed=D("11.25")),
            doc(project_name="p", indicator_name="回收率", scoring_basis="quantitative", target_text="≥50%", actual_text="60%",
                weight=D("12.85"), score_reported=D("7.71"), score_recomputed=D("12.85"), deviation_reason="样本口径调整"),
            doc(project_name="p", indicator_name="评价城市", scoring_basis="quantitative", target_text="75%", actual_text="72%",
                weight=D("12.85"), score_reported=D("12.34"), score_recomputed=D("12.34")),
            doc(project_name="p", indicator_name="制度健全性", target_text="健全", actual_text="健全", weight=D("10"),
                score_reported=D("10"))]},
        {"marts.fct_performance_indicator": [
            # ≤0 accidents, 0% happened, scored 0; a qualitative target stated achieved, scored below full
            doc(project_name="p", indicator_name="安全事故发生率", scoring_basis="quantitative", target_text="≤0",
                actual_text="0%", weight=D("11.25"), score_reported=D("0"), score_recomputed=D("11.25")),
            doc(project_name="p", indicator_name="完成及时性", scoring_basis="achieved", target_text="及时",
                actual_text="达成预期指标", weight=D("10"), score_reported=D("8")),
            doc(project_name="p", indicator_name="服务效率提升", target_text="明显", actual_text="明显", weight=D("10"),
                score_reported=D("9"), deviation_reason=" ")]},
        [("10.00", "8.00", "-2.00", "warning"), ("10.00", "9.00", "-1.00", "warning"), ("11.25", "0.00", "-11.25", "warning")],
    ),
    "PI004": (
        {"marts.fct_performance_indicator": [doc(project_name="p", indicator_name="i", scoring_basis="quantitative", weight=D("10"),
                                                 score_recomputed=D("9.60"), deviation_reason="受疫情影响")]},
        {"marts.fct_performance_indicator": [doc(project_name="p", indicator_name="i", scoring_basis="quantitative", weight=D("10"),
                                                 score_recomputed=D("9.60"))]},
        [("偏差原因", "（空）", None, "warning")],
    ),
    "PE001": (
        {"marts.fct_project_evaluation": [doc(project_name="p", execution_weight=D("10"))],
         "marts.fct_performance_indicator": [doc(level1="产出指标", weight=D("50")), doc(level1="效益指标", weight=D("40"))]},
        {"marts.fct_project_evaluation": [doc(project_name="p", execution_weight=D("10"))],
         "marts.fct_performance_indicator": [doc(level1="产出指标", weight=D("50")), doc(level1="效益指标", weight=D("35"))]},
        [("100", "95.00", "-5.00", "warning")],
    ),
    "PE002": (
        {"marts.fct_project_evaluation": [doc(project_name="p", total_score_reported=D("98.8"))],
         "marts.fct_performance_indicator": [doc(score_reported=D("60")), doc(score_reported=D("28.8"))],
         "marts.fct_project_budget": [doc(fund_source="total", score_reported=D("10"))]},
        {"marts.fct_project_evaluation": [doc(project_name="p", total_score_reported=D("100"))],
         "marts.fct_performance_indicator": [doc(score_reported=D("45")), doc(score_reported=None)],
         "marts.fct_project_budget": [doc(fund_source="total", score_reported=D("10"))]},
        [("55.00", "100.00", "45.00", "warning")],
    ),
    "PE003": (
        {"marts.fct_project_evaluation": [doc(project_name="p", total_score_reported=D("90"), grade_reported="优")],
         "reference.grade_bands": [{"grade": "优", "min_score": D("90"), "max_score": D("1000")}, {"grade": "良", "min_score": D("80"), "max_score": D("90")}]},
        {"marts.fct_project_evaluation": [doc(project_name="p", total_score_reported=D("89.99"), grade_reported="优")],
         "reference.grade_bands": [{"grade": "优", "min_score": D("90"), "max_score": D("1000")}, {"grade": "良", "min_score": D("80"), "max_score": D("90")}]},
        [("良", "优", None, "warning")],
    ),
    "PE004": (
        {"marts.fct_project_evaluation": [doc(project_name="p", total_score_reported=D("92.33"), total_score_recomputed=D("92.33"), indicator_count=9)]},
        {"marts.fct_project_evaluation": [doc(project_name="p", total_score_reported=D("100"), total_score_recomputed=D("92.33"), indicator_count=9)]},
        [("92.33", "100.00", "7.67", "warning")],
    ),
    "F1": (
        {"marts.fct_final_account_line": [cell("01", "本年收入合计", "收入/金额", D("16495600")), cell("01", "年初结转和结余", "收入/金额", D("100")),
                                          cell("01", "总计", "收入/金额", D("16495700"))]},
        {"marts.fct_final_account_line": [cell("01", "本年收入合计", "收入/金额", D("16495600")), cell("01", "总计", "收入/金额", D("16595600"))]},
        [("16495600.00", "16595600.00", "100000.00", "error")],
    ),
    "F2": (
        {"marts.fct_final_account_line": [cell("01", "本年支出合计", "支出/金额", D("16495600")), cell("01", "总计", "支出/金额", D("16495600"))]},
        {"marts.fct_final_account_line": [cell("01", "本年支出合计", "支出/金额", D("16495600")), cell("01", "年末结转和结余", "支出/金额", D("100")),
                                          cell("01", "总计", "支出/金额", D("16495600"))]},
        # one addend more than printed: 100 yuan is within 2 × 50
        [("16495700.00", "16495600.00", "-100.00", "info")],
    ),
    "F3": (
        {"marts.fct_final_account_line": [cell("04", "总计", "收入/金额", D("16495600")), cell("04", "总计", "支出/合计", D("16495600"))]},
        {"marts.fct_final_account_line": [cell("01", "总计", "收入/金额", D("16495600")), cell("01", "总计", "支出/金额", D("16000000"))]},
        [("16495600.00", "16000000.00", "-495600.00", "error")],
    ),
    "F4": (
        {"marts.fct_final_account_line": [cell("02", "合计", "本年收入合计", D("300")), cell("02", "合计", "财政拨款收入", D("200")),
                                          cell("02", "合计", "其他收入", D("100"))]},
        {"marts.fct_final_account_line": [cell("02", "合计", "本年收入合计", D("300")), cell("02", "合计", "财政拨款收入", D("200"))]},
        [("200.00", "300.00", "100.00", "error")],
    ),
    "F5": (
        {"marts.fct_final_account_line": [cell("03", "行政运行", "本年支出合计", D("2286700"), "2010301"), cell("03", "行政运行", "基本支出", D("2286700"), "2010301")]},
        {"marts.fct_final_account_line": [cell("03", "一般公共服务支出", "本年支出合计", D("11327600"), "201"),
                                          cell("03", "一般公共服务支出", "基本支出", D("7531200"), "201"),
                                          cell("03", "一般公共服务支出", "项目支出", D("3796300"), "201")]},
        [("11327500.00", "11327600.00", "100.00", "info")],
    ),
    "F6": (
        {"marts.fct_final_account_line": [cell("03", "一般公共服务支出", "基本支出", D("300"), "201", 1), cell("03", "x", "基本支出", D("300"), "20103", 2),
                                          cell("03", "a", "基本支出", D("100"), "2010301", 3), cell("03", "b", "基本支出", D("200"), "2010302", 4)]},
        {"marts.fct_final_account_line": [cell("03", "x", "基本支出", D("7531200"), "20103", 2, "政府办公厅"),
                                          cell("03", "a", "基本支出", D("2286700"), "2010301", 3), cell("03", "b", "基本支出", D("108500"), "2010302", 4),
                                          cell("03", "c", "基本支出", D("5036100"), "2010350", 5)]},
        [("7431300.00", "7531200.00", "99900.00", "error")],
    ),
    "F7": (
        {"marts.fct_final_account_line": [cell("01", "本年收入合计", "收入/金额", D("16495600")), cell("02", "合计", "本年收入合计", D("16495600"))]},
        {"marts.fct_final_account_line": [cell("01", "本年支出合计", "支出/金额", D("16495600")), cell("03", "合计", "本年支出合计", D("16495500"))]},
        [("16495500.00", "16495600.00", "100.00", "info")],
    ),
    "F8": (
        {"marts.fct_final_account_line": [cell("04", "一、一般公共服务支出", "支出/合计", D("11327600")),
                                          cell("04", "一、一般公共服务支出", "支出/一般公共预算财政拨款", D("11327600"))]},
        {"marts.fct_final_account_line": [cell("04", "一、一般公共服务支出", "支出/合计", D("11327600")),
                                          cell("04", "一、一般公共服务支出", "支出/一般公共预算财政拨款", D("11000000")),
                                          cell("04", "一、一般公共服务支出", "支出/政府性基金预算财政拨款", D("27600"))]},
        [("11027600.00", "11327600.00", "300000.00", "error")],
    ),
    "F11": (
        {"marts.fct_final_account_line": [cell("05", "合计", "本年支出/小计", D("300")), cell("05", "合计", "本年支出/基本支出", D("200")),
                                          cell("05", "合计", "本年支出/项目支出", D("100"))]},
        {"marts.fct_final_account_line": [cell("05", "合计", "本年支出/小计", D("16495600")), cell("05", "合计", "本年支出/基本支出", D("9985100")),
                                          cell("05", "合计", "本年支出/项目支出", D("6010500"))]},
        [("15995600.00", "16495600.00", "500000.00", "error")],
    ),
    "F12": (
        {"marts.fct_final_account_line": [cell("06", "工资福利支出", "人员经费/决算数", D("9261000"), "301"),
                                          cell("06", "商品和服务支出", "公用经费/决算数", D("594200"), "302"),
                                          cell("05", "合计", "本年支出/基本支出", D("9855200"))]},
        {"marts.fct_final_account_line": [cell("06", "工资福利支出", "人员经费/决算数", D("9261000"), "301"),
                                          cell("05", "合计", "本年支出/基本支出", D("9985100"))]},
        [("9985100.00", "9261000.00", "-724100.00", "error")],
    ),
    "F13": (
        {"marts.fct_final_account_line": [cell("09", "三公", "预算数/合计", D("4200")),
                                          cell("09", "三公", "预算数/公务用车购置及运行维护费/小计", D("4200")),
                                          cell("09", "三公", "预算数/公务用车购置及运行维护费/公务用车运行维护费", D("4200"))]},
        {"marts.fct_final_account_line": [cell("09", "三公", "决算数/合计", D("5200")),
                                          cell("09", "三公", "决算数/公务用车购置及运行维护费/小计", D("4200")),
                                          cell("09", "三公", "决算数/公务用车购置及运行维护费/公务用车购置费", D("1000")),
                                          cell("09", "三公", "决算数/公务用车购置及运行维护费/公务用车运行维护费", D("4200"))]},
        # the total misses the subtotal by 1000; the subtotal misses purchase + running by 1000
        [("4200.00", "5200.00", "1000.00", "error"), ("5200.00", "4200.00", "-1000.00", "error")],
    ),
    "N001": (
        {"marts.fct_narrative_fact": [doc(doc_type="final_accounts", fact_kind="amount", fact_label="基本支出", fact_value_yuan=D("9985100"))],
         "marts.fct_final_account_line": [cell("03", "合计", "基本支出", D("9985100"))]},
        {"marts.fct_narrative_fact": [doc(doc_type="final_accounts", fact_kind="amount", fact_label="收入总计", fact_value_yuan=D("16495600"))],
         "marts.fct_final_account_line": [cell("01", "总计", "收入/金额", D("16595600"))]},
        [("16595600.00", "16495600.00", "-100000.00", "warning")],
    ),
    "N002": (
        {"marts.fct_narrative_fact": [doc(line_no=410, fact_kind="amount", fact_label="支出合计", fact_value_yuan=D("16495600")),
                                      doc(line_no=412, fact_kind="amount", fact_label="基本支出", fact_value_yuan=D("9985100")),
                                      doc(line_no=412, fact_kind="share", fact_label="基本支出", fact_value=D("0.6053"))]},
        {"marts.fct_narrative_fact": [doc(line_no=410, fact_kind="amount", fact_label="支出合计", fact_value_yuan=D("16495600")),
                                      doc(line_no=412, fact_kind="amount", fact_label="基本支出", fact_value_yuan=D("9985100")),
                                      doc(line_no=412, fact_kind="share", fact_label="基本支出", fact_value=D("0.6503"))]},
        # 9,985,100 / 16,495,600 = 0.605319 (printed 60.53%)
        [("0.605319", "0.650300", "0.044981", "warning")],
    ),
    "F9": (
        {"marts.fct_final_account_line": [cell("04", "本年收入合计", "收入/金额", D("16495600")), cell("04", "年初财政拨款结转和结余", "收入/金额", D("100")),
                                          cell("04", "本年支出合计", "支出/合计", D("16495600")), cell("04", "年末财政拨款结转和结余", "支出/合计", D("100"))]},
        {"marts.fct_final_account_line": [cell("04", "本年收入合计", "收入/金额", D("16495600")), cell("04", "年初财政拨款结转和结余", "收入/金额", D("500000")),
                                          cell("04", "本年支出合计", "支出/合计", D("16495600"))]},
        [("16995600.00", "16495600.00", "-500000.00", "error")],
    ),
    "F10": (
        {"marts.fct_final_account_line": [cell("02", "合计", "财政拨款收入", D("16495600")), cell("04", "本年收入合计", "收入/金额", D("16495600"))]},
        {"marts.fct_final_account_line": [cell("02", "合计", "财政拨款收入", D("16495600")), cell("04", "本年收入合计", "收入/金额", D("15495600"))]},
        [("15495600.00", "16495600.00", "1000000.00", "error")],
    ),
    "F14": (
        # both empty (本表无数据 and blank columns): zero against zero
        {"marts.fct_final_account_line": [cell("04", "本年支出合计", "支出/合计", D("16495600"))]},
        {"marts.fct_final_account_line": [cell("04", "本年支出合计", "支出/政府性基金预算财政拨款", D("200000")),
                                          cell("07", "合计", "本年支出/合计", D("150000"))]},
        [("200000.00", "150000.00", "-50000.00", "error")],
    ),
    "N003": (
        {"marts.fct_narrative_fact": [doc(line_no=400, fact_kind="amount", fact_label="收入总计", fact_value_yuan=D("16495600")),
                                      doc(line_no=400, fact_kind="amount", fact_label="收入总计增加", fact_value_yuan=D("3667500")),
                                      doc(line_no=400, fact_kind="change", fact_label="收入总计", fact_value=D("0.2859"))]},
        {"marts.fct_narrative_fact": [doc(line_no=448, fact_kind="amount", fact_label="支出决算", fact_value_yuan=D("450700")),
                                      doc(line_no=448, fact_kind="amount", fact_label="较上年决算减少", fact_value_yuan=D("10700")),
                                      doc(line_no=448, fact_kind="change", fact_label="较上年决算", fact_value=D("-0.0332"))]},
        # −10,700 ÷ (450,700 + 10,700) = −0.023190
        [("-0.023190", "-0.033200", "-0.010010", "warning")],
    ),
    "N004": (
        {"marts.fct_narrative_fact": [doc(doc_type="final_accounts", line_no=442, fact_kind="budget_total", fact_value_yuan=D("18024700")),
                                      doc(doc_type="final_accounts", line_no=442, fact_kind="amount", fact_label="支出决算", fact_value_yuan=D("16495600")),
                                      doc(doc_type="final_accounts", line_no=442, fact_kind="completion_rate", fact_value=D("0.9152"))]},
        {"marts.fct_narrative_fact": [doc(doc_type="final_accounts", line_no=442, fact_kind="budget_total", fact_value_yuan=D("18024700")),
                                      doc(doc_type="final_accounts", line_no=442, fact_kind="amount", fact_label="支出决算", fact_value_yuan=D("16495600")),
                                      doc(doc_type="final_accounts", line_no=442, fact_kind="completion_rate", fact_value=D("0.9512"))]},
        # 16,495,600 ÷ 18,024,700 = 0.915166
        [("0.915166", "0.951200", "0.036034", "warning")],
    ),
    "X001": (
        {"marts.fct_narrative_fact": [doc(doc_type="final_accounts", fiscal_year=2024, adcode="141181", department="局", fact_kind="project_count", fact_value=D("2"))],
         "marts.fct_project_evaluation": [{"document_id": "p1", "fiscal_year": 2024, "adcode": "141181", "department": "局", "grade_reported": "优"},
                                          {"document_id": "p2", "fiscal_year": 2024, "adcode": "141181", "department": "局", "grade_reported": "优"}]},
        {"marts.fct_narrative_fact": [doc(doc_type="final_accounts", fiscal_year=2024, adcode="141181", department="局", fact_kind="grade_count", fact_label="差", fact_value=D("2"))],
         "marts.fct_project_evaluation": [{"document_id": "p1", "fiscal_year": 2024, "adcode": "141181", "department": "局", "grade_reported": "优"}]},
        [("2", "0", "-2", "warning")],
    ),
    "X002": (
        {"marts.fct_final_account_line": [cell("03", "合计", "项目支出", D("6510500"))],
         "marts.dim_document": [{"document_id": "d", "fiscal_year": 2024, "adcode": "141181", "department": "局"}],
         "marts.fct_narrative_fact": [doc(fact_kind="project_count", fact_value=D("2"))],
         "marts.fct_project_budget": [{"document_id": "p1", "fiscal_year": 2024, "adcode": "141181", "department": "局", "fund_source": "total", "executed_yuan": D("6510480")},
                                      {"document_id": "p2", "fiscal_year": 2024, "adcode": "141181", "department": "局", "fund_source": "total", "executed_yuan": D("20")}]},
        {"marts.fct_final_account_line": [cell("03", "合计", "项目支出", D("6510500"))],
         "marts.dim_document": [{"document_id": "d", "fiscal_year": 2024, "adcode": "141181", "department": "局"}],
         "marts.fct_narrative_fact": [doc(fact_kind="project_count", fact_value=D("1"))],
         "marts.fct_project_budget": [{"document_id": "p1", "fiscal_year": 2024, "adcode": "141181", "department": "局", "fund_source": "total", "executed_yuan": D("4653519")}]},
        [("6510500.00", "4653519.00", "-1856981.00", "warning")],
    ),
    # the budget identities: figures of the real publications (Shanghai 2025, Jiangsu 2019), in yuan
    "B1": (
        {"marts.fct_budget_line": [bcell("01", "收入总计", "收入/金额", D("31214205.80"), row_key="income_grand_total"),
                                   bcell("01", "支出总计", "支出/金额", D("31214205.80"), row_key="expenditure_grand_total"),
                                   bcell("04", "收入合计", "收入/金额", D("241697400"), row_key="income_grand_total"),
                                   bcell("04", "当年收入小计", "收入/金额", D("241697400"), row_key="income_total"),
                                   bcell("04", "支出合计", "支出/支出用途/金额", D("241697400"), row_key="expenditure_grand_total"),
                                   bcell("04", "支出合计", "支出/一般公共预算", D("1"), row_key="expenditure_grand_total")]},
        {"marts.fct_budget_line": [bcell("01", "收入合计", "收入/金额", D("276642200"), row_key="income_grand_total"),
                                   bcell("01", "当年收入小计", "收入/金额", D("276642200"), row_key="income_total"),
                                   bcell("01", "上年结转", "收入/金额", D("100"), row_key="carryover_start"),
                                   bcell("01", "支出合计", "支出/功能分类/金额", D("276642200"), row_key="expenditure_grand_total"),
                                   bcell("01", "支出合计", "支出/支出用途/金额", D("266642200"), row_key="expenditure_grand_total")]},
        [("276642200.00", "266642200.00", "-10000000.00", "error"), ("276642300.00", "276642200.00", "-100.00", "info")],
    ),
    "B2": (
        {"marts.fct_budget_line": [bcell("03", "行政运行", "合计", D("16231840.80"), "2010601"),
                                   bcell("03", "行政运行", "基本支出", D("16093326.00"), "2010601"),
                                   bcell("03", "行政运行", "项目支出", D("138514.80"), "2010601"),
                                   bcell("02", "收入总计", "金额", D("241697400"))]},
        {"marts.fct_budget_line": [bcell("03", "支出预算总表", "合计", D("241697400")),
                                   bcell("03", "支出预算总表", "基本支出", D("158440400")),
                                   bcell("03", "支出预算总表", "项目支出", D("43353000")),
                                   bcell("03", "支出预算总表", "单位预留机动经费", D("39804000"))]},
        [("241597400.00", "241697400.00", "100000.00", "error")],
    ),
    "B3": (
        {"marts.fct_budget_line": [bcell("05", "一般公共服务支出", "合计", D("22186440.80"), "201", 1),
                                   bcell("05", "财政事务", "合计", D("22186440.80"), "20106", 2),
                                   bcell("05", "行政运行", "合计", D("16231840.80"), "2010601", 3),
                                   bcell("05", "财政委托业务支出", "合计", D("5954600.00"), "2010608", 4),
                                   bcell("05", "合计", "合计", D("22186440.80"), None, 5, row_key="total")]},
        {"marts.fct_budget_line": [bcell("06", "工资福利支出", "合计", D("119606200"), "301", 1, subject_name="工资福利支出"),
                                   bcell("06", "基本工资", "合计", D("21717800"), "30101", 2),
                                   bcell("06", "津贴补贴", "合计", D("63725100"), "30102", 3)]},
        [("85442900.00", "119606200.00", "34163300.00", "error")],
    ),
    "B4": (
        {"marts.fct_budget_line": [bcell("04", "一、一般公共服务支出", "财政拨款支出/合计", D("22186440.80")),
                                   bcell("04", "一、一般公共服务支出", "财政拨款支出/一般公共预算", D("22186440.80"))]},
        {"marts.fct_budget_line": [bcell("04", "二、社会保障和就业支出", "财政拨款支出/合计", D("3508644.00")),
                                   bcell("04", "二、社会保障和就业支出", "财政拨款支出/一般公共预算", D("3408644.00")),
                                   bcell("04", "二、社会保障和就业支出", "财政拨款支出/政府性基金预算", D("50000.00"))]},
        [("3458644.00", "3508644.00", "50000.00", "error")],
    ),
    "B5": (
        {"marts.fct_budget_line": [bcell("06", "合计", "合计", D("25121091"), row_key="total"),
                                   bcell("06", "合计", "人员经费", D("22826756"), row_key="total"),
                                   bcell("06", "合计", "公用经费", D("2294335"), row_key="total"),
                                   bcell("05", "合计", "基本支出", D("25121091"), row_key="total")]},
        {"marts.fct_budget_line": [bcell("06", "合计", "合计", D("25121091"), row_key="total"),
                                   bcell("06", "合计", "人员经费", D("22826756"), row_key="total"),
                                   bcell("06", "合计", "公用经费", D("2294435"), row_key="total"),
                                   bcell("05", "合计", "基本支出", D("25121191"), row_key="total")]},
        # 100 yuan off, two cells printed in 万元: beyond two half-units (100)? exactly 100 -> info
        [("25121191.00", "25121091.00", "-100.00", "info"), ("25121191.00", "25121091.00", "-100.00", "info")],
    ),
    "B6": (
        {"marts.fct_budget_line": [bcell("07", "三公", "三公经费合计", D("5082000")), bcell("07", "三公", "因公出国（境）费", D("700000")),
                                   bcell("07", "三公", "公务用车购置及运行费", D("4112000")), bcell("07", "三公", "运行费", D("4112000")),
                                   bcell("07", "三公", "公务接待费", D("270000")), bcell("07", "三公", "会议费", D("9335000")),
                                   # a table printing the 三公 items alone: its 合计 is their total
                                   bcell("07", "三公", "合计", D("35000"), line_no=2), bcell("07", "三公", "因公出国（境）费", D("20000"), line_no=2),
                                   bcell("07", "三公", "公务接待费", D("15000"), line_no=2)]},
        {"marts.fct_budget_line": [bcell("07", "三公", "三公经费合计", D("4182600")), bcell("07", "三公", "因公出国（境）费", D("800000")),
                                   bcell("07", "三公", "公务用车购置及运行费", D("2370000")), bcell("07", "三公", "购置费", D("300000")),
                                   bcell("07", "三公", "运行费", D("2370000")), bcell("07", "三公", "公务接待费", D("1012600")),
                                   bcell("07", "三公", "合计", D("36000"), line_no=2), bcell("07", "三公", "因公出国（境）费", D("20000"), line_no=2),
                                   bcell("07", "三公", "公务接待费", D("15000"), line_no=2)]},
        [("2670000.00", "2370000.00", "-300000.00", "error"), ("35000.00", "36000.00", "1000.00", "error")],
    ),
    "N005": (
        # 878.93 / (3,894.09 − 878.93) = 29.15%, truncated to 29.15; 16.0776% printed 16.07
        {"marts.fct_narrative_fact": [growth("住房保障(类)支出", D("38940900"), D("8789300"), D("0.2915")),
                                      growth("行政运行(项)支出", D("93701200"), D("12978300"), D("0.1607")),
                                      growth("项目支出", D("43353000"), D("-12377000"), D("-0.1322"))]},
        {"marts.fct_narrative_fact": [growth("住房保障(类)支出", D("38940900"), D("8789300"), D("0.30")),
                                      growth("未归口管理的行政单位离退休(项)支出", D("4000200"), D("281000"), D("0.0757"))]},
        [("0.075554", "0.075700", "0.000146", "info"), ("0.291504", "0.300000", "0.008496", "warning")],
    ),
    "N006": (
        {"marts.fct_narrative_fact": [growth("住房保障(类)支出", D("38940900"), D("8789300"), D("0.30"))]},
        {"marts.fct_narrative_fact": [growth("项目支出预算数", D("43353000"), D("-12377000"), D("-0.1322"))]},
        [("-0.222089", "-0.132200", "0.089889", "error")],
    ),
    "N007": (
        {"marts.fct_narrative_fact": [stated_subject("行政运行(项)", "财政事务(款)", D("16231800")),
                                      stated_subject("一般公共服务(类)", None, D("22186400")),
                                      stated_subject("行政运行(项)", "人大事务(款)", D("1"))],
         "marts.fct_budget_expenditure": [
             {"publication_id": "t", "subject_code": "201", "subject_name": "一般公共服务支出", "total_yuan": D("22186440.80")},
             {"publication_id": "t", "subject_code": "20106", "subject_name": "财政事务", "total_yuan": D("22186440.80")},
             {"publication_id": "t", "subject_code": "2010601", "subject_name": "行政运行", "total_yuan": D("16231840.80")}]},
        {"marts.fct_narrative_fact": [stated_subject("机关事业单位职业年金缴费支出(项)", "行政事业单位养老支出(款)", D("8873600")),
                                      stated_subject("行政单位医疗(项)", None, D("782100"))],
         "marts.fct_budget_expenditure": [
             {"publication_id": "t", "subject_code": "20805", "subject_name": "行政事业单位养老支出", "total_yuan": D("3508644")},
             {"publication_id": "t", "subject_code": "2080506", "subject_name": "机关事业单位职业年金缴费支出", "total_yuan": D("873617")},
             {"publication_id": "t", "subject_code": "2101101", "subject_name": "行政单位医疗", "total_yuan": D("782164")}]},
        [("782164.00", "782100.00", "-64.00", "info"), ("873617.00", "8873600.00", "7999983.00", "error")],
    ),
    "N008": (
        {"marts.fct_narrative_fact": [stated_subject("其他行政事业单位养老支出(项)", None, D("9600"))],
         "marts.fct_budget_expenditure": [
             {"publication_id": "t", "subject_code": "2080599", "subject_name": "其他行政事业单位养老支出", "total_yuan": D("9620")}]},
        {"marts.fct_narrative_fact": [stated_subject("其它行政事业单位养老支出(项)", None, D("9600"))],
         "marts.fct_budget_expenditure": [
             {"publication_id": "t", "subject_code": "2080599", "subject_name": "其他行政事业单位养老支出", "total_yuan": D("9620")}]},
        [("其他行政事业单位养老支出", "其它行政事业单位养老支出", None, "info")],
    ),
    "N009": (
        # 政府采购支出总额288.28万元，其中：货物81.33万元、工程0万元、服务206.95万元
        {"marts.fct_narrative_fact": [doc(fact_kind="listed_total", fact_label="政府采购支出总额", fact_unit="万元", fact_value=D("288.28"), line_no=5),
                                      doc(fact_kind="listed_part", fact_label="货物", fact_base_label="政府采购支出总额", fact_unit="万元", fact_value=D("81.33"), line_no=5),
                                      doc(fact_kind="listed_part", fact_label="工程", fact_base_label="政府采购支出总额", fact_unit="万元", fact_value=D("0"), line_no=5),
                                      doc(fact_kind="listed_part", fact_label="服务", fact_base_label="政府采购支出总额", fact_unit="万元", fact_value=D("206.95"), line_no=5)]},
        # 总建筑面积15415.38平方米 against seven floors' 16184.78; and a two-part list 0.01 off
        {"marts.fct_narrative_fact": [doc(fact_kind="listed_total", fact_label="总建筑面积", fact_unit="平方米", fact_value=D("15415.38"), line_no=43),
                                      *[doc(fact_kind="listed_part", fact_label=f"第{n}层", fact_base_label="总建筑面积", fact_unit="平方米",
                                            fact_value=v, line_no=43)
                                        for n, v in enumerate((D("3295.03"), D("3169.08"), D("3881.22"), D("3881.22"), D("1188.83"),
                                                               D("567.94"), D("201.46")), start=1)],
                                      doc(fact_kind="listed_total", fact_label="共计", fact_unit="个", fact_value=D("10.01"), line_no=50),
                                      doc(fact_kind="listed_part", fact_label="甲", fact_base_label="共计", fact_unit="个", fact_value=D("5"), line_no=50),
                                      doc(fact_kind="listed_part", fact_label="乙", fact_base_label="共计", fact_unit="个", fact_value=D("5"), line_no=50)]},
        [("10.00", "10.01", "0.01", "info"), ("16184.78", "15415.38", "-769.40", "warning")],
    ),
    "X003": (
        {"marts.fct_department_budget": [budget_row("a", 2018, expenditure_total_yuan=D("244584300")),
                                         budget_row("b", 2019, previous_year_expenditure_total_yuan=D("244584300"))]},
        {"marts.fct_department_budget": [budget_row("a", 2018, expenditure_total_yuan=D("244584300")),
                                         budget_row("b", 2019, previous_year_expenditure_total_yuan=D("245584300"))]},
        [("244584300.00", "245584300.00", "1000000.00", "warning")],
    ),
    "X004": (
        {"marts.fct_three_public_expenses": [doc(fiscal_year=2019, adcode="320000", department="江苏省委办公厅",
                                                 department_key="江苏省委办公厅", expense_item="total", budget_yuan=D("5082000"))],
         "marts.fct_department_budget": [budget_row("b", 2019, three_public_budget_yuan=D("5082000"))]},
        {"marts.fct_three_public_expenses": [doc(fiscal_year=2019, adcode="320000", department="江苏省委办公厅",
                                                 department_key="江苏省委办公厅", expense_item="total", budget_yuan=D("5182000"))],
         "marts.fct_department_budget": [budget_row("b", 2019, three_public_budget_yuan=D("5082000"))]},
        [("5082000.00", "5182000.00", "100000.00", "warning")],
    ),
}


def test_every_rule_has_its_fixtures():
    assert set(CASES) == set(RULES)


@pytest.mark.parametrize("rule_id", sorted(CASES))
def test_rule_passes_on_consistent_figures(rule_id):
    passing, _, _ = CASES[rule_id]
    assert violations(rule_id, passing) == []


@pytest.mark.parametrize("rule_id", sorted(CASES))
def test_rule_reports_the_inconsistency(rule_id):
    _, failing, expected = CASES[rule_id]
    assert violations(rule_id, failing) == sorted(expected)


def test_band_grows_with_the_number_of_addends_and_the_source_factor():
    # 150 yuan off: beyond one addend's band (50), within three addends' (150)
    two = {"marts.fct_final_account_line": [cell("02", "合计", "本年收入合计", D("350")), cell("02", "合计", "财政拨款收入", D("200"))]}
    assert violations("F4", two)[0][3] == "error"
    three = {"marts.fct_final_account_line": [cell("02", "合计", "本年收入合计", D("350")), cell("02", "合计", "财政拨款收入", D("100")),
                                              cell("02", "合计", "上级补助收入", D("50")), cell("02", "合计", "其他收入", D("50"))]}
    assert violations("F4", three)[0][3] == "info"
    # a source declared with tolerance factor 3 has three times the half-unit
    wide = {"marts.fct_final_account_line": [
        {**cell("02", "合计", "本年收入合计", D("350")), "half_unit_yuan": WAN * 3},
        {**cell("02", "合计", "财政拨款收入", D("200")), "half_unit_yuan": WAN * 3},
    ]}
    assert violations("F4", wide)[0][3] == "info"


def test_economic_classes_of_table_06_add_up_to_their_kinds():
    """F6 on table 06: 301 工资福利支出 = Σ 301xx, as Shanghai's 2,082.85 against its items' 2,082.86."""
    consistent = [cell("06", "工资福利支出", "决算数", D("20828500"), "301"),
                  cell("06", "基本工资", "决算数", D("2623300"), "30101"), cell("06", "津贴补贴", "决算数", D("18205200"), "30102")]
    assert violations("F6", {"marts.fct_final_account_line": consistent}) == []
    tail = consistent[:2] + [cell("06", "津贴补贴", "决算数", D("18205300"), "30102")]
    assert violations("F6", {"marts.fct_final_account_line": tail}) == [("20828600.00", "20828500.00", "-100.00", "info")]
    wrong = consistent[:2] + [cell("06", "津贴补贴", "决算数", D("19205200"), "30102")]
    assert violations("F6", {"marts.fct_final_account_line": wrong}) == [("21828500.00", "20828500.00", "-1000000.00", "error")]


def test_an_error_on_a_document_with_digits_ocr_was_unsure_of_is_a_warning_that_says_so():
    """A figure OCR may have misread cannot prove a document wrong: the finding is a warning, its
    message says to check the original; the same finding on a document read surely is an error."""
    rows = [cell("01", "本年收入合计", "收入/金额", D("16495600")), cell("01", "总计", "收入/金额", D("16595600"))]
    sure = violations("F1", {"marts.fct_final_account_line": rows})
    unsure = violations("F1", {"marts.fct_final_account_line": rows,
                               "marts.dim_document": [{"document_id": "d", "ocr_unsure_figures": 1}]})
    assert sure and {severity for *_, severity in sure} == {"error"}
    assert [(e, a, d) for e, a, d, _ in unsure] == [(e, a, d) for e, a, d, _ in sure]
    assert {severity for *_, severity in unsure} == {"warning"}
    con = make({"marts.fct_final_account_line": rows, "marts.dim_document": [{"document_id": "d", "ocr_unsure_figures": 1}]})
    query = RULES["F1"].query_for("marts.fct_final_account_line", documents="marts.dim_document")
    [message] = {r[0] for r in con.execute(f"select message from ({query})").fetchall()}
    from expectations.catalogue import UNSURE_NOTE

    assert message.endswith(UNSURE_NOTE)
