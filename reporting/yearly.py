"""The yearly comparison report: figures from the marts, flagged where the integrity rules found problems."""
from __future__ import annotations

from dataclasses import dataclass
from decimal import Decimal
from pathlib import Path

import duckdb
from jinja2 import Environment, PackageLoader, select_autoescape

# The regions' figures come from the dbt mart `marts.region_comparison` (one row per year and
# region, rollups included, with their ranks); the findings of the integrity rules, which run after
# the build, are counted here over the documents `marts.region_document` lists for each region.
REGION_SQL = """
with flags as (
    select members.region_code, members.level,
        count(*) filter (where findings.severity = 'error') as errors,
        count(*) filter (where findings.severity = 'warning') as warnings,
        count(*) filter (where findings.severity = 'info') as infos
    from marts.region_document members
    join audit.integrity_violation findings on findings.document_id = members.document_id
    where members.fiscal_year = $year
    group by members.region_code, members.level
)
select regions.* exclude (region_comparison_id, fiscal_year),
    coalesce(flags.errors, 0) as errors, coalesce(flags.warnings, 0) as warnings, coalesce(flags.infos, 0) as infos,
    case when flags.errors > 0 then '未通过' when flags.warnings > 0 then '有警告' else '通过' end as validation
from marts.region_comparison regions
left join flags on flags.region_code = regions.region_code and flags.level = regions.level
where regions.fiscal_year = $year
order by case regions.level when '省汇总' then 0 when '省本级' then 1 when '市汇总' then 2 when '市本级' then 3 else 4 end,
    regions.region_code
"""

PROJECT_SQL = """
select
    coalesce(d.county, d.city, d.province) as region, e.department, e.project_name,
    b.budget_adjusted_yuan, b.executed_yuan, b.execution_rate,
    e.total_score_reported, e.total_score_recomputed, e.grade_reported, e.grade_recomputed,
    (select count(*) from audit.integrity_violation v where v.document_id = e.document_id and v.severity <> 'info') as flagged,
    e.source_file, e.location, d.is_synthetic, e.document_id, d.adcode
from marts.fct_project_evaluation e
join marts.dim_document d on d.document_id = e.document_id
left join marts.fct_project_budget b on b.document_id = e.document_id and b.fund_source = 'total'
where e.fiscal_year = $year
order by region, e.department, e.project_name
"""

DEPARTMENT_SQL = """
select
    s.adcode, coalesce(d.county, d.city, d.province) as region, s.department,
    s.income_total_yuan, s.expenditure_total_yuan, s.basic_yuan, s.project_yuan,
    s.basic_yuan / nullif(s.expenditure_total_yuan, 0) as basic_share,
    s.personnel_yuan, s.public_expenses_yuan,
    s.three_public_budget_yuan, s.three_public_actual_yuan,
    s.previous_expenditure_total_yuan, s.expenditure_growth,
    (select count(*) from audit.integrity_violation v where v.document_id = s.document_id and v.severity = 'error') as errors,
    (select count(*) from audit.integrity_violation v where v.document_id = s.document_id and v.severity <> 'info') as flagged,
    s.source_file, s.document_id, d.is_synthetic
from marts.fct_department_summary s
join marts.dim_document d on d.document_id = s.document_id
where s.fiscal_year = $year
order by s.adcode, s.department
"""

# 预决算: each department's budget (年初预算) beside its final accounts of the same year, class by
# class summed to the department (fct_budget_execution holds every subject)
EXECUTION_SQL = """
select
    e.adcode, coalesce(d.county, d.city, d.province) as region, e.department,
    sum(e.budget_yuan) as budget_yuan, sum(e.final_yuan) as final_yuan,
    sum(e.final_yuan) - sum(e.budget_yuan) as difference_yuan,
    sum(e.final_yuan) / nullif(sum(e.budget_yuan), 0) as completion_rate,
    count(*) filter (where e.budget_yuan is null or e.final_yuan is null) as unmatched_classes,
    e.budget_document_id, e.final_document_id, bd.source_file as budget_file, d.source_file as final_file, d.is_synthetic
from marts.fct_budget_execution e
join marts.dim_document d on d.document_id = e.final_document_id
join marts.dim_document bd on bd.document_id = e.budget_document_id
where e.fiscal_year = $year and e.subject_level = '类'
group by all
order by e.adcode, e.department
"""

