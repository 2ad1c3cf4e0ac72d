"""Helpers the grid readers (Word, Excel, HTML) share: merged cells expanded into a grid, rows
rendered as lines. The document model itself is `ingest.model`."""
from __future__ import annotations

from ingest.model import clean_cell, render_row

__all__ = ["clean_cell", "expand_spans", "render_rows"]


def render_rows(grid: list[list[str]]) -> list[str]:
    """Table rows as tab-separated lines (a one-column table gets a leading tab to stay a table row)."""
    return [render_row(row) for row in grid]


# The grid positions one table may cover once its merged cells are expanded: a published table has
# thousands; a few hundred bytes of HTML asking for more would cost gigabytes.
MAX_GRID_CELLS = 2_000_000


def expand_spans(rows: list[list[tuple[str, int, int]]]) -> list[list[str]]:
    """A grid from rows of (text, rowspan, colspan) cells, each merged cell repeated where it reaches
    (a rowspan reaches no further than the table's last row). A table that would cover more than
    `MAX_GRID_CELLS` positions is refused: `QuarantineError` ("resource limit: …")."""
    covered = sum(min(max(rowspan, 1), len(rows) - r) * max(colspan, 1)
                  for r, row in enumerate(rows) for _, rowspan, colspan in row)
    if covered > MAX_GRID_CELLS:
        from ingest.errors import QuarantineError

        raise QuarantineError(f"resource limit: a table whose merged cells cover {covered:,} positions "
                              f"(at most {MAX_GRID_CELLS:,})")
    if all(rowspan == 1 and colspan == 1 for row in rows for _, rowspan, colspan in row):
        last = len(rows)
        while last and not rows[last - 1]:
            last -= 1  # as below: rows with no cells at the end make no grid rows
        width = max((len(row) for row in rows), default=0)
        return [[text for text, _, _ in row] + [""] * (width - len(row)) for row in rows[:last]]
    grid: dict[tuple[int, int], str] = {}
    width = 0
    for r, row in enumerate(rows):
        c = 0
        for text, rowspan, colspan in row:
            while (r, c) in grid:
                c += 1
            for dr in range(min(max(rowspan, 1), len(rows) - r)):
                for dc in range(max(colspan, 1)):
                    grid[(r + dr, c + dc)] = text
            c += max(colspan, 1)
            width = max(width, c)
    height = max((r for r, _ in grid), default=-1) + 1
    return [[grid.get((r, c), "") for c in range(width)] for r in range(height)]
