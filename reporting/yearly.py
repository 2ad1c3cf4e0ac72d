"""The yearly comparison report: figures from the marts, flagged where the integrity rules found problems."""
from __future__ import annotations

from dataclasses import dataclass
from decimal import Decimal
from pathlib import Path

import duckdb
from jinja2 import Environment, PackageLoader, select_autoescape

REGION_SQL = """
with projects as (
    select
        e.document_id, e.fiscal_year, e.adcode, d.province, d.city, d.county, e.department,
        b.budget_adjusted_yuan, b.executed_yuan,
        e.total_score_reported, e.total_score_recomputed, e.grade_reported, e.grade_recomputed, d.is_synthetic
    from marts.fct_project_evaluation e
    join marts.dim_document d on d.document_id = e.document_id
    left join marts.fct_project_budget b on b.document_id = e.document_id and b.fund_source = 'total'
    where e.fiscal_year = $year
),
flags as (
    select document_id,
        count(*) filter (where severity = 'error') as errors,
        count(*) filter (where severity = 'warning') as warnings,
        count(*) filter (where severity = 'info') as infos
    from audit.integrity_violation group by document_id
)
select
    p.adcode, p.province, p.city, p.county, p.department,
    count(*) as projects,
    sum(p.budget_adjusted_yuan) as budget_adjusted_yuan,
    sum(p.executed_yuan) as executed_yuan,
    sum(p.executed_yuan) / nullif(sum(p.budget_adjusted_yuan), 0) as execution_rate,
    avg(p.total_score_reported) as score_reported_avg,
    avg(p.total_score_recomputed) as score_recomputed_avg,
    count(*) filter (where p.grade_recomputed = '优') as grade_excellent,
    count(*) filter (where p.grade_recomputed = '良') as grade_good,
    count(*) filter (where p.grade_recomputed = '中') as grade_fair,
    count(*) filter (where p.grade_recomputed = '差') as grade_poor,
    coalesce(sum(f.errors), 0) as errors,
    coalesce(sum(f.warnings), 0) as warnings,
    coalesce(sum(f.infos), 0) as infos,
    bool_or(p.is_synthetic) as is_synthetic
from projects p left join flags f on f.document_id = p.document_id
group by all
order by p.adcode, p.department
"""

PROJECT_SQL = """
select
    coalesce(d.county, d.city, d.province) as region, e.department, e.project_name,
    b.budget_adjusted_yuan, b.executed_yuan, b.execution_rate,
    e.total_score_reported, e.total_score_recomputed, e.grade_reported, e.grade_recomputed,
    (select count(*) from audit.integrity_violation v where v.document_id = e.document_id and v.severity <> 'info') as flagged,
    e.source_file, e.location, d.is_synthetic
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
    s.source_file
from marts.fct_department_summary s
join marts.dim_document d on d.document_id = s.document_id
where s.fiscal_year = $year
order by s.adcode, s.department
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
       v.expected, v.actual, v.difference, v.message, v.source_file, v.location
from audit.integrity_violation v
join marts.dim_document d on d.document_id = v.document_id
where d.fiscal_year = $year
order by case v.severity when 'error' then 0 when 'warning' then 1 else 2 end, v.rule_id, v.source_file, v.location
"""

