"""Project self-evaluation forms: header fields, the funds block and the indicator block, read
from the document model's tables.

Columns are found by what their headers say (`ingest.parsers.headers`), not where they stand:
counties print the same form with other column orders, merged cells and cells shifted by
extraction. The words are data (`ingest/vocabulary/project_report.yml`), and a source can add its
own (`vocabulary: project_report:` in its registry entry).
"""
from __future__ import annotations

import re
from dataclasses import dataclass, replace
from decimal import Decimal
from pathlib import Path
from typing import Any

from ingest.parsers.headers import column_fields, field_columns, header_paths
from ingest.model import Document, Paragraph, from_lines, table_cells
from ingest.normalise import NULL_MARKERS, parse_decimal, percent_to_fraction, plain, squash, to_yuan, try_decimal, unit_from_header
from ingest.parsers.tables import Row, table_rows
from ingest.records import BudgetLine, EvaluationSummary, IndicatorLine, ProjectReport
from ingest.targets import parse_actual, parse_target
from ingest.vocabulary import project_report as project_report_vocabulary

PARSER_NAME = "project_report_v3"

LEVEL1 = ("产出指标", "效益指标", "满意度指标", "预算执行率")
_FRAGMENT_CHARS = set("产出效益满意度指标绩效目标")
_GRADES = "优良中差"


@dataclass(frozen=True)
class Words:
    """The vocabulary one reading uses, as the parsers look it up."""

    budget_columns: tuple[tuple[str, str], ...]
    fund_sources: tuple[tuple[str, str], ...]
    level1_forms: dict[str, str]
    level2: tuple[tuple[str, str, str], ...]
    target_words: tuple[str, ...]
    indicator_columns: dict[str, tuple[str, ...]]
    total_rows: frozenset[str]  # the labels of rows that close an indicator table
    score_rows: frozenset[str]  # of those, the rows that state the total score

    @staticmethod
    def of(vocabulary: dict[str, Any]) -> "Words":
        return Words(
            tuple(tuple(e) for e in vocabulary["budget_columns"]),
            tuple(tuple(e) for e in vocabulary["fund_sources"]),
            dict(vocabulary["level1_forms"]),
            tuple(tuple(e) for e in vocabulary["level2"]),
            tuple(vocabulary["target_words"]),
            {k: tuple(v) for k, v in vocabulary["indicator_columns"].items()},
            frozenset(vocabulary["total_rows"]) | frozenset(vocabulary["score_rows"]),
            frozenset(vocabulary["score_rows"]),
        )


WORDS = Words.of(project_report_vocabulary())


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
    indicators = _parse_indicators(tables, missed, words)
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


def _block(tables: list, is_header) -> list[Row] | None:
    """The rows of a block of a table, from its header row to the table's end."""
    for _, rows in tables:
        for i, row in enumerate(rows):
            if is_header(row):
                return rows[i:]
    return None


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
    rows = _block(tables, _is_funds_header)
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
            if _indicator_header(row):
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


def _indicator_header(row: Row) -> bool:
    """The header of an indicator block: levels, and target or actual columns (the common-indicator
    scoring table of some reports has levels but no targets; it is another form)."""
    joined = "".join(row.cells)
    return "一级指标" in joined and "二级指标" in joined and bool(re.search(r"指标值|年度指标|年初指标|实际完成|实际值", joined))


def _level2(cell: str, words: Words = WORDS) -> tuple[str, str] | None:
    for prefix, name, level1 in words.level2:
        if cell.startswith(prefix) and len(cell) <= len(name) + 2:
            return name, level1
    return None


def _level1(cell: str, words: Words = WORDS) -> tuple[str, Decimal | None] | None:
    """A level-1 heading and the points it states: `产出指标(50分)` -> (产出指标, 50)."""
    match = re.fullmatch(r"(.+?)\((\d+(?:\.\d+)?)分\)", cell)
    core, points = (match.group(1), Decimal(match.group(2))) if match else (cell, None)
    name = words.level1_forms.get(core)
    return (name, points) if name else None


def _is_fragment(cell: str) -> bool:
    return len(cell) <= 4 and set(cell) <= _FRAGMENT_CHARS


def _looks_like_target(cell: str) -> bool:
    target = parse_target(cell)
    return target.quantitative and (cell[0] in "=≥≤<>" or cell.endswith("%"))


