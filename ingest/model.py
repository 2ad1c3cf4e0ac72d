"""The document model: Document → Page → Paragraph | Table → Cell.

A table is a grid of cells, each with its text, where it starts, how many rows and columns it spans,
the page it is printed on and, for a PDF, its box on that page (points, from the page's top left).
The model also renders itself as lines (prose as it is, table rows tab-separated, pages divided by
`---`), so that a form can cite a line, and a line-based reading can still see every word.

Every reader emits it: the PDF reader rebuilds its tables from positions, the Word, Excel and HTML
readers map their grids to it, and text and Markdown become it through `from_lines` (tab-separated
rows and Markdown pipe rows are table rows).
"""
from __future__ import annotations

import re
from dataclasses import dataclass
from functools import cached_property
from pathlib import Path


@dataclass(frozen=True)
class Box:
    x0: float
    top: float
    x1: float
    bottom: float


@dataclass(frozen=True)
class Cell:
    text: str
    row: int
    col: int
    rowspan: int = 1
    colspan: int = 1
    page: int | None = None
    box: Box | None = None
    confidence: float | None = None  # for text read by OCR: how sure it was of the least sure word


@dataclass(frozen=True)
class Paragraph:
    text: str
    page: int | None = None
    box: Box | None = None


@dataclass(frozen=True)
class Table:
    """A grid of cells; `row_pages[r]` is the page row r is printed on (a table may run across pages)."""

    cells: tuple[Cell, ...]
    n_rows: int
    n_cols: int
    page: int | None = None
    box: Box | None = None
    row_pages: tuple[int | None, ...] = ()
    # for a table read from lines, the 0-based line each row stands on (a blank or a page break
    # may stand between two of them)
    row_lines: tuple[int, ...] = ()

    @cached_property
    def grid(self) -> list[list[str]]:
        """Row by row, a merged cell's text repeated in every position it covers."""
        grid = [[""] * self.n_cols for _ in range(self.n_rows)]
        for cell in self.cells:
            for r in range(cell.row, min(cell.row + cell.rowspan, self.n_rows)):
                for c in range(cell.col, min(cell.col + cell.colspan, self.n_cols)):
                    grid[r][c] = cell.text
        return grid

    @cached_property
    def confidences(self) -> list[list[float | None]] | None:
        """Row by row, as `grid`: how sure OCR was of each position's text (None for a text layer's);
        None for a table none of whose text OCR read."""
        if all(cell.confidence is None for cell in self.cells):
            return None
        grid: list[list[float | None]] = [[None] * self.n_cols for _ in range(self.n_rows)]
        for cell in self.cells:
            if cell.confidence is not None:
                for r in range(cell.row, min(cell.row + cell.rowspan, self.n_rows)):
                    for c in range(cell.col, min(cell.col + cell.colspan, self.n_cols)):
                        grid[r][c] = cell.confidence
        return grid

    def page_of_row(self, row: int) -> int | None:
        return self.row_pages[row] if row < len(self.row_pages) else self.page

    @staticmethod
    def from_grid(grid: list[list[str]], row_lines: tuple[int, ...] = ()) -> "Table":
        """A table read as a grid already (Word, Excel, HTML): a merged cell's text in every position."""
        width = max((len(row) for row in grid), default=0)
        cells = tuple(Cell(text, r, c) for r, row in enumerate(grid) for c, text in enumerate(row))
        return Table(cells, len(grid), width, row_lines=row_lines)


Block = Paragraph | Table


@dataclass(frozen=True)
class Page:
    number: int  # 1-based
    blocks: tuple[Block, ...]
    width: float | None = None
    height: float | None = None
    ocr: bool = False  # some of its words were read from its images by OCR


