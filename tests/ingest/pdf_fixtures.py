"""Final-accounts PDFs laid out as published ones are, in variants: codes in three columns or one,
another column order, wrapped labels, amounts printed above their label, a table across two pages
(its header repeated or not), two-sided tables, 元 and 万元 tables, with or without rulings."""
from __future__ import annotations

from dataclasses import dataclass

from demo.formats import FONT, to_pdf
from demo.formats import Sheet as _Sheet
from demo.formats import is_amount as _numeric

# (code, name, total, basic, project) in 万元; the 项 rows add up to their 款 and 类
SUBJECTS = [
    ("201", "一般公共服务支出", "1,234.56", "1,000.00", "234.56"),
    ("20101", "人大事务", "1,234.56", "1,000.00", "234.56"),
    ("2010101", "行政运行", "1,000.00", "1,000.00", ""),
    ("2010102", "一般行政管理事务（含人大代表履职和议案建议办理等其他事务）", "234.56", "", "234.56"),
    ("208", "社会保障和就业支出", "100.50", "100.50", ""),
    ("20805", "行政事业单位养老支出", "100.50", "100.50", ""),
    ("2080505", "机关事业单位基本养老保险缴费支出", "100.50", "100.50", ""),
]
TOTAL = ("合计", "1,335.06", "1,100.50", "234.56")


@dataclass(frozen=True)
class Variant:
    codes: str = "three"  # three (类 款 项), one (科目编码), glued (code and name in one cell)
    order: tuple[str, ...] = ("本年支出合计", "基本支出", "项目支出")
    ruled: bool = True
    above: bool = False  # amounts half a line above the label
    split_after: int | None = None  # the expenditure table breaks to a new page after this many subjects
    repeat_header: bool = True
    unit: str = "万元"  # the expenditure table's unit; the summary table is always in 万元
    total_first: bool = True
    expenditure_title: str = "支出决算表"


def _amount(text: str, unit: str) -> str:
    if not text or unit == "万元":
        return text
    value = round(float(text.replace(",", "")) * 10000, 2)
    return f"{value:,.2f}"


def final_accounts_pdf(variant: Variant = Variant(), department: str = "孝义市审计局", year: int = 2023) -> bytes:
    sheet = _Sheet()
    sheet.text(department, 18, centre=True)
    sheet.text(f"{year}年度部门决算", 18, centre=True)
    sheet.text("山西省吕梁市孝义市", 12, centre=True)
    sheet.new_page()
    sheet.text("收入支出决算总表", 14, centre=True)
    sheet.text("单位：万元", 9, x=650)
    sheet.table([180, 90, 180, 90], [
        [("收入", 2), ("支出", 2)],
        ["项目", "决算数", "项目", "决算数"],
        ["一、一般公共预算财政拨款收入", "1,335.06", "一、一般公共服务支出", "1,234.56"],
        ["二、事业收入", "", "二、社会保障和就业支出", "100.50"],
        ["本年收入合计", "1,335.06", "本年支出合计", "1,335.06"],
        ["年初结转和结余", "10.00", "年末结转和结余", "10.00"],
        ["总计", "1,345.06", "总计", "1,345.06"],
    ], variant.ruled)
    sheet.new_page()
    sheet.text(variant.expenditure_title, 14, centre=True)
    sheet.text(f"单位：{variant.unit}", 9, x=650)
    header, widths, rows = _expenditure(variant)
    split = variant.split_after
    if split is None:
        sheet.table(widths, header + rows, variant.ruled, variant.above)
    else:
        cut = len(rows) - len(SUBJECTS) + split if variant.total_first else split
        sheet.table(widths, header + rows[:cut], variant.ruled, variant.above)
        sheet.new_page()
        sheet.table(widths, (header if variant.repeat_header else []) + rows[cut:], variant.ruled, variant.above)
    sheet.new_page()
    sheet.text(f"{department}{year}年度部门决算情况说明", 14, centre=True)
    sheet.text("本年支出合计1335.06万元，其中：基本支出1100.50万元，占82.43%；项目支出234.56万元，占17.57%。")
    return sheet.bytes()


def _expenditure(variant: Variant):
    unit = variant.unit
    amounts = {"本年支出合计": 2, "基本支出": 3, "项目支出": 4}
    if variant.codes == "three":
        head, widths = ["类", "款", "项", "科目名称"], [40, 40, 40, 200]
        header = [[("科目编码", 3), "", ""] + [""] * len(variant.order)]
    elif variant.codes == "one":
        head, widths = ["科目编码", "科目名称"], [80, 240]
    else:
        head, widths = ["科目编码及名称"], [320]
    header = (header if variant.codes == "three" else []) + [head + list(variant.order)]
    widths = widths + [100] * len(variant.order)
    body = []
    for subject in SUBJECTS:
        code, name = subject[0], subject[1]
        if variant.codes == "three":
            label = [code[:3], code[3:5], code[5:7], name]
        elif variant.codes == "one":
            label = [code, name]
        else:
            label = [f"{code} {name}"]
        body.append(label + [_amount(subject[amounts[c]], unit) for c in variant.order])
    total_amounts = {"本年支出合计": TOTAL[1], "基本支出": TOTAL[2], "项目支出": TOTAL[3]}
    total = [("合计", len(head))] + [_amount(total_amounts[c], unit) for c in variant.order]
    rows = [total] + body if variant.total_first else body + [total]
    return header, widths, rows


