"""Department final accounts (部门决算): every cell of every standard table, and the stated figures.

Tables are found by their 公开NN markers (or, where extraction lost a marker, by the note under the
table), columns by their header paths (merged header cells reach right), and each table is split
into its sides (收入 | 支出; the four code/name/amount groups of the basic-expenditure table).
"""
from __future__ import annotations

import re
from dataclasses import dataclass

from ingest.normalise import NULL_MARKERS, SUBJECT_CODE, is_column_numbers, plain, squash, to_yuan, try_decimal, unit_from_header
from ingest.parsers.narrative import extract_facts
from ingest.parsers.tables import split_row
from ingest.records import FinalAccountLine, FinalAccountTable, FinalAccounts
from ingest.vocabulary import count_unit, missing_tables, table_kinds, table_name
from ingest.vocabulary import final_accounts as final_accounts_vocabulary

PARSER_NAME = "final_accounts_v2"

# Standard table titles -> table number, from the vocabulary; the most specific first.
_VOCABULARY = final_accounts_vocabulary()
_KINDS = table_kinds(_VOCABULARY)
STANDARD_TABLES = tuple((phrase, kind.code) for kind in _KINDS for phrase in kind.titles)
_MARKER = re.compile(r"^公开(\d{1,2})(表)?$")


def table_code_for(text: str) -> str | None:
    flat = squash(text)
    for keyword, code in STANDARD_TABLES:
        if keyword in flat:
            return code
    return None


def parse_final_accounts(lines: list[str], first_line_no: int = 1, unit_hint: str | None = None) -> FinalAccounts:
    tables: list[FinalAccountTable] = []
    out_lines: list[FinalAccountLine] = []
    for block in _blocks(lines):
        table, cells = _parse_block(lines, block, first_line_no, unit_hint)
        tables.append(table)
        out_lines.extend(cells)
    narrative_start = next(
        (i for i, line in enumerate(lines) if i > 60 and "明" in line and plain(line).endswith("情况说明")),
        None,
    )
    facts = extract_facts(lines[narrative_start:], first_line_no + narrative_start) if narrative_start else ()
    missed = missing_tables({t.table_code for t in tables}, _VOCABULARY)
    return FinalAccounts(tuple(tables), tuple(out_lines), tuple(facts), missed)


@dataclass
class _Block:
    code: str | None
    title: str
    marker_index: int
    rows: list[tuple[int, tuple[str, ...]]]  # (index in lines, cells)
    tail: list[str]  # prose right after the rows (notes, 本表无数据)


def _blocks(lines: list[str]) -> list[_Block]:
    """Tables in order: a 公开NN marker, its caption lines, its rows; a header that restarts after
    data rows (a table whose marker extraction lost) becomes a block of its own."""
    blocks: list[_Block] = []
    title = ""
    i = 0
    while i < len(lines):
        flat = plain(lines[i])
        if split_row(lines[i]) is None and flat.endswith("表") and len(flat) <= 30 and not _MARKER.match(flat):
            title = flat
        marker = _MARKER.match(flat)
        if marker:
            code = f"{int(marker.group(1)):02d}"
            j = i + 1
            while j < len(lines) and split_row(lines[j]) is None:
                j += 1
            rows, end = _collect_rows(lines, j)
            end = max(end, i + 1)
            # a marker with no rows is still a table that was published (its note says why)
            for part in _split_restarts(rows) or [[]]:
                blocks.append(_Block(code, title, i, part, []))
                code = None  # a restarted part is identified by its note below
            blocks[-1].tail = _tail(lines, end)
            if blocks[-1].code is None:
                blocks[-1].code = table_code_for(" ".join(blocks[-1].tail))
            i = end
            continue
        i += 1
    return blocks


def _collect_rows(lines: list[str], start: int) -> tuple[list[tuple[int, tuple[str, ...]]], int]:
    rows = []
    i = start
    while i < len(lines):
        cells = split_row(lines[i])
        if cells is not None:
            rows.append((i, cells))  # split_row has already dropped the <b> tags
        elif lines[i].strip() and lines[i].strip() not in {"---", "***"}:
            break
        i += 1
    return rows, i


def _split_restarts(rows):
    """Rows of a table, cut where a 栏次 row follows data rows: the next table's header."""
    parts, current, seen_data = [], [], False
    for index, cells in rows:
        first = next((c for c in cells if c), "")
        if first == "栏次" and seen_data:
            # the header rows of the next table stand just above its 栏次 row; here none survive
            parts.append(current)
            current, seen_data = [], False
        current.append((index, cells))
        if first != "栏次" and any(try_decimal(c) is not None for c in cells) and _has_label(cells):
            seen_data = True
    parts.append(current)
    return [p for p in parts if p]


def _has_label(cells) -> bool:
    return any(c and try_decimal(c) is None and c not in NULL_MARKERS for c in cells)


def _tail(lines: list[str], start: int) -> list[str]:
    out = []
    for line in lines[start : start + 8]:
        flat = squash(line)
        if flat.startswith(("#", "公开")) or (flat.endswith("表") and len(flat) <= 30):
            break
        if flat:
            out.append(flat)
    return out


