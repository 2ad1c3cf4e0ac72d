"""Project self-evaluation forms: header fields, the funds block and the indicator block, read
from the document model's tables.

Columns are found by what their headers say (`ingest.parsers.headers`), not where they stand:
counties print the same form with other column orders, merged cells and cells shifted by
extraction. The words are data (`ingest/vocabulary/project_report.yml`), and a source can add its
own (`vocabulary: project_report:` in its registry entry).
"""
from __future__ import annotations

import re
from decimal import Decimal
from pathlib import Path
from typing import Any

from ingest.model import Document, Paragraph, from_lines, table_cells
from ingest.normalise import NULL_MARKERS, parse_decimal, percent_to_fraction, plain, to_yuan, try_decimal, unit_from_header
from ingest.parsers.headers import column_fields, header_paths
from ingest.parsers.project_indicators import is_indicator_header, is_total_row, parse_indicators
from ingest.parsers.project_words import _GRADES, WORDS, Words
from ingest.parsers.tables import Row, block_from, table_rows
from ingest.records import BudgetLine, EvaluationSummary, ProjectReport
from ingest.vocabulary import project_report as project_report_vocabulary

PARSER_NAME = "project_report_v3"

def parse_document(document: Document, line_offset: int = 0, unit_hint: str | None = None,
                   vocabulary_extra: dict[str, Any] | None = None) -> ProjectReport:
    """One project's report or table, read from its document; line numbers are the document's
    lines plus `line_offset` (a report that starts further down its file)."""
    words = Words.of(project_report_vocabulary(vocabulary_extra)) if vocabulary_extra else WORDS
    from ingest.parsers.narrative import evaluation_from_facts, extract_facts, funds_from_facts

    missed: list[str] = []
    tables = table_rows(document, line_offset)
    lines = document.lines
    first_line_no = line_offset + 1
    fields = _header_fields(document, tables)
    budget = _parse_budget(tables, unit_hint, missed, words)
    indicators = parse_indicators(tables, missed, words)
    facts = extract_facts(lines, first_line_no)
    evaluation = _parse_evaluation(lines, first_line_no, tables, words) or evaluation_from_facts(facts)
    if not budget:
        # Department evaluation reports state the funds in a sentence instead of a table.
        stated = funds_from_facts(facts)
        budget = [stated] if stated else []
    if not budget:
        missed.append("funds block not found")
    if not indicators:
        missed.append("indicator block not found")
    if evaluation is None:
        missed.append("total score not stated")
    return ProjectReport(
        project_name=fields.get("项目名称") or _title_project(lines),
        department=strip_code(fields.get("主管部门")),
        implementing_unit=strip_code(fields.get("项目单位") or fields.get("实施单位")),
        budget_lines=tuple(budget),
        indicators=tuple(indicators),
        evaluation=evaluation,
        missed=tuple(missed),
        facts=facts,
    )


def parse_lines(lines: list[str], first_line_no: int = 1, unit_hint: str | None = None,
                vocabulary_extra: dict[str, Any] | None = None) -> ProjectReport:
    """A report from text lines (table rows tab-separated or Markdown), read as a document of them;
    line numbers count from `first_line_no`."""
    return parse_document(from_lines(Path(), lines, "", "text"), first_line_no - 1, unit_hint, vocabulary_extra)


def _title_project(lines: list[str]) -> str | None:
    """Reports without a 项目名称 field name the project in their title: `大厅运行经费部门评价报告`."""
    for line in lines[:12]:
        flat = plain(line)
        match = re.fullmatch(r"(.{2,40}?)(?:项目)?(?:部门评价报告|绩效自评报告|预算支出绩效报告|绩效评价报告|自评报告)", flat)
        if match:
            return match.group(1)
    return None


def strip_code(name: str | None) -> str | None:
    """`019001-孝义市行政审批服务管理局` / `016山西省…` -> the name without its budget-unit code."""
    if not name:
        return name
    return re.sub(r"^[A-Za-z]?\d{2,}\s*[-－—_]?\s*", "", name).strip() or None


