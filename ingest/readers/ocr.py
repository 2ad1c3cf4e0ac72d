"""Words and rulings from a page's image: PDFs published as scans, or with tables pasted in as
pictures, read by OCR into the same words-with-positions a text layer gives, so that
`ingest.readers.page_layout` rebuilds their tables and paragraphs exactly as it does for text.

The engine is RapidOCR: PaddleOCR's PP-OCRv4 Chinese detection and recognition models run by ONNX
Runtime, all carried by the `rapidocr-onnxruntime` wheel (nothing is downloaded when it runs). On
the test scans it reads every figure of a table that Tesseract's chi_sim data misreads or drops
(BENCHMARKS.md, "OCR"). Each word keeps the engine's confidence in it (0 to 1); the marts mark a
figure whose confidence is below `ocr_min_confidence` (dbt_project.yml) as unsure.

A scan is rarely square on the page: the page image is turned upright first (the skew is found from
its rows of ink), then its ruling lines are found as long runs of dark pixels and the words are
recognised. Coordinates are given in points from the page's top left, as a text layer's are.
"""
from __future__ import annotations

import importlib.util
import re
from functools import lru_cache

from ingest.model import Box
from ingest.readers.layout_table import Word

ENGINE = "rapidocr_onnxruntime"
DPI = 200  # the resolution pages are rendered at for OCR: 200 reads these tables' digits whole
_INK = 160  # a grey level below this is ink
_MIN_RULE_INCHES = 0.3  # a run of ink this long is a ruling, not a stroke of a character
_MAX_RULE_POINTS = 3.0  # a ruling is thinner than this
_MAX_SKEW = 3.0  # degrees a scan may be turned by


@lru_cache(maxsize=1)
def available() -> bool:
    """Whether the OCR engine is installed (it is a dependency of the project: `make setup`)."""
    return all(importlib.util.find_spec(name) is not None for name in (ENGINE, "onnxruntime", "cv2"))


@lru_cache(maxsize=1)
def _engine():
    from rapidocr_onnxruntime import RapidOCR

    return RapidOCR(print_verbose=False)


def read_image(rgb, scale: float) -> tuple[list[Word], list[tuple[float, float, float]], list[tuple[float, float, float]]]:
    """A page image (an H×W×3 array at `scale` pixels per point) as its words, horizontal rulings
    (y, x0, x1) and vertical ones (x, top, bottom), in points; the image is deskewed first."""
    import cv2

    gray = cv2.cvtColor(rgb, cv2.COLOR_RGB2GRAY)
    angle = skew(gray)
    if abs(angle) >= 0.05:
        rgb, gray = _rotated(rgb, angle), _rotated(gray, angle)
    horizontal, vertical = rulings(gray, scale)
    return words(rgb, scale, vertical), horizontal, vertical


def words(rgb, scale: float, vertical=()) -> list[Word]:
    """The words the engine finds, each its box in points and the confidence of its least sure
    character. The engine reads a run of text that a ruling divides (a figure printed against the
    next cell's label) as one: it is cut where a vertical ruling, or a gap wider than the line is
    high, falls between two of its characters."""
    found, _ = _engine()(rgb, return_word_box=True)
    out = []
    for entry in found or ():
        quad, text, score = entry[:3]
        xs, ys = [p[0] / scale for p in quad], [p[1] / scale for p in quad]
        top, bottom = min(ys), max(ys)
        chars = list(zip(entry[3], entry[4], entry[5])) if len(entry) >= 6 and len(entry[3]) == len(entry[4]) else []
        if not chars:
            out.append(Word(_tidy(text), Box(min(xs), top, max(xs), bottom), float(score)))
            continue
        pieces: list[list[tuple[float, float, str, float]]] = [[]]
        for char_quad, letter, confidence in chars:
            x0, x1 = min(p[0] for p in char_quad) / scale, max(p[0] for p in char_quad) / scale
            if pieces[-1]:
                last_x1 = pieces[-1][-1][1]
                divided = any(last_x1 - 1 <= x <= x0 + 1 and t <= (top + bottom) / 2 <= b for x, t, b in vertical)
                if divided or x0 - last_x1 > bottom - top:
                    pieces.append([])
            pieces[-1].append((x0, x1, letter, float(confidence)))
        for piece in pieces:
            word = _tidy("".join(letter for _, _, letter, _ in piece))
            if word:
                out.append(Word(word, Box(piece[0][0], top, piece[-1][1], bottom), _confidence(piece)))
    return [w for w in out if w.text]


def _confidence(piece) -> float:
    """A word's confidence: its least sure digit's, for a word with digits (a figure is as sure as
    its digits; the engine is often unsure of a separator it cannot misread into another figure),
    else its least sure character's."""
    digits = [c for _, _, letter, c in piece if letter.isdigit()]
    return min(digits or [c for *_, c in piece])


