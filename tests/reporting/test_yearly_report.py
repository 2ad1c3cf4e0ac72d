"""The yearly report of a generated province: its figures are the warehouse's, its links lead to the
right violations, and it renders Chinese text in a real browser."""
import re
import shutil
import subprocess
import unicodedata
import zipfile
from collections import defaultdict
from datetime import date
from decimal import Decimal
from html.parser import HTMLParser

import duckdb
import openpyxl
import pytest


@pytest.fixture(scope="module")
def report(synthetic_warehouse):
    out = synthetic_warehouse["settings"].out_dir / "2024"
    with duckdb.connect(str(synthetic_warehouse["settings"].db_path), read_only=True) as con:
        yield {"xlsx": out / "yearly_comparison_2024.xlsx", "html": out / "yearly_comparison_2024.html", "con": con,
               "corpus": synthetic_warehouse["corpus"]}


def _rows(sheet):
    header = [c.value for c in sheet[1]]
    return [dict(zip(header, r)) for r in sheet.iter_rows(min_row=2, values_only=True)]


def test_region_figures_equal_warehouse_queries(report):
    con = report["con"]
    regions = _rows(openpyxl.load_workbook(report["xlsx"])["地区对比"])
    counties = {r["行政区划代码"]: r for r in regions if r["层级"] == "县级"}
    assert len(counties) == 3 and {r["层级"] for r in regions} == {"县级", "市汇总", "省汇总"}
    # straight from the final-accounts lines and the project facts, not through the report's query
    totals = dict(con.execute(
        "select d.adcode, sum(l.amount_yuan) from marts.fct_final_account_line l join marts.dim_document d using (document_id) "
        "where d.fiscal_year = 2024 and l.table_code = '03' and l.row_label = '合计' and l.column_label = '本年支出合计' "
        "group by 1").fetchall())
    education = dict(con.execute(
        "select d.adcode, sum(l.amount_yuan) from marts.fct_final_account_line l join marts.dim_document d using (document_id) "
        "where d.fiscal_year = 2024 and l.table_code = '03' and l.subject_code = '205' and l.column_label = '本年支出合计' "
        "group by 1").fetchall())
    execution = {a: (n, e / b) for a, n, e, b in con.execute(
        "select e.adcode, count(*), sum(b.executed_yuan), sum(b.budget_adjusted_yuan) from marts.fct_project_evaluation e "
        "join marts.fct_project_budget b on b.document_id = e.document_id and b.fund_source = 'total' "
        "where e.fiscal_year = 2024 group by 1").fetchall()}
    previous = dict(con.execute(
        "select adcode, sum(expenditure_total_yuan) from marts.fct_department_summary where fiscal_year = 2023 group by 1"
    ).fetchall())
    errors = defaultdict(int, con.execute(
        "select d.adcode, count(*) from audit.integrity_violation v join marts.dim_document d using (document_id) "
        "where d.fiscal_year = 2024 and v.severity = 'error' group by 1").fetchall())
    ranked = sorted(totals, key=lambda a: -totals[a])
    for adcode, row in counties.items():
        assert row["决算支出合计(万元)"] == pytest.approx(float(totals[adcode]) / 10000)
        assert row["教育占比"] == pytest.approx(float(education[adcode] / totals[adcode]))
        assert row["支出同比增长(同口径)"] == pytest.approx(float(totals[adcode] / previous[adcode] - 1))
        assert (row["自评项目数"], row["执行率(按金额加权)"]) == (execution[adcode][0], pytest.approx(float(execution[adcode][1])))
        assert row["支出排名"] == ranked.index(adcode) + 1
        assert row["错误"] == errors[adcode]
        assert row["校验状态"] == ("未通过" if errors[adcode] else row["校验状态"])
    (province,) = [r for r in regions if r["层级"] == "省汇总"]
    assert province["决算支出合计(万元)"] == pytest.approx(float(sum(totals.values())) / 10000)


