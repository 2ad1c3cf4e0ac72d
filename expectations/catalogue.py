"""The rule catalogue: `rules.csv`, one row per rule (id, the mart it applies to, severity, the unit
its figures are in, Chinese and English descriptions, tolerance), and one query per rule in
`rules/<id>.sql`.

A rule's query selects the rows of its mart (`{{ batch }}`) whose figures disagree; it may join
other marts by their schema-qualified names. It returns document_id, source_file, location,
entity, expected, actual, difference, band and message (Chinese). `band` is the rounding band of
the comparison (DOMAIN §5: n printed addends may miss their printed total by n half-units of the
printed unit, `half_unit_yuan` on the facts), or null where nothing rounds.

The runner, not the query, decides what a row is: a difference of zero passes, one inside the band
is `info`, any other the catalogue's severity; an error on a document holding figures OCR was unsure
of is a warning that says so. Severity has one source, this catalogue.

A rule compares rows of one fiscal year with each other (the same document, or documents of the
same year joined on fiscal_year): a build's check reads only the years whose documents changed
since the rule last ran, every mart it names cut to those years. A rule that compares a year with
another reads the other year's rows as `{{ every_year('fct_x') }}`, which no cut reaches.
"""
from __future__ import annotations

import csv
import hashlib
import json
import re
from collections.abc import Mapping
from dataclasses import asdict, dataclass
from functools import lru_cache
from pathlib import Path

CATALOGUE = Path(__file__).with_name("rules.csv")
SEVERITIES = ("error", "warning", "info")
FIELDS = ("id", "applies_to", "severity", "unit", "description_zh", "description_en", "tolerance")
# what a rule's expected, actual and difference are in: yuan, a ratio, points of a score, a count,
# words (a spelling, a missing reason), or the unit the document's own text gives
UNITS = ("元", "比率", "分", "个", "文字", "文中单位")
# what a rule's query returns, and what a finding holds (the runner adds the severity)
RULE_COLUMNS = ("document_id", "source_file", "location", "entity", "expected", "actual", "difference", "band", "message")
FINDING_COLUMNS = ("document_id", "source_file", "location", "entity", "expected", "actual", "difference", "severity",
                   "message")
BATCH = "{{ batch }}"


@dataclass(frozen=True)
class Rule:
    id: str
    applies_to: str
    severity: str
    unit: str
    description_zh: str
    description_en: str
    tolerance: str
    sql: str  # the rule's query, as its file holds it

    def query_for(self, table: str, reading: Mapping[str, str] | None = None, documents: str | None = None,
                  engine: str = "duckdb") -> str:
        """The rule's findings, with their severity, against a named table; `reading` puts a
        relation in place of each mart it names ("marts.fct_x" -> a view of some of its rows);
        `documents`, the relation with each document's ocr_unsure_figures (marts.dim_document);
        `engine`, the SQL dialect of what SQL engines spell differently (`ENGINE_MACROS`)."""
        sql = self.sql
        if reading:
            sql = _QUALIFIED.sub(lambda m: reading.get(m.group(0), m.group(0)), sql)
        sql = _EVERY_YEAR.sub(lambda m: f"marts.{m.group(1)}", sql)
        if "{{" in sql.replace(BATCH, ""):
            import jinja2

            sql = jinja2.Template(sql).render(batch=BATCH, **ENGINE_MACROS[engine])
        return findings_query(sql.replace(BATCH, table), self.severity, documents)

    @property
    def digest(self) -> str:
        """Changes whenever anything the rule says changes: its findings from before are then stale."""
        return hashlib.sha256(json.dumps(asdict(self), sort_keys=True, ensure_ascii=False).encode()).hexdigest()