_HEADER_KEYS = ("项目名称", "主管部门", "项目单位", "实施单位")


def _header_fields(document: Document, tables: list) -> dict[str, str]:
    """项目名称, 主管部门, 项目单位 and 实施单位, from a paragraph (`项目名称：…`) or the cell after
    the one that names it, whichever the document prints first."""
    found: dict[str, str] = {}
    rows_of = {id(table): rows for table, rows in tables}
    for block in document.blocks():
        if isinstance(block, Paragraph):
            match = re.match(r"^(项目名称|主管部门|项目单位|实施单位)[:：](.+)$", plain(block.text))
            if match and match.group(1) not in found:
                found[match.group(1)] = match.group(2)
            continue
        for row in rows_of[id(block)]:
            filled = [c for _, c in row.filled]
            for i, cell in enumerate(filled):
                key = cell.rstrip(":：")
                if key in _HEADER_KEYS and key not in found and i + 1 < len(filled):
                    if filled[i + 1].rstrip(":：") not in _HEADER_KEYS:
                        found[key] = filled[i + 1]
    return found


# ---------------------------------------------------------------------------------------------
# Funds block


def fund_source(label: str, words: Words = WORDS) -> str | None:
    for fragment, key in words.fund_sources:
        if fragment in label:
            return key
    return None


def _is_funds_header(row: Row) -> bool:
    return any("全年执行" in c or "执行数" in c for c in row.cells) and any("预算" in c for c in row.cells)


def _parse_budget(tables: list, unit_hint: str | None, missed: list[str], words: Words) -> list[BudgetLine]:
    rows = block_from(tables, _is_funds_header)
    if rows is None:
        return []
    header = [rows[0]]
    body = rows[1:]
    # A second header row (目标申报 / 预算编制 under a merged 年初预算数) carries no numbers.
    while body and not any(try_decimal(c) is not None for c in body[0].cells) and not _fund_label(body[0], words):
        header.append(body[0])
        body = body[1:]
    paths = header_paths([r.cells for r in header], max(len(r.cells) for r in header))
    columns = column_fields(paths, words.budget_columns)
    stated_unit = unit_from_header(" ".join("".join(r.cells) for r in header)) or unit_hint
    unit = stated_unit or "万元"
    out = []
    for row in body:
        label = _fund_label(row, words)
        if label is None:
            if is_indicator_header(row):
                break
            continue
        source = fund_source(label[1], words)
        if source is None:
            break
        values = _budget_values(row, label[0], columns)
        if values is None:
            continue
        rate, rate_decimals = percent_to_fraction(values.get("rate"))
        out.append(
            BudgetLine(
                line_no=row.line_no,
                fund_source=source,
                fund_source_label=label[1],
                unit=unit,
                budget_declared_yuan=to_yuan(try_decimal(values.get("declared")), unit),
                budget_initial_yuan=to_yuan(try_decimal(values.get("initial")), unit),
                budget_adjusted_yuan=to_yuan(try_decimal(values.get("adjusted")), unit),
                executed_yuan=to_yuan(try_decimal(values.get("executed")), unit),
                balance_yuan=to_yuan(try_decimal(values.get("balance")), unit),
                execution_rate=rate,
                execution_rate_decimals=rate_decimals,
                weight=try_decimal(values.get("weight")),
                score_reported=try_decimal(values.get("score")),
                note=values.get("note") or None,
                ocr_confidence=row.confidence,
            )
        )
    if out and stated_unit is None:
        missed.append("funds unit not stated; 万元 assumed")
    return out


def _fund_label(row: Row, words: Words) -> tuple[int, str] | None:
    """The fund-source label of a funds row: the first label cell before any value (a merged
    "资金" cell spanning the block may stand in front of it)."""
    for i, cell in row.filled:
        if try_decimal(cell) is not None or cell in NULL_MARKERS:
            return None
        if fund_source(cell, words):
            return i, cell
    return None


