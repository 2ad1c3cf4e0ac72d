"""Readers: one per file format. Every file becomes the document model (`ingest.model.Document`:
pages of paragraphs and tables of cells). The model also renders lines, prose as it is and table
rows with their cells joined by tabs (merged cells repeated into every grid position they cover),
by which layouts are told apart and a figure's line is cited."""
from __future__ import annotations

from pathlib import Path

from ingest.errors import QuarantineError
from ingest.model import Document

TEXT_SUFFIXES = {".txt", ".md", ".text", ".markdown", ".csv", ".tsv"}
HTML_SUFFIXES = {".html", ".htm", ".xhtml"}


def read(path: Path, data: bytes, sha256: str, encoding: str | None = None) -> Document:
    """Read a file by its type; `encoding` overrides detection for text and HTML."""
    suffix = path.suffix.lower()
    if suffix in TEXT_SUFFIXES:
        from ingest.readers.text import read_text

        return read_text(path, data, sha256, encoding)
    if suffix in HTML_SUFFIXES:
        from ingest.readers.html import read_html

        return read_html(path, data, sha256, encoding)
    if suffix == ".docx":
        from ingest.readers.office import read_docx

        return read_docx(path, data, sha256)
    if suffix in (".xlsx", ".xlsm"):
        from ingest.readers.office import read_xlsx

        return read_xlsx(path, data, sha256)
    if suffix == ".xls":
        from ingest.readers.office import read_xls

        return read_xls(path, data, sha256)
    if suffix == ".doc":
        from ingest.readers.office import read_doc

        return read_doc(path, data, sha256)
    if suffix == ".pdf":
        from ingest.readers.pdf import read_pdf

        return read_pdf(path, data, sha256)
    raise QuarantineError(f"unsupported file type '{suffix or '(none)'}'")


__all__ = ["Document", "read"]
