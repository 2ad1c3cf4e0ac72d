"""Tables flattened one cell per line (Word tables pasted as text): rebuilt into tab-separated rows.

In that layout each cell starts on its own line with a leading tab, a cell's text may run on over
lines without the tab, and a blank line ends the row. The rebuilt row takes the place of its first
line and the lines it absorbed become blank, so line numbers still point into the original file.
"""
from __future__ import annotations

import re

_CELL = re.compile(r"^[ \u3000]?\t")


def _is_cell_start(line: str) -> bool:
    return bool(_CELL.match(line)) and "\t" not in line.lstrip(" \u3000")[1:]


def _blank(line: str) -> bool:
    return not line.strip(" \u3000\t")


def rebuild_cell_rows(lines: list[str]) -> list[str]:
    out = list(lines)
    width = 0  # cells per row of the table being rebuilt (its first row sets it)
    i = 0
    while i < len(lines):
        if not _is_cell_start(lines[i]):
            if not _blank(lines[i]):
                width = 0
            i += 1
            continue
        start = i
        cells: list[str] = []
        while i < len(lines):
            line = lines[i]
            if _is_cell_start(line):
                cells.append(line.split("\t", 1)[1].strip())
            elif _blank(line) or not cells or (width and len(cells) >= width):
                break  # a blank line ends the row; prose after a full row ends the table
            else:
                cells[-1] = (cells[-1] + " " + line.strip()).strip()
            i += 1
        if len(cells) >= 2:
            width = width or len(cells)
            out[start] = "\t".join(cells)
            for j in range(start + 1, i):
                out[j] = ""
    return out