# the engine spaces a number's groups (27, 664. 22) and Chinese characters it reads apart
_NUMBER_SPACE = re.compile(r"(?<=[\d,.，．])\s+(?=[\d,.，．])")
_CJK_SPACE = re.compile(r"(?<=[\u3000-\u9fff\uff00-\uffef])\s+(?=[\u3000-\u9fff\uff00-\uffef])")


def _tidy(text: str) -> str:
    text = _CJK_SPACE.sub("", _NUMBER_SPACE.sub("", text.strip()))
    for wrong, right in _corrections().items():
        text = text.replace(wrong, right)
    return text


@lru_cache(maxsize=1)
def _corrections() -> dict[str, str]:
    """What OCR misreads and what it is (ingest/vocabulary/ocr.yml), longest first."""
    from ingest.vocabulary import load

    found = load("ocr").get("corrections") or {}
    return dict(sorted(found.items(), key=lambda item: -len(item[0])))


def skew(gray) -> float:
    """The angle (degrees, counter-clockwise) the page's lines of ink are turned by: the one at
    which its rows of ink are sharpest (the variance of the ink per row is greatest)."""
    import cv2
    import numpy as np

    small = cv2.resize(gray, None, fx=0.25, fy=0.25, interpolation=cv2.INTER_AREA)
    ink = (small < _INK).astype(np.float32)
    if ink.sum() == 0:
        return 0.0

    def sharpness(angle: float) -> float:
        return float(np.var(_rotated(ink, angle, fill=0).sum(axis=1)))

    coarse = max(np.arange(-_MAX_SKEW, _MAX_SKEW + 1e-9, 0.5), key=sharpness)
    return float(max(np.arange(coarse - 0.5, coarse + 0.5 + 1e-9, 0.05), key=sharpness))


def _rotated(image, angle: float, fill=255):
    import cv2

    h, w = image.shape[:2]
    matrix = cv2.getRotationMatrix2D((w / 2, h / 2), -angle, 1.0)
    border = (fill,) * 3 if image.ndim == 3 else fill
    return cv2.warpAffine(image, matrix, (w, h), flags=cv2.INTER_LINEAR, borderValue=border)


def rulings(gray, scale: float) -> tuple[list[tuple[float, float, float]], list[tuple[float, float, float]]]:
    """The ruling lines of a page image: runs of ink at least _MIN_RULE_INCHES long, the rows (or
    columns) of pixels of one line's thickness joined, in points."""
    import numpy as np

    ink = gray < _INK
    least, thickest = max(8, int(_MIN_RULE_INCHES * 72 * scale)), max(2, int(_MAX_RULE_POINTS * scale))
    horizontal = [(y / scale, x0 / scale, x1 / scale) for y, x0, x1 in _lines(ink, least, thickest)]
    vertical = [(x / scale, top / scale, bottom / scale)
                for x, top, bottom in _lines(np.ascontiguousarray(ink.T), least, thickest)]
    return horizontal, vertical


def _lines(ink, least: int, thickest: int) -> list[tuple[float, float, float]]:
    """Runs of ink along each row at least `least` pixels long (gaps of two pixels bridged), those
    on neighbouring rows that overlap joined into one line: (row at its middle, start, end). A
    band thicker than `thickest` is a filled shape, not a line."""
    import numpy as np

    # bridge the small breaks a scan leaves in a line
    bridged = ink.copy()
    bridged[:, 1:-1] |= ink[:, :-2] & ink[:, 2:]
    padded = np.zeros((bridged.shape[0], bridged.shape[1] + 2), dtype=np.int8)
    padded[:, 1:-1] = bridged
    edges = np.diff(padded, axis=1)
    rows, starts = np.nonzero(edges == 1)
    _, ends = np.nonzero(edges == -1)
    long = ends - starts >= least
    runs = sorted(zip(rows[long].tolist(), starts[long].tolist(), ends[long].tolist()))
    lines: list[list[float]] = []  # [first row, last row, start, end]
    open_lines: list[list[float]] = []
    for row, start, end in runs:
        open_lines = [line for line in open_lines if line[1] >= row - 1]
        for line in open_lines:
            overlap = min(line[3], end) - max(line[2], start)
            if overlap > 0.5 * min(line[3] - line[2], end - start):
                line[1], line[2], line[3] = row, min(line[2], start), max(line[3], end)
                break
        else:
            line = [row, row, start, end]
            lines.append(line)
            open_lines.append(line)
    return [((first + last) / 2, start, end) for first, last, start, end in lines if last - first < thickest]
