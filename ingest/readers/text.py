"""Plain text and Markdown, in whatever encoding the bytes are in."""
from __future__ import annotations

import codecs
from pathlib import Path

from ingest.errors import QuarantineError
from ingest.readers.model import TextDocument


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
        raise QuarantineError("binary content, not text")
    try:
        return data.decode("utf-8"), "utf-8"
    except UnicodeDecodeError:
        pass
    try:
        text = data.decode("gb18030")
    except UnicodeDecodeError as exc:
        raise QuarantineError(f"undecodable text (neither UTF-8 nor GB18030) at byte {exc.start}") from exc
    return text, "gb18030"


def read_text(path: Path, data: bytes, sha256: str, encoding: str | None = None) -> TextDocument:
    text, encoding = decode(data, encoding)
    return TextDocument(path=path, text=text.replace("\r\n", "\n").replace("\r", "\n"), encoding=encoding, sha256=sha256)
