"""A page's words and rulings into the document model's blocks, and tables that run on across pages
joined: the part of reading a PDF that knows nothing of PDF (OCR'd words would be laid out alike).

Where rulings frame a table it is rebuilt from them (`ingest.readers.ruled_table`); where none do,
from the words' alignment (`ingest.readers.layout_table`); the rest is prose, in paragraphs. A table
that continues on the next page (same columns, no title between) is joined to it, its repeated
header dropped.
"""
from __future__ import annotations

import re
from dataclasses import replace

from ingest.model import Box, Cell, Page, Paragraph, Table
from ingest.readers.layout_table import Word, alignment_tables, text_lines
from ingest.readers.ruled_table import join_wrapped, regions, ruled_table


def layout_page(number: int, words: list[Word], horizontal, vertical, width: float, height: float) -> Page:
    """One page's blocks in reading order: ruled tables, tables read from alignment, paragraphs."""
    tables: list[tuple[Box, Table]] = []
    free = words
    for region in regions(horizontal, vertical):
        table, inside, free = ruled_table(number, region, horizontal, vertical, free)
        if table is not None:
            tables.append((table.box, table))
        else:
            free = free + inside
    lines = text_lines(free)
    aligned, prose = alignment_tables(number, lines)
    tables.extend((t.box, t) for t in aligned)
    blocks: list[tuple[float, object]] = [(box.top, table) for box, table in tables]
    blocks.extend((top, paragraph) for top, paragraph in _paragraphs(number, prose, width))
    blocks.sort(key=lambda b: b[0])
    return Page(number, tuple(b for _, b in blocks), width, height)


def _paragraphs(number: int, lines, width: float) -> list[tuple[float, Paragraph]]:
    """Prose lines joined into paragraphs: a line that runs to the right margin goes on in the next
    one, unless that one is indented (a new paragraph) or far below."""
    out: list[tuple[float, Paragraph]] = []
    if not lines:
        return out
    right = max(line.box.x1 for line in lines)
    left = min(line.box.x0 for line in lines)
    current = None
    for line in lines:
        height = max(line.box.bottom - line.box.top, 1.0)
        if current is not None:
            last = current[-1]
            # a line that fills the measure goes on; a short centred one (a title) does not
            full = last.box.x1 >= right - 1.5 * height and last.box.x1 - last.box.x0 > 0.5 * width
            close = line.box.top - last.box.bottom <= 1.2 * height
            indented = line.box.x0 > left + 1.2 * height
            if full and close and not indented and not last.gapped:
                current.append(line)
                continue
            out.append(_paragraph(number, current))
        current = [line]
    out.append(_paragraph(number, current))
    return out


def _paragraph(number: int, lines) -> tuple[float, Paragraph]:
    box = Box(min(l.box.x0 for l in lines), lines[0].box.top, max(l.box.x1 for l in lines), lines[-1].box.bottom)
    return box.top, Paragraph(join_wrapped([l.text for l in lines]), number, box)


def join_continued_tables(pages: list[Page]) -> list[Page]:
    """A table that opens a page with no title above it, under the same columns as the table that
    ended the page before, goes on that table; a header it repeats is dropped."""
    out: list[Page] = []
    # a joined table's first part, which its columns and header are compared by: a table run across
    # a thousand pages is not read through for each page it gains
    first_part: dict[int, Table] = {}
    for page in pages:
        blocks = list(page.blocks)
        previous = _last_table(out)
        lead = 0
        while lead < len(blocks) and isinstance(blocks[lead], Paragraph) and _furniture(blocks[lead].text):
            lead += 1  # a running head, a page number or 续表 above the continued rows
        columns = None
        if previous is not None and lead < len(blocks) and isinstance(blocks[lead], Table) and not _titled(blocks[lead]):
            first = first_part.get(id(previous[1]), previous[1])
            columns = _column_map(first, blocks[lead])
        if columns is not None:
            page_index, table = previous
            joined = _append(table, blocks.pop(lead), columns, first)
            first_part[id(joined)] = first
            kept = list(out[page_index].blocks)
            kept[kept.index(table)] = joined
            out[page_index] = replace(out[page_index], blocks=tuple(kept))
        out.append(replace(page, blocks=tuple(blocks)))
    return out


