"""PDF text layer into the document model: prose paragraphs and tables rebuilt from positions.

Words come from PDFium's text runs (one box per run of characters printed together), ruling lines
from the page's path objects. Where rulings frame a table it is rebuilt from them
(`ingest.readers.ruled_table`); where none do, from the words' alignment
(`ingest.readers.layout_table`). A table that continues on the next page
(same columns, no title between) is joined to it, its repeated header dropped.

PDFium is used rather than pdfminer (what pdfplumber builds on) because it reads these files several
times faster; `bench/pdf_speed.py` measures both, and BENCHMARKS.md has the figures.
"""
from __future__ import annotations

import ctypes
import re
from dataclasses import dataclass
from pathlib import Path

from ingest.errors import QuarantineError
from ingest.limits import check_pages
from ingest.model import Box, Cell, Document, Page, Paragraph, Table
from ingest.readers.layout_table import Word, alignment_tables, text_lines
from ingest.readers.ruled_table import join_wrapped, regions, ruled_table

# points: how thin a path must be to count as a line rather than a shape
_THIN = 2.5


def read_pdf(path: Path, data: bytes, sha256: str) -> Document:
    if not data.lstrip().startswith(b"%PDF"):
        raise QuarantineError("corrupt PDF: no PDF header")
    try:
        pages = _read_pages(data)
    except (QuarantineError, MemoryError):  # a limit reached is not damage
        raise
    except Exception as exc:
        raise QuarantineError(f"corrupt PDF: {type(exc).__name__}: {exc}".splitlines()[0]) from exc
    return Document(path, sha256, tuple(join_continued_tables(pages)), None, "pdf")


def _read_pages(data: bytes) -> list[Page]:
    import pypdfium2 as pdfium
    import pypdfium2.raw as raw

    pdf = pdfium.PdfDocument(data)
    try:
        check_pages(len(pdf))
        pages: list[Page] = []
        has_text = has_images = False
        for index in range(len(pdf)):
            page = pdf[index]
            try:
                to_view = _view_transform(page)
                words = _words(page, to_view)
                has_text = has_text or bool(words)
                if not words and not has_images:
                    has_images = any(True for _ in page.get_objects(filter=[raw.FPDF_PAGEOBJ_IMAGE], max_depth=2))
                h, v = _rulings(page, to_view, raw)
                width, height = to_view.size
                pages.append(layout_page(index + 1, words, h, v, width, height))
            finally:
                page.close()
    finally:
        pdf.close()
    if not has_text:
        if has_images:
            raise QuarantineError("no text layer (scanned); OCR not supported")
        raise QuarantineError("PDF has no text")
    return pages


@dataclass(frozen=True)
class _View:
    """From PDF user space (origin bottom left, before /Rotate) to the page as shown, top left."""

    rotation: int
    width: float  # of the unrotated media box
    height: float
    left: float
    bottom: float

    @property
    def size(self) -> tuple[float, float]:
        return (self.height, self.width) if self.rotation in (90, 270) else (self.width, self.height)

    def shows(self, box: Box) -> bool:
        """Whether a box (in view space) is printed on the page: text placed beyond its edges, as
        an overflowing copy of a paragraph can be, is in the text layer but nowhere to be seen."""
        width, height = self.size
        x, y = (box.x0 + box.x1) / 2, (box.top + box.bottom) / 2
        return 0 <= x <= width and 0 <= y <= height

    def point(self, x: float, y: float) -> tuple[float, float]:
        x, y = x - self.left, y - self.bottom
        if self.rotation == 90:
            return y, x
        if self.rotation == 180:
            return self.width - x, y
        if self.rotation == 270:
            return self.height - y, self.width - x
        return x, self.height - y

    def box(self, left: float, bottom: float, right: float, top: float) -> Box:
        if self.rotation == 0:  # most pages: a flip of the vertical axis
            return Box(left - self.left, self.height - (top - self.bottom), right - self.left, self.height - (bottom - self.bottom))
        (ax, ay), (bx, by) = self.point(left, bottom), self.point(right, top)
        return Box(min(ax, bx), min(ay, by), max(ax, bx), max(ay, by))


def _view_transform(page) -> _View:
    left, bottom, right, top = page.get_mediabox()
    return _View(page.get_rotation() % 360, right - left, top - bottom, left, bottom)


