"""Table headers, read one way for every form: each column's header path (its header words top to
bottom, a merged cell's words once), and the fields the columns hold, by the vocabulary's words.

The standard statement tables, the funds block and the indicator table of a project
self-evaluation all find their columns through these functions, never by where a column stands.
"""
from __future__ import annotations

from collections.abc import Sequence

from ingest.normalise import is_column_numbers


def header_paths(header: Sequence[Sequence[str]], width: int, fill_gaps: bool = False) -> list[list[str]]:
    """Each column's header words top to bottom, a merged cell's words once. With `fill_gaps` (a
    grid whose merged cells lost their span, as text copied into a page leaves them), a word
    reaches right over empty cells under the same words above."""
    paths: list[list[str]] = [[] for _ in range(width)]
    for row in header:
        extend_paths(paths, _filled(row, paths) if fill_gaps else row)
    return paths


def extend_paths(paths: list[list[str]], row: Sequence[str]) -> None:
    """Add a header row's words to the columns' paths (a row of column numbers adds none)."""
    if is_column_numbers(row):
        return
    for c, path in enumerate(paths):
        text = row[c] if c < len(row) else ""
        if text and text not in path:
            path.append(text)


def _filled(row: Sequence[str], paths: list[list[str]]) -> list[str]:
    out = list(row) + [""] * (len(paths) - len(row))
    carried, under = "", None
    for c, path in enumerate(paths):
        if out[c]:
            carried, under = out[c], path[:]
        elif carried and path == under:
            out[c] = carried
        else:
            carried = ""
    return out


def field_of(path: Sequence[str], phrases: Sequence[tuple[str, str]]) -> str | None:
    """The field a column holds: its most specific header word (the lowest) that holds one of the
    `phrases` ((fragment, field), the first fragment a word holds wins)."""
    for word in reversed(path):
        for fragment, field in phrases:
            if fragment in word:
                return field
    return None


def column_fields(paths: Sequence[Sequence[str]], phrases: Sequence[tuple[str, str]]) -> list[tuple[int, str]]:
    """(column, field) for every column whose header names a field, left to right."""
    return [(c, field) for c, path in enumerate(paths) if (field := field_of(path, phrases))]


def field_columns(paths: Sequence[Sequence[str]], words: dict[str, Sequence[str]]) -> dict[str, list[int]]:
    """Each field's columns, by the words its header holds (`words`: field -> words), in the order
    of its words: where both an adjusted and a year's target are printed, the adjusted first."""
    found: dict[str, list[int]] = {}
    for field, field_words in words.items():
        cols: list[int] = []
        for word in field_words:
            cols += [c for c, path in enumerate(paths) if c not in cols and any(word in w for w in path)]
        if cols:
            found[field] = cols
    return found
