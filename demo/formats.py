"""A generated document printed as published files are: its text (prose lines, and tables as runs
of tab-separated rows) laid out as a PDF, a Word document or an Excel workbook.

The layouts are those real publications use, so that a generated corpus exercises the readers as
the published files do:
- PDF (`to_pdf`): a text layer on landscape A4, prose as lines, each table ruled with columns as
  wide as their text needs (scaled to the page, long labels wrapping onto more lines), a header cell
  followed by empty ones merged over them, a table that outgrows its page continued on the next
  one without its header; 类/款/项 codes printed in three columns under a merged 科目编码, and every
  other table in 万元 printed in 元 instead (its unit line saying so). Two-sided tables (收入 beside
  支出) are printed as the text holds them.
- Word (`to_docx`): prose as paragraphs, each table a Word table with its header cells merged.
- Excel (`to_xlsx`): one sheet per table, the prose before it as merged title rows above it,
  amounts as numbers shown with the decimals they were printed with, codes as text.
Only the layout changes: each prints the same figures, and a document reads to the same records
from any of them as from its text.
"""
from __future__ import annotations

import io
import re
import zipfile
from dataclasses import dataclass
from datetime import datetime
from decimal import Decimal

FONT = "STSong-Light"
FORMATS = ("txt", "md", "html", "pdf", "docx", "xlsx")
PRINTED = ("pdf", "docx", "xlsx")  # printed from the document's text by this module

_AMOUNT = re.compile(r"^-?[\d,]*\d\.\d+$|^-?\d{1,3}(,\d{3})+$")
_CODE = re.compile(r"^\d{3}(\d{2}){0,2}$")
CODE_HEADERS = ("科目代码", "科目编码")
TEN_THOUSAND = "万元"


def is_amount(text: str) -> bool:
    """A printed amount: with decimals or thousands separators (a row number or a count has neither)."""
    return bool(_AMOUNT.match(text))


@dataclass
class Table:
    rows: list[list[str]]
    unit_line: int | None = None  # the index of the prose block that states its unit, if any

    @property
    def width(self) -> int:
        return max(len(r) for r in self.rows)

    def header_rows(self) -> int:
        """The rows above the first that holds an amount."""
        return next((n for n, row in enumerate(self.rows) if any(is_amount(c) for c in row)), len(self.rows))


def blocks(lines: list[str]) -> list[str | Table]:
    """The document as prose lines and tables, each table padded to its width and knowing the prose
    line that states its unit (the last one before it)."""
    out: list[str | Table] = []
    unit = None
    for line in lines:
        if "\t" in line:
            if out and isinstance(out[-1], Table):
                out[-1].rows.append(line.split("\t"))
            else:
                out.append(Table([line.split("\t")], unit))
                unit = None
        elif line.strip() and line.strip() != "---":
            text = line.strip().removeprefix("## ")
            if "单位" in text and TEN_THOUSAND in text:
                unit = len(out)
            out.append(text)
    for block in out:
        if isinstance(block, Table):
            block.rows = [row + [""] * (block.width - len(row)) for row in block.rows]
    return out


def in_yuan(document: list[str | Table], table: Table) -> None:
    """Print a table stated in 万元 in 元: every amount times ten thousand, and its unit line says 元."""
    if table.unit_line is None:
        return
    document[table.unit_line] = document[table.unit_line].replace(TEN_THOUSAND, "元")
    for row in table.rows:
        for c, cell in enumerate(row):
            if is_amount(cell):
                row[c] = f"{Decimal(cell.replace(',', '')) * 10000:,.2f}"


def codes_in_three(table: Table) -> None:
    """Print a table's subject codes in three columns, 类 款 项, under the header the code column had
    (a header of one row gains a row above them: 科目编码 over the three, the other headers over
    empty cells)."""
    head = table.header_rows()
    at = next((c for row in table.rows[:head] for c, cell in enumerate(row) if cell in CODE_HEADERS), None)
    if at is None:
        return
    if table.rows[0][at] in CODE_HEADERS:
        table.rows.insert(0, list(table.rows[0]))
        table.rows[1] = [cell if c == at else "" for c, cell in enumerate(table.rows[1])]
        head += 1
    for n, row in enumerate(table.rows):
        code = row[at]
        if n < head:
            parts = ["类", "款", "项"] if code in CODE_HEADERS and n == head - 1 else [code, "", ""]
        elif _CODE.match(code):
            parts = [code[:3], code[3:5], code[5:7]]
        else:
            parts = [code, "", ""]
        row[at:at + 1] = parts