def _words(page, view: _View) -> list[Word]:
    """The page's words from PDFium's text runs; where the runs miss text (a font with no glyph
    boxes, as an unembedded CJK font has), from the characters' font boxes instead."""
    textpage = page.get_textpage()
    try:
        words = []
        in_runs = runs = single = 0
        spread = False
        for text, (left, bottom, right, top) in _runs(textpage):
            in_runs += len(text)
            box = view.box(left, bottom, right, top)
            if not view.shows(box):
                continue
            runs += 1
            single += _printed(text) == 1
            spread = spread or _spread(text, box)
            # a run that spans columns, or a page printed one character at a time (each placed
            # on its own, so a run's tight glyph box says nothing of the gaps between words): read
            # from the characters instead, known as soon as the first runs show it
            if spread or (runs == 40 and single > 0.6 * runs):
                return _char_words(textpage, textpage.count_chars(), view)
            words.extend(_pieces(text, box))
        count = textpage.count_chars()
        if 20 <= runs < 40 and single > 0.6 * runs:
            return _char_words(textpage, count, view)
        # the runs hold nearly every character of a page (the rest are the line breaks PDFium
        # adds); only a page where they fall well short is read again, character by character
        if in_runs < 0.85 * count:
            found = sum(len(w.text.replace(" ", "")) for w in words)
            if found < 0.9 * _printed(textpage.get_text_range(0, count)):
                return _char_words(textpage, count, view)
        return words
    finally:
        textpage.close()


_RUN_CHARS = 1 << 14  # a text run longer than this is cut (none in any publication seen)


def _runs(textpage):
    """Each text run's text and box (left, bottom, right, top), straight from PDFium: the helpers
    that wrap these calls allocate a buffer per run, which costs more than the calls."""
    import pypdfium2.raw as raw

    handle = textpage.raw
    left, bottom, right, top = (ctypes.c_double() for _ in range(4))
    buffer = (ctypes.c_ushort * _RUN_CHARS)()
    for n in range(raw.FPDFText_CountRects(handle, 0, -1)):
        raw.FPDFText_GetRect(handle, n, left, top, right, bottom)
        length = raw.FPDFText_GetBoundedText(handle, left, top, right, bottom, buffer, _RUN_CHARS)
        text = ctypes.string_at(buffer, 2 * max(length, 0)).decode("utf-16-le", "replace")
        yield text, (left.value, bottom.value, right.value, top.value)


def _spread(text: str, box: Box) -> bool:
    """Whether a run spans columns: PDFium may keep one run across a whole table row, with a single
    space standing for each wide gap, and its box then far wider than its characters need."""
    text = text.replace("\x00", "").strip()
    if " " not in text:
        return False
    height = max(min(box.bottom - box.top, box.x1 - box.x0), 1.0)
    return box.x1 - box.x0 > 1.6 * len(text) * height


def _printed(text: str) -> int:
    return sum(1 for ch in text if not ch.isspace() and ch != "\x00")


def _char_words(textpage, count: int, view: _View) -> list[Word]:
    """Words from character boxes (font ascent to descent): characters on one line, closer than a
    third of a character, are one word (loose boxes leave next to no gap inside a word)."""
    import pypdfium2.raw as raw

    words: list[Word] = []
    text, box = "", None
    clips = _Clips(textpage)
    handle, rect = textpage.raw, raw.FS_RECTF()
    for i in range(count):
        code = raw.FPDFText_GetUnicode(handle, i)  # PDFium's calls directly: the helpers cost more
        ch = chr(code) if code else ""
        if not ch or ch in "\r\n":
            if text.strip():
                words.append(Word(text.strip(), box))
            text, box = "", None
            continue
        raw.FPDFText_GetLooseCharBox(handle, i, rect)
        raw_box = (rect.left, rect.bottom, rect.right, rect.top)
        b = view.box(*raw_box)
        if not view.shows(b) or not clips.shows(i, raw_box):
            continue
        if box is not None:
            height = max(box.bottom - box.top, 1.0)
            same_line = abs((b.top + b.bottom) / 2 - (box.top + box.bottom) / 2) < height / 2
            # font boxes are loose: a gap of a third of a character already parts two cells
            if not same_line or b.x0 - box.x1 > 0.3 * height:
                if text.strip():
                    words.append(Word(text.strip(), box))
                text, box = "", None
        if ch.isspace() and box is None:
            continue
        text += ch
        box = b if box is None else Box(min(box.x0, b.x0), min(box.top, b.top), max(box.x1, b.x1), max(box.bottom, b.bottom))
    if text.strip():
        words.append(Word(text.strip(), box))
    return words