# What the engines a rule runs on (orchestration/settings.py ENGINES) spell differently, as the
# functions a rule's query may call: {{ string_agg_ordered("value", "', '", "position") }} is the
# values of a group joined in the order of `position`. (The lint, expectations/.sqlfluff, reads
# them as DuckDB's.)
ENGINE_MACROS = {
    "duckdb": {
        "string_agg_ordered": lambda value, separator, order: f"string_agg({value}, {separator} order by {order})",
    },
    "spark": {
        "string_agg_ordered": lambda value, separator, order: f"string_agg({value}, {separator}) within group (order by {order})",
    },
}


# what a finding's message adds when it rests on a document with figures OCR was unsure of
UNSURE_NOTE = "（该文件含 OCR 识别置信度低的数字，请对照原件核对）"


def findings_query(rule_query: str, severity: str, documents: str | None = None) -> str:
    """A rule's rows judged: a difference of zero passes, one inside the band is info, any other
    is `severity`; but an error on a document holding figures OCR was unsure of (its
    ocr_unsure_figures in `documents`, marts.dim_document) is a warning that says so: it may rest
    on a misread digit."""
    within = "found.band is not null and abs(cast(found.difference as decimal(38, 10))) <= found.band"
    unsure = "coalesce(documents.ocr_unsure_figures, 0) > 0" if severity == "error" and documents else "false"
    joined = f"left join {documents} as documents on documents.document_id = found.document_id\n" if documents else ""
    return (
        "select found.document_id, found.source_file, found.location, found.entity, found.expected, found.actual,\n"
        "    found.difference,\n"
        f"    case when {within} then 'info' when {unsure} then 'warning' else '{severity}' end as severity,\n"
        f"    case when not ({within}) and {unsure} then found.message || '{UNSURE_NOTE}' else found.message end\n"
        "        as message\n"
        f"from (\n{rule_query.rstrip()}\n) as found\n"
        f"{joined}"
        "where not (found.band is not null and cast(found.difference as decimal(38, 10)) = 0)"
    )


_QUALIFIED = re.compile(r"(?<![\w.\"])marts\.\w+")
_EVERY_YEAR = re.compile(r"\{\{\s*every_year\('(\w+)'\)\s*\}\}")


def load_rules(path: Path = CATALOGUE) -> tuple[Rule, ...]:
    """The catalogue at `path`, each rule's query read from the `rules/` folder beside it."""
    with open(path, encoding="utf-8", newline="") as handle:
        rows = list(csv.DictReader(handle))
    if rows and set(rows[0]) != set(FIELDS):
        raise ValueError(f"{path}: the columns must be {', '.join(FIELDS)}")
    folder = path.with_name("rules")
    rules = []
    for row in rows:
        query = folder / f"{row['id']}.sql"
        if not query.is_file():
            raise ValueError(f"{path}: rule {row['id']}: no query file {query}")
        rules.append(Rule(**{k: row[k].strip() for k in FIELDS}, sql=query.read_text(encoding="utf-8")))
    ids = [r.id for r in rules]
    if len(ids) != len(set(ids)):
        raise ValueError(f"{path}: duplicate rule ids")
    orphans = sorted({p.stem for p in folder.glob("*.sql")} - set(ids))
    if orphans:
        raise ValueError(f"{path}: queries without a catalogue row: {', '.join(orphans)}")
    for rule in rules:
        if rule.severity not in SEVERITIES:
            raise ValueError(f"{path}: rule {rule.id}: severity must be one of {SEVERITIES}")
        if rule.unit not in UNITS:
            raise ValueError(f"{path}: rule {rule.id}: unit must be one of {', '.join(UNITS)}")
        if BATCH not in rule.sql:
            raise ValueError(f"{path}: rule {rule.id}: the query must select from {BATCH}")
        if re.search(r"'(?:error|warning)'\s+as\s+severity", rule.sql):
            raise ValueError(f"{path}: rule {rule.id}: the query states a severity; the catalogue holds it")
    return tuple(rules)


@lru_cache(maxsize=1)
def default_rules() -> tuple[Rule, ...]:
    return load_rules()
