"""Project self-evaluation forms: header fields, the funds block and the indicator block.

Columns are found by what their headers say, not where they stand: counties print the same form
with other column orders, merged cells and cells shifted by extraction.
"""
from __future__ import annotations

import re
from dataclasses import replace
from decimal import Decimal

from ingest.normalise import NULL_MARKERS, parse_decimal, percent_to_fraction, plain, squash, to_yuan, try_decimal, unit_from_header
from ingest.parsers.tables import Row, rows_from, split_row
from ingest.records import BudgetLine, EvaluationSummary, IndicatorLine, ProjectReport
from ingest.targets import parse_actual, parse_target
from ingest.vocabulary import load as load_vocabulary

PARSER_NAME = "project_report_v2"

# The header words, fund sources and indicator levels: ingest/vocabulary/project_report.yml.
_VOCABULARY = load_vocabulary("project_report")
_BUDGET_COLUMNS = tuple(tuple(entry) for entry in _VOCABULARY["budget_columns"])
_FUND_SOURCES = tuple(tuple(entry) for entry in _VOCABULARY["fund_sources"])
LEVEL1 = ("产出指标", "效益指标", "满意度指标", "预算执行率")
_LEVEL1_FORMS = dict(_VOCABULARY["level1_forms"])
_LEVEL2 = tuple(tuple(entry) for entry in _VOCABULARY["level2"])
_FRAGMENT_CHARS = set("产出效益满意度指标绩效目标")
_GRADES = "优良中差"


def parse_project_report(lines: list[str], first_line_no: int = 1, unit_hint: str | None = None) -> ProjectReport:
    """Parse one project's report or table from its lines; `first_line_no` is the file line of lines[0]."""
    missed: list[str] = []
    fields = _header_fields(lines)
    from ingest.parsers.narrative import evaluation_from_facts, extract_facts, funds_from_facts

    budget = _parse_budget(lines, first_line_no, unit_hint, missed)
    indicators = _parse_indicators(lines, first_line_no, missed)
    facts = extract_facts(lines, first_line_no)
    evaluation = _parse_evaluation(lines, first_line_no) or evaluation_from_facts(facts)
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


def _header_fields(lines: list[str]) -> dict[str, str]:
    found: dict[str, str] = {}
    for line in lines:
        cells = split_row(line)
        if cells is None:
            flat = plain(line)
            match = re.match(r"^(项目名称|主管部门|项目单位|实施单位)[:：](.+)$", flat)
            if match and match.group(1) not in found:
                found[match.group(1)] = match.group(2)
            continue
        filled = [c for c in cells if c]
        for i, cell in enumerate(filled):
            key = cell.rstrip(":：")
            if key in _HEADER_KEYS and key not in found and i + 1 < len(filled):
                if filled[i + 1].rstrip(":：") not in _HEADER_KEYS:
                    found[key] = filled[i + 1]
    return found


# ---------------------------------------------------------------------------------------------
# Funds block


def _budget_key(label: str) -> str | None:
    for fragment, key in _BUDGET_COLUMNS:
        if fragment in label:
            return key
    return None


def fund_source(label: str) -> str | None:
    for fragment, key in _FUND_SOURCES:
        if fragment in label:
            return key
    return None


def _parse_budget(lines: list[str], first_line_no: int, unit_hint: str | None, missed: list[str]) -> list[BudgetLine]:
    header_at = None
    for i, line in enumerate(lines):
        cells = split_row(line)
        if cells and any("全年执行" in c or "执行数" in c for c in cells) and any(
            "预算" in c for c in cells
        ):
            header_at = i
            break
    if header_at is None:
        return []
    rows = rows_from(lines, header_at, first_line_no)
    header = [rows[0]]
    body = rows[1:]
    # A second header row (目标申报 / 预算编制 under a merged 年初预算数) carries no numbers.
    while body and not any(try_decimal(c) is not None for c in body[0].cells) and not _fund_label(body[0]):
        header.append(body[0])
        body = body[1:]
    columns = _budget_columns(header)
    stated_unit = unit_from_header(" ".join("".join(r.cells) for r in header)) or unit_hint
    unit = stated_unit or "万元"
    out = []
    for row in body:
        label = _fund_label(row)
        if label is None:
            if _indicator_header(row):
                break
            continue
        source = fund_source(label[1])
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