CHANGE_SQL = """
with yearly as (
    select e.fiscal_year, coalesce(d.county, d.city, d.province) as region, e.adcode, sum(b.executed_yuan) as executed
    from marts.fct_project_evaluation e
    join marts.dim_document d on d.document_id = e.document_id
    join marts.fct_project_budget b on b.document_id = e.document_id and b.fund_source = 'total'
    where e.fiscal_year in ($year, $year - 1)
    group by all
)
select this.region, this.adcode, prev.executed as previous_yuan, this.executed as executed_yuan,
       this.executed - prev.executed as change_yuan,
       (this.executed - prev.executed) / nullif(prev.executed, 0) as growth
from yearly this join yearly prev on prev.adcode = this.adcode and prev.fiscal_year = this.fiscal_year - 1
where this.fiscal_year = $year
order by abs(this.executed - prev.executed) desc
limit 5
"""

VIOLATION_SQL = """
select v.rule_id, v.severity, coalesce(d.county, d.city, d.province) as region, v.entity,
       v.expected, v.actual, v.difference, v.message, v.source_file, v.location, v.document_id, d.adcode
from audit.integrity_violation v
join marts.dim_document d on d.document_id = v.document_id
where d.fiscal_year = $year
order by d.adcode, v.source_file, case v.severity when 'error' then 0 when 'warning' then 1 else 2 end, v.rule_id, v.location
"""

