"""The yearly report as one self-contained HTML page, with the workbook's views."""
from __future__ import annotations

from pathlib import Path

from jinja2 import Environment, PackageLoader, Undefined, select_autoescape

from reporting.views import SEVERITY_ZH, VIEWS, anchors, display_code, first_of, region_key, wan


def _missing(value) -> bool:
    """No figure: none in the data, or a field the rows do not carry."""
    return value is None or isinstance(value, Undefined)


def measure(value, unit: str | None) -> str:
    """A finding's figure as the page prints it, in the unit it is shown in."""
    if _missing(value):
        return ""
    if isinstance(value, str):
        return value
    if unit == "%":
        return f"{float(value) * 100:.2f}%"
    if unit == "个":
        return f"{value:,.0f}"
    if unit == "万元":  # to the yuan
        return f"{value:,.4f}"
    return f"{value:,.2f}"


def write_html(path: Path, year: int, data: dict[str, list[dict]]) -> None:
    from reporting.charts import bar_chart

    env = Environment(loader=PackageLoader("reporting", "templates"), autoescape=select_autoescape(["html", "j2"]))
    env.filters["wan"] = lambda v: "" if _missing(v) else f"{wan(v):,.2f}"
    env.filters["pct"] = lambda v: "" if _missing(v) else f"{float(v) * 100:.2f}%"
    env.filters["score"] = lambda v: "" if _missing(v) else f"{float(v):.2f}"
    env.filters["basename"] = lambda v: Path(v).name if v else ""
    env.filters["code"] = lambda v: display_code(v) or ""
    env.filters["measure"] = measure
    first = anchors(data["violations"])
    counties = [r for r in data["regions"] if r["level"] == "县级"]
    charts = []
    if any(r["expenditure_total_yuan"] is not None for r in counties):
        charts.append(bar_chart("各县决算支出合计（万元）", [
            (r["region"], float(wan(r["expenditure_total_yuan"])), f"{wan(r['expenditure_total_yuan']):,.2f}", r["errors"] > 0)
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
        peers=data.get("peers", []),
        execution_classes=data.get("execution_classes", []),
        disclosure=data.get("disclosure", []),
        highlights=data.get("highlights", []),
        violations=data["violations"],
        severity_zh=SEVERITY_ZH,
        synthetic=any(p.get("is_synthetic") for p in data["projects"] + data["departments"]),
        first=first,
        region_key=region_key,
        charts=charts,
        meta=data.get("meta", {}),
        contents=[(name, anchor) for name, anchor, *_ in VIEWS],
        first_of=first_of,
    )
    tmp = path.with_suffix(".html.tmp")
    tmp.write_text(html, encoding="utf-8")
    tmp.replace(path)
