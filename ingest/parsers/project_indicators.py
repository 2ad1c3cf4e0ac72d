"""The indicator block of a project self-evaluation form: 一级/二级/三级 indicators with their
targets, actual values, weights and scores, read under the columns their headers name, or by the
order of their values where extraction shifted the cells."""
from __future__ import annotations

import re
from dataclasses import dataclass, replace
from decimal import Decimal

from ingest.normalise import squash, try_decimal
from ingest.parsers.headers import field_columns, header_paths
from ingest.parsers.project_words import _FRAGMENT_CHARS, WORDS, Words
from ingest.parsers.tables import Row, block_from
from ingest.records import IndicatorLine
from ingest.targets import parse_actual, parse_target


def is_indicator_header(row: Row) -> bool:
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


def is_total_row(row: Row, labels: frozenset[str]) -> bool:
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


def parse_indicators(tables: list, missed: list[str], words: Words) -> list[IndicatorLine]:
    rows = block_from(tables, is_indicator_header)
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
        if is_total_row(row, words.total_rows):
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
        ocr_confidence=row.confidence,
    )


# ---------------------------------------------------------------------------------------------
# Stated result

# compiled once: every line of a report's closing section is tried against them