def three_public_pdf(department: str = "孝义市审计局", year: int = 2023) -> bytes:
    """A file that holds the 三公 table alone, as some departments publish it."""
    sheet = _Sheet()
    sheet.text(f"{department}{year}年度财政拨款“三公”经费支出决算表", 14, centre=True)
    sheet.text("单位：万元", 9, x=650)
    sheet.table([100] * 6, [
        [("预算数", 3), ("决算数", 3)],
        ["合计", "因公出国（境）费", "公务接待费", "合计", "因公出国（境）费", "公务接待费"],
        ["3.50", "2.00", "1.50", "3.20", "2.00", "1.20"],
    ], True)
    return sheet.bytes()


def text_to_pdf(lines: list[str]) -> bytes:
    """A text document printed as a PDF, each table as its text holds it (`demo.formats.to_pdf`)."""
    return to_pdf(lines, published=False)


def typeset_pdf(lines: list[str], hidden: list[str], amounts: list[tuple[str, str]]) -> bytes:
    """A page set one character at a time (each placed on its own, a little apart, as some word
    processors export): `lines` of prose inside a clipped frame, `hidden` lines printed below the
    frame's clip (in the text layer, but not seen), and a two-column list of labels and amounts."""
    from reportlab.pdfbase.pdfmetrics import stringWidth

    sheet = _Sheet()
    c = sheet.canvas

    def spaced(x: float, y: float, text: str, size: float) -> None:
        c.setFont(FONT, size)
        for ch in text:
            c.drawString(x, y, ch)
            x += stringWidth(ch, FONT, size) + 0.6

    top = sheet.size[1] - 60
    c.saveState()
    frame = c.beginPath()
    bottom = top - 14 * (len(lines) - 1) - 5  # the last seen line's descent, no more
    frame.rect(40, bottom, sheet.size[0] - 80, top + 20 - bottom)
    c.clipPath(frame, stroke=0, fill=0)
    for n, line in enumerate(lines + hidden):
        spaced(50, top - 14 * n, line, 10)
    c.restoreState()
    y = top - 14 * (len(lines) + len(hidden)) - 60
    for label, amount in amounts:
        spaced(50, y, label, 9)
        spaced(400 - stringWidth(amount, FONT, 9) - 0.6 * len(amount), y, amount, 9)
        y -= 16
    return sheet.bytes()


@dataclass(frozen=True)
class BudgetVariant:
    codes: str = "three"  # three (类 款 项) or one (科目编码)
    unit: str = "元"  # the unit of every table but the 三公 one, which is in 万元
    numbering: str = "公开{n:02d}表"  # how a table's number is printed above its title ("" for none)
    caption_in_grid: bool = False  # title, department and unit printed in the table's first rows
    ruled: bool = True
    order: tuple[str, ...] = ("合计", "基本支出", "项目支出")


# the narrative of the generated budget: the year's total, its change on last year, one subject
BUDGET_NARRATIVE = [
    "{department}{year}年部门预算编制说明",
    "{year}年，{department}收入预算1,335.06万元，比上年预算增加35.06万元，增长2.70%。",
    "1.“一般公共服务支出（类）人大事务（款）行政运行（项）”1,000.00万元，主要用于机关运行。",
    "项目支出预算数为234.56万元，与上年相比减少65.44万元，减少20.00%。",
]


