"""Write synthetic project self-evaluation reports for real counties of one province.

Every document says it is synthetic. The figures drift from year to year, execution rates and
scores spread, and a configurable share of documents carries planted inconsistencies; the truth
(what each document states and what was planted) is written beside them in truth.json.
"""
from __future__ import annotations

import csv
import html
import json
import random
from dataclasses import asdict, dataclass, field
from decimal import ROUND_HALF_UP, Decimal
from pathlib import Path

from demo.budgets import Budget, budget_of
from demo.budgets import render as render_budget
from demo.final_accounts import Accounts
from demo.final_accounts import render as render_accounts
from demo.formats import FORMATS, PRINTED, write

SEEDS = Path(__file__).resolve().parent.parent / "dbt_project" / "seeds"
MARKER = "【合成数据】本文件为演示用合成数据，不代表真实财政数据。"
DEPARTMENTS = (("001", "政务服务管理局"), ("002", "财政局"), ("003", "教育局"), ("004", "民政局"), ("005", "卫生健康局"),
               ("006", "住房和城乡建设局"), ("007", "农业农村局"), ("008", "交通运输局"), ("009", "文化和旅游局"),
               ("010", "公安局"), ("011", "自然资源局"), ("012", "应急管理局"))
PROJECTS = ("政务服务大厅运行经费", "电子政务外网服务项目", "信息化平台运维项目", "办件结果邮寄项目", "专家劳务费用",
            "证照印制费用", "便民服务站建设项目", "档案数字化项目")
# (level1, level2, name, unit, direction): quantitative indicators; qualitative ones follow
QUANTITATIVE = (
    ("产出指标", "数量指标", "完成事项数量", "件", ">="),
    ("产出指标", "质量指标", "验收合格率", "%", ">="),
    ("产出指标", "成本指标", "项目成本", "万元", "<="),
    ("满意度指标", "服务对象满意度", "服务对象满意度", "%", ">="),
)
QUALITATIVE = (
    ("产出指标", "时效指标", "完成及时性", "及时"),
    ("效益指标", "社会效益", "公共服务效率提升程度", "明显"),
    ("效益指标", "可持续影响", "长效管理制度健全性", "健全"),
)
TEXT_FORMATS = ("txt", "md", "html")  # the project reports' rotation when no formats are chosen
PLANTS = ("total_not_sum", "rate_mismatch", "full_marks_below_target", "sources_not_sum")


@dataclass
class Indicator:
    level1: str
    level2: str
    name: str
    target: str
    actual: str
    weight: int
    score: Decimal
    reason: str = ""


@dataclass
class Project:
    file: str
    adcode: str
    county: str
    department: str
    fiscal_year: int
    project_name: str
    initial_yuan: int
    adjusted_yuan: int
    executed_yuan: int
    printed_rate: Decimal
    execution_score: Decimal
    indicators: list[Indicator]
    total_score: Decimal
    grade: str
    planted: list[str] = field(default_factory=list)
    source_executed_yuan: int | None = None  # the funding-source row's executed amount, where it differs from the total


def counties_of(province: str) -> list[tuple[str, str]]:
    with (SEEDS / "admin_provinces.csv").open(encoding="utf-8") as f:
        codes = [r["code"] for r in csv.DictReader(f) if r["name"] == province]
    if not codes:
        raise ValueError(f"no province named {province}")
    with (SEEDS / "admin_counties.csv").open(encoding="utf-8") as f:
        rows = [(r["code"], r["name"]) for r in csv.DictReader(f) if r["provinceCode"] == codes[0]]
    # development zones (xx71–xx79) are not counties that publish
    return sorted(r for r in rows if not r[0][4:].startswith("7") and r[1] not in {"市辖区", "城区", "郊区", "矿区"})


def _round(value: Decimal) -> Decimal:
    return value.quantize(Decimal("0.01"), rounding=ROUND_HALF_UP)


def _grade(total: Decimal) -> str:
    return "优" if total >= 90 else "良" if total >= 80 else "中" if total >= 60 else "差"