def test_budget_and_final_accounts_sit_side_by_side(report):
    """预决算: every department with both a 2024 budget and 2024 final accounts, its figures straight
    from the two documents' own tables (the budget's 支出预算总表, the accounts' 支出决算表)."""
    con = report["con"]
    rows = _rows(openpyxl.load_workbook(report["xlsx"])["预决算"])
    budget = dict(con.execute(
        "select d.department, l.amount_yuan from marts.fct_budget_line l join marts.dim_document d using (document_id) "
        "where d.fiscal_year = 2024 and l.table_code = '03' and l.row_key = 'total' and l.column_label = '合计'").fetchall())
    final = dict(con.execute(
        "select d.department, l.amount_yuan from marts.fct_final_account_line l join marts.dim_document d using (document_id) "
        "where d.fiscal_year = 2024 and l.table_code = '03' and l.row_label = '合计' and l.column_label = '本年支出合计'").fetchall())
    assert len(rows) == len(final) == len(budget) >= 3
    for row in rows:
        department = row["部门"]
        assert row["年初预算(万元)"] == pytest.approx(float(budget[department]) / 10000)
        assert row["决算(万元)"] == pytest.approx(float(final[department]) / 10000)
        assert row["完成年初预算"] == pytest.approx(float(final[department] / budget[department]))
        assert row["决算−预算(万元)"] == pytest.approx(float(final[department] - budget[department]) / 10000)
    html = report["html"].read_text(encoding="utf-8")
    assert "<h2 id=\"execution\">预决算</h2>" in html and f"{float(final[rows[0]['部门']] / budget[rows[0]['部门']]) * 100:.2f}%" in html


def test_a_county_that_failed_error_rules_is_marked_everywhere(report):
    book = openpyxl.load_workbook(report["xlsx"])
    failed = {r["地区"] for r in _rows(book["地区对比"]) if r["层级"] == "县级" and r["错误"]}
    assert failed, "the generated province plants at least one error"
    for sheet in ("项目明细", "部门决算"):
        for row in _rows(book[sheet]):
            assert (row["地区校验状态"] == "未通过") == (row["地区"] in failed)
    for note in _rows(book["重点提示"]):
        region = note["对象"].split(" ")[0].split("（")[0]
        assert ("未通过校验" in note["对象"]) == (region in failed)
    html = report["html"].read_text(encoding="utf-8")
    for county in failed:
        assert re.search(rf"<text[^>]*>{county} ✗</text>", html)  # in every chart
        assert re.search(rf"<td>{county} <span class=\"fail\"", html)


def test_workbook_has_a_native_chart_per_view_and_links_to_each_figures_violations(report):
    with zipfile.ZipFile(report["xlsx"]) as z:
        charts = [n for n in z.namelist() if n.startswith("xl/charts/chart")]
    assert len(charts) >= 4  # regions (two), projects, departments, violations
    book = openpyxl.load_workbook(report["xlsx"])
    violations = _rows(book["校验问题"])
    projects = book["项目明细"]
    header = [c.value for c in projects[1]]
    flag_col, file_col = header.index("校验问题数"), header.index("来源文件")
    linked = 0
    for row in projects.iter_rows(min_row=2):
        cell = row[flag_col]
        if cell.value:
            target = int(re.fullmatch(r"'校验问题'!A(\d+)", cell.hyperlink.location).group(1))
            assert violations[target - 2]["来源文件"] == row[file_col].value
            linked += 1
    assert linked


class _Links(HTMLParser):
    def __init__(self):
        super().__init__()
        self.hrefs, self.ids, self._row, self.rows = [], set(), None, {}

    def handle_starttag(self, tag, attrs):
        a = dict(attrs)
        if a.get("id"):  # a violation's row, or a section the contents lead to
            self.ids.add(a["id"])
        if tag == "tr" and a.get("id"):
            self._row = a["id"]
        if tag == "td" and self._row and "title" in a:
            self.rows[self._row] = a["title"]
        if tag == "a" and a.get("href", "").startswith("#"):
            self.hrefs.append(a["href"][1:])


def test_html_links_resolve_to_violation_rows_of_the_same_file(report):
    html = report["html"].read_text(encoding="utf-8")
    parser = _Links()
    parser.feed(html)
    assert parser.hrefs and set(parser.hrefs) <= parser.ids
    # a flagged project links to a violation of its own file
    for source, target in re.findall(r'<td title="([^"]+)">[^<]*· <a href="#(v-\d+)">', html):
        assert parser.rows[target] == source
    assert "合成" in html


def _chromium() -> str:
    path = shutil.which("chromium") or shutil.which("chromium-browser")
    assert path, "Chromium is installed by `make test` (scripts/install-browser.sh)"
    return path


