"""PDF text layer into the document model: prose paragraphs and tables rebuilt from positions.

Words come from PDFium's text runs (one box per run of characters printed together), ruling lines
from the page's path objects; `ingest.readers.page_layout` rebuilds the page's tables and
paragraphs from them and joins the tables that continue on the next page.

PDFium is used rather than pdfminer (what pdfplumber builds on) because it reads these files several
times faster; `bench/pdf_speed.py` measures both, and BENCHMARKS.md has the figures.
"""
from __future__ import annotations

import ctypes
from dataclasses import dataclass, replace
from pathlib import Path

from ingest.errors import QuarantineError
from ingest.limits import OCR_SECONDS_PER_PAGE, check_pages, more_time
from ingest.model import Box, Document, Page
from ingest.readers import ocr
from ingest.readers.layout_table import Word
from ingest.readers.page_layout import join_continued_tables, layout_page

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
        can_ocr = ocr.available()
        for index in range(len(pdf)):
            page = pdf[index]
            try:
                to_view = _view_transform(page)
                words = _words(page, to_view)
                h, v, pictures = _drawn(page, to_view, raw)
                has_images = has_images or bool(pictures)
                read_by_ocr = False
                if pictures and can_ocr and _worth_reading(pictures, to_view):
                    more_time(OCR_SECONDS_PER_PAGE)  # OCR takes seconds a page, where a text layer takes milliseconds
                    words, h, v, read_by_ocr = _with_ocr(page, words, h, v, pictures)
                has_text = has_text or bool(words)
                width, height = to_view.size
                pages.append(replace(layout_page(index + 1, words, h, v, width, height), ocr=read_by_ocr))
            finally:
                page.close()
    finally:
        pdf.close()
    if not has_text:
        if has_images and not can_ocr:
            raise QuarantineError(f"no text layer (scanned), and the OCR engine ({ocr.ENGINE}) is not installed")
        if has_images:
            raise QuarantineError("no text layer (scanned), and OCR found no text in its images")
        raise QuarantineError("PDF has no text")
    return pages


# a picture smaller than this share of the page is a logo or a seal, not text to read
_PICTURE_SHARE = 0.04


def _worth_reading(pictures: list[Box], view: _View) -> bool:
    width, height = view.size
    return sum((b.x1 - b.x0) * (b.bottom - b.top) for b in pictures) >= _PICTURE_SHARE * width * height


def _with_ocr(page, words, h, v, pictures: list[Box]):
    """The page read from its images too: OCR's words where an image is printed and the text layer
    has none, its rulings where the page draws none. A scan is all image; a page with a table
    pasted in as a picture is read from both."""
    scale = ocr.DPI / 72
    bitmap = page.render(scale=scale, draw_annots=False)
    try:
        found, ocr_h, ocr_v = ocr.read_image(bitmap.to_numpy(), scale)
    finally:
        bitmap.close()

    def inside(x: float, y: float, boxes) -> bool:
        return any(b.x0 <= x <= b.x1 and b.top <= y <= b.bottom for b in boxes)

    def middle(word) -> tuple[float, float]:
        return (word.box.x0 + word.box.x1) / 2, (word.box.top + word.box.bottom) / 2

    printed = [w.box for w in words]
    added = [w for w in found if inside(*middle(w), pictures) and not inside(*middle(w), printed)]
    if not added:
        return words, h, v, False
    # the rulings of the pictures: a page's own lines are read from its paths already
    h = h + [(y, x0, x1) for y, x0, x1 in ocr_h if inside((x0 + x1) / 2, y, pictures)]
    v = v + [(x, top, bottom) for x, top, bottom in ocr_v if inside(x, (top + bottom) / 2, pictures)]
    return words + added, h, v, True


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


def _drawn(page, view: _View, raw) -> tuple[list[tuple[float, float, float]], list[tuple[float, float, float]], list[Box]]:
    """What the page draws besides text, on the page as shown: horizontal rulings as (y, x0, x1),
    vertical ones as (x, top, bottom), and where its images are printed. A path thin in one
    direction is a line; a rectangle drawn as one path gives its four edges."""
    horizontal, vertical, pictures = [], [], []
    for obj, kind, bounds in _objects(page, raw):
        box = view.box(*bounds)
        if kind == raw.FPDF_PAGEOBJ_IMAGE:
            if view.shows(box):
                pictures.append(box)
            continue
        w, h = box.x1 - box.x0, box.bottom - box.top
        if h <= _THIN and w > _THIN:
            horizontal.append(((box.top + box.bottom) / 2, box.x0, box.x1))
        elif w <= _THIN and h > _THIN:
            vertical.append(((box.x0 + box.x1) / 2, box.top, box.bottom))
        elif w > _THIN and h > _THIN and _is_rectangle(obj, raw):
            horizontal += [(box.top, box.x0, box.x1), (box.bottom, box.x0, box.x1)]
            vertical += [(box.x0, box.top, box.bottom), (box.x1, box.top, box.bottom)]
    return horizontal, vertical, pictures


def _objects(page, raw, max_depth: int = 3):
    """The page's path and image objects (inside form objects too), each with its kind and bounds
    (left, bottom, right, top), through PDFium's calls directly: the object wrappers cost more
    than the calls."""
    left, bottom, right, top = (ctypes.c_float() for _ in range(4))
    pending = [(raw.FPDFPage_CountObjects(page.raw), lambda i: raw.FPDFPage_GetObject(page.raw, i), 1)]
    while pending:
        count, get, depth = pending.pop()
        for i in range(count):
            obj = get(i)
            kind = raw.FPDFPageObj_GetType(obj)
            if kind in (raw.FPDF_PAGEOBJ_PATH, raw.FPDF_PAGEOBJ_IMAGE) and raw.FPDFPageObj_GetBounds(obj, left, bottom, right, top):
                yield obj, kind, (left.value, bottom.value, right.value, top.value)
            elif kind == raw.FPDF_PAGEOBJ_FORM and depth < max_depth:
                pending.append((raw.FPDFFormObj_CountObjects(obj), lambda j, form=obj: raw.FPDFFormObj_GetObject(form, j), depth + 1))


def _is_rectangle(obj, raw) -> bool:
    count = raw.FPDFPath_CountSegments(obj)
    return 4 <= count <= 6