def _last_table(pages: list[Page]):
    """The table a page ends with (nothing but page furniture after it), if the page before has one."""
    for index in range(len(pages) - 1, -1, -1):
        blocks = pages[index].blocks
        if not blocks:
            continue  # a blank page between the two halves
        last_table = next((b for b in reversed(blocks) if isinstance(b, Table)), None)
        if last_table is None:
            return None
        after = blocks[blocks.index(last_table) + 1:]
        if any(isinstance(b, Paragraph) and not _furniture(b.text) for b in after):
            return None
        return index, last_table
    return None


def _furniture(text: str) -> bool:
    """Page numbers and running heads that stand between a table and its continuation."""
    flat = "".join(text.split())
    return not flat or bool(re.fullmatch(r"[-—第]*\d+[-—页]*|\d+/\d+|续表?.*", flat))


def _titled(table: Table) -> bool:
    """Whether a table opens with a title of its own: one text merged over every column (a table
    whose caption is printed inside its frame), which no continued table starts with."""
    if table.n_rows < 2 or table.n_cols < 2:
        return False
    first = table.grid[0]
    return bool(first[0].strip()) and len(set(first)) == 1 and not any(ch.isdigit() for ch in first[0][-3:])


def _column_map(a: Table, b: Table) -> list[int] | None:
    """The column of `a` each column of `b` continues, when `b` goes on `a`: both as wide, and every
    column of `b` starting where one of `a` does (`a` may have more: a ruling that cuts one of its
    cells in two adds a column the continued rows need not have)."""
    if a.box is None or b.box is None or b.n_cols > a.n_cols:
        return None
    if abs(a.box.x0 - b.box.x0) > 3 or abs(a.box.x1 - b.box.x1) > 3:
        return None
    starts_a, starts_b = _column_starts(a), _column_starts(b)
    if a.n_cols == b.n_cols:
        pairs = [(x, y) for x, y in zip(starts_a, starts_b) if x is not None and y is not None]
        same = len(pairs) >= a.n_cols - 1 and all(abs(x - y) <= 3 for x, y in pairs)
        return list(range(b.n_cols)) if same else None
    mapping, k = [], 0
    for y in starts_b:
        if y is None:
            return None
        while k < a.n_cols and (starts_a[k] is None or starts_a[k] < y - 3):
            k += 1
        if k == a.n_cols or abs(starts_a[k] - y) > 3:
            return None
        mapping.append(k)
        k += 1
    return mapping


def _column_starts(table: Table) -> list[float | None]:
    """Where each column starts, from its cells that span no other column."""
    starts: list[float | None] = [None] * table.n_cols
    missing = table.n_cols
    for cell in table.cells:
        if cell.colspan == 1 and cell.box is not None and starts[cell.col] is None:
            starts[cell.col] = cell.box.x0
            missing -= 1
            if not missing:
                break  # found in the first rows: a table joined across many pages is not read through
    return starts


def _append(a: Table, b: Table, columns: list[int], first: Table) -> Table:
    """`b`'s rows under `a`'s, each column in the one of `a` it continues (a cell reaching over the
    columns of `a` between), without the header rows `b` repeats (`a`'s, which are those of its
    `first` part)."""
    skip = 0
    while skip < b.n_rows and skip < first.n_rows and b.grid[skip] == first.grid[skip]:
        skip += 1
    cells = list(a.cells)
    for cell in b.cells:
        if cell.row < skip:
            continue
        start = columns[cell.col]
        end = columns[cell.col + cell.colspan] if cell.col + cell.colspan < b.n_cols else a.n_cols
        cells.append(Cell(cell.text, cell.row - skip + a.n_rows, start, cell.rowspan, end - start, cell.page, cell.box,
                          cell.confidence))
    pages = a.row_pages + b.row_pages[skip:]
    return Table(tuple(cells), a.n_rows + b.n_rows - skip, a.n_cols, a.page, a.box, pages)
