"""One project self-evaluation table written in every format the readers take, from one grid."""
from __future__ import annotations

import io

TITLE = ["营商环境评估费 项目绩效自评表", "（2020年度）"]
WIDTH = 8

# (text, rowspan, colspan) per cell; the expanded grid repeats merged cells
ROWS = [
    [("项目名称", 1, 1), ("营商环境评估费", 1, 7)],
    [("主管部门", 1, 1), ("016山西省行政审批服务管理局", 1, 3), ("实施单位", 1, 1), ("山西省行政审批服务管理局", 1, 3)],
    [("项目资金(万元)", 1, 2), ("年初预算数", 1, 1), ("全年预算数", 1, 1), ("全年执行数", 1, 1), ("分值", 1, 1), ("执行率", 1, 1), ("得分", 1, 1)],
    [("资金", 3, 1), ("年度资金总额", 1, 1), ("1650", 1, 1), ("1650", 1, 1), ("790.35", 1, 1), ("10", 1, 1), ("47.9", 1, 1), ("4.79", 1, 1)],
    [("其中:中央财政资金", 1, 1), ("0", 1, 1), ("0", 1, 1), ("0", 1, 1), ("--", 1, 1), ("0", 1, 1), ("--", 1, 1)],
    [("省级财政资金", 1, 1), ("1650", 1, 1), ("1650", 1, 1), ("790.35", 1, 1), ("--", 1, 1), ("47.9", 1, 1), ("--", 1, 1)],
    [("一级指标", 1, 1), ("二级指标", 1, 1), ("三级指标", 1, 1), ("年度指标值", 1, 1), ("实际完成值", 1, 1), ("分值", 1, 1), ("得分", 1, 1), ("偏差原因分析及改进措施", 1, 1)],
    [("产出指标", 2, 1), ("数量指标", 1, 1), ("企业问卷发放数", 1, 1), ("不少于3000份", 1, 1), ("3500份", 1, 1), ("20", 1, 1), ("20", 1, 1), ("", 1, 1)],
    [("质量指标", 1, 1), ("问卷回收率", 1, 1), ("≥50%", 1, 1), ("60%", 1, 1), ("20", 1, 1), ("20", 1, 1), ("", 1, 1)],
    [("效益指标", 1, 1), ("社会效益", 1, 1), ("科学评价各市营商环境", 1, 1), ("11个市", 1, 1), ("11个市", 1, 1), ("20", 1, 1), ("20", 1, 1), ("", 1, 1)],
    [("满意度指标", 1, 1), ("服务对象满意度指标", 1, 1), ("评价城市", 1, 1), ("≥75%", 1, 1), ("72%", 1, 1), ("30", 1, 1), ("28.8", 1, 1), ("未达标", 1, 1)],
    [("总分", 1, 5), ("100", 1, 1), ("98.8", 1, 1), ("", 1, 1)],
]


def grid(rows=ROWS) -> list[list[str]]:
    from ingest.readers.model import expand_spans

    return expand_spans(rows)


def as_text(rows=ROWS) -> bytes:
    from ingest.readers.model import render_rows

    return "\n".join(TITLE + [""] + render_rows(grid(rows))).encode("utf-8")


def as_markdown(rows=ROWS) -> bytes:
    """A Markdown pipe table under a header rule, one label in bold, a page number between rows."""
    lines = ["| " + " | ".join(f"**{c}**" if c == "项目名称" else c for c in row) + " |" for row in grid(rows)]
    lines.insert(1, "|" + "---|" * WIDTH)
    lines.insert(8, "- 2 -")
    return "\n".join(TITLE + [""] + lines).encode("utf-8")


def as_html(rows=ROWS) -> bytes:
    def cell(text, rowspan, colspan):
        attrs = (f' rowspan="{rowspan}"' if rowspan > 1 else "") + (f' colspan="{colspan}"' if colspan > 1 else "")
        return f"<td{attrs}>{text.replace('<', '&lt;')}</td>"

    rows = "".join("<tr>" + "".join(cell(*c) for c in row) + "</tr>" for row in rows)
    body = "".join(f"<p><b>{t}</b></p>" for t in TITLE)
    return f"<html><head><meta charset='utf-8'><style>td{{border:1px}}</style></head><body>{body}<table>{rows}</table></body></html>".encode()


