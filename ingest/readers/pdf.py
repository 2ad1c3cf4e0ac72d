"""PDF text layer: prose lines and ruled tables, in reading order, page by page."""
from __future__ import annotations

import io
from pathlib import Path

from ingest.errors import QuarantineError
from ingest.readers.model import TextDocument, render_rows


def pdf_to_lines(data: bytes) -> list[str]:
    import pdfplumber

    lines: list[str] = []
    has_text = False
    has_images = False
    with pdfplumber.open(io.BytesIO(data)) as pdf:
        for number, page in enumerate(pdf.pages, start=1):
            has_images = has_images or bool(page.images)
            tables = page.find_tables()
            blocks: list[tuple[float, list[str]]] = []
            boxes = [table.bbox for table in tables]
            for table in tables:
                rows = [[cell or "" for cell in row] for row in table.extract()]
                blocks.append((table.bbox[1], render_rows(rows)))
            # Characters whose centre lies in a table belong to it; the rest is prose.
            outside = page.filter(lambda obj: not _inside(obj, boxes))
            for text_line in outside.extract_text_lines(return_chars=False):
                blocks.append((text_line["top"], [text_line["text"]]))
            blocks.sort(key=lambda b: b[0])
            page_lines = [line for _, block in blocks for line in block]
            if any(line.strip() for line in page_lines):
                has_text = True
            if number > 1:
                lines.append("---")
            lines.extend(page_lines)
    if not has_text:
        if has_images:
            raise QuarantineError("no text layer (scanned); OCR not supported")
        raise QuarantineError("PDF has no text")
    return lines


def _inside(obj, boxes) -> bool:
    if "x0" not in obj or "top" not in obj:
        return False
    x = (obj["x0"] + obj["x1"]) / 2
    y = (obj["top"] + obj["bottom"]) / 2
    return any(x0 <= x <= x1 and top <= y <= bottom for x0, top, x1, bottom in boxes)


def read_pdf(path: Path, data: bytes, sha256: str) -> TextDocument:
    if not data.lstrip().startswith(b"%PDF"):
        raise QuarantineError("corrupt PDF: no PDF header")
    try:
        lines = pdf_to_lines(data)
    except QuarantineError:
        raise
    except Exception as exc:
        raise QuarantineError(f"corrupt PDF: {type(exc).__name__}: {exc}".splitlines()[0]) from exc
    return TextDocument(path=path, text="\n".join(lines), encoding=None, sha256=sha256)
