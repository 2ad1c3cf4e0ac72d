"""The raw layer's records. Every record carries its document_id and where in the file it came from."""
from __future__ import annotations

import gc
from collections.abc import Iterator
from contextlib import contextmanager
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
    ocr_confidence: float | None = None  # read by OCR: how sure it was of the row's least sure figure


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
    actual_unit: str | None
    weight: Decimal | None
    score_reported: Decimal | None
    deviation_reason: str | None
    ocr_confidence: float | None = None  # read by OCR: how sure it was of the row's least sure figure


@dataclass(frozen=True)
class EvaluationSummary:
    line_no: int
    total_score_reported: Decimal | None
    grade_reported: str | None
    execution_score_reported: Decimal | None
    indicator_score_reported: Decimal | None


@dataclass(frozen=True)
class NarrativeFact:
    """A figure a sentence states: `自评得分99分`, `预算执行率为100.00%`, `其中：租赁费1580900元`."""

    line_no: int
    kind: str  # total_score, grade, budget_total, executed_total, part, amount, execution_rate, completion_rate, share, change, growth, subject_amount, listed_total, listed_part, project_count, grade_count
    label: str | None
    value: Decimal | None
    unit: str | None
    value_yuan: Decimal | None
    text: str
    page: int | None = None  # the page of a PDF it is printed on
    base_label: str | None = None  # for a share: the label of the total it is a share of, where the text says
    # for a change (比上年增加 X, 增长 Y%): the amount this year it is the change to, and the change in yuan
    current_yuan: Decimal | None = None
    change_yuan: Decimal | None = None


@dataclass(frozen=True)
class StatementTable:
    """One published standard table of a final accounts or a budget (公开NN表), empty ones (本表无数据)
    included."""

    table_code: str
    title: str
    line_no: int
    unit: str
    is_empty: bool
    row_count: int
    page: int | None = None  # the page of a PDF the table starts on


@dataclass(frozen=True)
class StatementLine:
    """One amount of a standard table: table × row × column."""

    line_no: int
    table_code: str
    section: str | None
    row_label: str
    row_no: str | None  # the printed 行次
    subject_code: str | None  # functional (类/款/项) or economic classification code
    subject_name: str | None
    column_label: str  # the header path, e.g. 预算数/公务用车购置及运行维护费/小计
    column_no: str | None  # the printed 栏次
    amount: Decimal
    unit: str  # 万元 / 元, or count for numbers of vehicles and the like
    amount_yuan: Decimal | None
    page: int | None = None  # the page of a PDF the row is printed on
    table_row: int | None = None  # the row within its table, header rows counted, from 1
    row_key: str | None = None  # what the row means where the vocabulary names it (income_total …)
    ocr_confidence: float | None = None  # for an amount read by OCR: how sure it was (0 to 1)


@dataclass(frozen=True)
class Statements:
    """What a department's final accounts or budget holds: its tables, their amounts, and the
    figures its prose states."""

    tables: tuple[StatementTable, ...]
    lines: tuple[StatementLine, ...]
    facts: tuple[NarrativeFact, ...]
    missed: tuple[str, ...]


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
    facts: tuple[NarrativeFact, ...] = ()


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
    tolerance_factor: float = 1.0
    published_on: str | None = None  # the publication date the text states (YYYY-MM or YYYY-MM-DD)
    file_modified_at: float | None = None  # the file's modification time, when the text states no date
    file_size: int | None = None  # the file's size in bytes when it was read
    pages: int | None = None  # a paged file's page count
    ocr_pages: int | None = None  # of them, the pages some of whose words were read by OCR
    scope: str | None = None  # a budget's: department (部门预算) or unit (单位预算)
    # a budget printed as two files: which half this is (narrative: 预算说明 only; tables: 公开表 only)
    part: str | None = None


@dataclass(frozen=True)
class ParsedDocument:
    document: Document
    report: ProjectReport | None = None
    statements: Statements | None = None  # a final accounts' or a budget's tables and figures


@dataclass
class IngestResult:
    documents: list[ParsedDocument] = field(default_factory=list)
    messages: list[str] = field(default_factory=list)
    # seconds spent in the workers (summed over them), and files left alone because the warehouse has them already
    read_seconds: float = 0.0
    parse_seconds: float = 0.0
    files_read: int = 0
    files_known: int = 0


@contextmanager
def no_cyclic_gc() -> Iterator[None]:
    """Pause the cyclic garbage collector while millions of small, acyclic objects are built (parsed
    records, row dicts): it would scan them again and again and find nothing to free."""
    collecting = gc.isenabled()
    gc.disable()
    try:
        yield
    finally:
        if collecting:
            gc.enable()
