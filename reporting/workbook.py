"""The yearly report as an Excel workbook: one sheet per view, with its chart."""
from __future__ import annotations

from pathlib import Path

from reporting.views import (
    DEFINITIONS, SEVERITY_ZH, UNITS, VIEWS, VIOLATION_HEADERS, anchors, display_code, first_of, region_key, wan,
)

# the row each view's flagged figures link from: its findings start at this key's first finding
LINKED = {"地区对比": region_key, "项目明细": lambda r: f"d-{r['document_id']}",
          "部门决算": lambda r: f"d-{r['document_id']}", "预决算": lambda r: f"d-{r['budget_document_id']}"}
NOTES_SHEET = "说明"
# a count links to the first finding of the severity it counts (a count of both: an error first)
LINK_SEVERITIES = {"errors": ("error",), "warnings": ("warning",), "flagged": ("error", "warning")}


def _cell(value, kind):
    if kind == "flag":
        return "是" if value else None
    if value is None:
        return None
    if kind == "measure":  # a finding's figure: a number in its unit, or words
        return value if isinstance(value, str) else float(value)
    if kind == "code":
        return display_code(value)
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
    formats["code"] = formats["flag"] = formats["measure"] = formats["text"]
    # a finding's figures in the format of the unit they are shown in
    # (万元 to four decimals: a finding's difference of one yuan still shows)
    measures = {"万元": book.add_format({"num_format": "#,##0.0000"}), "%": formats["pct"], "分": formats["score"],
                "个": formats["int"]}
    flagged = book.add_format({"bg_color": "#FCE4D6", "font_color": "#9C0006"})
    link = book.add_format({"font_color": "#9C0006", "underline": 1, "num_format": "0"})
    violations = [{**v, "severity": SEVERITY_ZH.get(v["severity"], v["severity"])} for v in data["violations"]]
    first = anchors(data["violations"])

    def violation_cell(key: str | None, column: str) -> str | None:
        n = first_of(first, key, LINK_SEVERITIES[column]) if column in LINK_SEVERITIES else None
        return None if n is None else f"internal:'校验问题'!A{n + 2}"

    for name, _, headers, source, frozen in VIEWS:
        rows, key_of = violations if source == "violations" else data.get(source, []), LINKED.get(name)
        sheet = book.add_worksheet(name)
        keys = [k for k, _, _ in headers]
        link_cols = {keys.index(k) for k in LINK_SEVERITIES if k in keys}
        for col, (_, label, kind) in enumerate(headers):
            sheet.write(0, col, label, header)
            sheet.set_column(col, col, 28 if kind == "text" else 14, formats[kind])
        for r, row in enumerate(rows, start=1):
            row_key = key_of(row) if key_of else None
            for col, (key, _, kind) in enumerate(headers):
                value = _cell(row.get(key), kind)
                shown = measures.get(row.get("figure_unit"), formats["text"]) if kind == "measure" else formats[kind]
                target = violation_cell(row_key, key) if row_key and value else None
                if value is None:
                    sheet.write_blank(r, col, None, shown)
                elif target:
                    sheet.write_url(r, col, target, link, string=str(value), tip="查看校验问题")
                    sheet.write_number(r, col, value, link)
                elif isinstance(value, str):
                    sheet.write_string(r, col, value, shown)
                else:
                    sheet.write(r, col, value, shown)
        _print_setup(sheet, year, name, frozen, len(rows), len(headers))
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
    _notes(book, header, year, {**data.get("meta", {}), "source_root": data.get("source_root")})
    book.close()
    tmp.replace(path)


def _print_setup(sheet, year: int, name: str, frozen: int, rows: int, columns: int) -> None:
    """A view prints on A4 landscape, its columns fitted to the page's width, its header row on
    every page; on screen its header row and the columns that name a row stay in view."""
    sheet.freeze_panes(1, frozen)
    sheet.set_landscape()
    sheet.set_paper(9)  # A4
    sheet.repeat_rows(0)
    sheet.print_area(0, 0, max(rows, 1), columns - 1)  # the table, not the chart beside it
    sheet.fit_to_pages(1, 0)
    sheet.set_margins(left=0.4, right=0.4, top=0.6, bottom=0.6)
    sheet.set_header(f"&L{year}年度 地区对比报告&R{name}")
    sheet.set_footer("&C第 &P 页，共 &N 页")


def _notes(book, header, year: int, meta: dict) -> None:
    """The units and definitions sheet: what the workbook is, when and from what it was written, and
    each view's columns with their unit and meaning."""
    sheet = book.add_worksheet(NOTES_SHEET)
    wrap = book.add_format({"text_wrap": True, "valign": "top"})
    lines = [(f"{year}年度 部门项目支出绩效 地区对比报告", None),
             ("生成时间", meta.get("generated")), ("数据仓库", meta.get("warehouse")),
             ("金额单位", "各视图金额为万元（保留两位小数）；“校验问题”的应为、实际、差额以其“单位”列为准"),
             ("合成数据", "“合成数据”列为“是”的行来自演示用合成数据，不代表真实财政数据"),
             ("来源文件夹", meta.get("source_root"))]
    for r, (label, value) in enumerate(lines):
        sheet.write(r, 0, label, header if r == 0 else None)
        if value is not None:
            sheet.write_string(r, 1, str(value), wrap)
    top = len(lines) + 1
    for c, label in enumerate(("视图", "列", "单位", "说明")):
        sheet.write(top, c, label, header)
    r = top
    for name, _, headers, _, _ in VIEWS:
        for _, label, kind in headers:
            r += 1
            unit = "名次" if "排名" in label else UNITS[kind]
            sheet.write_row(r, 0, [name, label, unit, DEFINITIONS.get(label, "")], wrap)
    sheet.set_column(0, 0, 14)
    sheet.set_column(1, 1, 26)
    sheet.set_column(2, 2, 8)
    sheet.set_column(3, 3, 80)
    _print_setup(sheet, year, NOTES_SHEET, 0, r, 4)


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