def budget_pdf(variant: BudgetVariant = BudgetVariant(), department: str = "孝义市审计局", year: int = 2025,
               tables: bool = True, narrative: bool = True, titles: dict[int, str] | None = None) -> bytes:
    """A department budget laid out as the published ones are: a cover, the 预算编制说明 (or not,
    when `narrative` is off: the tables file of a publication printed as two), the 收支预算总表
    (two-sided), the 支出预算总表 and the 一般公共预算支出功能分类预算表 (codes in three columns or
    one), the 三公 table in 万元, and the 政府性基金 table stated empty; `titles` retitles tables by number."""
    sheet = _Sheet()
    sheet.text(f"{department}", 18, centre=True)
    sheet.text(f"{year}年部门预算", 18, centre=True)
    if narrative:
        sheet.new_page()
        for line in BUDGET_NARRATIVE:
            sheet.text(line.format(department=department, year=year), 10)
    if not tables:
        return sheet.bytes()
    unit = variant.unit

    def caption(n: int, title: str, table_unit: str, width: int) -> list:
        title = (titles or {}).get(n, title)  # a table titled as another province titles it
        number = variant.numbering.format(n=n) if variant.numbering else ""
        if variant.caption_in_grid:
            return [[(f"{year}年{title}", width)], [(f"部门：{department}", width - 1), f"单位：{table_unit}"]]
        sheet.new_page()
        if number:
            sheet.text(number, 9, x=50)
        sheet.text(f"{year}年{title}", 14, centre=True)
        sheet.text(f"编制部门：{department}  单位：{table_unit}", 9, x=50)
        return []

    summary = [
        [("收入", 2), ("支出", 2)],
        ["项目", "预算数", "项目", "预算数"],
        ["一、财政拨款收入", _amount("1,335.06", unit), "一、一般公共服务支出", _amount("1,234.56", unit)],
        ["二、事业收入", "", "二、社会保障和就业支出", _amount("100.50", unit)],
        ["收入总计", _amount("1,335.06", unit), "支出总计", _amount("1,335.06", unit)],
    ]
    if variant.caption_in_grid:
        sheet.new_page()
    rows = caption(1, "部门财务收支预算总表", unit, 4)
    sheet.table([180, 90, 180, 90], rows + summary, variant.ruled)
    for n, title in ((3, "部门支出预算总表"), (5, "部门一般公共预算支出功能分类预算表")):
        order = tuple("本年支出合计" if c == "合计" else c for c in variant.order)
        header, widths, body = _expenditure(Variant(codes=variant.codes, unit=unit, order=order))
        header = [[cell.replace("本年支出合计", "合计") if isinstance(cell, str) else cell for cell in row] for row in header]
        if variant.caption_in_grid:
            sheet.new_page()
        rows = caption(n, title, unit, len(widths))
        sheet.table(widths, rows + header + body, variant.ruled)
    if variant.caption_in_grid:
        sheet.new_page()
    rows = caption(7, "部门“三公”经费和机关运行经费预算表", "万元", 5)
    sheet.table([100] * 5, rows + [
        [("“三公”经费预算数", 4), "机关运行经费预算数"],
        ["合计", "因公出国（境）费", "公务接待费", "公务用车购置及运行费", "机关运行经费预算数"],
        ["3.50", "2.00", "1.50", "", "229.43"],
    ], True)
    if variant.caption_in_grid:
        sheet.new_page()
    rows = caption(8, "部门政府性基金预算支出功能分类预算表", unit, 4)
    sheet.table([80, 240, 100, 100], rows + [["科目编码", "科目名称", "合计", "基本支出"], [("合计", 2), "", ""]], True)
    sheet.y -= 14
    sheet.text("注：本部门无政府性基金预算拨款安排的预算，故本表为空表。", 9)
    return sheet.bytes()


def staggered_summary_pdf(department: str = "孝义市审计局", year: int = 2025) -> bytes:
    """A two-sided 收支预算总表 whose sides are ruled in different rows, as Jiangsu's are: an income
    row two bands high beside two expenditure rows, and an expenditure label cut by a ruling in
    its own column (二、单位预留机动经 | 费) beside an amount merged over both bands."""
    sheet = _Sheet()
    sheet.text(f"{year}年部门财务收支预算总表", 14, centre=True)
    sheet.text(f"编制部门：{department}  单位：万元", 9)
    edges = [50, 230, 320, 500, 590]
    band = 18
    # (first column, last column + 1, first band, last band + 1, text)
    cells = [
        (0, 2, 0, 1, "收入"), (2, 4, 0, 1, "支出"),
        (0, 1, 1, 2, "项目"), (1, 2, 1, 2, "预算数"), (2, 3, 1, 2, "项目"), (3, 4, 1, 2, "预算数"),
        (0, 1, 2, 4, "一、财政拨款收入"), (1, 2, 2, 4, "150.00"),
        (0, 1, 4, 6, "二、事业收入"), (1, 2, 4, 6, ""),
        (0, 1, 6, 7, "三、其他收入"), (1, 2, 6, 7, ""),
        (2, 3, 2, 3, "一、基本支出"), (3, 4, 2, 3, "60.00"),
        (2, 3, 3, 4, "二、单位预留机动经"), (2, 3, 4, 5, "费"), (3, 4, 3, 5, "50.00"),
        (2, 3, 5, 7, "三、项目支出"), (3, 4, 5, 7, "40.00"),
        (0, 1, 7, 8, "收入总计"), (1, 2, 7, 8, "150.00"), (2, 3, 7, 8, "支出总计"), (3, 4, 7, 8, "150.00"),
    ]
    c = sheet.canvas
    c.setFont(FONT, 9)
    top = sheet.y
    for c0, c1, b0, b1, text in cells:
        left, right = edges[c0], edges[c1]
        upper, lower = top - b0 * band, top - b1 * band
        c.rect(left, lower, right - left, upper - lower, stroke=1, fill=0)
        if _numeric(text):
            c.drawRightString(right - 3, (upper + lower) / 2 - 3, text)
        elif text:
            c.drawString(left + 3, upper - 12, text)
    return sheet.bytes()
