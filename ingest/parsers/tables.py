"""Table rows as extraction leaves them: tab-separated cells or Markdown pipes, one row per line."""
from __future__ import annotations

import re
from dataclasses import dataclass
from functools import lru_cache

from ingest.normalise import squash


@dataclass(frozen=True)
class Row:
    line_no: int
    cells: tuple[str, ...]  # squashed: whitespace dropped, full-width forms folded

    @property
    def filled(self) -> list[tuple[int, str]]:
        return [(i, c) for i, c in enumerate(self.cells) if c]


_MD_RULE = re.compile(r"^\|?\s*:?-{3,}")


def split_row(line: str) -> tuple[str, ...] | None:
    """Cells of a table row, or None when the line is not a table row."""
    # the parsers look at a table's lines several times: rows of ordinary length are cached
    return _split_row_cached(line) if len(line) <= 400 else _split_row(line)


def _split_row(line: str) -> tuple[str, ...] | None:
    if "\t" in line:
        return tuple(squash(_untag(c)) for c in line.split("\t"))
    stripped = line.strip()
    if stripped.startswith("|") and stripped.count("|") >= 2 and not _MD_RULE.match(stripped):
        return tuple(squash(_untag(c)) for c in stripped.strip("|").split("|"))
    return None


_TAG = re.compile(r"<[^>]+>|\*\*")


_split_row_cached = lru_cache(maxsize=1 << 15)(_split_row)


def _untag(cell: str) -> str:
    return _TAG.sub("", cell) if "<" in cell or "**" in cell else cell


def is_debris(line: str) -> bool:
    """Blank lines and page-break leftovers that may sit inside a table."""
    flat = line.strip()
    return (
        not flat
        or flat in {"---", "***", "___"}
        or bool(re.fullmatch(r"-\s*\d+\s*-|第\d+页", flat))
        or bool(_MD_RULE.match(flat) and set(flat) <= set("|-: "))  # a Markdown table's rule under its header
    )


def rows_from(lines: list[str], start: int, first_line_no: int) -> list[Row]:
    """Consecutive table rows from index `start`, across page debris, until prose resumes."""
    rows = []
    for offset, line in enumerate(lines[start:]):
        cells = split_row(line)
        if cells is None:
            if is_debris(line):
                continue
            break
        rows.append(Row(first_line_no + start + offset, cells))
    return rows
