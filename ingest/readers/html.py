"""HTML pages: prose by block, tables as grids with rowspan and colspan expanded; tags and entities gone."""
from __future__ import annotations

from html.parser import HTMLParser
from pathlib import Path

from ingest.readers.model import TextDocument, clean_cell, expand_spans, render_rows
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
    try:
        return max(1, min(int(value or 1), 1000))
    except ValueError:
        return 1


class _LxmlEvents:
    """Feeds libxml2's parse events (lxml's target interface) to the same renderer: the C parser
    does the tokenising, several times faster than html.parser on table-heavy pages."""

    def __init__(self, renderer: _Renderer) -> None:
        self.renderer = renderer

    def start(self, tag, attrib):
        if isinstance(tag, str):
            self.renderer.handle_starttag(tag.lower(), list(attrib.items()))

    def end(self, tag):
        if isinstance(tag, str):
            self.renderer.handle_endtag(tag.lower())

    def data(self, data):
        self.renderer.handle_data(data)

    def comment(self, text):
        pass

    def close(self):
        return None


def html_to_lines(html: str) -> list[str]:
    try:
        from lxml import etree
    except ImportError:  # pragma: no cover - lxml comes with python-docx
        etree = None
    if etree is not None and html.strip():
        renderer = _Renderer()
        try:
            parser = etree.HTMLParser(target=_LxmlEvents(renderer), recover=True, no_network=True, remove_comments=True)
            parser.feed(html)
            parser.close()
            renderer.close()
            return renderer.lines
        except (etree.LxmlError, ValueError):
            pass  # the pure-Python tokeniser below takes anything
    renderer = _Renderer()
    renderer.feed(html)
    renderer.close()
    return renderer.lines


def read_html(path: Path, data: bytes, sha256: str, encoding: str | None = None) -> TextDocument:
    html, encoding = decode(data, encoding)
    return TextDocument(path=path, text="\n".join(html_to_lines(html)), encoding=encoding, sha256=sha256)