def as_docx(rows=ROWS) -> bytes:
    from docx import Document

    document = Document()
    for line in TITLE:
        document.add_paragraph(line)
    table = document.add_table(rows=len(rows), cols=WIDTH)
    for r, c, text, rowspan, colspan in _merges(rows):
        top = table.cell(r, c)
        if rowspan > 1 or colspan > 1:
            top = top.merge(table.cell(r + rowspan - 1, c + colspan - 1))
        top.text = text
    out = io.BytesIO()
    document.save(out)
    return out.getvalue()


def _merges(rows=ROWS):
    occupied: set[tuple[int, int]] = set()
    for r, row in enumerate(rows):
        c = 0
        for text, rowspan, colspan in row:
            while (r, c) in occupied:
                c += 1
            yield r, c, text, rowspan, colspan
            occupied.update((r + dr, c + dc) for dr in range(rowspan) for dc in range(colspan))
            c += colspan


def _number(text: str):
    try:
        value = float(text)
    except ValueError:
        return text
    return int(value) if value.is_integer() else value


def as_xlsx() -> bytes:
    from openpyxl import Workbook

    book = Workbook()
    sheet = book.active
    sheet.title = "自评表"
    sheet.append([TITLE[0]])
    sheet.append([TITLE[1]])
    for r, c, text, rowspan, colspan in _merges():
        sheet.cell(r + 3, c + 1, _number(text) if text else None)
        if rowspan > 1 or colspan > 1:
            sheet.merge_cells(start_row=r + 3, start_column=c + 1, end_row=r + 2 + rowspan, end_column=c + colspan)
    out = io.BytesIO()
    book.save(out)
    return out.getvalue()


def as_xls() -> bytes:
    import xlwt

    book = xlwt.Workbook(encoding="utf-8")
    sheet = book.add_sheet("自评表")
    sheet.write(0, 0, TITLE[0])
    sheet.write(1, 0, TITLE[1])
    for r, c, text, rowspan, colspan in _merges():
        value = _number(text) if text else ""
        if rowspan > 1 or colspan > 1:
            sheet.write_merge(r + 2, r + 1 + rowspan, c, c + colspan - 1, value)
        else:
            sheet.write(r + 2, c, value)
    out = io.BytesIO()
    book.save(out)
    return out.getvalue()


def as_pdf() -> bytes:
    from reportlab.lib.pagesizes import A4, landscape
    from reportlab.lib.styles import ParagraphStyle
    from reportlab.pdfbase import pdfmetrics
    from reportlab.pdfbase.cidfonts import UnicodeCIDFont
    from reportlab.platypus import Paragraph, SimpleDocTemplate, Table, TableStyle

    pdfmetrics.registerFont(UnicodeCIDFont("STSong-Light"))
    out = io.BytesIO()
    doc = SimpleDocTemplate(out, pagesize=landscape(A4))
    style = ParagraphStyle("zh", fontName="STSong-Light", fontSize=10)
    table = Table(grid())
    table.setStyle(TableStyle([("FONTNAME", (0, 0), (-1, -1), "STSong-Light"), ("FONTSIZE", (0, 0), (-1, -1), 7), ("GRID", (0, 0), (-1, -1), 0.5, "black")]))
    doc.build([Paragraph(t, style) for t in TITLE] + [table])
    return out.getvalue()


def scanned_pdf() -> bytes:
    """A page holding only an image: what a scanner produces."""
    from reportlab.lib.utils import ImageReader
    from reportlab.pdfgen import canvas
    import struct
    import zlib

    def png(width, height):
        raw = b"".join(b"\x00" + b"\x80" * width for _ in range(height))
        chunk = lambda kind, body: struct.pack(">I", len(body)) + kind + body + struct.pack(">I", zlib.crc32(kind + body))
        return b"\x89PNG\r\n\x1a\n" + chunk(b"IHDR", struct.pack(">IIBBBBB", width, height, 8, 0, 0, 0, 0)) + chunk(b"IDAT", zlib.compress(raw)) + chunk(b"IEND", b"")

    out = io.BytesIO()
    pdf = canvas.Canvas(out)
    pdf.drawImage(ImageReader(io.BytesIO(png(40, 40))), 100, 500, 200, 200)
    pdf.showPage()
    pdf.save()
    return out.getvalue()


WRITERS = {
    ".txt": as_text,
    ".md": as_markdown,
    ".html": as_html,
    ".docx": as_docx,
    ".xlsx": as_xlsx,
    ".xls": as_xls,
    ".pdf": as_pdf,
}
