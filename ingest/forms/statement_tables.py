"""The standard tables of a department's publication (部门决算 or 部门预算) read from the document
model: every table found by what its title means, its columns by what their headers mean, every
amount with its page and row. What the tables are called, and what their headers mean, is the
vocabulary of the document kind (`ingest/vocabulary`); this module is the same for every kind.

A table's title is the text printed just above it (or in its first row); its unit the `单位：` line
there. Header rows run down to the first row with an amount; each column's header path is the
words above it, top to bottom. Columns headed 类 / 款 / 项 (or 科目编码) hold a code, in one column
or three, joined into one; 科目名称 / 项目 columns hold the row's label; a label column after an
amount column starts another side of a two-sided table (收入 | 支出, or the basic-expenditure
table's two lists). The printed header paths become the column labels the rules read through the
vocabulary's `columns` section.
"""
from __future__ import annotations

import re
from collections.abc import Callable
from dataclasses import dataclass, replace
from typing import Any

from ingest.parsers.headers import extend_paths, header_paths
from ingest.model import Document, Paragraph, Table
from ingest.normalise import SUBJECT_CODE, is_column_numbers, plain, to_yuan, try_decimal, unit_from_header
from ingest.parsers.narrative import extract_facts
from ingest.records import NarrativeFact, Statements, StatementLine, StatementTable
from ingest.vocabulary import TableKind, count_unit, missing_tables, table_kinds

_GLUED_CODE = re.compile(r"^(\d{3}(?:\d{2}){0,2})\s*(\D.*)$")


def title_code(text: str, kinds: tuple[TableKind, ...]) -> TableKind | None:
    said = flat(text)
    for kind in kinds:
        if any(phrase in said for phrase in kind.titles):
            return kind
    return None


def flat(text: str) -> str:
    """A cell or caption as the vocabulary compares it: no spaces, no emphasis markup, one kind of quote."""
    return plain(text).replace('"', "“")


def read_statements(document: Document, vocabulary: dict[str, Any], unit_hint: str | None = None,
                    line_offset: int = 0, facts_from_all: bool = False,
                    extract: Callable[[list[str], int], tuple[NarrativeFact, ...]] = extract_facts) -> Statements:
    """Every standard table `vocabulary` names, its amounts, and the figures `extract` finds in the
    prose; line numbers `line_offset` on from the document's own (a report inside a larger file).
    The figures are read from the paragraphs after the last table (a final accounts' 情况说明), or
    with `facts_from_all` from every paragraph (a budget's 预算编制说明 comes before its tables, or
    alone in a file)."""
    kinds = table_kinds(vocabulary)
    tables: list[StatementTable] = []
    lines: list[StatementLine] = []
    last_table_block = None
    blocks = list(document.blocks())
    for n, block, caption, kind, skip in standard_tables(blocks, kinds):
        last_table_block = n
        after = " ".join(b.text for b in blocks[n + 1:n + 8] if isinstance(b, Paragraph) and b.text.strip())
        unit = unit_from_header(caption) or unit_hint or "万元"
        first_line = document.line_of(block) + line_offset
        # a PDF's rulings give every merged cell its span; a grid copied from text may not have them
        cells = read_table(block, kind, unit, first_line, vocabulary, skip, fill_gaps=not document.has_positions,
                           line_offset=line_offset)
        # 此表为空 under the table, or in its own body (a row that says it)
        inside = " ".join(dict.fromkeys(flat(c) for row in block.grid for c in row if c))
        empty = any(word in flat(after) or word in inside for word in vocabulary["empty_statements"])
        tables.append(StatementTable(
            table_code=kind.code, title=_title(caption, kind), line_no=first_line + 1, unit=unit,
            is_empty=empty and not cells, row_count=block.n_rows, page=block.page,
        ))
        lines.extend(cells)
    facts: tuple[NarrativeFact, ...] = ()
    if facts_from_all:
        facts = _narrative(document, blocks, line_offset, extract)
    elif last_table_block is not None:
        facts = _narrative(document, blocks[last_table_block + 1:], line_offset, extract)
    return Statements(tuple(tables), tuple(lines), facts, missing_tables({t.table_code for t in tables}, vocabulary))


def standard_tables(blocks: list, kinds: tuple[TableKind, ...]):
    """(index, table, caption, kind) of each standard table among `blocks`, the first of each kind."""
    seen: set[str] = set()
    before: list[Paragraph] = []
    for n, block in enumerate(blocks):
        if isinstance(block, Paragraph):
            if block.text.strip():
                before.append(block)
            continue
        caption, kind, skip = _caption(before, block, kinds)
        before = []
        if kind is not None and kind.code not in seen:
            seen.add(kind.code)
            yield n, block, caption, kind, skip