def _budget_columns(header: list[Row]) -> list[tuple[int, str]]:
    """(column index, field) for every labelled column, in order; merged top cells pass down, and a
    header merged across columns labels each of them."""
    width = max(len(r.cells) for r in header)
    columns = []
    for col in range(width):
        labels = [r.cells[col] for r in header if col < len(r.cells) and r.cells[col]]
        key = None
        for label in reversed(labels):  # the lowest header row is the most specific
            key = _budget_key(label)
            if key:
                break
        if key:
            columns.append((col, key))
    return columns


def _fund_label(row: Row) -> tuple[int, str] | None:
    """The fund-source label of a funds row: the first label cell before any value (a merged
    "资金" cell spanning the block may stand in front of it)."""
    for i, cell in row.filled:
        if try_decimal(cell) is not None or cell in NULL_MARKERS:
            return None
        if fund_source(cell):
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


def _level2(cell: str) -> tuple[str, str] | None:
    for prefix, name, level1 in _LEVEL2:
        if cell.startswith(prefix) and len(cell) <= len(name) + 2:
            return name, level1
    return None


def _level1(cell: str) -> tuple[str, Decimal | None] | None:
    """A level-1 heading and the points it states: `产出指标(50分)` -> (产出指标, 50)."""
    match = re.fullmatch(r"(.+?)\((\d+(?:\.\d+)?)分\)", cell)
    core, points = (match.group(1), Decimal(match.group(2))) if match else (cell, None)
    name = _LEVEL1_FORMS.get(core)
    return (name, points) if name else None


def _is_fragment(cell: str) -> bool:
    return len(cell) <= 4 and set(cell) <= _FRAGMENT_CHARS


def _looks_like_target(cell: str) -> bool:
    target = parse_target(cell)
    return target.quantitative and (cell[0] in "=≥≤<>" or cell.endswith("%"))