LEVEL_ORDER = ("省汇总", "省本级", "市汇总", "市本级", "县级")
REGION_HEADERS = [
    ("region_code", "行政区划代码", "text"), ("level", "层级", "text"), ("region", "地区", "text"),
    ("validation", "校验状态", "text"),
    ("expenditure_total_yuan", "决算支出合计(万元)", "wan"), ("rank_expenditure", "支出排名", "int"),
    ("basic_yuan", "基本支出(万元)", "wan"), ("project_yuan", "项目支出(万元)", "wan"), ("basic_share", "基本支出占比", "pct"),
    ("share_201", "一般公共服务占比", "pct"), ("share_205", "教育占比", "pct"), ("share_208", "社会保障和就业占比", "pct"),
    ("share_210", "卫生健康占比", "pct"), ("share_221", "住房保障占比", "pct"), ("share_other", "其他功能分类占比", "pct"),
    ("three_public_budget_yuan", "“三公”预算(万元)", "wan"), ("three_public_actual_yuan", "“三公”决算(万元)", "wan"),
    ("three_public_rate", "“三公”决算/预算", "pct"),
    ("expenditure_growth", "支出同比增长(同口径)", "pct"), ("rank_growth", "增长排名", "int"),
    ("projects", "自评项目数", "int"), ("budget_adjusted_yuan", "项目全年预算数(万元)", "wan"),
    ("executed_yuan", "项目全年执行数(万元)", "wan"), ("execution_rate", "执行率(按金额加权)", "pct"),
    ("rank_execution", "执行率排名", "int"),
    ("score_reported_avg", "自评平均分", "score"), ("score_recomputed_avg", "重算平均分", "score"),
    ("rank_score", "重算分排名", "int"), ("score_gap", "自评高出重算", "score"), ("rank_inflation", "虚高排名", "int"),
    ("grade_excellent", "优", "int"), ("grade_good", "良", "int"), ("grade_fair", "中", "int"), ("grade_poor", "差", "int"),
    ("errors", "错误", "int"), ("warnings", "警告", "int"), ("infos", "提示", "int"),
]
PROJECT_HEADERS = [
    ("region", "地区", "text"), ("region_validation", "地区校验状态", "text"), ("department", "部门", "text"), ("project_name", "项目", "text"),
    ("budget_adjusted_yuan", "全年预算数(万元)", "wan"), ("executed_yuan", "全年执行数(万元)", "wan"),
    ("execution_rate", "执行率", "pct"), ("total_score_reported", "自评总分", "score"),
    ("total_score_recomputed", "重算总分", "score"), ("grade_reported", "自评等级", "text"),
    ("grade_recomputed", "重算等级", "text"), ("flagged", "校验问题数", "int"), ("source_file", "来源文件", "text"),
    ("location", "位置", "text"),
]
HIGHLIGHT_HEADERS = [("category", "类别", "text"), ("item", "对象", "text"), ("value", "情况", "text")]
DEPARTMENT_HEADERS = [
    ("adcode", "行政区划代码", "text"), ("region", "地区", "text"), ("region_validation", "地区校验状态", "text"), ("department", "部门", "text"),
    ("income_total_yuan", "本年收入合计(万元)", "wan"), ("expenditure_total_yuan", "本年支出合计(万元)", "wan"),
    ("basic_yuan", "基本支出(万元)", "wan"), ("project_yuan", "项目支出(万元)", "wan"), ("basic_share", "基本支出占比", "pct"),
    ("personnel_yuan", "人员经费(万元)", "wan"), ("public_expenses_yuan", "公用经费(万元)", "wan"),
    ("three_public_budget_yuan", "“三公”经费预算(万元)", "wan"), ("three_public_actual_yuan", "“三公”经费决算(万元)", "wan"),
    ("previous_expenditure_total_yuan", "上年支出合计(万元)", "wan"), ("expenditure_growth", "支出增长", "pct"),
    ("errors", "错误", "int"), ("flagged", "校验问题数", "int"), ("source_file", "来源文件", "text"),
]
EXECUTION_HEADERS = [
    ("adcode", "行政区划代码", "text"), ("region", "地区", "text"), ("region_validation", "地区校验状态", "text"),
    ("department", "部门", "text"), ("budget_yuan", "年初预算(万元)", "wan"), ("final_yuan", "决算(万元)", "wan"),
    ("difference_yuan", "决算−预算(万元)", "wan"), ("completion_rate", "完成年初预算", "pct"),
    ("unmatched_classes", "仅一方列示的功能分类数", "int"), ("budget_file", "预算来源文件", "text"),
    ("final_file", "决算来源文件", "text"),
]
VIOLATION_HEADERS = [
    ("rule_id", "规则", "text"), ("severity", "级别", "text"), ("region", "地区", "text"), ("entity", "对象", "text"),
    ("expected", "应为", "text"), ("actual", "实际", "text"), ("difference", "差额", "text"), ("message", "说明", "text"),
    ("source_file", "来源文件", "text"), ("location", "位置", "text"),
]
SEVERITY_ZH = {"error": "错误", "warning": "警告", "info": "提示"}


@dataclass(frozen=True)
class ReportPaths:
    xlsx: Path
    html: Path


def _fetch(con: duckdb.DuckDBPyConnection, sql: str, year: int) -> list[dict]:
    cursor = con.execute(sql, {"year": year})
    names = [d[0] for d in cursor.description]
    return [dict(zip(names, row)) for row in cursor.fetchall()]


def _wan(value) -> Decimal | None:
    return None if value is None else (Decimal(value) / Decimal(10000)).quantize(Decimal("0.01"))


def collect(con: duckdb.DuckDBPyConnection, year: int) -> dict[str, list[dict]]:
    data = {
        "regions": _fetch(con, REGION_SQL, year),
        "projects": _fetch(con, PROJECT_SQL, year),
        "departments": _fetch(con, DEPARTMENT_SQL, year),
        "changes": _fetch(con, CHANGE_SQL, year),
        "execution": _fetch(con, EXECUTION_SQL, year),
        "violations": _fetch(con, VIOLATION_SQL, year),
    }
    # validation status travels with the figures: every row of a region that failed error rules says so
    status = {r["region_code"]: r["validation"] for r in data["regions"] if r["level"] in ("县级", "市本级", "省本级")}
    for row in data["projects"] + data["departments"] + data["execution"]:
        row["region_validation"] = status.get(row["adcode"], "通过")
    return data