class _Clips:
    """Whether a character lies inside its text object's clipping path: a paragraph that overflows
    its frame is cut by the frame's clip, the rest of it printed again on the next page, and only
    the part inside the clip is seen. A clip of several paths is their intersection, each path
    taken as its bounding box (clips are rectangles in every publication seen)."""

    def __init__(self, textpage) -> None:
        import pypdfium2.raw as raw

        self._raw = raw
        self._handle = textpage.raw
        self._boxes: dict[int, tuple[float, float, float, float] | None] = {}

    def shows(self, index: int, box: tuple[float, float, float, float]) -> bool:
        obj = self._raw.FPDFText_GetTextObject(self._handle, index)
        if not obj:
            return True
        key = _address(obj)
        if key not in self._boxes:
            self._boxes[key] = self._clip_box(obj)
        clip = self._boxes[key]
        if clip is None:
            return True
        x, y = (box[0] + box[2]) / 2, (box[1] + box[3]) / 2
        return clip[0] <= x <= clip[2] and clip[1] <= y <= clip[3]

    def _clip_box(self, obj) -> tuple[float, float, float, float] | None:
        raw = self._raw
        clip = raw.FPDFPageObj_GetClipPath(obj)
        if not clip:
            return None
        left, bottom, right, top = float("-inf"), float("-inf"), float("inf"), float("inf")
        x, y = ctypes.c_float(), ctypes.c_float()
        for path in range(raw.FPDFClipPath_CountPaths(clip)):
            xs, ys = [], []
            segments = raw.FPDFClipPath_CountPathSegments(clip, path)
            # a rectangle (four sides, closed or not) is known by two opposite corners
            corners = (0, 2) if segments in (4, 5) else range(segments)
            for n in corners:
                if raw.FPDFPathSegment_GetPoint(raw.FPDFClipPath_GetPathSegment(clip, path, n), x, y):
                    xs.append(x.value)
                    ys.append(y.value)
            if xs:
                left, bottom = max(left, min(xs)), max(bottom, min(ys))
                right, top = min(right, max(xs)), min(top, max(ys))
        return None if left == float("-inf") else (left, bottom, right, top)


def _address(pointer) -> int:
    return ctypes.cast(pointer, ctypes.c_void_p).value or 0


def _pieces(text: str, box: Box) -> list[Word]:
    """A text run as words: a run that holds wide gaps (three spaces or more, where a printer put
    two columns in one run) is cut there, each piece given its share of the box by characters."""
    text = text.replace("\r", " ").replace("\n", " ").replace("\x00", "")
    if not text.strip():
        return []
    if "   " not in text.strip():
        return [Word(text.strip(), box)]
    out = []
    per_char = (box.x1 - box.x0) / max(len(text), 1)
    position = 0
    for chunk in text.split("   "):
        start = position + (len(chunk) - len(chunk.lstrip()))
        position += len(chunk) + 3
        if chunk.strip():
            x0 = box.x0 + start * per_char
            out.append(Word(chunk.strip(), Box(x0, box.top, x0 + len(chunk.strip()) * per_char, box.bottom)))
    return out


def _rulings(page, view: _View, raw) -> tuple[list[tuple[float, float, float]], list[tuple[float, float, float]]]:
    """Horizontal rulings as (y, x0, x1) and vertical ones as (x, top, bottom), on the page as shown.
    A path thin in one direction is a line; a rectangle drawn as one path gives its four edges."""
    horizontal, vertical = [], []
    for obj, bounds in _paths(page, raw):
        box = view.box(*bounds)
        w, h = box.x1 - box.x0, box.bottom - box.top
        if h <= _THIN and w > _THIN:
            horizontal.append(((box.top + box.bottom) / 2, box.x0, box.x1))
        elif w <= _THIN and h > _THIN:
            vertical.append(((box.x0 + box.x1) / 2, box.top, box.bottom))
        elif w > _THIN and h > _THIN and _is_rectangle(obj, raw):
            horizontal += [(box.top, box.x0, box.x1), (box.bottom, box.x0, box.x1)]
            vertical += [(box.x0, box.top, box.bottom), (box.x1, box.top, box.bottom)]
    return horizontal, vertical


def _paths(page, raw, max_depth: int = 3):
    """The page's path objects (inside form objects too) and their bounds (left, bottom, right,
    top), through PDFium's calls directly: the object wrappers cost more than the calls."""
    left, bottom, right, top = (ctypes.c_float() for _ in range(4))
    pending = [(raw.FPDFPage_CountObjects(page.raw), lambda i: raw.FPDFPage_GetObject(page.raw, i), 1)]
    while pending:
        count, get, depth = pending.pop()
        for i in range(count):
            obj = get(i)
            kind = raw.FPDFPageObj_GetType(obj)
            if kind == raw.FPDF_PAGEOBJ_PATH and raw.FPDFPageObj_GetBounds(obj, left, bottom, right, top):
                yield obj, (left.value, bottom.value, right.value, top.value)
            elif kind == raw.FPDF_PAGEOBJ_FORM and depth < max_depth:
                pending.append((raw.FPDFFormObj_CountObjects(obj), lambda j, form=obj: raw.FPDFFormObj_GetObject(form, j), depth + 1))


def _is_rectangle(obj, raw) -> bool:
    count = raw.FPDFPath_CountSegments(obj)
    return 4 <= count <= 6


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
            out[page_index] = Page(out[page_index].number, tuple(kept), out[page_index].width, out[page_index].height)
        out.append(Page(page.number, tuple(blocks), page.width, page.height))
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
        cells.append(Cell(cell.text, cell.row - skip + a.n_rows, start, cell.rowspan, end - start, cell.page, cell.box))
    pages = a.row_pages + b.row_pages[skip:]
    return Table(tuple(cells), a.n_rows + b.n_rows - skip, a.n_cols, a.page, a.box, pages)
