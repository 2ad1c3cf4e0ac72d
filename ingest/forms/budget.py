"""Department and unit budgets (部门预算 / 单位预算): the standard tables read through the budget
vocabulary, and the figures the 预算编制说明 states, wherever it is printed (before the tables,
after them, or in a file of its own: a publication printed as two files is two documents of one
department and year, joined in the warehouse)."""
from __future__ import annotations

from dataclasses import replace
from typing import Any

from ingest.forms.statement_tables import flat, holds_table, read_statements
from ingest.model import Document
from ingest.parsers.narrative import change_facts, extract_facts, subject_facts
from ingest.records import Statements
from ingest.vocabulary import budget as budget_vocabulary

PARSER_NAME = "budget_model_v1"


def parse_document(document: Document, unit_hint: str | None = None,
                   vocabulary_extra: dict[str, Any] | None = None, line_offset: int = 0) -> Statements:
    """Every standard table, its amounts, and the stated figures (amounts, changes on last year,
    shares, subjects' amounts). A file with the narrative alone misses no table: the tables are
    the other half's."""
    statements = read_statements(document, budget_vocabulary(vocabulary_extra), unit_hint, line_offset,
                                 facts_from_all=True, extract=budget_facts)
    return statements if statements.tables else replace(statements, missed=())


def budget_facts(lines: list[str], first_line_no: int = 1):
    """What a budget's prose states: the figures every narrative does, the changes on last year
    with this year's amount, and the subjects' amounts by their 类/款/项 names."""
    return extract_facts(lines, first_line_no) + change_facts(lines, first_line_no) + subject_facts(lines, first_line_no)


def recognises(document: Document, vocabulary_extra: dict[str, Any] | None = None) -> bool:
    """Whether a document holds a budget table (预算 in its title), or says it is a budget and
    holds its narrative (预算编制说明)."""
    vocabulary = budget_vocabulary(vocabulary_extra)
    if holds_table(document, vocabulary, "预算"):
        return True
    head = flat(" ".join(p.text for p in document.paragraphs()[:60]))
    said = vocabulary["document"]
    return any(w in head for w in said["words"]) and any(w in flat(document.text) for w in said["narrative"])


def scope(text: str, vocabulary_extra: dict[str, Any] | None = None) -> str:
    """department (部门预算) or unit (单位预算): the first of the words the text says."""
    scopes = budget_vocabulary(vocabulary_extra)["document"]["scopes"]
    said = flat(text)
    found = [(said.find(word), value) for word, value in scopes.items() if word in said]
    return min(found)[1] if found else "department"