def _parse_indicators(lines: list[str], first_line_no: int, missed: list[str]) -> list[IndicatorLine]:
    header_at = None
    for i, line in enumerate(lines):
        cells = split_row(line)
        if cells and _indicator_header(Row(0, cells)):
            header_at = i
            break
    if header_at is None:
        return []
    rows = rows_from(lines, header_at, first_line_no)
    header = rows[0]
    name_col = next((i for i, c in enumerate(header.cells) if "三级指标" in c or "指标名称" in c), None)
    # Some forms (department evaluation reports) print targets and actuals without points.
    has_points = any(re.search(r"分值|权重|得分", c) for c in header.cells)
    columns = _indicator_columns(header.cells)
    out: list[IndicatorLine] = []
    level1: str | None = None
    level2: str | None = None
    points: dict[str, Decimal] = {}
    for row in rows[1:]:
        joined = "".join(row.cells)
        if not joined or re.search(r"年初指标|调整后指标|年度指标值", joined) and not any(try_decimal(c) is not None for c in row.cells):
            continue
        if joined.startswith("总分") or re.match(r"^(合计|总计)", joined):
            break
        cells = row.filled
        pos = 0
        row_level1 = row_level2 = None
        consumed_level2_cell = None
        level2_before: str | None = None  # the row's level 2 before the last level-2 word
        while pos < len(cells):
            col, cell = cells[pos]
            if cell in ("绩效目标", "绩效指标", "绩效目标及指标"):
                pos += 1
                continue
            l1 = _level1(cell)
            l2 = _level2(cell)
            if l1 and not (row_level1 and l2):  # a second heading word in the row is the level 2
                row_level1 = l1[0]
                if l1[1] is not None:
                    points[l1[0]] = l1[1]
            elif l2:
                # The level-2 word fixes its level-1 parent; level-1 cells are often broken fragments.
                level2_before = row_level2
                row_level2, row_level1 = l2[0], l2[1]
                consumed_level2_cell = (col, cell)
            elif name_col is not None and col < name_col and (_is_fragment(cell) or len(cell) <= 2):
                pass
            else:
                break
            pos += 1
        rest = cells[pos:]
        if rest and consumed_level2_cell and _looks_like_target(rest[0][1]):
            # The "level-2" cell stood in the name column: it is the indicator's name.
            rest = [consumed_level2_cell] + rest
            row_level2 = level2_before
        if row_level1 and row_level1 != level1:
            level1, level2 = row_level1, None
        if row_level2:
            level2 = row_level2
            level1 = row_level1 or level1
        if level1 == "满意度指标" and level2 is None:
            level2 = "服务对象满意度"
        name = name_at = None
        if rest and not _looks_like_target(rest[0][1]) and (len(rest) >= 4 or not _is_target_word(rest[0][1])):
            (name_at, name), rest = rest[0], rest[1:]
        if name:
            name = re.sub(r"^指标\d+[:：]", "", name) or None
        texts = [c for _, c in rest]
        if not has_points:
            if not texts and not name:
                continue
            target, actual = (texts + [None, None])[:2]
            out.append(_indicator(row, len(out) + 1, level1, level2, name, target, actual, None, None, None, points.get(level1)))
            continue
        # by the header where the row stands under it cell for cell; else by where the cells stand
        aligned = name_at is not None and name_at == name_col and len(row.cells) == len(header.cells)
        values = (_values_by_header(row, columns) if aligned else None) or _indicator_values(texts)
        if values is None:
            # A row broken off the one above by a page break: a name fragment continues that name.
            if name and not rest and out and name_col is not None and len(name) <= 3 and cells[pos][0] == name_col:
                out[-1] = replace(out[-1], indicator_name=(out[-1].indicator_name or "") + name)
                continue
            if name and not _is_fragment(name):
                out.append(_indicator(row, len(out) + 1, level1, level2, name, None, None, None, None, None, points.get(level1)))
                missed.append(f"line {row.line_no}: indicator '{name}' has no values")
            continue
        target, actual, weight, score, reason = values
        out.append(_indicator(row, len(out) + 1, level1, level2, name, target, actual, weight, score, reason, points.get(level1)))
    return out


def _indicator_columns(header: tuple[str, ...]) -> dict[str, list[int]]:
    """The columns of the indicator block's target, actual, weight, score and deviation reason, by
    the header words (`indicator_columns` in the vocabulary), each field's in the order its words
    come: an adjusted target, where one is printed, before the year's target."""
    found: dict[str, list[int]] = {}
    for field, words in _VOCABULARY["indicator_columns"].items():
        cols = []
        for word in words:
            cols += [i for i, cell in enumerate(header) if word in cell and i not in cols]
        if cols:
            found[field] = cols
    return found


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


_TARGET_WORDS = tuple(_VOCABULARY["target_words"])


def _is_target_word(cell: str) -> bool:
    return any(w in cell for w in _TARGET_WORDS) or parse_target(cell).quantitative


def _indicator(row: Row, seq: int, level1, level2, name, target_text, actual_text, weight, score, reason, level1_points) -> IndicatorLine:
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


def _parse_evaluation(lines: list[str], first_line_no: int) -> EvaluationSummary | None:
    for offset, line in enumerate(lines):
        flat = plain(line)
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
    rows = [r for i, line in enumerate(lines) if (cells := split_row(line)) for r in [Row(first_line_no + i, cells)]]
    for row in rows:
        filled = [c for _, c in row.filled]
        if filled and filled[0] == "总分":
            numbers = [try_decimal(c) for c in filled[1:] if try_decimal(c) is not None]
            if numbers:
                return EvaluationSummary(row.line_no, numbers[-1], None, None, None)
    return None
