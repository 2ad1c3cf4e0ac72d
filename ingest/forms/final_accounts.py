"""Department final accounts (部门决算): the standard tables read through the final-accounts
vocabulary, and the figures the 情况说明 after them states."""
from __future__ import annotations

from pathlib import Path
from typing import Any

from ingest.forms.statement_tables import holds_table, read_statements
from ingest.model import Document, from_lines
from ingest.records import Statements
from ingest.vocabulary import final_accounts as final_accounts_vocabulary

PARSER_NAME = "final_accounts_model_v1"


def parse_document(document: Document, unit_hint: str | None = None,
                   vocabulary_extra: dict[str, Any] | None = None, line_offset: int = 0) -> Statements:
    """Every standard table, its amounts, and the stated figures."""
    return read_statements(document, final_accounts_vocabulary(vocabulary_extra), unit_hint, line_offset)


def parse_lines(lines: list[str], first_line_no: int = 1, unit_hint: str | None = None,
                vocabulary_extra: dict[str, Any] | None = None) -> Statements:
    """Final accounts from text lines (table rows tab-separated), read as a document of them;
    line numbers count from `first_line_no`."""
    return parse_document(from_lines(Path(), lines, "", "text"), unit_hint, vocabulary_extra, first_line_no - 1)


def recognises(document: Document, vocabulary_extra: dict[str, Any] | None = None) -> bool:
    """Whether a document holds a final-accounts table (决算 in its title)."""
    return holds_table(document, final_accounts_vocabulary(vocabulary_extra), "决算")