def highlights(data: dict[str, list[dict]]) -> list[dict]:
    """The few things a reader should see first: largest changes, lowest execution, biggest score
    inflation (reported over recomputed), most violations. Regions are compared at the county level
    and with the 市本级/省本级 departments; rollups are not ranked against their own parts."""
    out = []
    own = [r for r in data["regions"] if r["level"] in ("县级", "市本级", "省本级")]
    status = {r["region_code"]: r["validation"] for r in own}

    def marked(text: str, code: str | None) -> str:
        # a region that failed error rules says so wherever it is compared
        return f"{text}（✗未通过校验）" if status.get(code or "") == "未通过" else text

    def name(r):
        return marked(r["region"] if r["level"] == "县级" else f"{r['region']}（{r['level']}）", r["region_code"])

    grown = [r for r in own if r["expenditure_growth"] is not None]
    for r in sorted(grown, key=lambda r: -abs(r["matched_total_yuan"] - r["previous_expenditure_total_yuan"]))[:5]:
        change = r["matched_total_yuan"] - r["previous_expenditure_total_yuan"]
        out.append({"category": "决算支出变化最大", "item": name(r), "region_code": r["region_code"],
                    "value": f"{float(change) / 10000:+,.2f} 万元（{float(r['expenditure_growth']) * 100:+.2f}%）"})
    for c in data["changes"]:
        out.append({"category": "项目执行数变化最大", "item": marked(c["region"], c["adcode"]), "region_code": c["adcode"],
                    "value": f"{float(c['change_yuan']) / 10000:+,.2f} 万元"
                    + (f"（{float(c['growth']) * 100:+.2f}%）" if c["growth"] is not None else "")})
    rated = [r for r in own if r["execution_rate"] is not None]
    for r in sorted(rated, key=lambda r: r["execution_rate"])[:5]:
        out.append({"category": "执行率最低", "item": name(r), "region_code": r["region_code"],
                    "value": f"{float(r['execution_rate']) * 100:.2f}%（第 {r['rank_execution']} 名）"})
    scored = [p for p in data["projects"] if p["total_score_reported"] is not None and p["total_score_recomputed"] is not None]
    for p in sorted(scored, key=lambda p: p["total_score_recomputed"] - p["total_score_reported"])[:5]:
        gap = p["total_score_reported"] - p["total_score_recomputed"]
        if gap > 0:
            out.append({"category": "自评分虚高最多", "item": marked(f"{p['region']} {p['project_name']}", p["adcode"]),
                        "region_code": p["adcode"],
                        "document_id": p["document_id"],
                        "value": f"自评 {float(p['total_score_reported']):.2f}，重算 {float(p['total_score_recomputed']):.2f}"})
    flagged = [r for r in own if r["errors"] or r["warnings"]]
    for r in sorted(flagged, key=lambda r: (-r["errors"], -r["warnings"]))[:5]:
        out.append({"category": "校验问题最多", "item": name(r), "region_code": r["region_code"],
                    "value": f"错误 {r['errors']}，警告 {r['warnings']}"})
    return out


def anchors(violations: list[dict]) -> dict[str, int]:
    """The first row of the violation list for each document and each region prefix (county, city,
    province), so that a flagged figure can link to its own violations. Rows are ordered by region
    code, then file, so every region's and every document's violations are contiguous."""
    first: dict[str, int] = {}
    for n, v in enumerate(violations):
        code = v["adcode"] or ""
        first.setdefault(f"d-{v['document_id']}", n)
        first.setdefault(f"r-{code}-own", n)
        for length in (2, 4, 6):
            if len(code) >= length:
                first.setdefault(f"r-{code[:length]}", n)
    return first