def holds_table(document: Document, vocabulary: dict[str, Any], word: str) -> bool:
    """Whether a document holds one of the vocabulary's tables whose caption says `word` (决算,
    预算), even one alone: a file with only the 三公 table is that table of its department's
    publication."""
    kinds = table_kinds(vocabulary)
    return any(word in flat(caption) for _, _, caption, _, _ in standard_tables(list(document.blocks()), kinds))


def _caption(before: list[Paragraph], table: Table, kinds: tuple[TableKind, ...]) -> tuple[str, TableKind | None, int]:
    """The text printed above a table, from its title down (at most eight lines up, and never past
    the table before it) and the caption rows that open the grid itself (a spreadsheet's merged
    title and unit rows); the kind of table the title names; how many rows the caption takes."""
    skip = caption_rows(table, kinds)
    in_grid = [" ".join(t for t in dict.fromkeys(table.grid[r]) if t) for r in range(skip)]
    near = before[-8:]
    for k in range(len(near) - 1, -1, -1):
        kind = title_code(near[k].text, kinds)
        if kind is not None:
            return " ".join([p.text for p in near[k:]] + in_grid), kind, skip
    caption = " ".join([p.text for p in near] + in_grid)
    if skip:  # the title inside the grid: its rows first, then the short lines above (a unit line), not prose
        lines_above = [p.text for p in near if len(flat(p.text)) <= 40]
        return " ".join(in_grid + lines_above), title_code(" ".join(in_grid), kinds), skip
    first_row = " ".join(dict.fromkeys(table.grid[0])) if table.n_rows else ""
    return caption + " " + first_row, title_code(first_row, kinds), 0


# what a caption line says besides the title: the unit, the department, the year, the number
_CAPTION_TEXT = re.compile(r"单位[:：]|编制单位|编制部门|部门名称|^部门[:：]|填报单位|年度$|^公开\d+表?$|^表[一二三四五六七八九十]+$")


def caption_rows(table: Table, kinds: tuple[TableKind, ...]) -> int:
    """How many of a table's first rows are caption (title, unit, department, number), printed
    inside the grid as a spreadsheet does, not header."""
    count = 0
    for row in table.grid:
        texts = [t for t in dict.fromkeys(flat(c) for c in row) if t]
        if not texts and count == 0 and table.n_rows > 1:
            count += 1  # a blank row above the caption
            continue
        if not texts or len(texts) > 3 or any(try_decimal(t) is not None for t in texts):
            break
        said = [bool(title_code(t, kinds) or unit_from_header(t) or _CAPTION_TEXT.search(t)) for t in texts]
        # every cell says what a caption says, or a `部门名称：` cell has the name printed beside it
        if not (all(said) or any(_CAPTION_TEXT.search(t) for t in texts) and sum(not s for s in said) == 1):
            break
        count += 1
    return count


def _title(caption: str, kind: TableKind) -> str:
    """The title as printed: the caption line that names the table."""
    for part in caption.split(" "):
        if any(phrase in flat(part) for phrase in kind.titles):
            return flat(part)
    return kind.name


@dataclass
class _Side:
    code_columns: list[int]
    name_column: int | None
    row_no_column: int | None
    value_columns: list[int]


