"""Synthetic department final accounts (部门决算) in the layout of the standard 公开01–09 tables.

Amounts are kept as integers of 0.01 万元 (100 yuan) so that every printed total is the exact sum of
its printed parts; the project expenditure is the sum of the department's project reports of the
year, so the cross-document rules can compare the two.
"""
from __future__ import annotations

import html
from dataclasses import dataclass, field

CLASSES = (
    "一般公共服务支出", "外交支出", "国防支出", "公共安全支出", "教育支出", "科学技术支出", "文化旅游体育与传媒支出",
    "社会保障和就业支出", "卫生健康支出", "节能环保支出", "城乡社区支出", "农林水支出", "交通运输支出",
    "资源勘探工业信息等支出", "商业服务业等支出", "金融支出", "援助其他地区支出", "自然资源海洋气象等支出", "住房保障支出",
    "粮油物资储备支出", "国有资本经营预算支出", "灾害防治及应急管理支出", "其他支出", "债务还本支出", "债务付息支出",
    "抗疫特别国债安排的支出",
)
CLASS_CODES = {
    "201": 0, "202": 1, "203": 2, "204": 3, "205": 4, "206": 5, "207": 6, "208": 7, "210": 8, "211": 9, "212": 10,
    "213": 11, "214": 12, "215": 13, "216": 14, "217": 15, "219": 16, "220": 17, "221": 18, "222": 19, "223": 20,
    "224": 21, "229": 22,
}
ORDINALS = ("一", "二", "三", "四", "五", "六", "七", "八", "九", "十", "十一", "十二", "十三", "十四", "十五", "十六", "十七",
            "十八", "十九", "二十", "二十一", "二十二", "二十三", "二十四", "二十五", "二十六")
# department code -> (class, kind, kind name, basic item, project item)
FUNCTIONS = {
    "001": ("201", "20103", "政府办公厅（室）及相关机构事务", ("2010301", "行政运行"), ("2010302", "一般行政管理事务")),
    "002": ("201", "20106", "财政事务", ("2010601", "行政运行"), ("2010602", "一般行政管理事务")),
    "003": ("205", "20501", "教育管理事务", ("2050101", "行政运行"), ("2050199", "其他教育管理事务支出")),
    "004": ("208", "20802", "民政管理事务", ("2080201", "行政运行"), ("2080299", "其他民政管理事务支出")),
    "005": ("210", "21001", "卫生健康管理事务", ("2100101", "行政运行"), ("2100199", "其他卫生健康管理事务支出")),
    "006": ("212", "21201", "城乡社区管理事务", ("2120101", "行政运行"), ("2120199", "其他城乡社区管理事务支出")),
    "007": ("213", "21301", "农业农村", ("2130101", "行政运行"), ("2130199", "其他农业农村支出")),
    "008": ("214", "21401", "公路水路运输", ("2140101", "行政运行"), ("2140199", "其他公路水路运输支出")),
    "009": ("207", "20701", "文化和旅游", ("2070101", "行政运行"), ("2070199", "其他文化和旅游支出")),
    "010": ("204", "20402", "公安", ("2040201", "行政运行"), ("2040299", "其他公安支出")),
    "011": ("220", "22001", "自然资源事务", ("2200101", "行政运行"), ("2200199", "其他自然资源事务支出")),
    "012": ("224", "22401", "应急管理事务", ("2240101", "行政运行"), ("2240199", "其他应急管理支出")),
}
SUBJECT_NAMES = {
    **{code: CLASSES[n] for code, n in CLASS_CODES.items()}, "20805": "行政事业单位养老支出",
    "2080501": "行政单位离退休", "2080505": "机关事业单位基本养老保险缴费支出",
    "21011": "行政事业单位医疗", "2101101": "行政单位医疗", "22102": "住房改革支出",
    "2210201": "住房公积金",
}
PERSONNEL = (("30101", "基本工资"), ("30102", "津贴补贴"), ("30107", "绩效工资"), ("30108", "机关事业单位基本养老保险缴费"),
             ("30110", "职工基本医疗保险缴费"), ("30113", "住房公积金"))
PUBLIC = (("30201", "办公费"), ("30211", "差旅费"), ("30217", "公务接待费"), ("30231", "公务用车运行维护费"),
          ("30299", "其他商品和服务支出"))