def write_report(con: duckdb.DuckDBPyConnection, year: int, out_dir: Path) -> ReportPaths:
    data = collect(con, year)
    data["highlights"] = highlights(data)
    target = Path(out_dir) / str(year)
    target.mkdir(parents=True, exist_ok=True)
    for stale in target.glob(f"yearly_comparison_{year}.*.tmp"):  # left by a writer that was stopped
        stale.unlink(missing_ok=True)
    paths = ReportPaths(target / f"yearly_comparison_{year}.xlsx", target / f"yearly_comparison_{year}.html")
    _write_xlsx(paths.xlsx, year, data)
    _write_html(paths.html, year, data)
    return paths


def _cell(value, kind):
    if value is None:
        return None
    if kind == "wan":
        return float(_wan(value))
    if kind in ("pct", "score"):
        return float(value)
    if kind == "int":
        return int(value)
    return str(value)


def region_key(row: dict) -> str:
    """The anchor of a region row's violations: a rollup links to the first violation of any of its
    parts, an own row (county, 市本级, 省本级) to its own."""
    code = row["region_code"]
    return f"r-{code}" if row["level"] in ("市汇总", "省汇总", "县级") else f"r-{code}-own"


def _write_xlsx(path: Path, year: int, data: dict[str, list[dict]]) -> None:
    import xlsxwriter

    tmp = path.with_suffix(".xlsx.tmp")
    # text from documents stays text (OWASP's CSV-injection rule): `=…` is no formula, `http…` no link
    book = xlsxwriter.Workbook(str(tmp), {"strings_to_formulas": False, "strings_to_urls": False})
    header = book.add_format({"bold": True, "bg_color": "#DDEBF7", "border": 1, "text_wrap": True, "valign": "top"})
    formats = {
        "wan": book.add_format({"num_format": "#,##0.00"}),
        "pct": book.add_format({"num_format": "0.00%"}),
        "score": book.add_format({"num_format": "0.00"}),
        "int": book.add_format({"num_format": "0"}),
        "text": book.add_format({}),
    }
    flagged = book.add_format({"bg_color": "#FCE4D6", "font_color": "#9C0006"})
    link = book.add_format({"font_color": "#9C0006", "underline": 1, "num_format": "0"})
    violations = [{**v, "severity": SEVERITY_ZH.get(v["severity"], v["severity"])} for v in data["violations"]]
    first = anchors(data["violations"])

    def violation_cell(key: str | None) -> str | None:
        n = first.get(key) if key else None
        return None if n is None else f"internal:'校验问题'!A{n + 2}"

    sheets = (
        ("重点提示", HIGHLIGHT_HEADERS, data["highlights"], None),
        ("地区对比", REGION_HEADERS, data["regions"], lambda r: region_key(r)),
        ("项目明细", PROJECT_HEADERS, data["projects"], lambda r: f"d-{r['document_id']}"),
        ("部门决算", DEPARTMENT_HEADERS, data["departments"], lambda r: f"d-{r['document_id']}"),
        ("预决算", EXECUTION_HEADERS, data["execution"], lambda r: f"d-{r['budget_document_id']}"),
        ("校验问题", VIOLATION_HEADERS, violations, None),
    )
    for name, headers, rows, key_of in sheets:
        sheet = book.add_worksheet(name)
        keys = [k for k, _, _ in headers]
        link_cols = {keys.index(k) for k in ("errors", "warnings", "flagged") if k in keys}
        for col, (_, label, kind) in enumerate(headers):
            sheet.write(0, col, label, header)
            sheet.set_column(col, col, 28 if kind == "text" else 14, formats[kind])
        for r, row in enumerate(rows, start=1):
            target = violation_cell(key_of(row)) if key_of else None
            for col, (key, _, kind) in enumerate(headers):
                value = _cell(row.get(key), kind)
                if value is None:
                    sheet.write_blank(r, col, None, formats[kind])
                elif target and col in link_cols and value:
                    sheet.write_url(r, col, target, link, string=str(value), tip="查看校验问题")
                    sheet.write_number(r, col, value, link)
                elif isinstance(value, str):
                    sheet.write_string(r, col, value, formats[kind])
                else:
                    sheet.write(r, col, value, formats[kind])
        sheet.freeze_panes(1, 0)
        sheet.autofilter(0, 0, max(len(rows), 1), len(headers) - 1)
        for col in link_cols:
            if rows:
                sheet.conditional_format(1, col, len(rows), col, {"type": "cell", "criteria": ">", "value": 0, "format": flagged})
        for key in ("validation", "region_validation"):
            if key in keys and rows:
                sheet.conditional_format(1, keys.index(key), len(rows), keys.index(key),
                                         {"type": "text", "criteria": "containing", "value": "未通过", "format": flagged})
        _chart(book, sheet, name, year, keys, rows)
    _violation_summary(book, book.get_worksheet_by_name("校验问题"), year, data["violations"], len(VIOLATION_HEADERS) + 1)
    book.close()
    tmp.replace(path)