def _headless(tmp_path, *args):
    flags = ["--headless", "--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run",
             "--disable-background-networking", "--disable-component-update", "--disable-sync",
             f"--user-data-dir={tmp_path / 'profile'}"]
    subprocess.run([_chromium(), *flags, *args], check=True, capture_output=True, timeout=120)


def test_html_renders_chinese_in_headless_chromium(report, tmp_path):
    from PIL import Image, ImageChops

    url = report["html"].as_uri()
    shot = tmp_path / "report.png"
    _headless(tmp_path, f"--screenshot={shot}", "--window-size=1400,1600", url)
    image = Image.open(shot).convert("L")
    assert image.size == (1400, 1600)
    assert image.getextrema()[0] < 80  # text was drawn, not a blank page
    # Glyphs, not boxes: two different Chinese words render differently in the report's font stack
    page = tmp_path / "glyphs.html"
    style = re.search(r"font-family: ([^;]+);", report["html"].read_text(encoding="utf-8")).group(1)
    shots = []
    for n, word in enumerate(("地区对比", "校验问题")):
        page.write_text(f'<html><body style="margin:0;font-family:{style};font-size:48px">{word}</body></html>', encoding="utf-8")
        shots.append(tmp_path / f"word{n}.png")
        _headless(tmp_path, f"--screenshot={shots[-1]}", "--window-size=400,100", page.as_uri())
    a, b = (Image.open(s).convert("L") for s in shots)
    assert ImageChops.difference(a, b).getbbox() is not None
    # and the text is set in a CJK font: the printed PDF names it
    import logging

    import pdfplumber

    logging.getLogger("pdfminer").setLevel(logging.ERROR)

    pdf = tmp_path / "report.pdf"
    _headless(tmp_path, f"--print-to-pdf={pdf}", "--no-pdf-header-footer", url)
    with pdfplumber.open(pdf) as doc:
        chars = [c for c in doc.pages[0].chars if "\u4e00" <= c["text"] <= "\u9fff"]
        text = doc.pages[0].extract_text()
    # the PDF maps some glyphs to their Kangxi-radical code points (⽐ for 比): compare in NFKC
    assert "地区对比报告" in unicodedata.normalize("NFKC", text).replace(" ", "")
    assert chars and all("CJK" in c["fontname"] for c in chars)
    assert Decimal(len(chars)) > 20


VIEW_SHEETS = {"重点提示": "B2", "地区对比": "D2", "同级对比": "D2", "项目明细": "E2", "部门决算": "E2", "预决算": "E2", "预决算分类": "F2", "公开完整性": "E2", "校验问题": "D2"}


def test_every_sheet_prints_on_a4_landscape_fitted_to_its_width_with_its_header_repeated(report):
    book = openpyxl.load_workbook(report["xlsx"])
    assert list(book.sheetnames) == [*VIEW_SHEETS, "说明"]
    for name, frozen in VIEW_SHEETS.items():
        sheet = book[name]
        setup = sheet.page_setup
        assert (setup.orientation, setup.paperSize) == ("landscape", 9), name
        assert sheet.sheet_properties.pageSetUpPr.fitToPage and setup.fitToWidth in (None, 1) and setup.fitToHeight == 0
        assert sheet.print_title_rows == "$1:$1"
        assert sheet.freeze_panes == frozen  # the header row and the columns that name a row stay in view
        header = [c.value for c in sheet[1] if c.value]
        if name == "校验问题":
            from reporting.views import VIOLATION_HEADERS

            header = header[:len(VIOLATION_HEADERS)]
        # the print area is the table, to its last column, not the chart beside it
        area = sheet.print_area.split("!")[1].replace("$", "")
        assert area.startswith("A1:") and openpyxl.utils.column_index_from_string(re.match(r"A1:([A-Z]+)", area).group(1)) \
            == len(header), (name, area)
        assert "第 &P 页" in sheet.oddFooter.center.text