@dataclass
class Accounts:
    file: str
    adcode: str
    county: str
    department_code: str
    department: str
    fiscal_year: int
    personnel: dict[str, int]  # economic code -> 0.01 万元
    retirement: int  # 30302 退休费
    public: dict[str, int]
    project: int
    three_public_budget: dict[str, int]  # 'car_running', 'reception'
    previous_total: int
    project_count: int
    grades: dict[str, int]
    planted: list[str] = field(default_factory=list)

    @property
    def personnel_total(self) -> int:
        return sum(self.personnel.values()) + self.retirement

    @property
    def public_total(self) -> int:
        return sum(self.public.values())

    @property
    def basic(self) -> int:
        return self.personnel_total + self.public_total

    @property
    def total(self) -> int:
        return self.basic + self.project

    def subjects(self) -> list[tuple[str, str, int, int]]:
        """(code, name, basic, project) for every class, kind and item, in code order."""
        cls, kind, kind_name, (basic_item, basic_name), (project_item, project_name) = FUNCTIONS[self.department_code]
        pension, retired = self.personnel["30108"], self.retirement
        health, housing = self.personnel["30110"], self.personnel["30113"]
        running = self.basic - pension - retired - health - housing
        items = {
            basic_item: (basic_name, running, 0),
            project_item: (project_name, 0, self.project),
            "2080501": (SUBJECT_NAMES["2080501"], retired, 0),
            "2080505": (SUBJECT_NAMES["2080505"], pension, 0),
            "2101101": (SUBJECT_NAMES["2101101"], health, 0),
            "2210201": (SUBJECT_NAMES["2210201"], housing, 0),
        }
        names = {**SUBJECT_NAMES, cls: SUBJECT_NAMES[cls], kind: kind_name}
        out = []
        for code in sorted({c[:3] for c in items} | {c[:5] for c in items} | set(items)):
            parts = [v for c, v in items.items() if c.startswith(code)]
            name = items[code][0] if code in items else names[code]
            out.append((code, name, sum(p[1] for p in parts), sum(p[2] for p in parts)))
        return out

    def class_totals(self) -> dict[int, int]:
        return {CLASS_CODES[code]: b + p for code, _, b, p in self.subjects() if len(code) == 3}


def amount(v: int | None) -> str:
    return "" if not v else f"{v // 100}.{v % 100:02d}"


def _pct(part: int, whole: int) -> str:
    return f"{part * 100 / whole:.2f}" if whole else "0.00"


def _total_table(a: Accounts) -> list[list[str]]:
    """公开01: income and spending by class, with the totals."""
    classes = a.class_totals()
    t = amount(a.total)
    t01 = [["收入", "", "", "支出", "", ""], ["项目", "行次", "金额", "项目", "行次", "金额"], ["栏次", "", "1", "栏次", "", "2"]]
    incomes = ["一般公共预算财政拨款收入", "政府性基金预算财政拨款收入", "国有资本经营预算财政拨款收入", "上级补助收入",
               "事业收入", "经营收入", "附属单位上缴收入", "其他收入"]
    for n in range(26):
        left = [f"{ORDINALS[n]}、{incomes[n]}" if n < len(incomes) else "", str(n + 1), t if n == 0 else ""]
        t01.append(left + [f"{ORDINALS[n]}、{CLASSES[n]}", str(n + 32), amount(classes.get(n))])
    t01 += [["本年收入合计", "27", t, "本年支出合计", "58", t],
            ["使用非财政拨款结余（含专用结余）", "28", "", "结余分配", "59", ""],
            ["年初结转和结余", "29", "", "年末结转和结余", "60", ""],
            ["总计", "31", t, "总计", "62", t]]
    return t01


def _appropriation_table(a: Accounts) -> list[list[str]]:
    """公开04: the appropriations by fund, spending by class."""
    classes = a.class_totals()
    t = amount(a.total)
    t04 = [["收入", "", "", "支出", "", "", "", "", ""],
           ["项目", "行次", "金额", "项目", "行次", "合计", "一般公共预算财政拨款", "政府性基金预算财政拨款", "国有资本经营预算财政拨款"],
           ["栏次", "", "1", "栏次", "", "2", "3", "4", "5"]]
    funds = ["一、一般公共预算财政拨款", "二、政府性基金预算财政拨款", "三、国有资本经营预算财政拨款"]
    for n in range(26):
        left = [funds[n] if n < 3 else "", str(n + 1), t if n == 0 else ""]
        v = amount(classes.get(n))
        t04.append(left + [f"{ORDINALS[n]}、{CLASSES[n]}", str(n + 33), v, v, "", ""])
    t04 += [["本年收入合计", "27", t, "本年支出合计", "59", t, t, "", ""],
            ["年初财政拨款结转和结余", "28", "", "年末财政拨款结转和结余", "60", "", "", "", ""],
            ["总计", "32", t, "总计", "64", t, t, "", ""]]
    return t04