def _chart(book, sheet, name: str, year: int, keys: list[str], rows: list[dict]) -> None:
    """A native chart beside each data view, drawn from the sheet's own cells."""
    if not rows or name in ("重点提示", "校验问题"):
        return
    n = len(rows)
    if name == "地区对比":
        counties = [i for i, r in enumerate(rows, start=1) if r["level"] == "县级"]
        if not counties:
            return
        lo, hi = counties[0], counties[-1]  # county rows are last and contiguous (ordered by level)
        label = keys.index("region")
        chart = book.add_chart({"type": "bar"})
        for key, title in (("executed_yuan", "项目全年执行数"), ("expenditure_total_yuan", "决算支出合计")):
            col = keys.index(key)
            chart.add_series({"name": [name, 0, col], "categories": [name, lo, label, hi, label], "values": [name, lo, col, hi, col]})
        chart.set_title({"name": f"{year}年度各县支出（万元）"})
        rate = book.add_chart({"type": "bar"})
        col = keys.index("execution_rate")
        rate.add_series({"name": "执行率", "categories": [name, lo, label, hi, label], "values": [name, lo, col, hi, col]})
        rate.set_title({"name": f"{year}年度各县项目执行率"})
        rate.set_x_axis({"num_format": "0%", "min": 0})
        rate.set_legend({"none": True})
        height = max(320, 22 * len(counties))
        chart.set_size({"width": 720, "height": height})
        rate.set_size({"width": 720, "height": height})
        sheet.insert_chart(n + 3, 2, chart)
        sheet.insert_chart(n + 3, 10, rate)
    elif name == "项目明细":
        chart = book.add_chart({"type": "bar"})
        label, col = keys.index("project_name"), keys.index("execution_rate")
        chart.add_series({"name": "执行率", "categories": [name, 1, label, n, label], "values": [name, 1, col, n, col]})
        chart.set_title({"name": f"{year}年度项目执行率"})
        chart.set_x_axis({"num_format": "0%", "min": 0})
        chart.set_legend({"none": True})
        chart.set_size({"width": 720, "height": max(320, 22 * n)})
        sheet.insert_chart(1, len(keys) + 1, chart)
    elif name == "部门决算":
        chart = book.add_chart({"type": "bar", "subtype": "stacked"})
        label = keys.index("department")
        for key, title in (("basic_yuan", "基本支出"), ("project_yuan", "项目支出")):
            col = keys.index(key)
            chart.add_series({"name": title, "categories": [name, 1, label, n, label], "values": [name, 1, col, n, col]})
        chart.set_title({"name": f"{year}年度部门支出构成（万元）"})
        chart.set_size({"width": 720, "height": max(320, 22 * n)})
        sheet.insert_chart(1, len(keys) + 1, chart)
    elif name == "预决算":
        chart = book.add_chart({"type": "bar"})
        label = keys.index("department")
        for key, title in (("budget_yuan", "年初预算"), ("final_yuan", "决算")):
            col = keys.index(key)
            chart.add_series({"name": title, "categories": [name, 1, label, n, label], "values": [name, 1, col, n, col]})
        chart.set_title({"name": f"{year}年度部门预算与决算（万元）"})
        chart.set_size({"width": 720, "height": max(320, 22 * n)})
        sheet.insert_chart(1, len(keys) + 1, chart)


