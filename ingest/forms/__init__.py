"""The forms, in one registry: for each kind of document, how it is recognised and how it is read.

A form reads one report (a section of a file) into a `Reading`: what it found, and what it missed.
The pipeline asks the registry, never a form by name, so adding a form is adding an entry here.
"""
from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING

from ingest import layout
from ingest.forms import budget, final_accounts
from ingest.model import from_lines
from ingest.parsers import narrative, project_report
from ingest.records import ProjectReport, Statements

if TYPE_CHECKING:
    from ingest.model import Document
    from ingest.registry import Source


@dataclass(frozen=True)
class Reading:
    parser: str
    report: ProjectReport | None = None
    statements: Statements | None = None  # a final accounts' or a budget's
    missed: tuple[str, ...] = ()
    # whether stated figures alone make a reading (a budget's narrative printed as a file of its
    # own), or only table amounts do (final accounts)
    figures_suffice: bool = False

    @property
    def empty(self) -> bool:
        """Whether nothing a warehouse could hold was read."""
        if self.statements is not None:
            return not (self.statements.lines or (self.figures_suffice and self.statements.facts))
        report = self.report
        return report is None or not (report.budget_lines or report.indicators or report.evaluation is not None)


@dataclass(frozen=True)
class Form:
    kind: str
    parsers: frozenset[str]  # the parser names its readings carry
    read: Callable[[layout.Section, "Document | None", "Source | None"], Reading]
    # whether a document read into the model is of this kind when its text did not say
    recognises: Callable[["Document", "Source | None"], bool] | None = None


def _document(section: layout.Section, model: "Document | None") -> tuple["Document", int]:
    """The document a form reads a report from, and the offset of its lines in the file: the
    file's own document when the report is the whole file, else a document of the report's lines."""
    if model is not None:
        return model, 0
    return from_lines(Path(), list(section.lines), "", "text"), section.line_start - 1


def _final_accounts(section: layout.Section, model: "Document | None", declared: "Source | None") -> Reading:
    document, offset = _document(section, model)
    accounts = final_accounts.parse_document(document, declared.unit if declared else None,
                                             declared.vocabulary if declared else None, offset)
    missed = accounts.missed + (() if accounts.lines else ("no final-accounts table read",))
    return Reading(final_accounts.PARSER_NAME, statements=accounts, missed=missed)


def _budget(section: layout.Section, model: "Document | None", declared: "Source | None") -> Reading:
    document, offset = _document(section, model)
    statements = budget.parse_document(document, declared.unit if declared else None,
                                       declared.vocabulary if declared else None, offset)
    missed = statements.missed + (() if statements.lines or statements.facts else ("no budget table or figure read",))
    return Reading(budget.PARSER_NAME, statements=statements, missed=missed, figures_suffice=True)


def _recognises_budget(model: "Document", declared: "Source | None") -> bool:
    return budget.recognises(model, declared.vocabulary if declared else None)


def _recognises_final_accounts(model: "Document", declared: "Source | None") -> bool:
    return final_accounts.recognises(model, declared.vocabulary if declared else None)


def _project_report(section: layout.Section, model: "Document | None", declared: "Source | None") -> Reading:
    document, offset = _document(section, model)
    report = project_report.parse_document(document, offset, declared.unit if declared else None,
                                           declared.vocabulary if declared else None)
    return Reading(project_report.PARSER_NAME, report=report, missed=report.missed)


def _narrative(section: layout.Section, model: "Document | None", declared: "Source | None") -> Reading:
    document, offset = _document(section, model)
    report = narrative.parse_document(document, offset, declared.unit if declared else None)
    return Reading(narrative.PARSER_NAME, report=report, missed=report.missed)


_PROJECT_REPORT = frozenset({project_report.PARSER_NAME})
FORMS: dict[str, Form] = {
    layout.FINAL_ACCOUNTS: Form(layout.FINAL_ACCOUNTS, frozenset({final_accounts.PARSER_NAME}),
                                _final_accounts, _recognises_final_accounts),
    layout.BUDGET: Form(layout.BUDGET, frozenset({budget.PARSER_NAME}), _budget, _recognises_budget),
    layout.PROJECT_TABLE: Form(layout.PROJECT_TABLE, _PROJECT_REPORT, _project_report),
    layout.REPORT_WITH_INDICATORS: Form(layout.REPORT_WITH_INDICATORS, _PROJECT_REPORT, _project_report),
    layout.NARRATIVE: Form(layout.NARRATIVE, frozenset({narrative.PARSER_NAME}), _narrative),
}

# the parsers of this version: a file that another read is read again
CURRENT_PARSERS = frozenset(name for form in FORMS.values() for name in form.parsers)


def recognise(model: "Document", declared: "Source | None") -> str | None:
    """The kind of a document read into the model whose text named none, by what its forms find."""
    for kind, form in FORMS.items():
        if form.recognises is not None and form.recognises(model, declared):
            return kind
    return None


def scope_of(kind: str, text: str, declared: "Source | None") -> str | None:
    """A budget's scope, department (部门预算) or unit (单位预算); None for other kinds."""
    if kind != layout.BUDGET:
        return None
    return budget.scope(text, declared.vocabulary if declared else None)


def part_of(kind: str, statements: Statements | None) -> str | None:
    """Which half of a budget publication printed as two files a document is: the narrative
    (figures, no table) or the tables (tables, no stated change or subject); None for a whole one."""
    if kind != layout.BUDGET or statements is None:
        return None
    if not statements.tables:
        return "narrative"
    if not any(f.kind in ("growth", "subject_amount") for f in statements.facts):
        return "tables"
    return None