_SUB_HEADER = re.compile(r"年初指标|调整后指标|年度指标值")
_FRAME_WORDS = ("绩效目标", "绩效指标", "绩效目标及指标")


def _is_sub_header(row: Row) -> bool:
    """A second header row (年初指标值 | 调整后指标值 under a merged 年度指标值)."""
    return bool(_SUB_HEADER.search("".join(row.cells))) and not any(try_decimal(c) is not None for c in row.cells)


def _is_total_row(row: Row, labels: frozenset[str]) -> bool:
    """Whether a row is a total row (总分, 合计: `labels`) whatever cell its label or grade sits in:
    a cell before any number holds one of the labels."""
    for _, cell in row.filled:
        if try_decimal(cell) is not None:
            return False
        if cell in labels or _PARENTHESIS.sub("", cell) in labels:  # 总分（100分）
            return True
    return False


_PARENTHESIS = re.compile(r"[(（].*$")


@dataclass
class _Levels:
    """The level 1 and level 2 an indicator row stands under, carried down the table."""

    level1: str | None = None
    level2: str | None = None
    points: dict[str, Decimal] | None = None


def _parse_indicators(tables: list, missed: list[str], words: Words) -> list[IndicatorLine]:
    rows = _block(tables, _indicator_header)
    if rows is None:
        return []
    header = [rows[0]]
    while len(rows) > len(header) and _is_sub_header(rows[len(header)]):
        header.append(rows[len(header)])
    paths = header_paths([r.cells for r in header], max(len(r.cells) for r in header))
    name_col = next((c for c, path in enumerate(paths) if any("三级指标" in w or "指标名称" in w for w in path)), None)
    # Some forms (department evaluation reports) print targets and actuals without points.
    has_points = any(re.search(r"分值|权重|得分", w) for path in paths for w in path)
    columns = field_columns(paths, words.indicator_columns)
    out: list[IndicatorLine] = []
    levels = _Levels(points={})
    for row in rows[len(header):]:
        if not any(row.cells) or _is_sub_header(row):
            continue
        if _is_total_row(row, words.total_rows):
            break
        pos, rest = _read_levels(row, name_col, levels, words)
        name = name_at = None
        if rest and not _looks_like_target(rest[0][1]) and (len(rest) >= 4 or not _is_target_word(rest[0][1], words)):
            (name_at, name), rest = rest[0], rest[1:]
        if name:
            name = re.sub(r"^指标\d+[:：]", "", name) or None
        texts = [c for _, c in rest]
        points = levels.points.get(levels.level1)
        if not has_points:
            if texts or name:
                target, actual = (texts + [None, None])[:2]
                out.append(_indicator(row, len(out) + 1, levels, name, (target, actual, None, None, None), points))
            continue
        # by the header where the row stands under it cell for cell; else by where the cells stand
        aligned = name_at is not None and name_at == name_col and len(row.cells) == len(header[0].cells)
        values = (_values_by_header(row, columns) if aligned else None) or _indicator_values(texts)
        if values is not None:
            out.append(_indicator(row, len(out) + 1, levels, name, values, points))
        elif name and not rest and out and name_col is not None and len(name) <= 3 and row.filled[pos][0] == name_col:
            # A row broken off the one above by a page break: a name fragment continues that name.
            out[-1] = replace(out[-1], indicator_name=(out[-1].indicator_name or "") + name)
        elif name and not _is_fragment(name):
            out.append(_indicator(row, len(out) + 1, levels, name, (None,) * 5, points))
            missed.append(f"line {row.line_no}: indicator '{name}' has no values")
    return out


