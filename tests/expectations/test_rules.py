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
    "line_no": "integer", "indicator_count": "integer", "execution_rate_decimals": "integer",
    "execution_rate": "decimal(12,6)", "fact_value": "decimal(24,6)", "half_unit_yuan": "decimal(18,4)",
    "weight": "decimal(9,2)", "score_reported": "decimal(9,2)", "score_recomputed": "decimal(9,2)",
    "level1_points": "decimal(9,2)", "execution_weight": "decimal(9,2)", "total_score_reported": "decimal(9,2)",
    "total_score_recomputed": "decimal(9,2)", "execution_score_reported": "decimal(9,2)",
    "min_score": "decimal(9,2)", "max_score": "decimal(9,2)", "fiscal_year": "integer",
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
                                        "score_recomputed", "scoring_basis", "deviation_reason"},
    "marts.fct_project_evaluation": {"document_id", "source_file", "location", "project_name", "total_score_reported",
                                     "grade_reported", "execution_score_reported", "execution_weight",
                                     "total_score_recomputed", "grade_recomputed", "indicator_count"},
    "marts.fct_final_account_line": {"document_id", "source_file", "location", "line_no", "table_code", "row_label",
                                     "column_label", "subject_code", "subject_name", "amount_yuan", "half_unit_yuan"},
    "marts.fct_narrative_fact": {"document_id", "source_file", "location", "line_no", "doc_type", "fact_kind", "fact_label", "fact_base_label",
                                 "fact_value", "fact_value_yuan", "sentence", "fiscal_year", "adcode", "department"},
    "marts.dim_document": {"document_id", "fiscal_year", "adcode", "department"},
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
    cursor = con.execute(rule.query_for(f"marts.{rule.applies_to}"))
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
