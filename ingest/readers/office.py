"""Word and Excel files: paragraphs and tables in document order, every sheet as a grid."""
from __future__ import annotations

import io
import re
import shutil
import subprocess
import tempfile
import zipfile
from datetime import date, datetime
from pathlib import Path

from ingest.errors import QuarantineError
from ingest.limits import check_zip
from ingest.model import Document, from_lines
from ingest.readers.model import render_rows


def _require_zip(data: bytes, kind: str) -> None:
    if not zipfile.is_zipfile(io.BytesIO(data)):
        raise QuarantineError(f"corrupt {kind}: not a zip container")
    try:
        with zipfile.ZipFile(io.BytesIO(data)) as archive:
            check_zip(archive)
    except zipfile.BadZipFile as exc:
        raise QuarantineError(f"corrupt {kind}: {exc}") from exc


def docx_to_lines(data: bytes) -> list[str]:
    from docx import Document
    from docx.table import Table
    from docx.text.paragraph import Paragraph

    document = Document(io.BytesIO(data))
    lines: list[str] = []
    for element in document.element.body.iterchildren():
        tag = element.tag.rsplit("}", 1)[-1]
        if tag == "p":
            text = Paragraph(element, document).text.strip()
            if text:
                lines.append(text)
        elif tag == "tbl":
            table = Table(element, document)
            # row.cells repeats a merged cell in every grid position it covers, down and across
            grid = [[cell.text for cell in row.cells] for row in table.rows]
            lines.extend(render_rows(grid))
    return lines


def read_docx(path: Path, data: bytes, sha256: str) -> Document:
    _require_zip(data, "DOCX")
    try:
        lines = docx_to_lines(data)
    except (QuarantineError, MemoryError):  # a limit reached is not damage
        raise
    except Exception as exc:  # python-docx raises many kinds on damaged parts
        if _out_of_memory(exc):
            raise MemoryError(str(exc)) from exc
        raise QuarantineError(f"corrupt DOCX: {type(exc).__name__}: {exc}".splitlines()[0]) from exc
    return from_lines(path, lines, sha256, "docx")


def _out_of_memory(exc: Exception) -> bool:
    """Whether lxml failed for want of memory: libxml2 reports a failed allocation as "Memory
    allocation failed", or, when it cannot even log that, as an error with no message ("unknown
    error"); a damaged part names what is wrong with it."""
    from lxml import etree

    text = str(exc)
    return isinstance(exc, etree.LxmlError) and ("Memory allocation failed" in text or text.startswith("unknown error"))


_DECIMALS = re.compile(r"^[#,0]*0\.(0+)(?:;|$)")


def format_value(value, number_format: str | None = None) -> str:
    """A spreadsheet value as it would print: 1650 not 1650.0, 790.35 exactly, dates as ISO; a
    number with the decimals its format shows (47.9 formatted 0.00 prints 47.90, and how many
    decimals a figure was printed with is what its rounding is judged by)."""
    if value is None:
        return ""
    if isinstance(value, bool):
        return "是" if value else "否"
    decimals = _DECIMALS.match(number_format or "")
    if decimals and isinstance(value, (int, float)):
        return f"{value:.{len(decimals.group(1))}f}"
    if isinstance(value, float):
        if value.is_integer():
            return str(int(value))
        return repr(value)
    if isinstance(value, (datetime, date)):
        return value.isoformat()
    return str(value)


def xlsx_to_lines(data: bytes) -> list[str]:
    from openpyxl import load_workbook

    book = load_workbook(io.BytesIO(data), data_only=True)
    lines: list[str] = []
    for sheet in book.worksheets:
        grid = [[format_value(c.value, c.number_format) for c in row] for row in sheet.iter_rows()]
        spread_merged(grid, [(m.min_row - 1, m.max_row, m.min_col - 1, m.max_col) for m in sheet.merged_cells.ranges])
        lines.append(f"## {sheet.title}")
        lines.extend(_trim(grid))
    return lines


