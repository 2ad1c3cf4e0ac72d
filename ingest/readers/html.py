"""HTML pages: prose by block, tables as grids with rowspan and colspan expanded; tags and entities gone."""
from __future__ import annotations

from html.parser import HTMLParser
from pathlib import Path

from ingest.model import Document, from_lines
from ingest.limits import check_text
from ingest.readers.model import clean_cell, expand_spans, render_rows
from ingest.readers.text import decode

_BLOCK = {"p", "div", "br", "h1", "h2", "h3", "h4", "h5", "h6", "li", "section", "article", "header", "footer", "title", "pre", "blockquote"}
_SKIP = {"script", "style", "head", "noscript", "template"}


class _Renderer(HTMLParser):
    def __init__(self) -> None:
        super().__init__(convert_charrefs=True)
        self.lines: list[str] = []
        self._text: list[str] = []
        self._skip = 0
        # A stack of tables being read: each a list of rows of (text, rowspan, colspan).
        self._tables: list[list[list[tuple[str, int, int]]]] = []
        self._cell: list[str] | None = None
        self._cell_spans = (1, 1)
        self._cell_stack: list[tuple[list[str] | None, tuple[int, int]]] = []

    def _flush_text(self) -> None:
        text = clean_cell("".join(self._text))
        if text:
            self.lines.append(text)
        self._text = []

    def handle_starttag(self, tag, attrs):
        if tag in _SKIP:
            self._skip += 1
            return
        if self._skip:
            return
        if tag == "table":
            if self._cell is not None:
                # a table inside a cell: its text joins the cell's
                self._cell_stack.append((self._cell, self._cell_spans))
            else:
                self._flush_text()
            self._tables.append([])
            self._cell = None
        elif tag == "tr" and self._tables:
            self._tables[-1].append([])
        elif tag in ("td", "th") and self._tables:
            if not self._tables[-1]:
                self._tables[-1].append([])
            spans = dict(attrs)
            self._cell = []
            self._cell_spans = (_span(spans.get("rowspan")), _span(spans.get("colspan")))
        elif tag in _BLOCK or tag == "tr":
            self._newline()

    def handle_endtag(self, tag):
        if tag in _SKIP:
            self._skip = max(0, self._skip - 1)
            return
        if self._skip:
            return
        if tag in ("td", "th") and self._tables and self._cell is not None:
            self._tables[-1][-1].append((clean_cell("".join(self._cell)), *self._cell_spans))
            self._cell = None
        elif tag == "table" and self._tables:
            table = self._tables.pop()
            rendered = render_rows(expand_spans(table))
            if self._cell_stack:
                self._cell, self._cell_spans = self._cell_stack.pop()
                self._cell.append(" " + " ".join(r.replace("\t", " ") for r in rendered) + " ")
            else:
                self.lines.extend(rendered)
        elif tag in _BLOCK:
            self._newline()

    def handle_data(self, data):
        if self._skip:
            return
        if self._cell is not None:
            self._cell.append(data)
        elif not self._tables:
            self._text.append(data)

    def _newline(self) -> None:
        if self._cell is not None:
            self._cell.append(" ")
        elif not self._tables:
            self._flush_text()

    def close(self) -> None:
        super().close()
        self._flush_text()


def _span(value: str | None) -> int:
    if value is None:
        return 1
    try:
        return max(1, min(int(value or 1), 1000))
    except ValueError:
        return 1


def _tree_lines(html: str) -> list[str] | None:
    """The same rendering from libxml2's parse tree: prose by block, each table read in one pass.
    None when the page nests tables (the event renderer below handles those)."""
    from lxml import etree

    try:
        root = etree.fromstring(html, parser=etree.HTMLParser(recover=True, no_network=True))
    except (etree.LxmlError, ValueError):
        return None
    if root is None or root.find(".//table//table") is not None:
        return None
    lines: list[str] = []
    text: list[str] = []

    def flush() -> None:
        joined = clean_cell("".join(text))
        if joined:
            lines.append(joined)
        text.clear()

    def walk(element) -> None:
        tag = element.tag if isinstance(element.tag, str) else ""
        if tag in _SKIP:
            return
        if tag == "table":
            flush()
            rows = []
            for tr in element.iter("tr"):
                cells = [
                    (" ".join((td.text or "" if len(td) == 0 else "".join(td.itertext())).split()),
                     _span(td.get("rowspan")), _span(td.get("colspan")))
                    for td in tr
                    if td.tag == "td" or td.tag == "th"
                ]
                rows.append(cells)
            lines.extend(render_rows(expand_spans(rows)))
            return
        block = tag in _BLOCK or tag == "tr"
        if block:
            flush()
        if element.text and tag:
            text.append(element.text)
        for child in element:
            walk(child)
            if child.tail:
                text.append(child.tail)
        if block:
            flush()

    for child in root:
        walk(child)
    flush()
    return lines


def html_to_lines(html: str) -> list[str]:
    if html.strip():
        try:
            lines = _tree_lines(html)
        except ImportError:  # pragma: no cover - lxml comes with python-docx
            lines = None
        if lines is not None:
            return lines
    renderer = _Renderer()
    renderer.feed(html)
    renderer.close()
    return renderer.lines


def read_html(path: Path, data: bytes, sha256: str, encoding: str | None = None) -> Document:
    check_text(len(data))
    html, encoding = decode(data, encoding)
    return from_lines(path, html_to_lines(html), sha256, "html", encoding)