def _basic_detail_table(a: Accounts) -> list[list[str]]:
    """公开06: personnel and public expenses side by side."""
    personnel = [(c, n, v) for (c, n), v in zip(PERSONNEL, a.personnel.values())]
    left = [("301", "工资福利支出", sum(a.personnel.values())), *personnel, ("303", "对个人和家庭的补助", a.retirement),
            ("30302", "退休费", a.retirement)]
    right = [("302", "商品和服务支出", a.public_total), *[(c, n, v) for (c, n), v in zip(PUBLIC, a.public.values())]]
    t06 = [["人员经费", "", "", "公用经费", "", ""], ["科目代码", "科目名称", "决算数", "科目代码", "科目名称", "决算数"]]
    for n in range(max(len(left), len(right))):
        row = list(left[n]) if n < len(left) else ["", "", None]
        row += list(right[n]) if n < len(right) else ["", "", None]
        t06.append([row[0], row[1], amount(row[2]), row[3], row[4], amount(row[5])])
    t06.append(["人员经费合计", "", amount(a.personnel_total), "公用经费合计", "", amount(a.public_total)])
    return t06


def _three_public_table(a: Accounts) -> list[list[str]]:
    """公开09: the 三公 budget beside what was spent."""
    budget_car, budget_reception = a.three_public_budget["car_running"], a.three_public_budget["reception"]
    actual_car, actual_reception = a.public["30231"], a.public["30217"]
    t09 = [["预算数", "", "", "", "", "", "决算数", "", "", "", "", ""],
           ["合计", "因公出国（境）费", "公务用车购置及运行维护费", "", "", "公务接待费",
            "合计", "因公出国（境）费", "公务用车购置及运行维护费", "", "", "公务接待费"],
           ["", "", "小计", "公务用车购置费", "公务用车运行维护费", "", "", "", "小计", "公务用车购置费", "公务用车运行维护费", ""],
           [str(n) for n in range(1, 13)],
           [amount(budget_car + budget_reception), "", amount(budget_car), "", amount(budget_car), amount(budget_reception),
            amount(actual_car + actual_reception), "", amount(actual_car), "", amount(actual_car), amount(actual_reception)]]
    return t09


def tables(a: Accounts) -> list[tuple[str, str, list[list[str]], str]]:
    """(marker, title, rows, note) for 公开01–09."""
    subjects = a.subjects()
    t = amount(a.total)
    t01, t04, t06, t09 = _total_table(a), _appropriation_table(a), _basic_detail_table(a), _three_public_table(a)
    t02 = [["项目", "", "本年收入合计", "财政拨款收入", "上级补助收入", "事业收入", "经营收入", "附属单位上缴收入", "其他收入"],
           ["科目代码", "科目名称", "", "", "", "", "", "", ""], ["栏次", "", "1", "2", "3", "4", "5", "6", "7"],
           ["合计", "", t, t, "", "", "", "", ""]]
    t02 += [[c, n, amount(b + p), amount(b + p), "", "", "", "", ""] for c, n, b, p in subjects]
    t03 = [["项目", "", "本年支出合计", "基本支出", "项目支出", "上缴上级支出", "经营支出", "对附属单位补助支出"],
           ["科目代码", "科目名称", "", "", "", "", "", ""], ["栏次", "", "1", "2", "3", "4", "5", "6"],
           ["合计", "", t, amount(a.basic), amount(a.project), "", "", ""]]
    t03 += [[c, n, amount(b + p), amount(b), amount(p), "", "", ""] for c, n, b, p in subjects]
    t05 = [["项目", "", "本年支出", "", ""], ["科目代码", "科目名称", "小计", "基本支出", "项目支出"], ["栏次", "", "1", "2", "3"],
           ["合计", "", t, amount(a.basic), amount(a.project)]]
    t05 += [[c, n, amount(b + p), amount(b), amount(p)] for c, n, b, p in subjects]
    t07 = [["项目", "", "年初结转和结余", "本年收入", "本年支出", "", "", "年末结转和结余"],
           ["科目代码", "科目名称", "", "", "小计", "基本支出", "项目支出", ""], ["栏次", "", "1", "2", "3", "4", "5", "6"],
           ["合计", "", "", "", "", "", "", ""]]
    t08 = [["项目", "", "本年支出", "", ""], ["科目代码", "科目名称", "合计", "基本支出", "项目支出"], ["栏次", "", "1", "2", "3"],
           ["合计", "", "", "", ""]]
    return [
        ("公开01表", "收入支出决算总表", t01, "注：本表反映部门本年度的总收支和年末结转结余情况。"),
        ("公开02表", "收入决算表", t02, "注：本表反映部门本年度取得的各项收入情况。"),
        ("公开03表", "支出决算表", t03, "注：本表反映部门本年度各项支出情况。"),
        ("公开04表", "财政拨款收入支出决算总表", t04, "注：本表反映部门本年度财政拨款的总收支和年末结转结余情况。"),
        ("公开05表", "一般公共预算财政拨款支出决算表", t05, "注：本表反映部门本年度一般公共预算财政拨款支出情况。"),
        ("公开06表", "一般公共预算财政拨款基本支出决算明细表", t06, "注：本表反映部门本年度一般公共预算财政拨款基本支出明细情况。"),
        ("公开07表", "政府性基金预算财政拨款收入支出决算表", t07, "注：本表反映部门本年度政府性基金预算财政拨款收支情况。\n说明：本表无数据"),
        ("公开08表", "国有资本经营预算财政拨款支出决算表", t08, "注：本表反映部门本年度国有资本经营预算财政拨款支出情况。\n说明：本表无数据"),
        ("公开09表", "财政拨款“三公”经费支出决算表", t09, "注：本表反映部门本年度“三公”经费支出预决算情况。"),
    ]


