"""The raw layer's records. Every record carries its document_id and where in the file it came from."""
from __future__ import annotations

from dataclasses import dataclass, field
from decimal import Decimal


@dataclass(frozen=True)
class Region:
    province: str | None = None
    city: str | None = None
    county: str | None = None
    adcode: str | None = None

    @property
    def level(self) -> str | None:
        if self.county:
            return "county"
        if self.city:
            return "city"
        if self.province:
            return "province"
        return None


@dataclass(frozen=True)
class BudgetLine:
    line_no: int
    fund_source: str  # total / central / provincial / local / carryover / other / appropriation
    fund_source_label: str
    unit: str
    budget_declared_yuan: Decimal | None
    budget_initial_yuan: Decimal | None
    budget_adjusted_yuan: Decimal | None
    executed_yuan: Decimal | None
    balance_yuan: Decimal | None
    execution_rate: Decimal | None
    execution_rate_decimals: int | None
    weight: Decimal | None
    score_reported: Decimal | None
    note: str | None


@dataclass(frozen=True)
class IndicatorLine:
    line_no: int
    seq: int
    level1: str | None
    level1_points: Decimal | None  # the points a level-1 heading states: 产出指标（50分）
    level2: str | None
    indicator_name: str | None
    target_text: str | None
    target_operator: str | None
    target_value: Decimal | None
    target_value_high: Decimal | None
    target_unit: str | None
    actual_text: str | None
    actual_value: Decimal | None
    weight: Decimal | None
    score_reported: Decimal | None
    deviation_reason: str | None


@dataclass(frozen=True)
class EvaluationSummary:
    line_no: int
    total_score_reported: Decimal | None
    grade_reported: str | None
    execution_score_reported: Decimal | None
    indicator_score_reported: Decimal | None


@dataclass(frozen=True)
class ProjectReport:
    """One project self-evaluation: header, funds block, indicator block and the stated result."""

    project_name: str | None
    department: str | None
    implementing_unit: str | None
    budget_lines: tuple[BudgetLine, ...]
    indicators: tuple[IndicatorLine, ...]
    evaluation: EvaluationSummary | None
    missed: tuple[str, ...] = ()


@dataclass(frozen=True)
class Document:
    """One ingested file, or one report inside a multi-report file."""

    document_id: str
    source_file: str
    sha256: str
    section: int
    line_start: int
    line_end: int
    doc_type: str
    fiscal_year: int | None
    region: Region
    department: str | None
    implementing_unit: str | None
    project_name: str | None
    status: str  # loaded / partial / quarantined
    reason: str | None
    parser: str | None
    encoding: str | None = None
    is_synthetic: bool = False
    source_name: str | None = None  # the source-registry entry the file matched


@dataclass(frozen=True)
class ParsedDocument:
    document: Document
    report: ProjectReport | None = None


@dataclass
class IngestResult:
    documents: list[ParsedDocument] = field(default_factory=list)
    messages: list[str] = field(default_factory=list)

    @property
    def quarantined(self) -> list[Document]:
        return [d.document for d in self.documents if d.document.status == "quarantined"]