@dataclass(frozen=True)
class Document:
    path: Path
    sha256: str
    pages: tuple[Page, ...]
    encoding: str | None = None
    source_format: str = "pdf"  # pdf, or the grid format it was read from (docx, xlsx, xls, html)
    # the lines as the reader rendered them, for a document built from them (`from_lines`), and
    # the line each block starts on
    raw_lines: tuple[str, ...] | None = None
    block_lines: tuple[int, ...] = ()

    @property
    def page_count(self) -> int:
        return len(self.pages)

    @property
    def ocr_pages(self) -> int:
        """Pages some of whose words were read by OCR."""
        return sum(page.ocr for page in self.pages)

    @cached_property
    def rendered(self) -> tuple[list[str], dict[int, int]]:
        """The lines, and each block's first line index (by the block's id)."""
        lines: list[str] = []
        starts: dict[int, int] = {}
        for n, page in enumerate(self.pages):
            if n:
                lines.append("---")
            for block in page.blocks:
                starts[id(block)] = len(lines)
                if isinstance(block, Paragraph):
                    lines.append(block.text)
                else:
                    lines.extend(render_row(row) for row in block.grid)
        if self.raw_lines is not None:
            return list(self.raw_lines), {id(b): n for b, n in zip(self.blocks(), self.block_lines)}
        return lines, starts

    @property
    def lines(self) -> list[str]:
        return self.rendered[0]

    @property
    def text(self) -> str:
        return "\n".join(self.lines)

    def line_of(self, block: Block) -> int:
        """The 0-based index of a block's first line in `lines`."""
        return self.rendered[1][id(block)]

    def blocks(self):
        for page in self.pages:
            yield from page.blocks

    @property
    def tables(self) -> list[Table]:
        return [b for b in self.blocks() if isinstance(b, Table)]

    def paragraphs(self) -> list[Paragraph]:
        return [b for b in self.blocks() if isinstance(b, Paragraph)]

    @property
    def has_positions(self) -> bool:
        """Whether the tables were rebuilt from positions (a PDF), rather than read as grids."""
        return self.source_format == "pdf"


def from_lines(path: Path, lines: list[str], sha256: str, source_format: str, encoding: str | None = None) -> Document:
    """A document from lines whose table rows are tab-separated or Markdown pipe rows (what the
    Word, Excel and HTML readers render, and text): each run of rows is a table, across blank
    lines, page breaks (`---`, `- 3 -`, `第3页`) and a Markdown header rule between rows, every
    other line a paragraph; the lines stay as they were."""
    blocks: list[tuple[int, Block]] = []  # (the line a block starts on, the block)
    run: list[list[str]] = []
    run_lines: list[int] = []
    held: list[int] = []  # blank lines and page breaks after a row, until the next line says

    def close_run() -> None:
        blocks.append((run_lines[0], Table.from_grid(list(run), tuple(run_lines))))
        blocks.extend((h, Paragraph(lines[h])) for h in held)
        run.clear(), run_lines.clear(), held.clear()

    for n, line in enumerate(lines):
        cells = table_cells(line)
        if cells is not None:
            run.append(cells)
            run_lines.append(n)
            held.clear()
            continue
        if run and _is_break(line):
            held.append(n)
            continue
        if run:
            close_run()
        blocks.append((n, Paragraph(line)))
    if run:
        close_run()
    return Document(path, sha256, (Page(1, tuple(b for _, b in blocks)),), encoding, source_format, tuple(lines),
                    tuple(n for n, _ in blocks))


_MARKDOWN_RULE = re.compile(r"^\|?\s*:?-{3,}")
_MARKUP = re.compile(r"<[^>]+>|\*\*")
_PAGE_NUMBER = re.compile(r"-\s*\d+\s*-|第\d+页")


def table_cells(line: str) -> list[str] | None:
    """The cells of a line that is a table row: tab-separated, or a Markdown pipe row (`| a | b |`);
    None for any other line. Inline markup (`<br>`, `**`) is dropped."""
    if "\t" in line:
        return [_unmark(c) for c in line.split("\t")]
    stripped = line.strip()
    if stripped.startswith("|") and stripped.count("|") >= 2 and not _MARKDOWN_RULE.match(stripped):
        return [_unmark(c).strip() for c in stripped.strip("|").split("|")]
    return None


def _unmark(cell: str) -> str:
    return _MARKUP.sub("", cell) if "<" in cell or "**" in cell else cell


def _is_break(line: str) -> bool:
    """Blank lines and page-break leftovers that may stand between two rows of one table."""
    flat = line.strip()
    return (not flat or flat in {"---", "***", "___"} or bool(_PAGE_NUMBER.fullmatch(flat))
            or bool(_MARKDOWN_RULE.match(flat) and set(flat) <= set("|-: ")))


def clean_cell(text: str | None) -> str:
    """One table cell on one line: inner line breaks and runs of spaces become one space, tabs go."""
    if text is None:
        return ""
    return " ".join(str(text).split())


def render_row(row: list[str]) -> str:
    """A table row as one tab-separated line (a one-column row gets a leading tab to stay a row)."""
    cells = [clean_cell(c) for c in row] or [""]
    return "\t".join(cells) if len(cells) > 1 else "\t" + cells[0]