def _parse_block(lines, block: _Block, first_line_no: int, unit_hint):
    caption = " ".join(lines[block.marker_index : block.rows[0][0]] if block.rows else []) + " " + " ".join(block.tail)
    unit = unit_from_header(caption) or unit_hint or "万元"
    empty = any("无数据" in t for t in block.tail)
    rows = block.rows
    section = None
    first = [c for c in rows[0][1] if c] if rows else []
    if len(first) == 1 and len(rows[0][1]) > 2 and try_decimal(first[0]) is None:
        section, rows = first[0], rows[1:]  # the table opens with a section heading (一、政府采购情况)
    header, body, column_numbers = _split_header(rows)
    labels = _column_labels(header)
    sides = _sides(labels)
    cells: list[FinalAccountLine] = []
    for index, row in body:
        filled = [c for c in row if c]
        if len(filled) == 1 and try_decimal(filled[0]) is None and len(row) > 2:
            section = filled[0]  # a heading row inside the table (一、政府采购情况)
            continue
        for side in sides:
            cells.extend(_side_cells(block, row, index + first_line_no, side, labels, column_numbers, unit, section))
    table = FinalAccountTable(
        table_code=block.code or "",
        title=block.title if block.code and table_code_for(block.title) == block.code else table_name(_KINDS, block.code),
        line_no=first_line_no + block.marker_index,
        unit=unit,
        is_empty=empty and not cells,
        row_count=len(body),
    )
    return table, cells


def _split_header(rows):
    """Header rows end at the 栏次 row (or a bare 1, 2, 3… column-number row); without one, at the
    first row holding a label and an amount. Returns header rows, body rows, column numbers."""
    for k, (_, cells) in enumerate(rows):
        if is_column_numbers(cells):
            numbers = {i: c for i, c in enumerate(cells) if try_decimal(c) is not None}
            return [c for _, c in rows[:k]], rows[k + 1 :], numbers
    for k, (_, cells) in enumerate(rows):
        if any(try_decimal(c) is not None for c in cells) and _has_label(cells):
            return [c for _, c in rows[:k]], rows[k:], {}
    return [c for _, c in rows], [], {}


def _column_labels(header: list[tuple[str, ...]]) -> list[str]:
    """Each column's header path, top to bottom. A label reaches right over empty cells that sit
    under the same parent (a merged cell); the first row's labels reach right freely."""
    width = max((len(r) for r in header), default=0)
    paths: list[list[str]] = [[] for _ in range(width)]
    for row in header:
        parents = [tuple(p) for p in paths]
        carried, carried_parent = "", None
        for col in range(width):
            cell = row[col] if col < len(row) else ""
            if cell:
                carried, carried_parent = cell, parents[col]
                label = cell
            elif carried and parents[col] == carried_parent:
                label = carried
            else:
                label, carried = "", ""
            if label and label not in paths[col]:
                paths[col].append(label)
    return ["/".join(p) for p in paths]


def _sides(labels: list[str]) -> list[dict]:
    """Groups of columns: each starts at a label column (项目, 科目代码) and holds its values."""
    starts = [i for i, l in enumerate(labels) if l.split("/")[-1] in ("项目", "科目代码") or l.endswith("/项目")]
    if not starts:
        return [{"label": None, "code": None, "name": None, "row_no": None, "values": list(range(len(labels)))}]
    sides = []
    for n, start in enumerate(starts):
        end = starts[n + 1] if n + 1 < len(starts) else len(labels)
        columns = list(range(start, end))
        code = start if labels[start].split("/")[-1] == "科目代码" else None
        name = start + 1 if code is not None and start + 1 < end and "科目名称" in labels[start + 1] else None
        row_no = next((c for c in columns if labels[c].split("/")[-1] == "行次"), None)
        values = [c for c in columns if c not in (start, name, row_no)]
        sides.append({"label": start, "code": code, "name": name, "row_no": row_no, "values": values})
    return sides


def _side_cells(block, row, line_no, side, labels, column_numbers, unit, section):
    def cell(i):
        return row[i] if i is not None and i < len(row) else ""

    subject_code = subject_name = None
    if side["code"] is not None and SUBJECT_CODE.match(cell(side["code"])):
        subject_code, subject_name = cell(side["code"]), cell(side["name"]) or None
        row_label = subject_name or subject_code
    elif side["label"] is not None:
        row_label = cell(side["label"]) or cell(side["name"])
        if side["name"] is not None and not row_label:
            row_label = cell(side["name"])
    else:
        row_label = section or block.title or ""
    if not row_label:
        return []
    printed_row = cell(side["row_no"]) or None
    # vehicles and equipment are counted, not priced
    is_count = count_unit(row_label, _VOCABULARY) or "国有资产占用" in (section or "")
    out = []
    for col in side["values"]:
        text = cell(col)
        amount = try_decimal(text)
        if amount is None:
            continue
        out.append(
            FinalAccountLine(
                line_no=line_no,
                table_code=block.code or "",
                section=section,
                row_label=row_label,
                row_no=printed_row,
                subject_code=subject_code,
                subject_name=subject_name,
                column_label=labels[col] if col < len(labels) else "",
                column_no=column_numbers.get(col),
                amount=amount,
                unit="count" if is_count else unit,
                amount_yuan=None if is_count else to_yuan(amount, unit),
            )
        )
    return out
