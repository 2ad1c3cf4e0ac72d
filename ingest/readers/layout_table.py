"""Words with positions into lines, and tables that no rulings frame read from the words' alignment.

An unruled table shows itself as a run of lines whose words stand in columns apart from one another
and that hold amounts. Its columns start where the gaps no body word crosses begin (labels are
left-aligned, amounts right-aligned); its rows start at a line with a label or code and take the
lines that only finish it: a label wrapped onto the next line, amounts printed a little above or
below their label, a code printed lower than its name. Blank cells stay blank: an
amount's x-position alone says which column it is in.
"""
from __future__ import annotations

import re
from dataclasses import dataclass

from ingest.model import Box, Cell, Table

_AMOUNT = re.compile(r"^[-+]?(\d{1,3}(,\d{3})+|\d+)(\.\d+)?%?$|^-{1,2}$")
# a classification code, or one part of it (类 款 项 printed apart)
_CODE = re.compile(r"^(\d{2}|\d{3}|\d{5}|\d{7})$")
# a label that opens a row of its own: 一、 (一) 1. 其中 or a classification code
_ROW_START = re.compile(r"^([一二三四五六七八九十]+、|[（(][一二三四五六七八九十\d]+[）)]|\d+[.、]|其中|\d{3}(\d{2}){0,2}\b)")


@dataclass(frozen=True)
class Word:
    text: str
    box: Box
    confidence: float | None = None  # how sure OCR was of it (0 to 1); None for a text layer's


def least_confidence(words) -> float | None:
    """A cell's confidence: its least sure OCR word's, or None where no word came from OCR."""
    return min((w.confidence for w in words if w.confidence is not None), default=None)


@dataclass(frozen=True)
class Line:
    words: tuple[Word, ...]
    box: Box
    gapped: bool  # words stand apart in columns (a gap of two characters or more)

    @property
    def text(self) -> str:
        out = ""
        previous = None
        for word in self.words:
            if previous is not None:
                gap = word.box.x0 - previous.box.x1
                height = max(previous.box.bottom - previous.box.top, 1.0)
                if gap > 1.5 * height:
                    out += "  "
                elif out[-1:].isascii() and word.text[:1].isascii() and gap > 0.15 * height:
                    out += " "
            out += word.text
            previous = word
        return out


def text_lines(words: list[Word]) -> list[Line]:
    """Words grouped into lines (a word joins the line its vertical centre falls in), top to bottom."""
    ordered = sorted(words, key=lambda w: (w.box.top, w.box.x0))
    groups: list[list[Word]] = []
    bounds: list[tuple[float, float]] = []
    for word in ordered:
        centre = (word.box.top + word.box.bottom) / 2
        if groups and bounds[-1][0] <= centre <= bounds[-1][1]:
            groups[-1].append(word)
        else:
            groups.append([word])
            bounds.append((word.box.top, word.box.bottom))
    lines = []
    for group in groups:
        group.sort(key=lambda w: w.box.x0)
        box = Box(min(w.box.x0 for w in group), min(w.box.top for w in group),
                  max(w.box.x1 for w in group), max(w.box.bottom for w in group))
        height = max(box.bottom - box.top, 1.0)
        gapped = any(b.box.x0 - a.box.x1 > 2 * height for a, b in zip(group, group[1:]))
        lines.append(Line(tuple(group), box, gapped))
    return lines


def _is_amount(text: str) -> bool:
    return bool(_AMOUNT.match(text.replace(" ", "")))


def alignment_tables(number: int, lines: list[Line]) -> tuple[list[Table], list[Line]]:
    """Tables read from alignment among `lines`, and the lines left as prose."""
    tables: list[Table] = []
    prose: list[Line] = []
    i = 0
    while i < len(lines):
        run_end = _run_end(lines, i)
        if run_end - i >= 3:
            start = _header_above(lines, i, run_end)
            table = _table(number, lines[start:run_end])
            if table is not None:
                del prose[len(prose) - (i - start):]
                tables.append(table)
                i = run_end
                continue
        prose.append(lines[i])
        i += 1
    return tables, prose


