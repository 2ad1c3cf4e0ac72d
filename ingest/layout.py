"""Layout detection: split a file into its reports and say what kind of document each one is."""
from __future__ import annotations

import re
from dataclasses import dataclass

from ingest.normalise import plain

PROJECT_TABLE = "project_self_evaluation_table"
REPORT_WITH_INDICATORS = "evaluation_report_with_indicators"
FINAL_ACCOUNTS = "final_accounts"
BUDGET = "department_budget"
NARRATIVE = "narrative_self_evaluation"
UNKNOWN = "unknown"

# a budget says so in its title: 2025年区级部门预算, 2019年度部门预算公开, 单位预算
_BUDGET_TITLE = re.compile(r"(?:19|20)\d{2}年(?:度)?[\u4e00-\u9fff]{0,4}?(?:部门|单位)(?:汇总)?预算")
_REPORT_TITLE = re.compile(r"^(项目支出)?绩效自评(分析)?报告$|^项目支出绩效自评表$|绩效自评表$")


@dataclass(frozen=True)
class Section:
    index: int
    line_start: int  # 1-based, inclusive
    line_end: int
    lines: tuple[str, ...]

    @property
    def text(self) -> str:
        return "\n".join(self.lines)


def split_sections(lines: list[str]) -> list[Section]:
    """Cut a file before every project report title that is followed by a 项目名称 line.

    The Xiaoyi file holds the department's final accounts, then one report per project; a file with
    a single report yields one section.
    """
    starts = []
    for i, line in enumerate(lines):
        if _REPORT_TITLE.search(plain(line)) and any(
            plain(nxt).startswith("项目名称") for nxt in lines[i + 1 : i + 8]
        ):
            starts.append(i)
    if not starts:
        return [Section(0, 1, len(lines), tuple(lines))]
    # What stands before the first report is a document of its own only if it has content
    # beyond headings (a spreadsheet's sheet name, a file title).
    prelude = [x for x in lines[: starts[0]] if plain(x) and not x.lstrip().startswith("#")]
    bounds = ([0] if prelude else []) + starts
    sections = []
    for n, start in enumerate(bounds):
        end = bounds[n + 1] if n + 1 < len(bounds) else len(lines)
        sections.append(Section(n, start + 1, end, tuple(lines[start:end])))
    return sections


def classify(text: str) -> str:
    flat = plain(text)
    has_funds = "全年执行数" in flat and ("全年预算数" in flat or "年初预算数" in flat)
    has_indicators = "一级指标" in flat and "二级指标" in flat
    if "收入支出决算总表" in flat and "部门决算" in flat:
        return FINAL_ACCOUNTS
    if _BUDGET_TITLE.search(flat[:400]) and ("收支预算总表" in flat or "预算编制说明" in flat or "预算情况说明" in flat):
        return BUDGET
    if has_funds and has_indicators and "自评表" in flat and "报告" not in flat[:60]:
        return PROJECT_TABLE
    if has_indicators and (has_funds or "资金" in flat):
        return REPORT_WITH_INDICATORS
    if re.search(r"自评|绩效评价", flat) and re.search(r"得分|总分|评分", flat):
        return NARRATIVE
    return UNKNOWN