def read_table(table: Table, kind: TableKind, unit: str, first_line: int, vocabulary: dict[str, Any],
               skip: int = 0, fill_gaps: bool = False, line_offset: int = 0) -> list[StatementLine]:
    """The amounts of one table, its first `skip` rows (caption rows) left out; `fill_gaps` for a
    grid whose header may have lost its merged cells' spans."""
    grid = [[flat(c) for c in row] if r >= skip else [""] * table.n_cols for r, row in enumerate(table.grid)]
    words = vocabulary["label_columns"]
    sectioned = kind.code in vocabulary["sectioned_tables"]
    section = None
    if sectioned and skip < len(grid) and _heading(grid[skip], words):
        section, grid[skip] = _heading(grid[skip], words), [""] * table.n_cols  # the table opens with a heading
    header_end = _header_end(grid, table.n_cols, words)
    paths = header_paths(grid[:header_end], table.n_cols, fill_gaps)
    body = [list(row) for row in grid[header_end:]]
    if body:
        # header words printed in the first amount row (类 | 款 | 项 | 合计 | 2,946.25 …)
        for c, text in enumerate(body[0]):
            if text in words["code_parts"] and text not in paths[c]:
                paths[c].append(text)
                body[0][c] = ""
    sides = _sides(paths, words)
    _read_merged_amounts_once(table, body, header_end, sides)
    labels = [_column_label(kind.code, p, vocabulary) for p in paths]
    # the printed column numbers (栏次 1 2 3 …), where the header has a row of them
    numbers_row = next((row for row in grid[:header_end] if is_column_numbers(row)), [])
    column_numbers = {c: text for c, text in enumerate(numbers_row) if text and try_decimal(text) is not None}
    header_words = {w for path in paths for w in path}
    out: list[StatementLine] = []
    for offset, row in enumerate(body):
        r = header_end + offset
        if is_column_numbers(row):
            continue
        if sectioned:
            if _heading(row, words):
                section = _heading(row, words)  # 二、机关运行经费: the rows below are its own
                continue
            if all(text in header_words for text in row if text):
                continue  # the header printed again under a heading
        line_no = (table.row_lines[r] + line_offset if table.row_lines else first_line + r) + 1
        for side in sides:
            seen: set[tuple[str, object]] = set()
            for line in _side_amounts(table, kind, row, r, line_no, side, labels, unit, vocabulary, section, column_numbers):
                # one merged cell cut into slivers under the same header reads once
                if (line.column_label, line.amount) not in seen:
                    seen.add((line.column_label, line.amount))
                    out.append(line)
    return out


def _read_merged_amounts_once(table: Table, body: list[list[str]], header_end: int, sides: list[_Side]) -> None:
    """An amount printed once in a cell merged over several rows is read once. Where the rows it
    spans hold a label cut in two by a ruling (三、单位预留机动经 | 费), the lower part joins the
    label above it."""
    owner = {(r, c): cell for cell in table.cells if cell.rowspan > 1
             for r in range(cell.row, cell.row + cell.rowspan) for c in range(cell.col, cell.col + cell.colspan)}
    if not owner:
        return
    for offset in range(1, len(body)):
        r, row, above = header_end + offset, body[offset], body[offset - 1]
        for side in sides:
            merged = [c for c in side.value_columns if row[c] and owner.get((r, c)) is not None
                      and owner.get((r, c)) is owner.get((r - 1, c))]
            if not merged:
                continue
            for c in merged:
                row[c] = ""
            name = side.name_column
            if (name is not None and row[name] and not any(row[c] for c in side.value_columns)
                    and (owner.get((r, name)) is None or owner.get((r, name)) is not owner.get((r - 1, name)))):
                above[name], row[name] = above[name] + row[name], ""


_LIST_NUMBER = re.compile(r"^(?:[一二三四五六七八九十]+、|[(（][一二三四五六七八九十\d]+[)）]|\d+[.、])")


def row_key(label: str, vocabulary: dict[str, Any]) -> str | None:
    """What a row means, where the vocabulary names it (`rows`): 当年收入小计 and 本年收入合计 are
    both the year's income total; the list number a label is printed with (一、 1.) aside."""
    bare = _LIST_NUMBER.sub("", label)
    for key, labels in vocabulary.get("rows", {}).items():
        if bare in labels:
            return key
    return None


def _heading(row: list[str], words: dict[str, list[str]]) -> str | None:
    """A row that holds one label and nothing else, in a table of several parts (一、政府采购情况)."""
    texts = [t for t in dict.fromkeys(row) if t]
    if len(row) > 2 and len(texts) == 1 and try_decimal(texts[0]) is None and texts[0] not in words["total_rows"]:
        return texts[0]
    return None


def _role(path: list[str], words: dict[str, list[str]]) -> str:
    if not path:
        return "value"
    last = path[-1]
    if last in words["row_no"]:
        return "row_no"
    if last in words["name"] or last.endswith("名称"):
        return "name"  # 科目名称, or 科目编码及名称 whose cells carry the code before the name
    if last in words["code"] or any(w in last for w in ("编码", "代码")):
        return "code"
    return "value"


def _sides(paths: list[list[str]], words: dict[str, list[str]]) -> list[_Side]:
    sides: list[_Side] = []
    current: _Side | None = None
    headed = any(paths)
    for c, path in enumerate(paths):
        if headed and not path:
            continue  # no header over it: a sliver of a merged cell whose words another column holds
        role = _role(path, words)
        if role in ("code", "name") and (current is None or current.value_columns):
            current = _Side([], None, None, [])
            sides.append(current)
        if current is None:
            current = _Side([], None, None, [])
            sides.append(current)
        if role == "code":
            current.code_columns.append(c)
        elif role == "name":
            current.name_column = c if current.name_column is None else current.name_column
        elif role == "row_no":
            current.row_no_column = c
        else:
            current.value_columns.append(c)
    return sides