def test_the_workbook_states_its_units_definitions_date_and_warehouse(report, synthetic_warehouse):
    book = openpyxl.load_workbook(report["xlsx"])
    notes = list(book["说明"].iter_rows(values_only=True))
    about = {row[0]: row[1] for row in notes[:6] if row[0]}
    assert re.fullmatch(r"\d{4}-\d{2}-\d{2} \d{2}:\d{2}（北京时间）", about["生成时间"])
    assert about["数据仓库"] == synthetic_warehouse["settings"].db_path.name
    top = next(n for n, row in enumerate(notes) if row[:4] == ("视图", "列", "单位", "说明"))
    described = {(row[0], row[1]): (row[2], row[3]) for row in notes[top + 1:]}
    for name in VIEW_SHEETS:
        columns = [c.value for c in book[name][1] if c.value]
        if name == "校验问题":
            from reporting.views import VIOLATION_HEADERS

            columns = columns[:len(VIOLATION_HEADERS)]  # the counts by rule stand beside the list
        assert all((name, c) in described for c in columns), name
    assert described[("地区对比", "决算支出合计(万元)")][0] == "万元"
    assert described[("地区对比", "支出排名")][0] == "名次"
    assert "六位" in described[("地区对比", "行政区划代码")][1]


def test_synthetic_rows_are_marked_and_every_code_has_six_digits(report):
    book = openpyxl.load_workbook(report["xlsx"])
    for name in ("地区对比", "项目明细", "部门决算"):
        rows = _rows(book[name])
        assert rows and all(r["合成数据"] == "是" for r in rows), name
    regions = _rows(book["地区对比"])
    assert all(re.fullmatch(r"\d{6}", r["行政区划代码"]) for r in regions)
    cities = [r["行政区划代码"] for r in regions if r["层级"] == "市汇总"]
    assert cities and all(code.endswith("00") and not code.endswith("0000") for code in cities)


def test_real_rows_are_not_marked_synthetic(built_warehouse):
    xlsx = built_warehouse["settings"].out_dir / "2024" / "yearly_comparison_2024.xlsx"
    projects = _rows(openpyxl.load_workbook(xlsx)["项目明细"])
    assert projects and all(r["合成数据"] is None for r in projects)


def test_the_page_has_contents_a_viewport_and_repeated_table_headers(report):
    html = report["html"].read_text(encoding="utf-8")
    assert '<meta name="viewport" content="width=device-width, initial-scale=1">' in html
    contents = re.search(r'<nav class="contents">(.*?)</nav>', html, re.S).group(1)
    targets = re.findall(r'href="#([^"]+)"', contents)
    assert targets == ["highlights", "regions", "peers", "projects", "departments", "execution", "execution_classes", "disclosure", "violations"]
    assert all(f'<h2 id="{t}">' in html for t in targets)
    assert html.count("<thead>") == html.count("<table>") > 0
    assert re.search(r"生成时间：\d{4}-\d{2}-\d{2} \d{2}:\d{2}", html)


def test_the_page_fits_a_phone_and_prints_every_column_on_a4_landscape(report, tmp_path):
    # on a 390 px screen (and a 1400 px one) the page keeps to the screen's width, each table
    # scrolling inside its frame: the page is shown in a frame that wide (a headless window is
    # never narrower than 500 px), whose width its media queries see
    for width in (390, 1400):
        frame = tmp_path / f"frame_{width}.html"
        frame.write_text(
            f'<html><body style="margin:0"><iframe src="{report["html"].as_uri()}" style="width:{width}px;height:900px;border:0" '
            'onload="var d = this.contentDocument.documentElement; '
            "document.body.dataset.width = d.clientWidth + ' ' + d.scrollWidth;\"></iframe></body></html>",
            encoding="utf-8")
        flags = ["--headless", "--no-sandbox", "--disable-gpu", "--no-first-run", "--disable-background-networking",
                 "--allow-file-access-from-files", f"--user-data-dir={tmp_path / 'profile'}",
                 f"--window-size={width + 100},1000", "--dump-dom", frame.as_uri()]
        dom = subprocess.run([_chromium(), *flags], check=True, capture_output=True, text=True, timeout=120).stdout
        shown, needed = map(int, re.search(r'data-width="(\d+) (\d+)"', dom).groups())
        assert width - 20 <= shown <= width and needed <= shown, (width, shown, needed)
    # printed: A4 landscape pages, every view's last column on them, nothing past the page's edge
    import pypdfium2 as pdfium

    pdf = tmp_path / "printed.pdf"
    _headless(tmp_path, f"--print-to-pdf={pdf}", "--no-pdf-header-footer", report["html"].as_uri())
    document = pdfium.PdfDocument(pdf)
    text = ""
    for page in document:
        width, height = page.get_size()
        assert (round(width), round(height)) == (842, 595)  # A4 landscape, in points
        textpage = page.get_textpage()
        for n in range(textpage.count_chars()):
            left, _, right, _ = textpage.get_charbox(n)
            assert right <= width + 0.5
        text += textpage.get_text_range()
    text = unicodedata.normalize("NFKC", text).replace(" ", "").replace("\r", "").replace("\n", "")
    html = report["html"].read_text(encoding="utf-8")
    for table in re.findall(r"<thead><tr>(.*?)</tr></thead>", html, re.S):
        last = re.findall(r"<th>([^<]*)</th>", table)[-1]
        assert last in text, last