def _header_above(lines: list[Line], start: int, end: int) -> int:
    """Header lines of one word just above a run (科目编码 over its three code columns): no farther
    than a line height from the next, and inside the run's width."""
    left = min(l.box.x0 for l in lines[start:end])
    right = max(l.box.x1 for l in lines[start:end])
    while start > 0:
        above, below = lines[start - 1], lines[start]
        height = max(above.box.bottom - above.box.top, 1.0)
        inside = above.box.x0 >= left - 1 and above.box.x1 <= right + 1
        if below.box.top - above.box.bottom > 1.2 * height or not inside or len(above.words) > 1:
            break
        start -= 1
    return start


def _tabular(line: Line) -> bool:
    return line.gapped and any(_is_amount(w.text) for w in line.words)


def _run_end(lines: list[Line], start: int) -> int:
    """Where a run of tabular lines that starts at `start` ends: short lines between two tabular
    ones (a wrapped label, a header line) stay in it, a gap of three line heights ends it."""
    if not lines[start].gapped:
        return start
    last_tabular = None
    j = start
    while j < len(lines):
        line = lines[j]
        if j > start:
            height = max(lines[j - 1].box.bottom - lines[j - 1].box.top, 1.0)
            if line.box.top - lines[j - 1].box.bottom > 3 * height:
                break
        if _tabular(line):
            last_tabular = j
        elif last_tabular is not None and j - last_tabular > 3:
            break
        j += 1
    return start if last_tabular is None else last_tabular + 1


def _columns(lines: list[Line]) -> list[float]:
    """Column boundaries where the gaps between body words (lines with an amount) begin: labels are
    left-aligned and amounts right-aligned, so a column starts just after the content of the one
    before it, and a header word belongs to the band its start falls in."""
    body = [w for line in lines if _tabular(line) for w in line.words]
    spans = sorted((w.box.x0, w.box.x1) for w in body)
    if not spans:
        return []
    edges = []
    reach = spans[0][1]
    for x0, x1 in spans[1:]:
        if x0 > reach + 1:
            edges.append(reach + 1)
        reach = max(reach, x1)
    return edges


def _table(number: int, lines: list[Line]) -> Table | None:
    edges = _columns(lines)
    if len(edges) < 1:
        return None
    n_cols = len(edges) + 1

    def band(x: float) -> int:
        return sum(1 for e in edges if x >= e)

    placed = []
    for line in lines:
        cols: dict[int, list[Word]] = {}
        for word in line.words:
            cols.setdefault(band(word.box.x0 + 0.5), []).append(word)
        placed.append((line, cols))
    rows = _rows(placed)
    body_from = next((r for r, (_, cols, is_body) in enumerate(rows) if is_body), len(rows))
    extents = _extents(rows[body_from:])
    cells = []
    for r, (_, cols, _) in enumerate(rows):
        spans = _centred_spans(cols, extents, n_cols) if r < body_from else {}
        if spans:
            cols = {start: words for start, (words, _) in spans.items()} | {
                c: ws for c, ws in cols.items() if not any(s <= c < s + n for s, (_, n) in spans.items())}
        c = 0
        while c < n_cols:
            words = cols.get(c, [])
            span = 1
            if c in spans:
                span = spans[c][1]
            elif r < body_from and words:
                # a header word reaching over columns that hold nothing of its line spans them
                reach = band(max(w.box.x1 for w in words) - 0.5)
                while c + span <= min(reach, n_cols - 1) and not cols.get(c + span):
                    span += 1
            text = "".join(w.text for w in sorted(words, key=lambda w: (w.box.top, w.box.x0)))
            box = None
            if words:
                box = Box(min(w.box.x0 for w in words), min(w.box.top for w in words),
                          max(w.box.x1 for w in words), max(w.box.bottom for w in words))
            cells.append(Cell(text, r, c, 1, span, number, box, least_confidence(words)))
            c += span
    box = Box(min(l.box.x0 for l in lines), lines[0].box.top, max(l.box.x1 for l in lines), lines[-1].box.bottom)
    return Table(tuple(cells), len(rows), n_cols, number, box, tuple([number] * len(rows)))


def _extents(body_rows) -> dict[int, tuple[float, float]]:
    """Where each column's body content stands: from its leftmost to its rightmost word."""
    out: dict[int, tuple[float, float]] = {}
    for _, cols, _ in body_rows:
        for c, words in cols.items():
            for w in words:
                x0, x1 = out.get(c, (w.box.x0, w.box.x1))
                out[c] = (min(x0, w.box.x0), max(x1, w.box.x1))
    return out


