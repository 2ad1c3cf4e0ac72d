"""Synthetic department budgets (部门预算) beside the synthetic final accounts of the same year.

A budget is the plan the final accounts executed: each personnel, public-expense and project figure
of the year's final accounts, drifted by a few per cent (execution is never exactly the budget),
laid out in the standard budget tables (收支预算总表 … “三公”经费预算表) with a 预算编制说明 that states
the total, its change on last year's budget and its growth rate, and the amount of each subject.
Amounts are integers of 0.01 万元, so every printed total is the exact sum of its printed parts.
"""
from __future__ import annotations

import html
import random
from dataclasses import dataclass, field, replace

from demo.final_accounts import CLASSES, ORDINALS, PERSONNEL, PUBLIC, Accounts, amount

# what can be planted in a budget, and the rule that finds it
PLANTS = {"growth_mismatch": "N006", "subject_mismatch": "N007"}


@dataclass
class Budget:
    file: str
    plan: Accounts  # the budget's figures, in the shape of a final accounts
    previous_total: int  # last year's budget total, 0.01 万元
    planted: list[str] = field(default_factory=list)

    @property
    def fiscal_year(self) -> int:
        return self.plan.fiscal_year

    @property
    def total(self) -> int:
        return self.plan.total


def budget_of(accounts: Accounts, previous_total: int | None, rng: random.Random, error_rate: float) -> Budget:
    """The budget a year's final accounts executed: every figure drifted by up to ±8%."""

    def drift(value: int) -> int:
        return int(value * rng.uniform(0.92, 1.08))

    plan = replace(
        accounts,
        personnel={code: drift(v) for code, v in accounts.personnel.items()},
        retirement=drift(accounts.retirement),
        public={code: drift(v) for code, v in accounts.public.items()},
        project=drift(accounts.project),
        planted=[],
    )
    file = accounts.file.replace("_决算.", "_预算.")
    previous = previous_total if previous_total is not None else int(plan.total / rng.uniform(0.9, 1.12))
    budget = Budget(file, plan, previous)
    for plant in PLANTS:
        if rng.random() < error_rate / 2:
            budget.planted.append(plant)
    return budget


def tables(b: Budget) -> list[tuple[str, str, list[list[str]], str]]:
    """(number, title, rows, note) of the standard budget tables."""
    a = b.plan
    subjects = a.subjects()
    classes = a.class_totals()
    t = amount(a.total)
    t01 = [["收入", "", "支出", ""], ["项目", "预算数", "项目", "预算数"],
           ["一、财政拨款收入", t, f"{ORDINALS[0]}、{CLASSES[0]}", amount(classes.get(0))],
           ["1.一般公共预算资金", t, "", ""]]
    for n in sorted(classes):
        if n:
            t01.append(["", "", f"{ORDINALS[n]}、{CLASSES[n]}", amount(classes[n])])
    t01 += [["本年收入合计", t, "本年支出合计", t], ["收入总计", t, "支出总计", t]]
    t02 = [["科目编码", "科目名称", "合计", "财政拨款收入", "事业收入", "其他收入"], ["合计", "", t, t, "", ""]]
    t02 += [[c, n, amount(x + p), amount(x + p), "", ""] for c, n, x, p in subjects]
    t03 = [["科目编码", "科目名称", "合计", "基本支出", "项目支出"], ["合计", "", t, amount(a.basic), amount(a.project)]]
    t03 += [[c, n, amount(x + p), amount(x), amount(p)] for c, n, x, p in subjects]
    t04 = [["收入", "", "支出", "", "", ""], ["项目", "预算数", "项目", "合计", "一般公共预算", "政府性基金预算"],
           ["一、一般公共预算", t, "", "", "", ""]]
    for n in sorted(classes):
        v = amount(classes[n])
        t04.append(["", "", f"{ORDINALS[n]}、{CLASSES[n]}", v, v, ""])
    t04 += [["收入总计", t, "支出总计", t, t, ""]]
    t05 = [["科目编码", "科目名称", "合计", "基本支出", "项目支出"], ["合计", "", t, amount(a.basic), amount(a.project)]]
    t05 += [[c, n, amount(x + p), amount(x), amount(p)] for c, n, x, p in subjects]
    t06 = [["科目编码", "科目名称", "合计", "人员经费", "公用经费"],
           ["合计", "", amount(a.basic), amount(a.personnel_total), amount(a.public_total)],
           ["301", "工资福利支出", amount(sum(a.personnel.values())), amount(sum(a.personnel.values())), ""]]
    t06 += [[c, n, amount(v), amount(v), ""] for (c, n), v in zip(PERSONNEL, a.personnel.values())]
    t06 += [["302", "商品和服务支出", amount(a.public_total), "", amount(a.public_total)]]
    t06 += [[c, n, amount(v), "", amount(v)] for (c, n), v in zip(PUBLIC, a.public.values())]
    t06 += [["303", "对个人和家庭的补助", amount(a.retirement), amount(a.retirement), ""],
            ["30302", "退休费", amount(a.retirement), amount(a.retirement), ""]]
    car, reception = a.three_public_budget["car_running"], a.three_public_budget["reception"]
    t07 = [["合计", "因公出国（境）费", "公务用车购置及运行费", "", "", "公务接待费"],
           ["", "", "小计", "购置费", "运行费", ""],
           [amount(car + reception), "", amount(car), "", amount(car), amount(reception)]]
    t08 = [["科目编码", "科目名称", "合计", "基本支出", "项目支出"], ["合计", "", "", "", ""]]
    return [
        ("公开01表", "收支预算总表", t01, ""),
        ("公开02表", "收入预算总表", t02, ""),
        ("公开03表", "支出预算总表", t03, ""),
        ("公开04表", "财政拨款收支预算总表", t04, ""),
        ("公开05表", "一般公共预算支出功能分类预算表", t05, ""),
        ("公开06表", "一般公共预算基本支出经济分类预算表", t06, ""),
        ("公开07表", "一般公共预算“三公”经费支出预算表", t07, ""),
        ("公开08表", "政府性基金预算支出预算表", t08, "注：本部门无政府性基金预算拨款安排的预算，此表为空。"),
    ]