def _link_row(cell) -> int:
    return int(re.fullmatch(r"'校验问题'!A(\d+)", cell.hyperlink.location).group(1))


def test_each_flagged_count_leads_to_findings_of_its_own_severity(report):
    book = openpyxl.load_workbook(report["xlsx"])
    findings = _findings(book)
    regions = book["地区对比"]
    header = [c.value for c in regions[1]]
    followed = set()
    for row in regions.iter_rows(min_row=2):
        level, region = row[header.index("层级")].value, row[header.index("地区")].value
        for column, severity in (("错误", "错误"), ("警告", "警告")):
            cell = row[header.index(column)]
            if cell.value:
                target = findings[_link_row(cell) - 2]
                assert target["级别"] == severity, (region, column, target)
                if level == "县级":
                    assert target["地区"] == region
                followed.add(severity)
    assert followed == {"错误", "警告"}
    # the page too: an error count leads to an error row, a warning count to a warning row
    html = report["html"].read_text(encoding="utf-8")
    severity_of = dict(re.findall(r'<tr id="(v-\d+)"><td>[^<]*</td><td class="wrap">[^<]*</td><td class="sev-(\w+)">', html))
    links = re.findall(r'<a href="#(v-\d+)" class="sev-(error|warning)">\d+</a>', html)
    assert links and all(severity_of[target] == severity for target, severity in links)


def _findings(book) -> list[dict]:
    """The findings list of a workbook, without the counts by rule beside it."""
    from reporting.views import VIOLATION_HEADERS

    sheet = book["校验问题"]
    width = len(VIOLATION_HEADERS)
    header = [c.value for c in sheet[1]][:width]
    return [dict(zip(header, r[:width])) for r in sheet.iter_rows(min_row=2, values_only=True) if any(r[:width])]


def test_findings_are_numbers_in_the_reports_units_with_their_rule_and_file(report, synthetic_warehouse):
    book = openpyxl.load_workbook(report["xlsx"])
    findings = _findings(book)
    stored = report["con"].execute(
        "select v.rule_id, v.entity, v.expected, v.actual, v.difference, v.unit, r.description_zh from audit.integrity_violation v "
        "join marts.dim_document d using (document_id) "
        "join (select distinct rule_id, description_zh from audit.integrity_violation) r using (rule_id) "
        "where d.fiscal_year = 2024").fetchall()
    assert len(findings) == len(stored)
    by_key = {(r[0], r[1], r[2]): r for r in stored}
    units = {"元": "万元", "比率": "%", "分": "分", "个": "个"}
    checked = set()
    for f in findings:
        rule, entity = f["规则"], f["对象"]
        match = [r for k, r in by_key.items() if k[0] == rule and k[1] == entity]
        assert match, (rule, entity)
        _, _, expected, actual, difference, unit, description = match[0]
        assert f["规则说明"] == description
        # the file where the corpus holds it, relative to the folder of every document
        assert not f["来源文件"].startswith("/") and (synthetic_warehouse["folder"] / f["来源文件"]).is_file()
        if unit in units and expected is not None and len(match) == 1:
            scale = 10000 if unit == "元" else 1
            assert f["单位"] == units[unit]
            assert f["应为"] == pytest.approx(float(Decimal(expected) / scale))
            assert f["差额"] == pytest.approx(float(Decimal(difference) / scale))
            checked.add(unit)
    assert {"元", "分"} <= checked