def _centred_spans(cols: dict[int, list[Word]], extents: dict[int, tuple[float, float]], n_cols: int):
    """Header words centred over two or more columns (a merged header cell without rulings):
    {first column: (words, columns spanned)} for each word whose centre is the centre of the
    content of consecutive columns no other word of its line stands over."""
    owner = {c: w for c, ws in cols.items() for w in ws}
    out: dict[int, tuple[list[Word], int]] = {}
    for c, words in cols.items():
        if len(words) != 1:
            continue
        word = words[0]
        centre = (word.box.x0 + word.box.x1) / 2
        best = None
        for a in range(max(0, c - 3), c + 1):
            for b in range(max(a + 1, c), min(n_cols, a + 4)):
                if any(owner.get(k) not in (None, word) for k in range(a, b + 1)):
                    continue
                if a not in extents or b not in extents:
                    continue
                left, right = extents[a][0], extents[b][1]
                off = abs((left + right) / 2 - centre)
                if left - 1 <= word.box.x0 and word.box.x1 <= right + 1 and off <= 0.1 * (right - left):
                    if best is None or off < best[0]:
                        best = (off, a, b)
        if best is not None:
            out[best[1]] = (words, best[2] - best[1] + 1)
    return out


def _is_code(text: str) -> bool:
    return bool(_CODE.match(text))


def _rows(placed):
    """Lines merged into rows, with whether each is a body row. Header lines (before the first
    line with an amount) stay rows of their own. In the body, a line with amounts but no label and
    a label line without amounts next to it (within a line height) are one row; a label-only line
    after a row, that does not open a row of its own or that fills only cells the row left empty,
    is the rest of that row."""
    rows: list[tuple[list, dict[int, list[Word]], bool]] = []
    pending = None  # amounts printed above a label not reached yet
    in_body = False
    for line, cols in placed:
        labels, amounts = _split_line(sorted((w for ws in cols.values() for w in ws), key=lambda w: w.box.x0))
        label_text = "".join(w.text for w in labels)
        if not amounts and not in_body:
            rows.append(([line], {c: list(ws) for c, ws in cols.items()}, False))
            continue
        in_body = True
        if amounts and not labels:
            if rows and pending is None and rows[-1][2] and _near(rows[-1][0][-1], line) and not _has_amounts(rows[-1][1]):
                _merge(rows[-1], line, cols)  # amounts printed below their label
                continue
            if pending is not None:
                rows.append(pending)
            pending = ([line], {c: list(ws) for c, ws in cols.items()}, True)
            continue
        if pending is not None:
            row, pending = pending, None
            if labels and _near(row[0][-1], line) and not amounts:
                _merge(row, line, cols)  # amounts printed above their label
                rows.append(row)
                continue
            rows.append(row)
        if labels and not amounts and rows and rows[-1][2] and _near(rows[-1][0][-1], line) and (
                not _ROW_START.match(label_text) or not any(rows[-1][1].get(c) for c in cols)):
            # the rest of a wrapped label, or the cells of the row printed a little lower (its code
            # under a label that stands level with the amounts)
            _merge(rows[-1], line, cols)
            continue
        rows.append(([line], {c: list(ws) for c, ws in cols.items()}, True))
    if pending is not None:
        rows.append(pending)
    return rows


def _split_line(words: list[Word]) -> tuple[list[Word], list[Word]]:
    """A line's label words and its amounts: classification codes that open the line (before any
    other label word) are labels, every other figure an amount."""
    labels, amounts = [], []
    opening = True
    for word in words:
        if _is_amount(word.text) and not (opening and _is_code(word.text)):
            amounts.append(word)
            opening = False
        else:
            labels.append(word)
            opening = opening and _is_code(word.text)
    return labels, amounts


def _has_amounts(cols) -> bool:
    return bool(_split_line(sorted((w for ws in cols.values() for w in ws), key=lambda w: w.box.x0))[1])


def _near(a: Line, b: Line) -> bool:
    height = max(a.box.bottom - a.box.top, b.box.bottom - b.box.top, 1.0)
    return b.box.top - a.box.bottom <= 1.0 * height


def _merge(row, line, cols) -> None:
    row[0].append(line)
    for c, ws in cols.items():
        row[1].setdefault(c, []).extend(ws)