def _column_label(code: str, path: list[str], vocabulary: dict[str, Any]) -> str:
    rules = vocabulary.get("columns", {}).get(code, {})
    printed = "/".join(path)
    if printed in rules.get("printed", {}):  # a whole printed path that means one column
        return rules["printed"][printed]
    drop = set(rules.get("drop", []))
    words = rules.get("words", {})
    parts = [words.get(p, p) for p in path if p not in drop]
    first = [p for p in parts if p in rules.get("first", [])]
    parts = first + [p for p in parts if p not in first]
    joined = "/".join(parts)
    return rules.get("paths", {}).get(joined, joined)


def _side_amounts(table: Table, kind: TableKind, row: list[str], r: int, line_no: int, side: _Side,
                  labels: list[str], unit: str, vocabulary: dict[str, Any], section: str | None = None,
                  column_numbers: dict[int, str] | None = None) -> list[StatementLine]:
    code_parts = [row[c] for c in side.code_columns if row[c]]
    name = row[side.name_column] if side.name_column is not None else ""
    subject_code = None
    if code_parts and all(p.isdigit() for p in code_parts):
        joined = "".join(code_parts)
        subject_code = joined if SUBJECT_CODE.match(joined) else None
    glued = _GLUED_CODE.match(name) if name else None
    if subject_code is None and glued:
        subject_code, name = glued.group(1), glued.group(2).strip()
    if not name and code_parts and subject_code is None:
        name = code_parts[0]  # a 合计 row merged over the code columns
    row_label = name or subject_code or ""
    amounts = [(c, try_decimal(row[c])) for c in side.value_columns]
    amounts = [(c, a) for c, a in amounts if a is not None]
    if not amounts:
        return []
    if not row_label:
        if side.code_columns or side.name_column is not None:
            return []  # amounts beside an empty label (a 合计 printed on the other side)
        row_label = section or kind.name  # a table without labels (三公) labels its row with its title
    is_count = count_unit(row_label, vocabulary) or any(w in (section or "") for w in vocabulary["count_sections"])
    printed_row = row[side.row_no_column] if side.row_no_column is not None else None
    page = table.page_of_row(r)
    key = None if subject_code else row_key(row_label, vocabulary)
    return [
        StatementLine(
            line_no=line_no, table_code=kind.code, section=section, row_label=row_label, row_no=printed_row or None,
            subject_code=subject_code, subject_name=name if subject_code else None, column_label=labels[c],
            column_no=(column_numbers or {}).get(c), amount=amount, unit="count" if is_count else unit,
            amount_yuan=None if is_count else to_yuan(amount, unit), page=page, table_row=r + 1,
            row_key=key, ocr_confidence=_confidence(table, r, [c, *side.code_columns]),
        )
        for c, amount in amounts
    ]


def _confidence(table: Table, r: int, columns: list[int]) -> float | None:
    """How sure OCR was of an amount and of the code it is filed under: the least of the two."""
    if table.confidences is None or r >= table.n_rows:
        return None
    return min((v for c in columns if (v := table.confidences[r][c]) is not None), default=None)


def _header_end(grid: list[list[str]], width: int, words: dict[str, list[str]]) -> int:
    """The first body row: a total row (合计), or a row with an amount under a column whose header
    names no code or row number, or with a code under a code column (a row left blank, as in a
    template or a year with nothing spent, is still a row). A row of column numbers, 栏次 or
    1 2 3 …, is still header."""
    paths: list[list[str]] = [[] for _ in range(width)]  # the header above the row looked at
    for r, row in enumerate(grid):
        if is_column_numbers(row):
            continue
        first = next((c for c, text in enumerate(row) if text), None)
        if r and first is not None and row[first] in words["total_rows"] and _role(paths[first], words) in ("code", "name"):
            return r
        for c, text in enumerate(row):
            if text and try_decimal(text) is not None:
                role = _role(paths[c], words)
                if role == "value" or (role == "code" and SUBJECT_CODE.match(text)):
                    return r
        extend_paths(paths, row)
    return len(grid)


def _narrative(document: Document, blocks, line_offset: int, extract) -> tuple[NarrativeFact, ...]:
    """The figures the paragraphs among `blocks` state, with their pages."""
    facts = []
    for block in blocks:
        if isinstance(block, Paragraph):
            for fact in extract([block.text], document.line_of(block) + line_offset + 1):
                facts.append(replace(fact, page=block.page))
    return tuple(facts)
