"""The document model every reader emits: Document → Page → Paragraph | Table → Cell.

A table is a grid of cells, each with its text, where it starts, how many rows and columns it spans,
the page it is printed on and, for a PDF, its box on that page (points, from the page's top left).
The model also renders itself as lines (prose as it is, table rows tab-separated, pages divided by
`---`), so that a form can cite a line, and a line-based reading can still see every word.
"""
from __future__ import annotations

from dataclasses import dataclass, field
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
    def origins(self) -> dict[tuple[int, int], Cell]:
        """Each grid position's cell (a merged cell under every position it covers)."""
        out: dict[tuple[int, int], Cell] = {}
        for cell in self.cells:
            for r in range(cell.row, cell.row + cell.rowspan):
                for c in range(cell.col, cell.col + cell.colspan):
                    out[(r, c)] = cell
        return out

    def page_of_row(self, row: int) -> int | None:
        return self.row_pages[row] if row < len(self.row_pages) else self.page

    @staticmethod
    def from_grid(grid: list[list[str]], page: int | None = None) -> "Table":
        width = max((len(r) for r in grid), default=0)
        cells = tuple(Cell(text, r, c, page=page) for r, row in enumerate(grid) for c, text in enumerate(row))
        return Table(cells, len(grid), width, page, None, tuple([page] * len(grid)))


Block = Paragraph | Table


@dataclass(frozen=True)
class Page:
    number: int  # 1-based
    blocks: tuple[Block, ...]
    width: float | None = None
    height: float | None = None


@dataclass(frozen=True)
class Document:
    path: Path
    sha256: str
    pages: tuple[Page, ...]
    encoding: str | None = None
    source_format: str = "text"
    # lines as the reader read them, for formats whose text is already lines (text, Markdown)
    raw_lines: tuple[str, ...] | None = field(default=None, compare=False)

    @property
    def page_count(self) -> int:
        return len(self.pages)

    @cached_property
    def rendered(self) -> tuple[list[str], list[int | None], dict[int, int]]:
        """The lines, the page of each line, and each block's first line index (by id)."""
        lines: list[str] = []
        pages: list[int | None] = []
        starts: dict[int, int] = {}
        for n, page in enumerate(self.pages):
            if n and self.source_format == "pdf":
                lines.append("---")
                pages.append(page.number)
            for block in page.blocks:
                starts[id(block)] = len(lines)
                if isinstance(block, Paragraph):
                    lines.append(block.text)
                    pages.append(page.number)
                else:
                    for r, row in enumerate(block.grid):
                        lines.append(render_row(row))
                        pages.append(block.page_of_row(r))
        if self.raw_lines is not None:
            return list(self.raw_lines), [1] * len(self.raw_lines), starts
        return lines, pages, starts

    @property
    def lines(self) -> list[str]:
        return self.rendered[0]

    @property
    def text(self) -> str:
        return "\n".join(self.lines)

    def line_of(self, block: Block) -> int:
        """The 0-based index of a block's first line in `lines`."""
        return self.rendered[2][id(block)]

    def page_of_line(self, index: int) -> int | None:
        pages = self.rendered[1]
        return pages[index] if 0 <= index < len(pages) else None

    def blocks(self):
        for page in self.pages:
            yield from page.blocks

    @property
    def tables(self) -> list[Table]:
        return [b for b in self.blocks() if isinstance(b, Table)]

    @property
    def has_positions(self) -> bool:
        """Whether the tables were rebuilt from positions (a PDF), rather than read as grids."""
        return self.source_format == "pdf"


def clean_cell(text: str | None) -> str:
    """One table cell on one line: inner line breaks and runs of spaces become one space, tabs go."""
    if text is None:
        return ""
    return " ".join(str(text).split())


def render_row(row: list[str]) -> str:
    """A table row as one tab-separated line (a one-column row gets a leading tab to stay a row)."""
    cells = [clean_cell(c) for c in row] or [""]
    return "\t".join(cells) if len(cells) > 1 else "\t" + cells[0]


def from_lines(path: Path, lines: list[str], sha256: str, encoding: str | None = None,
               source_format: str = "text") -> Document:
    """A document from lines whose table rows are tab-separated: runs of rows become tables, the
    rest paragraphs; the lines themselves are kept, so line numbers stay those of the file."""
    blocks: list[Block] = []
    run: list[list[str]] = []
    for line in lines:
        if "\t" in line:
            run.append([c.strip() for c in line.split("\t")])
            continue
        if run:
            blocks.append(Table.from_grid(run, 1))
            run = []
        blocks.append(Paragraph(line, 1))
    if run:
        blocks.append(Table.from_grid(run, 1))
    return Document(path, sha256, (Page(1, tuple(blocks)),), encoding, source_format, tuple(lines))