def _project(rng, adcode, county, department, year, name, base_budget, error_rate, file) -> Project:
    drift = Decimal(str(1 + (year - 2020) * 0.04 + rng.uniform(-0.05, 0.05)))
    initial = int(Decimal(base_budget) * drift // 100 * 100)
    adjusted = int(initial * rng.choice((1, 1, 1, 0.9, 0.8)) // 100 * 100)
    executed = int(adjusted * rng.uniform(0.6, 1.0))
    rate = Decimal(executed) / Decimal(adjusted)
    printed_rate = _round(rate * 100)
    execution_score = _round(min(Decimal(10), 10 * printed_rate / 100))
    weights = [20, 15, 15, 10, 10, 10, 10]
    indicators = []
    for (l1, l2, ind, unit, op), weight in zip(QUANTITATIVE, weights):
        target = Decimal(rng.choice((95, 98, 100))) if unit == "%" else Decimal(rng.randint(20, 400))
        achieved = Decimal(str(rng.uniform(0.85, 1.05)))
        actual = _round(target * achieved) if unit != "%" else min(Decimal(100), _round(target * achieved))
        if op == ">=":
            score = _round(weight * min(Decimal(1), actual / target))
        else:
            score = Decimal(weight) if actual <= target else _round(weight * target / actual)
        sign = "≥" if op == ">=" else "≤"
        short = actual < target if op == ">=" else actual > target
        reason = "受年度实际需求变化影响，未完全达到目标；下年度将按实际需求调整指标" if short else ""
        indicators.append(
            Indicator(l1, l2, ind, f"{sign}{target.normalize():f}{unit}", f"{actual.normalize():f}", weight, score, reason)
        )
    for (l1, l2, ind, word), weight in zip(QUALITATIVE, weights[4:]):
        indicators.append(Indicator(l1, l2, ind, word, "达成预期指标", weight, Decimal(weight)))
    total = execution_score + sum(i.score for i in indicators)
    project = Project(file, adcode, county, department, year, name, initial, adjusted, executed, printed_rate,
                      execution_score, indicators, total, _grade(total))
    if rng.random() < error_rate:
        plant = rng.choice(PLANTS)
        project.planted.append(plant)
        if plant == "total_not_sum":
            project.total_score = total + rng.choice((Decimal(3), Decimal(5)))
            project.grade = _grade(project.total_score)
        elif plant == "sources_not_sum":
            project.source_executed_yuan = executed - rng.choice((1000, 5000, 20000))
        elif plant == "rate_mismatch":
            # a rate off by ten points, kept below 100% so it cannot round back to the true one
            project.printed_rate = printed_rate + 10 if printed_rate <= 90 else printed_rate - 10
        else:
            short = indicators[0]
            short.score = Decimal(short.weight)  # full marks although below target, and no reason given
            short.actual = f"{(Decimal(short.target[1:-1]) * Decimal('0.8')).quantize(Decimal('1'))}"
            short.reason = ""
            project.total_score = execution_score + sum(i.score for i in indicators)
            project.grade = _grade(project.total_score)
    return project


def _rows(p: Project) -> tuple[list[list[str]], list[list[str]]]:
    funds = [
        ["资金来源", "年初预算数(元)", "全年预算数(元)", "全年执行数(元)", "执行率", "得分"],
        ["合计", f"{p.initial_yuan:,}", f"{p.adjusted_yuan:,}", f"{p.executed_yuan:,}", f"{p.printed_rate:f}", f"{p.execution_score:f}"],
        ["市县区财政资金", f"{p.initial_yuan:,}", f"{p.adjusted_yuan:,}",
         f"{p.executed_yuan if p.source_executed_yuan is None else p.source_executed_yuan:,}", "", ""],
    ]
    indicators = [["一级指标", "二级指标", "三级指标", "年度指标值", "实际完成值", "分值", "得分", "偏差原因分析及改进措施"]]
    for i in p.indicators:
        indicators.append([i.level1, i.level2, i.name, i.target, i.actual, str(i.weight), f"{i.score:f}", i.reason])
    return funds, indicators


def render(p: Project, fmt: str) -> str:
    funds, indicators = _rows(p)
    head = ["项目支出绩效自评分析报告", f"（{p.fiscal_year}年度）", f"项目名称：{p.project_name}",
            f"项目单位：{p.county}{p.department}", f"主管部门：{p.county}{p.department}", MARKER, ""]
    result = (f"综合考虑预算执行情况得分{p.execution_score:f}分、产出、效益、满意度各方面因素，最终评分结果："
              f"{p.project_name}绩效自我评价结果为：总得分{p.total_score:f}分，属于“{p.grade}”。")
    if fmt == "html":
        def table(rows):
            body = "".join("<tr>" + "".join(f"<td>{html.escape(c)}</td>" for c in r) + "</tr>" for r in rows)
            return f"<table>{body}</table>"
        paras = "".join(f"<p>{html.escape(line)}</p>" for line in head if line)
        return (f"<html><head><meta charset='utf-8'><title>{html.escape(p.project_name)}</title></head><body>{paras}"
                f"<p>(一) 预算执行情况</p>{table(funds)}<p>(二) 绩效指标完成情况</p>{table(indicators)}"
                f"<p>{html.escape(result)}</p></body></html>")
    if fmt == "md":
        def table(rows):
            lines = ["| " + " | ".join(rows[0]) + " |", "|" + "---|" * len(rows[0])]
            return lines + ["| " + " | ".join(r) + " |" for r in rows[1:]]
        return "\n".join(head + ["(一) 预算执行情况", ""] + table(funds) + ["", "(二) 绩效指标完成情况", ""]
                         + table(indicators) + ["", result, ""])
    return "\n".join(head + ["(一) 预算执行情况", ""] + ["\t".join(r) for r in funds] + ["", "(二) 绩效指标完成情况", ""]
                     + ["\t".join(r) for r in indicators] + ["", result, ""])


@dataclass
class Corpus:
    projects: list[Project]
    accounts: list[Accounts]
    budgets: list[Budget] = field(default_factory=list)

    @property
    def documents(self) -> int:
        return len(self.projects) + len(self.accounts) + len(self.budgets)


def _accounts(adcode, county, dept_code, department, years, projects, error_rate, seed) -> list[Accounts]:
    """One department's final accounts for every year: staff costs drift, project spending is the
    sum of that year's project reports."""
    rng = random.Random(f"{seed}:{adcode}:{dept_code}")
    staff = rng.randint(8, 60)
    wage = rng.randint(900, 1400)  # 0.01 万元 per head and year, basic wage
    out: list[Accounts] = []
    previous = None
    for year in range(years[0], years[1] + 1):
        scale = 1 + (year - 2020) * 0.03 + rng.uniform(-0.02, 0.02)
        basic_wage = int(staff * wage * scale)
        personnel = {
            "30101": basic_wage, "30102": int(basic_wage * 0.27), "30107": int(basic_wage * rng.uniform(0.5, 0.6)),
            "30108": int(basic_wage * 0.28), "30110": int(basic_wage * 0.11), "30113": int(basic_wage * 0.24),
        }
        car_budget, reception_budget = rng.randint(0, 4) * 50, rng.randint(1, 6) * 30
        public = {
            "30201": staff * rng.randint(20, 40), "30211": staff * rng.randint(5, 15),
            "30217": int(reception_budget * rng.uniform(0.5, 1.0)), "30231": int(car_budget * rng.uniform(0.6, 1.0)),
            "30299": staff * rng.randint(5, 20),
        }
        mine = [p for p in projects if p.fiscal_year == year]
        project = sum((Decimal(p.executed_yuan) / 100).quantize(Decimal(1), rounding=ROUND_HALF_UP) for p in mine)
        grades: dict[str, int] = {}
        for p in mine:
            grades[p.grade] = grades.get(p.grade, 0) + 1
        accounts = Accounts(
            f"{adcode}_{dept_code}_{year}_决算.{('txt', 'html')[(int(adcode) + year) % 2]}", adcode, county, dept_code,
            department, year, personnel, staff * rng.randint(0, 30), public, int(project),
            {"car_running": car_budget, "reception": reception_budget}, 0, len(mine), grades,
        )
        accounts.previous_total = previous if previous is not None else int(accounts.total / rng.uniform(0.9, 1.15))
        if rng.random() < error_rate:
            accounts.planted.append("share_mismatch")
        previous = accounts.total
        out.append(accounts)
    return out


class Formats:
    """Which format each document is written in: with `chosen`, the next of them in turn, the same
    rotation for every kind (a format named twice is written twice as often); without, as the demo
    corpus has always been written (project reports in turn as text, Markdown and HTML; final
    accounts as text or HTML by county and year; each budget as its final accounts)."""

    def __init__(self, chosen: tuple[str, ...] | None = None):
        unknown = sorted(set(chosen or ()) - set(FORMATS))
        if unknown or chosen == ():
            raise ValueError(f"formats: {', '.join(unknown) or 'none'}: choose from {', '.join(FORMATS)}")
        self.chosen, self.written = chosen, 0

    def next(self, default: str) -> str:
        if self.chosen is None:
            return default
        self.written += 1
        return self.chosen[(self.written - 1) % len(self.chosen)]


def _named(file: str, fmt: str) -> str:
    return f"{file.rsplit('.', 1)[0]}.{fmt}"


def _write(path: Path, render, fmt: str) -> None:
    """A document rendered in `fmt`: text, Markdown and HTML by its own renderer, the printed
    formats from its text (`demo.formats`)."""
    if fmt in PRINTED:
        write(path, render("txt"))
    else:
        path.write_text(render(fmt), encoding="utf-8")


def generate(out: Path, counties: int, years: tuple[int, int], province: str = "山西省", seed: int = 1,
             error_rate: float = 0.1, departments: int = 3, formats: tuple[str, ...] | None = None) -> Corpus:
    if not 1 <= departments <= len(DEPARTMENTS):
        raise ValueError(f"departments: between 1 and {len(DEPARTMENTS)}")
    rotation = Formats(formats)
    rng = random.Random(seed)
    available = counties_of(province)
    if counties > len(available):
        raise ValueError(f"{province} has {len(available)} counties, not {counties}")
    chosen = rng.sample(available, counties)
    out = Path(out)
    out.mkdir(parents=True, exist_ok=True)
    projects: list[Project] = []
    accounts: list[Accounts] = []
    budgets: list[Budget] = []
    for adcode, county in sorted(chosen):
        for dept_code, department in DEPARTMENTS[:departments]:
            names = rng.sample(PROJECTS, rng.randint(2, 4))
            bases = {name: rng.randint(50, 3000) * 1000 for name in names}
            mine: list[Project] = []
            for year in range(years[0], years[1] + 1):
                for n, name in enumerate(names):
                    fmt = rotation.next(TEXT_FORMATS[len(projects) % len(TEXT_FORMATS)])
                    file = f"{adcode}_{dept_code}_{year}_{n + 1:02d}.{fmt}"
                    project = _project(rng, adcode, county, department, year, name, bases[name], error_rate, file)
                    _write(out / file, lambda f, p=project: render(p, f), fmt)
                    projects.append(project)
                    mine.append(project)
            planning = random.Random(f"{seed}:{adcode}:{dept_code}:budget")
            previous_budget = None
            for a in _accounts(adcode, county, dept_code, department, years, mine, error_rate, seed):
                a.file = _named(a.file, rotation.next(a.file.rsplit(".", 1)[1]))
                _write(out / a.file, lambda f, a=a: render_accounts(a, f, MARKER), a.file.rsplit(".", 1)[1])
                accounts.append(a)
                b = budget_of(a, previous_budget, planning, error_rate)
                b.file = _named(b.file, rotation.next(b.file.rsplit(".", 1)[1]))
                _write(out / b.file, lambda f, b=b: render_budget(b, f, MARKER), b.file.rsplit(".", 1)[1])
                budgets.append(b)
                previous_budget = b.total
    truth = {
        "projects": [{**asdict(p), "indicators": [asdict(i) for i in p.indicators]} for p in projects],
        "final_accounts": [
            {**asdict(a), "basic": a.basic, "total": a.total, "personnel_total": a.personnel_total,
             "public_total": a.public_total, "unit": "0.01万元"}
            for a in accounts
        ],
        "budgets": [
            {"file": b.file, "adcode": b.plan.adcode, "county": b.plan.county, "department": b.plan.department,
             "fiscal_year": b.fiscal_year, "total": b.total, "basic": b.plan.basic, "project": b.plan.project,
             "previous_total": b.previous_total, "planted": b.planted, "unit": "0.01万元"}
            for b in budgets
        ],
    }
    (out / "truth.json").write_text(json.dumps(truth, ensure_ascii=False, indent=1, default=str), encoding="utf-8")
    return Corpus(projects, accounts, budgets)