def narrative(b: Budget) -> list[str]:
    a = b.plan
    change = a.total - b.previous_total
    direction, word = ("增加", "增长") if change >= 0 else ("减少", "下降")
    growth = abs(change) * 100 / (a.total - change)
    if "growth_mismatch" in b.planted:
        growth += 5  # the rate of another figure, or a slip of the pen
    lines = [
        f"{a.fiscal_year}年部门预算编制说明",
        f"{a.fiscal_year}年，{a.county}{a.department}收入、支出预算总计{amount(a.total)}万元，与上年相比{direction}"
        f"{amount(abs(change)) or '0.00'}万元，{word}{growth:.2f}%。",
        "财政拨款支出主要内容如下：",
    ]
    items = [(c, n, x + p) for c, n, x, p in a.subjects() if len(c) == 7]
    kinds = {c: n for c, n, _, _ in a.subjects() if len(c) == 5}
    classes = {c: n for c, n, _, _ in a.subjects() if len(c) == 3}
    for k, (code, name, value) in enumerate(items):
        if "subject_mismatch" in b.planted and k == 0:
            value += 100000  # 1,000 万元 that the table does not hold
        lines.append(f"{k + 1}.“{classes[code[:3]]}（类）{kinds[code[:5]]}（款）{name}（项）”{amount(value)}万元。")
    return lines


def render(b: Budget, fmt: str, marker: str) -> str:
    a = b.plan
    head = [f"{a.county}{a.department}", f"{a.fiscal_year}年度部门预算公开", marker, ""]
    parts = tables(b)
    if fmt == "html":
        out = [f"<html><head><meta charset='utf-8'><title>{html.escape(head[0])}{a.fiscal_year}年度部门预算</title></head><body>"]
        out += [f"<p>{html.escape(line)}</p>" for line in head if line]
        out += [f"<p>{html.escape(line)}</p>" for line in narrative(b)]
        for number, title, rows, note in parts:
            out += [f"<p>{number}</p>", f"<h3>{html.escape(title)}</h3>", f"<p>部门名称：{html.escape(head[0])}</p>",
                    "<p>单位：万元</p>", "<table>"]
            out += ["<tr>" + "".join(f"<td>{html.escape(c)}</td>" for c in r) + "</tr>" for r in rows]
            out += ["</table>"] + ([f"<p>{html.escape(note)}</p>"] if note else [])
        out.append("</body></html>")
        return "\n".join(out)
    out = list(head)
    for line in narrative(b):
        out += [line, ""]
    for number, title, rows, note in parts:
        out += [number, "", f"## {title}" if fmt == "md" else title, "", f"部门名称：{head[0]}", "", "单位：万元", ""]
        out += ["\t".join(r) for r in rows]
        out += ["", note, ""] if note else [""]
    return "\n".join(out)