def narrative(a: Accounts) -> list[str]:
    year, t, prev = a.fiscal_year, amount(a.total), a.previous_total
    change = a.total - prev
    direction = "增加" if change >= 0 else "减少"
    growth = f"{abs(change) * 100 / prev:.2f}" if prev else "0.00"
    word = "增长" if change >= 0 else "下降"
    basic_share = _pct(a.basic, a.total)
    if "share_mismatch" in a.planted:
        basic_share = f"{float(basic_share) + 5:.2f}"
    grades = "，".join(f"{a.grades.get(g, 0)}个项目自评等级为“{g}”" for g in ("优", "良", "中", "差"))
    return [
        "一、收入支出决算总体情况说明",
        f"{year}年度收入总计{t}万元，支出总计{t}万元。与上年相比，收入总计{direction}{amount(abs(change)) or '0.00'}万元，"
        f"{word}{growth}%，支出总计{direction}{amount(abs(change)) or '0.00'}万元，{word}{growth}%。主要原因是人员及项目经费变化。",
        "三、支出决算情况说明",
        f"{year}年度支出合计{t}万元，其中：",
        f"基本支出{amount(a.basic)}万元，占比{basic_share}%；",
        f"项目支出{amount(a.project) or '0.00'}万元，占比{_pct(a.project, a.total)}%。",
        "九、财政拨款“三公”经费支出决算情况说明",
        f"{year}年度“三公”经费财政拨款支出决算为{amount(a.public['30231'] + a.public['30217'])}万元。",
        "十、其他重要事项情况说明",
        f"根据预算绩效管理要求，组织对{year}年度项目资金全面开展了绩效自评，涉及二级项目{a.project_count}个，"
        f"资金{amount(a.project) or '0.00'}万元。自评结果为：{grades}。",
    ]


def render(a: Accounts, fmt: str, marker: str) -> str:
    head = [f"{a.county}{a.department}", f"{a.fiscal_year}年度部门决算公开", marker, "", "第一部分 概况",
            f"{a.county}{a.department}是{a.county}人民政府的工作部门。", "", f"第二部分 {a.fiscal_year}年部门决算表"]
    parts = tables(a)
    if fmt == "html":
        out = [f"<html><head><meta charset='utf-8'><title>{html.escape(head[0])}{a.fiscal_year}年度部门决算</title></head><body>"]
        out += [f"<p>{html.escape(line)}</p>" for line in head if line]
        for code, title, rows, note in parts:
            out += [f"<h3>{html.escape(title)}</h3>", f"<p>{code}</p>", f"<p>部门名称：{html.escape(head[0])}</p>",
                    f"<p>{a.fiscal_year}年度</p>", "<p>金额单位：万元</p>", "<table>"]
            out += ["<tr>" + "".join(f"<td>{html.escape(c)}</td>" for c in r) + "</tr>" for r in rows]
            out += ["</table>"] + [f"<p>{html.escape(n)}</p>" for n in note.split("\n")]
        out += ["<h3>第三部分 情况说明</h3>"] + [f"<p>{html.escape(line)}</p>" for line in narrative(a)] + ["</body></html>"]
        return "\n".join(out)
    out = list(head) + [""]
    for code, title, rows, note in parts:
        out += [f"## {title}" if fmt == "md" else title, "", code, "", f"部门名称：{head[0]}", "", f"{a.fiscal_year}年度", "",
                "金额单位：万元", ""]
        out += ["\t".join(r) for r in rows]
        out += [""] + note.split("\n") + [""]
    out += ["### 第三部分 情况说明" if fmt == "md" else "第三部分 情况说明", ""]
    for line in narrative(a):
        out += [line, ""]
    return "\n".join(out)