REGION_HEADERS = [
    ("adcode", "行政区划代码", "text"), ("province", "省", "text"), ("city", "市", "text"), ("county", "县(区)", "text"),
    ("department", "部门", "text"), ("projects", "项目数", "int"), ("budget_adjusted_yuan", "全年预算数(万元)", "wan"),
    ("executed_yuan", "全年执行数(万元)", "wan"), ("execution_rate", "执行率(按金额加权)", "pct"),
    ("score_reported_avg", "自评平均分", "score"), ("score_recomputed_avg", "重算平均分", "score"),
    ("grade_excellent", "优", "int"), ("grade_good", "良", "int"), ("grade_fair", "中", "int"), ("grade_poor", "差", "int"),
    ("errors", "错误", "int"), ("warnings", "警告", "int"), ("infos", "提示", "int"),
]
PROJECT_HEADERS = [
    ("region", "地区", "text"), ("department", "部门", "text"), ("project_name", "项目", "text"),
    ("budget_adjusted_yuan", "全年预算数(万元)", "wan"), ("executed_yuan", "全年执行数(万元)", "wan"),
    ("execution_rate", "执行率", "pct"), ("total_score_reported", "自评总分", "score"),
    ("total_score_recomputed", "重算总分", "score"), ("grade_reported", "自评等级", "text"),
    ("grade_recomputed", "重算等级", "text"), ("flagged", "校验问题数", "int"), ("source_file", "来源文件", "text"),
    ("location", "位置", "text"),
]
HIGHLIGHT_HEADERS = [("category", "类别", "text"), ("item", "对象", "text"), ("value", "情况", "text")]
DEPARTMENT_HEADERS = [
    ("adcode", "行政区划代码", "text"), ("region", "地区", "text"), ("department", "部门", "text"),
    ("income_total_yuan", "本年收入合计(万元)", "wan"), ("expenditure_total_yuan", "本年支出合计(万元)", "wan"),
    ("basic_yuan", "基本支出(万元)", "wan"), ("project_yuan", "项目支出(万元)", "wan"), ("basic_share", "基本支出占比", "pct"),
    ("personnel_yuan", "人员经费(万元)", "wan"), ("public_expenses_yuan", "公用经费(万元)", "wan"),
    ("three_public_budget_yuan", "“三公”经费预算(万元)", "wan"), ("three_public_actual_yuan", "“三公”经费决算(万元)", "wan"),
    ("previous_expenditure_total_yuan", "上年支出合计(万元)", "wan"), ("expenditure_growth", "支出增长", "pct"),
    ("errors", "错误", "int"), ("source_file", "来源文件", "text"),
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
    return {
        "regions": _fetch(con, REGION_SQL, year),
        "projects": _fetch(con, PROJECT_SQL, year),
        "departments": _fetch(con, DEPARTMENT_SQL, year),
        "changes": _fetch(con, CHANGE_SQL, year),
        "violations": _fetch(con, VIOLATION_SQL, year),
    }


def highlights(data: dict[str, list[dict]]) -> list[dict]:
    """The few things a reader should see first: largest changes, lowest execution, biggest score
    inflation (reported over recomputed), most violations."""
    out = []
    for c in data["changes"]:
        out.append({"category": "支出变化最大", "item": c["region"], "value": f"{float(c['change_yuan']) / 10000:+,.2f} 万元"
                    + (f"（{float(c['growth']) * 100:+.2f}%）" if c["growth"] is not None else "")})
    regions = [r for r in data["regions"] if r["execution_rate"] is not None]
    for r in sorted(regions, key=lambda r: r["execution_rate"])[:5]:
        out.append({"category": "执行率最低", "item": f"{r['county'] or r['city'] or r['province']} {r['department'] or ''}",
                    "value": f"{float(r['execution_rate']) * 100:.2f}%"})
    scored = [p for p in data["projects"] if p["total_score_reported"] is not None and p["total_score_recomputed"] is not None]
    for p in sorted(scored, key=lambda p: p["total_score_recomputed"] - p["total_score_reported"])[:5]:
        gap = p["total_score_reported"] - p["total_score_recomputed"]
        if gap > 0:
            out.append({"category": "自评分虚高最多", "item": f"{p['region']} {p['project_name']}",
                        "value": f"自评 {float(p['total_score_reported']):.2f}，重算 {float(p['total_score_recomputed']):.2f}"})
    flagged = [r for r in data["regions"] if r["errors"] or r["warnings"]]
    for r in sorted(flagged, key=lambda r: (-(r["errors"] * 1000 + r["warnings"])))[:5]:
        out.append({"category": "校验问题最多", "item": f"{r['county'] or r['city'] or r['province']} {r['department'] or ''}",
                    "value": f"错误 {r['errors']}，警告 {r['warnings']}"})
    return out


def write_report(con: duckdb.DuckDBPyConnection, year: int, out_dir: Path) -> ReportPaths:
    data = collect(con, year)
    data["highlights"] = highlights(data)
    target = Path(out_dir) / str(year)
    target.mkdir(parents=True, exist_ok=True)
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


def _write_xlsx(path: Path, year: int, data: dict[str, list[dict]]) -> None:
    import xlsxwriter

    tmp = path.with_suffix(".xlsx.tmp")
    book = xlsxwriter.Workbook(str(tmp))
    header = book.add_format({"bold": True, "bg_color": "#DDEBF7", "border": 1, "text_wrap": True, "valign": "top"})
    formats = {
        "wan": book.add_format({"num_format": "#,##0.00"}),
        "pct": book.add_format({"num_format": "0.00%"}),
        "score": book.add_format({"num_format": "0.00"}),
        "int": book.add_format({"num_format": "0"}),
        "text": book.add_format({}),
    }
    flagged = book.add_format({"bg_color": "#FCE4D6", "font_color": "#9C0006"})
    sheets = (
        ("重点提示", HIGHLIGHT_HEADERS, data["highlights"]),
        ("地区对比", REGION_HEADERS, data["regions"]),
        ("项目明细", PROJECT_HEADERS, data["projects"]),
        ("部门决算", DEPARTMENT_HEADERS, data["departments"]),
        ("校验问题", VIOLATION_HEADERS, [{**v, "severity": SEVERITY_ZH.get(v["severity"], v["severity"])} for v in data["violations"]]),
    )
    for name, headers, rows in sheets:
        sheet = book.add_worksheet(name)
        for col, (_, label, kind) in enumerate(headers):
            sheet.write(0, col, label, header)
            sheet.set_column(col, col, 28 if kind == "text" else 14, formats[kind])
        for r, row in enumerate(rows, start=1):
            for col, (key, _, kind) in enumerate(headers):
                value = _cell(row.get(key), kind)
                if value is None:
                    sheet.write_blank(r, col, None, formats[kind])
                else:
                    sheet.write(r, col, value, formats[kind])
        sheet.freeze_panes(1, 0)
        sheet.autofilter(0, 0, max(len(rows), 1), len(headers) - 1)
        if name == "项目明细" and rows:
            flag_col = [k for k, _, _ in headers].index("flagged")
            sheet.conditional_format(1, flag_col, len(rows), flag_col, {"type": "cell", "criteria": ">", "value": 0, "format": flagged})
            chart = book.add_chart({"type": "bar"})
            chart.add_series(
                {
                    "name": "执行率",
                    "categories": [name, 1, 2, len(rows), 2],
                    "values": [name, 1, 5, len(rows), 5],
                }
            )
            chart.set_title({"name": f"{year}年度项目执行率"})
            chart.set_x_axis({"num_format": "0%", "min": 0})
            chart.set_legend({"none": True})
            chart.set_size({"width": 720, "height": max(320, 22 * len(rows))})
            sheet.insert_chart(1, len(headers) + 1, chart)
    book.close()
    tmp.replace(path)


def _write_html(path: Path, year: int, data: dict[str, list[dict]]) -> None:
    env = Environment(loader=PackageLoader("reporting", "templates"), autoescape=select_autoescape(["html", "j2"]))
    env.filters["wan"] = lambda v: "" if v is None else f"{_wan(v):,.2f}"
    env.filters["pct"] = lambda v: "" if v is None else f"{float(v) * 100:.2f}%"
    env.filters["score"] = lambda v: "" if v is None else f"{float(v):.2f}"
    env.filters["basename"] = lambda v: Path(v).name if v else ""
    html = env.get_template("yearly_comparison.html.j2").render(
        year=year,
        regions=data["regions"],
        projects=data["projects"],
        departments=data["departments"],
        highlights=data.get("highlights", []),
        violations=data["violations"],
        severity_zh=SEVERITY_ZH,
        synthetic=any(p.get("is_synthetic") for p in data["projects"]),
    )
    tmp = path.with_suffix(".html.tmp")
    tmp.write_text(html, encoding="utf-8")
    tmp.replace(path)