def test_a_failed_region_says_what_failed_and_how_much_money_it_puts_in_doubt(report):
    book = openpyxl.load_workbook(report["xlsx"])
    failed = [r for r in _rows(book["地区对比"]) if r["层级"] == "县级" and r["校验状态"] == "未通过"]
    assert failed
    for region in failed:
        code = region["行政区划代码"]
        errors = report["con"].execute(
            "select v.rule_id, v.unit, v.difference from audit.integrity_violation v join marts.dim_document d using (document_id) "
            "where d.fiscal_year = 2024 and d.adcode = ? and v.severity = 'error'", [code]).fetchall()
        assert errors
        for rule in {r[0] for r in errors}:
            count = sum(r[0] == rule for r in errors)
            assert f"（{rule}）×{count}" in region["未通过原因"]
        money = sum(abs(Decimal(r[2])) for r in errors if r[1] == "元")
        assert (region["错误涉及金额(万元)"] or 0) == pytest.approx(float(money / 10000))
    passed = [r for r in _rows(book["地区对比"]) if r["校验状态"] == "通过"]
    assert all(r["未通过原因"] is None and r["错误涉及金额(万元)"] is None for r in passed)


def test_a_finding_in_a_pdf_names_its_page_and_the_file_where_the_corpus_has_it(warehouse_copy):
    import duckdb as db

    from reporting.yearly import write_report

    settings = warehouse_copy["settings"]
    with db.connect(str(settings.db_path), read_only=True) as con:
        paths = write_report(con, 2025, settings.out_dir)
        [(pdf_findings,)] = con.execute(
            "select count(*) from audit.integrity_violation v join marts.dim_document d using (document_id) "
            "where d.fiscal_year = 2025 and v.location like 'p.%'").fetchall()
    findings = _findings(openpyxl.load_workbook(paths.xlsx))
    paged = [f for f in findings if f["页"] is not None]
    assert pdf_findings and len(paged) == pdf_findings
    for f in paged:
        assert f["位置"].startswith(f"p.{f['页']} ") or f["位置"] == f"p.{f['页']}"
        assert f["来源文件"].startswith("real/") and f["来源文件"].endswith(".pdf")


def test_each_region_says_what_its_figures_cover(report):
    rows = _rows(openpyxl.load_workbook(report["xlsx"])["地区对比"])
    con = report["con"]
    accounts = dict(con.execute(
        "select d.adcode, count(*) from marts.fct_department_summary s join marts.dim_document d using (document_id) "
        "where s.fiscal_year = 2024 group by 1").fetchall())
    budgets = dict(con.execute(
        "select adcode, count(*) from marts.dim_document where doc_type = 'department_budget' and fiscal_year = 2024 "
        "group by 1").fetchall())
    departments = dict(con.execute(
        "select adcode, count(distinct department) from marts.dim_document where fiscal_year = 2024 and document_id in ("
        "select document_id from marts.fct_department_summary union select document_id from marts.fct_project_evaluation "
        "union select document_id from marts.dim_document where doc_type = 'department_budget') group by 1").fetchall())
    counties = [r for r in rows if r["层级"] == "县级"]
    assert counties
    for row in counties:
        code = row["行政区划代码"]
        assert (row["决算数"], row["预算数"], row["部门数"], row["所含地区数"]) == (
            accounts.get(code, 0), budgets.get(code, 0), departments[code], 1)
    for city in (r for r in rows if r["层级"] == "市汇总"):
        prefix = city["行政区划代码"][:4]
        assert city["所含地区数"] == len({c["行政区划代码"] for c in counties if c["行政区划代码"].startswith(prefix)})
        assert city["决算数"] == sum(c["决算数"] for c in counties if c["行政区划代码"].startswith(prefix))
    # every county of this province publishes as many final accounts: all comparable, all ranked
    assert all(r["覆盖说明"] is None and r["支出排名"] for r in counties)


def test_each_region_stands_against_its_levels_quartiles(report):
    rows = _rows(openpyxl.load_workbook(report["xlsx"])["同级对比"])
    con = report["con"]
    # the counties' median and quartiles of a figure, as DuckDB computes them over the mart
    q1, median, q3, n = con.execute(
        "select quantile_cont(expenditure_total_yuan, 0.25), quantile_cont(expenditure_total_yuan, 0.5), "
        "quantile_cont(expenditure_total_yuan, 0.75), count(expenditure_total_yuan) from marts.region_comparison "
        "where fiscal_year = 2024 and level = '县级' and comparable_accounts").fetchone()
    spending = [r for r in rows if r["层级"] == "县级" and r["指标"] == "决算支出合计"]
    assert len(spending) == n > 2
    for r in spending:
        assert (r["下四分位数"], r["中位数"], r["上四分位数"]) == (
            pytest.approx(float(q1) / 10000), pytest.approx(float(median) / 10000), pytest.approx(float(q3) / 10000))
        assert r["同级地区数"] == n and r["单位"] == "万元"
    # where each stands: the share of the other counties below it
    values = {r["地区"]: r["本地区"] for r in spending}
    for r in spending:
        below = sum(v < r["本地区"] for v in values.values())
        assert r["高于同级比例"] == pytest.approx(below / (n - 1))
    top = max(spending, key=lambda r: r["本地区"])
    assert top["高于同级比例"] == pytest.approx(1.0)
    rates = [r for r in rows if r["层级"] == "县级" and r["指标"] == "执行率(按金额加权)"]
    assert rates and all(r["单位"] == "%" and 0 < r["中位数"] <= 1 for r in rates)
    html = report["html"].read_text(encoding="utf-8")
    assert f"高于 {top['高于同级比例'] * 100:.2f}% 的同级地区" in html