def merged(table: Table) -> list[list]:
    """A table's rows as cells to draw: in the header rows, a cell followed by empty ones under the
    same header above is merged over them ((text, span)); in the body, a label (合计) followed by
    empty label cells is merged over them."""
    width, head, labels = table.width, table.header_rows(), _label_columns(table)
    above = [""] * width
    out = []
    for n, row in enumerate(table.rows):
        cells, c = [], 0
        while c < width:
            span = 1
            if n < head:
                while c + span < width and row[c] and not row[c + span] and above[c + span] == above[c]:
                    span += 1
                for k in range(c, c + span):
                    above[k] += "/" + row[c]
            elif c == 0 and row[c] and not is_amount(row[c]) and not _CODE.match(row[c]):
                while c + span < labels and not row[c + span]:
                    span += 1
            cells.append((row[c], span) if span > 1 else row[c])
            c += span
        out.append(cells)
    return out


def _label_columns(table: Table) -> int:
    """How many columns, from the left, hold labels rather than amounts (codes and names)."""
    body = table.rows[table.header_rows():]
    for c in range(table.width):
        if any(is_amount(row[c]) for row in body):
            return c
    return table.width


class Sheet:
    """A landscape A4 PDF drawn a line or a table row at a time, with a CJK font (the text layer
    carries the characters)."""

    def __init__(self):
        from reportlab.lib.pagesizes import A4, landscape
        from reportlab.pdfbase import pdfmetrics
        from reportlab.pdfbase.cidfonts import UnicodeCIDFont
        from reportlab.pdfgen import canvas

        pdfmetrics.registerFont(UnicodeCIDFont(FONT))
        self.buffer = io.BytesIO()
        self.size = landscape(A4)
        # invariant: no creation date or random document id, so the same text prints the same bytes
        self.canvas = canvas.Canvas(self.buffer, pagesize=self.size, invariant=True)
        self.y = self.size[1] - 50

    def text(self, text: str, size: float = 10, x: float = 50, centre: bool = False) -> None:
        self.canvas.setFont(FONT, size)
        if centre:
            self.canvas.drawCentredString(self.size[0] / 2, self.y, text)
        else:
            self.canvas.drawString(x, self.y, text)
        self.y -= size * 1.8

    def new_page(self) -> None:
        self.canvas.showPage()
        self.y = self.size[1] - 50

    def table(self, widths: list[float], rows: list[list], ruled: bool, above: bool = False) -> None:
        """Rows of cells: a cell is text, or (text, colspan); numbers are right-aligned. A label
        wider than its column wraps onto more lines, and the row grows to hold them."""
        from reportlab.pdfbase.pdfmetrics import stringWidth

        c = self.canvas
        c.setFont(FONT, 9)
        x0 = 50
        for row in rows:
            cells = [(cell, 1) if not isinstance(cell, tuple) else cell for cell in row]
            wrapped = []
            col = 0
            for text, span in cells:
                width = sum(widths[col:col + span]) - 6
                lines = wrap(text, width, stringWidth) if text and not is_amount(text) else [text]
                wrapped.append((lines, col, span))
                col += span
            height = 14 * max(len(lines) for lines, _, _ in wrapped) + 4
            top = self.y
            for lines, col, span in wrapped:
                left = x0 + sum(widths[:col])
                width = sum(widths[col:col + span])
                if ruled:
                    c.rect(left, top - height, width, height, stroke=1, fill=0)
                for n, line in enumerate(lines):
                    baseline = top - 12 - 14 * n
                    if span > 1:
                        c.drawCentredString(left + width / 2, baseline, line)  # a merged cell
                    elif is_amount(line):
                        c.drawRightString(left + width - 3, baseline + (5 if above else 0), line)
                    else:
                        c.drawString(left + 3, baseline, line)
            self.y -= height

    def bytes(self) -> bytes:
        self.canvas.save()
        return self.buffer.getvalue()


def wrap(text: str, width: float, measure) -> list[str]:
    lines, current = [], ""
    for ch in text:
        if current and measure(current + ch, FONT, 9) > width:
            lines.append(current)
            current = ""
        current += ch
    return lines + [current]


def to_pdf(lines: list[str], published: bool = True) -> bytes:
    """A document's text printed as a PDF. `published`: with the layouts of real publications (codes
    in three columns, every other 万元 table in 元); without, each table as its text holds it."""
    from reportlab.pdfbase.pdfmetrics import stringWidth

    document = blocks(lines)
    if published:
        in_ten_thousands = [b for b in document if isinstance(b, Table) and b.unit_line is not None]
        for table in in_ten_thousands[1::2]:
            in_yuan(document, table)
        for block in document:
            if isinstance(block, Table):
                codes_in_three(block)
    sheet = Sheet()
    for block in document:
        if not isinstance(block, Table):
            if sheet.y < 60:
                sheet.new_page()
            sheet.text(block, 9)
            continue
        natural = [max(stringWidth(row[c], FONT, 9) for row in block.rows) + 10 for c in range(block.width)]
        scale = min(1.0, 740 / sum(natural))
        widths = [max(24.0, w * scale) for w in natural]
        for row in merged(block):
            if sheet.y < 60:
                sheet.new_page()
            sheet.table(widths, [row], True)
        sheet.y -= 10
    return sheet.bytes()