def spread_merged(grid: list[list[str]], ranges) -> None:
    """Each merged cell's value into every cell it covers, as a header stands over each of its
    columns; but a title (a merged range of one row that holds the row's only value, as sheets
    centre their titles over a table) stays one value, a line of prose. `ranges`: (first row, row
    after the last, first column, column after the last), counted from 0."""
    ranges = list(ranges)
    titles = {n for n, (r0, r1, c0, c1) in enumerate(ranges) if r1 - r0 == 1 and r0 < len(grid)
              and not any(v for c, v in enumerate(grid[r0]) if v and not c0 <= c < c1)}
    for n, (r0, r1, c0, c1) in enumerate(ranges):
        if r0 >= len(grid) or c0 >= len(grid[r0]):
            continue
        top = grid[r0][c0]
        if n in titles:
            grid[r0][c0], grid[r0][0] = "", top  # in the first column: _trim reads it as prose
            continue
        for r in range(r0, min(r1, len(grid))):
            for c in range(c0, min(c1, len(grid[r]))):
                grid[r][c] = top


def _trim(grid: list[list[str]]) -> list[str]:
    """Rows without a value become blank lines, a lone value in the first column a line of prose
    (titles above a table); trailing empty columns go."""
    width = max((max((i + 1 for i, v in enumerate(row) if v), default=0) for row in grid), default=0)
    out = []
    for row in grid:
        cells = row[:width]
        if not any(cells):
            out.append("")
        elif cells[0] and not any(cells[1:]):
            out.append(cells[0].strip())
        else:
            out.append(render_rows([cells])[0])
    return out


def read_xlsx(path: Path, data: bytes, sha256: str) -> Document:
    _require_zip(data, "XLSX")
    try:
        lines = xlsx_to_lines(data)
    except MemoryError:  # a limit reached is not damage
        raise
    except Exception as exc:
        raise QuarantineError(f"corrupt XLSX: {type(exc).__name__}: {exc}".splitlines()[0]) from exc
    return from_lines(path, lines, sha256, "xlsx")


def read_xls(path: Path, data: bytes, sha256: str) -> Document:
    import xlrd

    try:
        book = xlrd.open_workbook(file_contents=data, formatting_info=True)
    except MemoryError:  # a limit reached is not damage
        raise
    except Exception as exc:
        raise QuarantineError(f"corrupt XLS: {type(exc).__name__}: {exc}".splitlines()[0]) from exc
    lines: list[str] = []
    for sheet in book.sheets():
        grid = [
            [_xls_value(book, sheet.cell(r, c)) for c in range(sheet.ncols)] for r in range(sheet.nrows)
        ]
        spread_merged(grid, sheet.merged_cells)
        lines.append(f"## {sheet.name}")
        lines.extend(_trim(grid))
    return from_lines(path, lines, sha256, "xls")


def _xls_value(book, cell) -> str:
    import xlrd

    if cell.ctype == xlrd.XL_CELL_DATE:
        return xlrd.xldate.xldate_as_datetime(cell.value, book.datemode).date().isoformat()
    if cell.ctype in (xlrd.XL_CELL_EMPTY, xlrd.XL_CELL_BLANK):
        return ""
    return format_value(cell.value)


def read_doc(path: Path, data: bytes, sha256: str) -> Document:
    """Word 97-2003: converted to DOCX by LibreOffice when it is installed."""
    soffice = shutil.which("soffice") or shutil.which("libreoffice")
    if soffice is None:
        raise QuarantineError("'.doc' (Word 97-2003) needs LibreOffice to convert it, and LibreOffice is not installed")
    with tempfile.TemporaryDirectory() as tmp:
        source = Path(tmp) / "source.doc"
        source.write_bytes(data)
        result = subprocess.run(
            [soffice, "--headless", "--convert-to", "docx", "--outdir", tmp, str(source)],
            capture_output=True,
            timeout=300,
        )
        converted = Path(tmp) / "source.docx"
        if result.returncode != 0 or not converted.exists():
            raise QuarantineError("corrupt DOC: LibreOffice could not convert it")
        return read_docx(path, converted.read_bytes(), sha256)
