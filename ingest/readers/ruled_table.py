"""Tables that ruling lines frame, rebuilt from the lines and the words inside them.

Its rows and columns are the bands between the rulings, and a cell is merged with its neighbour
wherever the line between them is missing; a word belongs to the cell its centre falls in, so an
amount printed half a line above its label, or a label wrapped over three lines, stays in its row.
"""
from __future__ import annotations

import bisect

from ingest.model import Box, Cell, Table
from ingest.readers.layout_table import Word, least_confidence, text_lines

# points: how far apart two rulings may be and still be one line
_SNAP = 2.0


def regions(horizontal, vertical) -> list[Box]:
    """Boxes of rulings that touch one another: one per ruled table."""
    boxes = [Box(x0, y - _SNAP, x1, y + _SNAP) for y, x0, x1 in horizontal]
    boxes += [Box(x - _SNAP, top, x + _SNAP, bottom) for x, top, bottom in vertical]
    boxes.sort(key=lambda b: b.top)
    merged: list[Box] = []
    for box in boxes:
        for i, other in enumerate(merged):
            if _touch(box, other):
                merged[i] = _union(box, other)
                break
        else:
            merged.append(box)
    changed = True
    while changed:  # two regions that grew into each other are one
        changed = False
        for i in range(len(merged)):
            for j in range(i + 1, len(merged)):
                if _touch(merged[i], merged[j]):
                    merged[i] = _union(merged[i], merged.pop(j))
                    changed = True
                    break
            if changed:
                break
    return merged


def _touch(a: Box, b: Box) -> bool:
    return a.x0 <= b.x1 and b.x0 <= a.x1 and a.top <= b.bottom and b.top <= a.bottom


def _union(a: Box, b: Box) -> Box:
    return Box(min(a.x0, b.x0), min(a.top, b.top), max(a.x1, b.x1), max(a.bottom, b.bottom))


def _snap(values: list[float]) -> list[float]:
    out: list[float] = []
    for v in sorted(values):
        if out and v - out[-1] <= _SNAP:
            continue
        out.append(v)
    return out


def ruled_table(number: int, region: Box, horizontal, vertical, words: list[Word]):
    """The table the rulings of `region` frame, the words inside it, and the words outside."""
    # Over 60 lines on purpose: one pass from rulings to grid to cells, each step reading the grid and
    # the words the one before left; apart, they would hand the same five values along.
    hs = [s for s in horizontal if region.top <= s[0] <= region.bottom and s[1] >= region.x0 - 1 and s[2] <= region.x1 + 1]
    vs = [s for s in vertical if region.x0 <= s[0] <= region.x1 and s[1] >= region.top - 1 and s[2] <= region.bottom + 1]
    ys, xs = _snap([s[0] for s in hs]), _snap([s[0] for s in vs])
    inside = [w for w in words if _centre_in(w.box, region)]
    outside = [w for w in words if not _centre_in(w.box, region)]
    if len(ys) < 3 or len(xs) < 2 or not inside:
        return None, inside, outside  # an underline or a frame around prose, not a table
    rows, cols = len(ys) - 1, len(xs) - 1
    # the stretches each ruling line covers, by its place among the snapped positions
    v_at, h_at = _stretches(xs, vs), _stretches(ys, hs)

    def v_line_at(x: int, y: float) -> bool:
        return any(a - _SNAP <= y <= b + _SNAP for a, b in v_at[x])

    def h_line_at(y: int, x: float) -> bool:
        return any(a - _SNAP <= x <= b + _SNAP for a, b in h_at[y])

    parent = list(range(rows * cols))

    def find(i: int) -> int:
        while parent[i] != i:
            parent[i] = parent[parent[i]]
            i = parent[i]
        return i

    for r in range(rows):
        mid_y = (ys[r] + ys[r + 1]) / 2
        for c in range(cols):
            mid_x = (xs[c] + xs[c + 1]) / 2
            if c + 1 < cols and not v_line_at(c + 1, mid_y):
                parent[find(r * cols + c + 1)] = find(r * cols + c)
            if r + 1 < rows and not h_line_at(r + 1, mid_x):
                parent[find((r + 1) * cols + c)] = find(r * cols + c)
    groups: dict[int, list[tuple[int, int]]] = {}
    for r in range(rows):
        for c in range(cols):
            groups.setdefault(find(r * cols + c), []).append((r, c))
    cell_of = _rectangular(groups)
    placed: list[tuple[Word, int, int]] = []
    for word in inside:
        cx, cy = (word.box.x0 + word.box.x1) / 2, (word.box.top + word.box.bottom) / 2
        r = _band(ys, cy)
        c = _band(xs, cx)
        if r is not None and c is not None:
            placed.append((word, r, c))
    _split_filled_spans(cell_of, placed)
    texts: dict[object, list[Word]] = {}
    for word, r, c in placed:
        texts.setdefault(cell_of[(r, c)], []).append(word)
    members_of: dict[object, list[tuple[int, int]]] = {}
    for position, key in cell_of.items():
        members_of.setdefault(key, []).append(position)
    cells = []
    for root, members in members_of.items():
        r0, c0 = min(r for r, _ in members), min(c for _, c in members)
        r1, c1 = max(r for r, _ in members), max(c for _, c in members)
        box = Box(xs[c0], ys[r0], xs[c1 + 1], ys[r1 + 1])
        words = texts.get(root, [])
        cells.append(Cell(cell_text(words), r0, c0, r1 - r0 + 1, c1 - c0 + 1, number, box, least_confidence(words)))
    cells.sort(key=lambda cell: (cell.row, cell.col))
    table = Table(tuple(cells), rows, cols, number, Box(xs[0], ys[0], xs[-1], ys[-1]), tuple([number] * rows))
    return _drop_empty_rows(table), inside, outside