def _read_levels(row: Row, name_col: int | None, levels: _Levels, words: Words) -> tuple[int, list[tuple[int, str]]]:
    """Read the level words a row opens with into `levels`; the position of its first other cell,
    and the cells from there."""
    cells = row.filled
    pos = 0
    row_level1 = row_level2 = None
    consumed_level2_cell = None
    level2_before: str | None = None  # the row's level 2 before the last level-2 word
    while pos < len(cells):
        col, cell = cells[pos]
        if cell in _FRAME_WORDS:
            pos += 1
            continue
        l1 = _level1(cell, words)
        l2 = _level2(cell, words)
        if l1 and not (row_level1 and l2):  # a second heading word in the row is the level 2
            row_level1 = l1[0]
            if l1[1] is not None:
                levels.points[l1[0]] = l1[1]
        elif l2:
            # The level-2 word fixes its level-1 parent; level-1 cells are often broken fragments.
            level2_before = row_level2
            row_level2, row_level1 = l2[0], l2[1]
            consumed_level2_cell = (col, cell)
        elif not (name_col is not None and col < name_col and (_is_fragment(cell) or len(cell) <= 2)):
            break
        pos += 1
    rest = cells[pos:]
    if rest and consumed_level2_cell and _looks_like_target(rest[0][1]):
        # The "level-2" cell stood in the name column: it is the indicator's name.
        rest = [consumed_level2_cell] + rest
        row_level2 = level2_before
    if row_level1 and row_level1 != levels.level1:
        levels.level1, levels.level2 = row_level1, None
    if row_level2:
        levels.level2 = row_level2
        levels.level1 = row_level1 or levels.level1
    if levels.level1 == "满意度指标" and levels.level2 is None:
        levels.level2 = "服务对象满意度"
    return pos, rest


def _values_by_header(row: Row, columns: dict[str, list[int]]):
    """(target, actual, weight, score, reason) read under their headers, for a row that stands
    under the header cell for cell (its name under 三级指标); None when the header names no target,
    actual or weight, or the weight is no number."""
    if not {"target", "actual", "weight"} <= columns.keys():
        return None
    def cell(field: str) -> str | None:
        """The field's first filled cell among its columns."""
        return next((row.cells[c] for c in columns.get(field, ()) if row.cells[c]), None)

    weight = try_decimal(cell("weight"))
    if weight is None:
        return None

    score = try_decimal(cell("score")) if cell("score") else None
    return cell("target"), cell("actual"), weight, score, cell("reason")


def _operator_led(cell: str) -> bool:
    return parse_target(cell).quantitative and (cell[0] in "=≥≤<>" or cell.startswith(("不低于", "不少于", "不高于", "不超过")))


def _indicator_values(texts: list[str]):
    """(target, actual, weight, score, reason) from the cells after the indicator name.

    The target comes first (an operator-led expression may follow a stray copy of the name), the
    actual value stands right before the weight, the score right after it; extraction sometimes
    repeats the score in a trailing cell or leaves it out.
    """
    t = next((i for i, c in enumerate(texts[:2]) if _operator_led(c)), 0)
    w = next((i for i in range(t + 2, len(texts)) if try_decimal(texts[i]) is not None), None)
    if w is None:
        return None
    score = try_decimal(texts[w + 1]) if w + 1 < len(texts) else None
    reason = next((c for c in texts[w + 1 :] if try_decimal(c) is None), None)
    return texts[w - 2], texts[w - 1], try_decimal(texts[w]), score, reason


def _is_target_word(cell: str, words: Words) -> bool:
    return any(w in cell for w in words.target_words) or parse_target(cell).quantitative


def _indicator(row: Row, seq: int, levels: _Levels, name, values, level1_points) -> IndicatorLine:
    """An indicator row; `values` are its (target, actual, weight, score, deviation reason)."""
    target_text, actual_text, weight, score, reason = values
    level1, level2 = levels.level1, levels.level2
    target = parse_target(target_text)
    operator = target.operator
    if operator == "=" and target_text and squash(target_text)[:1].isdigit():
        # A bare target ("99%", "11个市") is a level to reach; for a cost, a ceiling.
        operator = "<=" if level2 == "成本指标" else ">="
    actual_value, actual_unit = parse_actual(actual_text)
    return IndicatorLine(
        line_no=row.line_no,
        seq=seq,
        level1=level1,
        level1_points=level1_points,
        level2=level2,
        indicator_name=name,
        target_text=target_text,
        target_operator=operator,
        target_value=target.value,
        target_value_high=target.value_high,
        target_unit=target.unit,
        actual_text=actual_text,
        actual_value=actual_value,
        actual_unit=actual_unit,
        weight=weight,
        score_reported=score,
        deviation_reason=reason,
    )


# ---------------------------------------------------------------------------------------------
# Stated result

# compiled once: every line of a report's closing section is tried against them
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
            if _is_total_row(row, words.score_rows):
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
