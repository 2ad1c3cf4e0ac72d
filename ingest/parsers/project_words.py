"""The words a project self-evaluation form is read by, as the parsers look them up: the vocabulary
of `ingest/vocabulary/project_report.yml`, with what a source's registry entry adds."""
from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from ingest.vocabulary import project_report as project_report_vocabulary

LEVEL1 = ("产出指标", "效益指标", "满意度指标", "预算执行率")
_FRAGMENT_CHARS = set("产出效益满意度指标绩效目标")
_GRADES = "优良中差"


@dataclass(frozen=True)
class Words:
    """The vocabulary one reading uses, as the parsers look it up."""

    budget_columns: tuple[tuple[str, str], ...]
    fund_sources: tuple[tuple[str, str], ...]
    level1_forms: dict[str, str]
    level2: tuple[tuple[str, str, str], ...]
    target_words: tuple[str, ...]
    indicator_columns: dict[str, tuple[str, ...]]
    total_rows: frozenset[str]  # the labels of rows that close an indicator table
    score_rows: frozenset[str]  # of those, the rows that state the total score

    @staticmethod
    def of(vocabulary: dict[str, Any]) -> "Words":
        return Words(
            tuple(tuple(e) for e in vocabulary["budget_columns"]),
            tuple(tuple(e) for e in vocabulary["fund_sources"]),
            dict(vocabulary["level1_forms"]),
            tuple(tuple(e) for e in vocabulary["level2"]),
            tuple(vocabulary["target_words"]),
            {k: tuple(v) for k, v in vocabulary["indicator_columns"].items()},
            frozenset(vocabulary["total_rows"]) | frozenset(vocabulary["score_rows"]),
            frozenset(vocabulary["score_rows"]),
        )


WORDS = Words.of(project_report_vocabulary())