def _rectangular(groups: dict[int, list[tuple[int, int]]]) -> dict[tuple[int, int], object]:
    """Each grid position's cell. Bands joined where rulings are missing make a cell when they form
    a rectangle; where they do not (a caption band above a column whose category spans its rows,
    with no line between), the joined bands are kept apart row by row, as runs along each row."""
    out: dict[tuple[int, int], object] = {}
    for root, members in groups.items():
        rows_ = {r for r, _ in members}
        cols_ = {c for _, c in members}
        if len(members) == len(rows_) * len(cols_):
            for position in members:
                out[position] = root
            continue
        for r, c in sorted(members):
            left = out.get((r, c - 1))
            out[(r, c)] = left if (r, c - 1) in members and left is not None else (root, r, c)
    return out


def _split_filled_spans(cell_of: dict[tuple[int, int], object], placed: list[tuple[Word, int, int]]) -> None:
    """A one-row cell that spans columns but holds words in more than one of them is the columns'
    own cells: the table rules its header and leaves its body rows without vertical lines."""
    columns: dict[object, set[int]] = {}
    rows: dict[object, set[int]] = {}
    for (r, c), key in cell_of.items():
        rows.setdefault(key, set()).add(r)
    for _, r, c in placed:
        columns.setdefault(cell_of[(r, c)], set()).add(c)
    for (r, c), key in list(cell_of.items()):
        if len(rows[key]) == 1 and len(columns.get(key, ())) > 1:
            cell_of[(r, c)] = (key, "column", c)


def _stretches(positions: list[float], segments) -> list[list[tuple[float, float]]]:
    """For each snapped position, the (start, end) of the segments lying there."""
    out: list[list[tuple[float, float]]] = [[] for _ in positions]
    for at, start, end in segments:
        i = bisect.bisect_left(positions, at - _SNAP)
        if i < len(positions) and abs(positions[i] - at) <= _SNAP:
            out[i].append((start, end))
    return out


def _centre_in(box: Box, region: Box) -> bool:
    cx, cy = (box.x0 + box.x1) / 2, (box.top + box.bottom) / 2
    return region.x0 <= cx <= region.x1 and region.top <= cy <= region.bottom


def _band(edges: list[float], value: float) -> int | None:
    """The band between two consecutive edges that holds `value` (None outside them all)."""
    if not edges or value < edges[0] or value > edges[-1]:
        return None
    return min(bisect.bisect_right(edges, value) - 1, len(edges) - 2)


def cell_text(words: list[Word]) -> str:
    """A cell's words, line by line: a label wrapped over lines reads as one label."""
    if not words:
        return ""
    parts = []
    for line in text_lines(words):
        parts.append(line.text)
    return join_wrapped(parts)


def join_wrapped(parts: list[str]) -> str:
    out = parts[0]
    for part in parts[1:]:
        # words go on without a space; figures or Latin words on two lines keep one between them
        glue = " " if out[-1:].isascii() and part[:1].isascii() and out[-1:].isalnum() and part[:1].isalnum() else ""
        out += glue + part
    return out


def _drop_empty_rows(table: Table) -> Table:
    """Rows that hold no text and no cell reaching into another row (spacer bands between rulings
    drawn twice) go; the rest keep their order."""
    keep = [r for r in range(table.n_rows)
            if any(table.grid[r][c] for c in range(table.n_cols))
            or any(cell.row <= r < cell.row + cell.rowspan and cell.rowspan > 1 for cell in table.cells)]
    if len(keep) == table.n_rows:
        return table
    index = {r: n for n, r in enumerate(keep)}
    cells = []
    for cell in table.cells:
        rows = [index[r] for r in range(cell.row, cell.row + cell.rowspan) if r in index]
        if rows:
            cells.append(Cell(cell.text, rows[0], cell.col, len(rows), cell.colspan, cell.page, cell.box, cell.confidence))
    return Table(tuple(cells), len(keep), table.n_cols, table.page, table.box,
                 tuple(table.row_pages[r] for r in keep))