def as_scanned(pdf: bytes, dpi: int, turn: float = 0.0) -> bytes:
    """A PDF as a scanner gives it back: each page an image at `dpi`, turned by `turn` degrees, no
    text layer."""
    import pypdfium2 as pdfium
    from PIL import Image

    images = []
    for page in pdfium.PdfDocument(pdf):
        image = page.render(scale=dpi / 72).to_pil().convert("RGB")
        if turn:
            image = image.rotate(turn, resample=Image.BICUBIC, fillcolor="white")
        images.append(image)
    buffer = io.BytesIO()
    images[0].save(buffer, format="PDF", save_all=True, append_images=images[1:], resolution=dpi)
    return buffer.getvalue()


def to_docx(lines: list[str]) -> bytes:
    """A document's text as a Word document: paragraphs, and tables with their header cells merged."""
    from docx import Document

    word = Document()
    for block in blocks(lines):
        if not isinstance(block, Table):
            word.add_paragraph(block)
            continue
        table = word.add_table(rows=len(block.rows), cols=block.width)
        table.style = "Table Grid"
        for r, row in enumerate(merged(block)):
            c = 0
            for cell in row:
                text, span = cell if isinstance(cell, tuple) else (cell, 1)
                target = table.cell(r, c)
                if span > 1:
                    target = target.merge(table.cell(r, c + span - 1))
                target.text = text
                c += span
    out = io.BytesIO()
    word.save(out)
    return _settled(out.getvalue())


def to_xlsx(lines: list[str]) -> bytes:
    """A document's text as an Excel workbook: a sheet per table, the prose before it as merged title
    rows above, amounts as numbers (as a spreadsheet holds them) and codes as text; prose after
    the last table below it."""
    from openpyxl import Workbook

    book = Workbook()
    book.remove(book.active)
    document = blocks(lines)
    tables = [b for b in document if isinstance(b, Table)]
    if not tables:  # prose alone: one sheet of it
        document.append(Table([[""]]))
    prose: list[str] = []
    sheet = None
    for block in document:
        if not isinstance(block, Table):
            prose.append(block)
            continue
        sheet = book.create_sheet(f"表{len(book.worksheets) + 1}")
        for line in prose:
            sheet.append([line])
            if block.width > 1:
                sheet.merge_cells(start_row=sheet.max_row, start_column=1, end_row=sheet.max_row, end_column=block.width)
        prose = []
        _put(sheet, block)
    for line in prose:  # after the last table
        sheet.append([line])
    out = io.BytesIO()
    book.save(out)
    return _settled(out.getvalue())


def _put(sheet, table: Table) -> None:
    first = sheet.max_row + 1
    for r, row in enumerate(merged(table)):
        c = 0
        for cell in row:
            text, span = cell if isinstance(cell, tuple) else (cell, 1)
            target = sheet.cell(first + r, c + 1)
            if is_amount(text):  # a number, shown with the decimals it was printed with
                target.value = float(text.replace(",", ""))
                decimals = len(text.rpartition(".")[2]) if "." in text else 0
                target.number_format = "#,##0" + ("." + "0" * decimals if decimals else "")
            elif text:
                target.value = text
            if span > 1:
                sheet.merge_cells(start_row=first + r, start_column=c + 1, end_row=first + r, end_column=c + span)
            c += span


_WRITTEN = datetime(2000, 1, 1)


def _settled(package: bytes) -> bytes:
    """An Office file (a zip) with every part dated the same: the same text writes the same bytes,
    so a corpus generated again is the same corpus, file for file."""
    source, out = zipfile.ZipFile(io.BytesIO(package)), io.BytesIO()
    with zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED) as target:
        for info in source.infolist():
            part = source.read(info)
            if info.filename == "docProps/core.xml":  # the writers stamp the time of saving
                part = re.sub(rb"(<dcterms:(?:created|modified)[^>]*>)[^<]*", rb"\g<1>2000-01-01T00:00:00Z", part)
            target.writestr(zipfile.ZipInfo(info.filename, date_time=_WRITTEN.timetuple()[:6]), part,
                            compress_type=zipfile.ZIP_DEFLATED)
    return out.getvalue()


def write(path, text: str) -> None:
    """Write a document's text as the file `path` names by its suffix: printed as a PDF, Word or
    Excel file, or as the text itself."""
    from pathlib import Path

    path = Path(path)
    fmt = path.suffix.lstrip(".")
    if fmt in PRINTED:
        lines = text.splitlines()
        path.write_bytes({"pdf": to_pdf, "docx": to_docx, "xlsx": to_xlsx}[fmt](lines))
    else:
        path.write_text(text, encoding="utf-8")