def _violation_summary(book, sheet, year: int, violations: list[dict], col: int) -> None:
    """Counts by rule and severity beside the violation list, with a column chart of them."""
    counts: dict[tuple[str, str], int] = {}
    for v in violations:
        counts[(v["rule_id"], v["severity"])] = counts.get((v["rule_id"], v["severity"]), 0) + 1
    bold = book.add_format({"bold": True, "bg_color": "#DDEBF7", "border": 1})
    for c, label in enumerate(("规则", "错误", "警告", "提示")):
        sheet.write(0, col + c, label, bold)
    rules = sorted({rule for rule, _ in counts})
    for r, rule in enumerate(rules, start=1):
        sheet.write(r, col, rule)
        for c, severity in enumerate(("error", "warning", "info"), start=1):
            sheet.write_number(r, col + c, counts.get((rule, severity), 0))
    if not rules:
        return
    chart = book.add_chart({"type": "column", "subtype": "stacked"})
    colours = {"错误": "#C00000", "警告": "#ED7D31", "提示": "#A5A5A5"}
    for c, label in enumerate(("错误", "警告", "提示"), start=1):
        chart.add_series({"name": label, "categories": ["校验问题", 1, col, len(rules), col],
                          "values": ["校验问题", 1, col + c, len(rules), col + c], "fill": {"color": colours[label]}})
    chart.set_title({"name": f"{year}年度校验问题（按规则）"})
    sheet.insert_chart(len(rules) + 2, col, chart)


def _write_html(path: Path, year: int, data: dict[str, list[dict]]) -> None:
    from reporting.charts import bar_chart

    env = Environment(loader=PackageLoader("reporting", "templates"), autoescape=select_autoescape(["html", "j2"]))
    env.filters["wan"] = lambda v: "" if v is None else f"{_wan(v):,.2f}"
    env.filters["pct"] = lambda v: "" if v is None else f"{float(v) * 100:.2f}%"
    env.filters["score"] = lambda v: "" if v is None else f"{float(v):.2f}"
    env.filters["basename"] = lambda v: Path(v).name if v else ""
    first = anchors(data["violations"])
    counties = [r for r in data["regions"] if r["level"] == "县级"]
    charts = []
    if any(r["expenditure_total_yuan"] is not None for r in counties):
        charts.append(bar_chart("各县决算支出合计（万元）", [
            (r["region"], float(_wan(r["expenditure_total_yuan"])), f"{_wan(r['expenditure_total_yuan']):,.2f}", r["errors"] > 0)
            for r in sorted(counties, key=lambda r: -(r["expenditure_total_yuan"] or 0)) if r["expenditure_total_yuan"] is not None
        ]))
    if any(r["execution_rate"] is not None for r in counties):
        charts.append(bar_chart("各县项目执行率（按金额加权）", [
            (r["region"], float(r["execution_rate"]) * 100, f"{float(r['execution_rate']) * 100:.2f}%", r["errors"] > 0)
            for r in sorted(counties, key=lambda r: -(r["execution_rate"] or 0)) if r["execution_rate"] is not None
        ], maximum=100))
    if any(r["score_gap"] is not None for r in counties):
        charts.append(bar_chart("各县自评平均分高出重算平均分（分）", [
            (r["region"], float(r["score_gap"]), f"{float(r['score_gap']):+.2f}", r["errors"] > 0)
            for r in sorted(counties, key=lambda r: -(r["score_gap"] or 0)) if r["score_gap"] is not None
        ]))
    html = env.get_template("yearly_comparison.html.j2").render(
        year=year,
        regions=data["regions"],
        projects=data["projects"],
        departments=data["departments"],
        execution=data["execution"],
        highlights=data.get("highlights", []),
        violations=data["violations"],
        severity_zh=SEVERITY_ZH,
        synthetic=any(p.get("is_synthetic") for p in data["projects"] + data["departments"]),
        first=first,
        region_key=region_key,
        charts=charts,
    )
    tmp = path.with_suffix(".html.tmp")
    tmp.write_text(html, encoding="utf-8")
    tmp.replace(path)
