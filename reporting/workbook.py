"""The yearly report as an Excel workbook: one sheet per view, with its chart."""
from __future__ import annotations

from pathlib import Path

from reporting.views import (
    DEPARTMENT_HEADERS, EXECUTION_HEADERS, HIGHLIGHT_HEADERS, PROJECT_HEADERS, REGION_HEADERS, SEVERITY_ZH,
    VIOLATION_HEADERS, anchors, region_key, wan,
)

def _cell(value, kind):
    if value is None:
        return None
    if kind == "wan":
        return float(wan(value))
    if kind in ("pct", "score"):
        return float(value)
    if kind == "int":
        return int(value)
    return str(value)


def write_xlsx(path: Path, year: int, data: dict[str, list[dict]]) -> None:
    # Over 60 lines on purpose: the sheets are written in their order with the workbook's shared
    # formats, and the file is swapped in only when the last one is done.
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