def test_budget_against_final_by_class_and_projects_against_their_initial_budget(report):
    book = openpyxl.load_workbook(report["xlsx"])
    classes = _rows(book["预决算分类"])
    con = report["con"]
    stored = {(r[0], r[1], r[2]): r[3:] for r in con.execute(
        "select l.adcode, l.department, l.subject_code, b.budget, f.final from ("
        "  select distinct d.adcode, d.department, l.subject_code from marts.fct_final_account_line l"
        "  join marts.dim_document d using (document_id)"
        "  where d.fiscal_year = 2024 and l.table_code = '03' and length(l.subject_code) = 3) l "
        "left join (select d.adcode, d.department, l.subject_code, l.amount_yuan as budget from marts.fct_budget_line l"
        "  join marts.dim_document d using (document_id) where d.fiscal_year = 2024 and l.table_code = '05'"
        "  and length(l.subject_code) = 3 and l.column_label = '合计') b using (adcode, department, subject_code) "
        "left join (select d.adcode, d.department, l.subject_code, l.amount_yuan as final from marts.fct_final_account_line l"
        "  join marts.dim_document d using (document_id) where d.fiscal_year = 2024 and l.table_code = '03'"
        "  and length(l.subject_code) = 3 and l.column_label = '本年支出合计') f using (adcode, department, subject_code)"
    ).fetchall()}
    assert classes
    matched = 0
    for row in classes:
        key = (row["行政区划代码"], row["部门"], row["功能分类代码"])
        if key in stored and all(v is not None for v in stored[key]):
            budget, final = stored[key]
            assert row["年初预算(万元)"] == pytest.approx(float(budget) / 10000)
            assert row["决算(万元)"] == pytest.approx(float(final) / 10000)
            assert row["完成年初预算"] == pytest.approx(float(final / budget))
            matched += 1
    assert matched >= len(classes) // 2
    projects = _rows(book["项目明细"])
    initial = dict(con.execute(
        "select e.project_name || '/' || e.department || '/' || d.adcode, b.executed_yuan / b.budget_initial_yuan "
        "from marts.fct_project_evaluation e join marts.dim_document d using (document_id) "
        "join marts.fct_project_budget b on b.document_id = e.document_id and b.fund_source = 'total' "
        "where e.fiscal_year = 2024").fetchall())
    assert any(r["执行率(对年初预算)"] != r["执行率"] for r in projects)
    for r in projects:
        rate = [v for k, v in initial.items() if k.startswith(f"{r['项目']}/{r['部门']}/")]
        if len(rate) == 1:
            assert r["执行率(对年初预算)"] == pytest.approx(float(rate[0]))


def test_each_publication_shows_which_standard_tables_it_printed_empty_or_lacks(report):
    from ingest import vocabulary

    rows = _rows(openpyxl.load_workbook(report["xlsx"])["公开完整性"])
    con = report["con"]
    printed = {}
    for document, code, empty in con.execute(
            "select t.document_id, t.table_code, t.is_empty from staging.stg_raw__final_account_tables t "
            "join marts.dim_document d using (document_id) where d.fiscal_year = 2024 union all "
            "select t.document_id, t.table_code, t.is_empty from staging.stg_raw__budget_tables t "
            "join marts.dim_document d using (document_id) where d.fiscal_year = 2024").fetchall():
        printed.setdefault(document, {})[code] = empty
    files = dict(con.execute("select source_file, document_id from marts.dim_document where fiscal_year = 2024 "
                             "and doc_type in ('final_accounts', 'department_budget')").fetchall())
    root = _common_root(con)
    assert len(rows) == len(files)
    required = {"决算": vocabulary.final_accounts()["required"], "预算": vocabulary.budget()["required"]}
    empties = 0
    for row in rows:
        tables = printed.get(files[str(root / row["来源文件"])], {})
        codes = required[row["文件"]]
        assert row["空表数"] == sum(1 for c in codes if tables.get(c) is True)
        assert row["缺少表数"] == sum(1 for c in codes if c not in tables)
        assert row["已公开表数"] + row["空表数"] + row["缺少表数"] == len(codes)
        assert row["各表"].split() == [f"{c}{'空' if tables.get(c) else '✓' if c in tables else '缺'}" for c in codes]
        empties += row["空表数"]
    assert empties  # the generated final accounts print their empty tables as such


