"""Plain text and Markdown, in whatever encoding the bytes are in, read into the document model:
tab-separated and Markdown rows are tables, tables printed one cell per line or as a stream of
fragments are rebuilt into rows first (line numbers stay those of the file)."""
from __future__ import annotations

import codecs
from pathlib import Path

from ingest.errors import QuarantineError
from ingest.limits import check_text
from ingest.model import Document, from_lines
from ingest.parsers.cells import rebuild_cell_rows
from ingest.parsers.stream import rebuild_stream_table


def decode(data: bytes, encoding: str | None = None) -> tuple[str, str]:
    """Detect the encoding from the bytes, not the file name: BOMs, then strict UTF-8, then GB18030.

    A declared `encoding` (from the source registry) is used as it is.
    """
    if not data.strip():
        raise QuarantineError("empty file")
    if encoding:
        try:
            return data.decode(encoding), encoding
        except (UnicodeDecodeError, LookupError) as exc:
            raise QuarantineError(f"not decodable as the declared encoding {encoding}: {exc}".splitlines()[0]) from exc
    for bom, name in ((codecs.BOM_UTF8, "utf-8-sig"), (codecs.BOM_UTF16_LE, "utf-16"), (codecs.BOM_UTF16_BE, "utf-16")):
        if data.startswith(bom):
            return data.decode(name), name
    if b"\x00" in data[:4096]:
        utf16 = _utf16_without_bom(data)
        if utf16 is None:
            raise QuarantineError("binary content, not text")
        return utf16
    try:
        return data.decode("utf-8"), "utf-8"
    except UnicodeDecodeError:
        pass
    try:
        text = data.decode("gb18030")
    except UnicodeDecodeError as exc:
        raise QuarantineError(f"undecodable text (neither UTF-8 nor GB18030) at byte {exc.start}") from exc
    return text, "gb18030"


_MARKDOWN = {".md", ".markdown"}


def read_text(path: Path, data: bytes, sha256: str, encoding: str | None = None) -> Document:
    check_text(len(data))
    text, encoding = decode(data, encoding)
    lines = text.replace("\r\n", "\n").replace("\r", "\n").splitlines()
    lines = rebuild_stream_table(rebuild_cell_rows(lines))
    return from_lines(path, lines, sha256, "markdown" if path.suffix.lower() in _MARKDOWN else "text", encoding)


def _utf16_without_bom(data: bytes) -> tuple[str, str] | None:
    """UTF-16 text saved without a byte-order mark: NULs sit in every other byte of ASCII, and the
    decoded text is printable. Random bytes fail the test and stay binary."""
    if len(data) % 2:
        return None
    for name in ("utf-16-le", "utf-16-be"):
        try:
            text = data.decode(name)
        except UnicodeDecodeError:
            continue
        sample = text[:2000]
        printable = sum(ch.isprintable() or ch in "\r\n\t" for ch in sample)
        if "\x00" not in sample and printable >= 0.98 * len(sample):
            return text, name
    return None