def _is_value(cell: str) -> bool:
    return try_decimal(cell.rstrip("%")) is not None or cell in NULL_MARKERS


def _budget_values(row: Row, label_col: int, columns: list[tuple[int, str]]) -> dict[str, str] | None:
    cells = [(i, c) for i, c in row.filled if i > label_col]
    if not cells:
        return None
    by_position = dict(columns)
    numeric = [(i, c) for i, c in cells if _is_value(c)]
    texts = [c for _, c in cells if not _is_value(c)]
    values: dict[str, str] = {}
    if all(by_position.get(i) not in (None, "note") for i, _ in numeric):
        for i, cell in numeric:
            values[by_position[i]] = cell
    else:
        # Extraction shifted the cells: match the values to the numeric columns in order.
        keys = list(dict.fromkeys(k for _, k in columns if k != "note"))
        for key, (_, cell) in zip(keys, numeric):
            values[key] = cell
    if texts:
        values["note"] = "；".join(texts)
    return values


# ---------------------------------------------------------------------------------------------
# Indicator block


_TOTAL_SCORE = re.compile(r"总得分[:：]?(\d+(?:\.\d+)?)分")
_OTHER_TOTAL_SCORE = re.compile(r"(?:总分|综合得分|自评得分)为?[:：]?(\d+(?:\.\d+)?)分")
_STATED_GRADE = re.compile(r"(?:属于|等级为|评价等级[:：]?|为)[“\"']?([" + _GRADES + r"])[”\"']?")
_EXECUTION_SCORE = re.compile(r"预算执行情况得分(\d+(?:\.\d+)?)分")
_INDICATOR_SCORE = re.compile(r"指标完成情况得分(\d+(?:\.\d+)?)分")


def _parse_evaluation(lines: list[str], first_line_no: int, tables: list, words: Words) -> EvaluationSummary | None:
    """The stated result: a sentence with the total score (and grade), else a table's 总分 row."""
    for offset, flat in _texts(lines):
        total = _TOTAL_SCORE.search(flat) or _OTHER_TOTAL_SCORE.search(flat)
        if not total:
            continue
        grade = _STATED_GRADE.search(flat)
        execution = _EXECUTION_SCORE.search(flat)
        indicators = _INDICATOR_SCORE.search(flat)
        return EvaluationSummary(
            line_no=first_line_no + offset,
            total_score_reported=parse_decimal(total.group(1)),
            grade_reported=grade.group(1) if grade else None,
            execution_score_reported=parse_decimal(execution.group(1)) if execution else None,
            indicator_score_reported=parse_decimal(indicators.group(1)) if indicators else None,
        )
    for _, rows in tables:
        for row in rows:
            if is_total_row(row, words.score_rows):
                score, grade = _score_and_grade(row)
                if score is not None:
                    return EvaluationSummary(row.line_no, score, grade, None, None)
    return None


def _texts(lines: list[str]):
    """(offset, text) of each prose line, and of each cell of a table row on its own (a row's cells
    run together would read 总分 | 100 | 98 as 总分10098)."""
    for offset, line in enumerate(lines):
        cells = table_cells(line)
        for text in ([line] if cells is None else cells):
            flat = plain(text)
            if flat:
                yield offset, flat


_SCORE_CELL = re.compile(r"(\d+(?:\.\d+)?)分?")


def _score_and_grade(row: Row) -> tuple[Decimal | None, str | None]:
    """A 总分 row's score (the last number: the points, 100, come before it) and its grade, in a
    cell of its own (`优`, `良好`) or beside the score (`95（优）`, `95分/优秀`)."""
    from ingest.parsers.narrative import grade_of

    score = grade = None
    for _, cell in row.filled:
        number = _SCORE_CELL.match(cell)
        if number:
            score = parse_decimal(number.group(1))
            cell = cell[number.end():].strip("()（）/、")
        grade = grade_of(cell) or grade
    return score, grade
