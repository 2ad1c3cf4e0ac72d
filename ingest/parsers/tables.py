"""A form's view of the model's tables: rows of squashed cells, each with the file line it stands on."""
from __future__ import annotations

from dataclasses import dataclass

from ingest.model import Document, Table
from ingest.normalise import squash


@dataclass(frozen=True)
class Row:
    line_no: int
    cells: tuple[str, ...]  # squashed: whitespace dropped, full-width forms folded
    confidence: float | None = None  # read by OCR: how sure it was of the row's least sure figure

    @property
    def filled(self) -> list[tuple[int, str]]:
        return [(i, c) for i, c in enumerate(self.cells) if c]


def table_rows(document: Document, line_offset: int = 0) -> list[tuple[Table, list[Row]]]:
    """Every table of the document with its rows. A row read from a text line keeps the cells the
    line printed (a shorter line is a row whose cells shifted, not one padded to the grid)."""
    out = []
    for table in document.tables:
        start = document.line_of(table)
        widths = _printed_widths(table) if table.row_lines else None
        rows = []
        for r, cells in enumerate(table.grid):
            line = table.row_lines[r] if table.row_lines else start + r
            printed = cells[: widths[r]] if widths else cells
            # read by OCR: the least sure of the row's cells that hold a figure
            sure = [] if table.confidences is None else [
                v for c, v in enumerate(table.confidences[r][: len(printed)])
                if v is not None and any(ch.isdigit() for ch in printed[c])]
            rows.append(Row(line + line_offset + 1, tuple(squash(c) for c in printed), min(sure, default=None)))
        out.append((table, rows))
    return out


def _printed_widths(table: Table) -> list[int]:
    widths = [0] * table.n_rows
    for cell in table.cells:
        widths[cell.row] = max(widths[cell.row], cell.col + cell.colspan)
    return widths


def block_from(tables: list, is_header) -> list[Row] | None:
    """The rows of a block of a table, from its header row to the table's end."""
    for _, rows in tables:
        for i, row in enumerate(rows):
            if is_header(row):
                return rows[i:]
    return None