def _common_root(con):
    import os
    from pathlib import Path

    return Path(os.path.commonpath([r[0] for r in con.execute("select distinct source_file from marts.dim_document").fetchall()]))


def test_a_publication_lacking_tables_names_them():
    from reporting.queries import disclosed

    row = disclosed({"doc_type": "department_budget", "published_codes": ["01", "02", "03", "05"], "empty_codes": ["05"],
                     "published_on": None})
    assert (row["kind"], row["published"], row["empty"], row["missing"]) == ("预算", 3, 1, 4)
    assert row["tables"] == "01✓ 02✓ 03✓ 04缺 05空 06缺 07缺 08缺"
    assert row["missing_tables"].startswith("04 财政拨款收支预算总表；06 ")
    assert row["deadline"] == "公开日期未载明"


def test_publications_are_judged_by_the_twenty_day_rule_where_the_registry_gives_the_approval(tmp_path):
    """The documents never print the day they were approved; the source registry declares it, for a
    region or for one of its departments, and the report counts the days from it."""
    import dagster as dg
    import duckdb as db

    from orchestration.build import build_definitions
    from orchestration.settings import Settings
    from tests.conftest import XIAOYI

    # the Xiaoyi final accounts, stating the day it was published
    dated = tmp_path / "corpus"
    dated.mkdir()
    lines = XIAOYI.read_text(encoding="utf-8").splitlines()
    title = lines.index("2024年度部门决算公开")
    (dated / XIAOYI.name).write_text("\n".join([*lines[:title + 1], "发布日期：2025-06-20", *lines[title + 1:]]) + "\n",
                                     encoding="utf-8")
    registry = tmp_path / "sources.yml"
    registry.write_text(
        "sources: []\napprovals:\n"
        "  - {region: '141181', fiscal_year: 2024, doc_type: final_accounts, approved_on: 2025-05-26}\n"
        "  - {region: '141181', fiscal_year: 2024, doc_type: final_accounts, approved_on: 2025-06-19, department: 孝义市财政局}\n"
        "  - {region: '141181', fiscal_year: 2024, doc_type: department_budget, approved_on: 2024-02-01}\n",
        encoding="utf-8")
    settings = Settings(db_path=tmp_path / "w.duckdb", out_dir=tmp_path / "reports", inputs=(dated,),
                        inbox=tmp_path / "inbox", sources=registry)
    defs = build_definitions(settings)
    with dg.DagsterInstance.ephemeral() as instance:
        assert defs.resolve_job_def("build_warehouse").execute_in_process(instance=instance, raise_on_error=False).success
        defs.resolve_job_def("yearly_report").execute_in_process(instance=instance, partition_key="2024")
    with db.connect(str(settings.db_path), read_only=True) as con:
        assert con.execute("select count(*) from raw.approvals").fetchone()[0] == 3
        # the region's day: the other department's is its own, the budget's is another kind's
        assert con.execute("select published_on, approved_on from marts.dim_document "
                           "where doc_type = 'final_accounts'").fetchall() == [("2025-06-20", date(2025, 5, 26))]
    [row] = _rows(openpyxl.load_workbook(settings.out_dir / "2024" / "yearly_comparison_2024.xlsx")["公开完整性"])
    assert (row["公开日期"], row["批复日期"], row["20日时限"]) == ("2025-06-20", "2025-05-26", "逾期：批复后第 25 日公开")
    page = (settings.out_dir / "2024" / "yearly_comparison_2024.html").read_text(encoding="utf-8")
    assert "逾期：批复后第 25 日公开" in page and "2025-05-26" in page
