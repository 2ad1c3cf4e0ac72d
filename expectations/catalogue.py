"""The rule catalogue: rules as data, read from rules.yml."""
from __future__ import annotations

from dataclasses import dataclass
from functools import lru_cache
from pathlib import Path

import yaml

CATALOGUE = Path(__file__).with_name("rules.yml")
SEVERITIES = ("error", "warning", "info")


@dataclass(frozen=True)
class Rule:
    id: str
    applies_to: str
    severity: str
    description_zh: str
    description_en: str
    tolerance: str
    sql: str

    def query_for(self, table: str) -> str:
        """The rule's query against a named table, outside Great Expectations."""
        return self.sql.replace("{batch}", table)


def load_rules(path: Path = CATALOGUE) -> tuple[Rule, ...]:
    data = yaml.safe_load(path.read_text(encoding="utf-8"))
    rules = tuple(Rule(**{k: str(v).strip() for k, v in entry.items()}) for entry in data["rules"])
    ids = [r.id for r in rules]
    if len(ids) != len(set(ids)):
        raise ValueError(f"{path}: duplicate rule ids")
    for rule in rules:
        if rule.severity not in SEVERITIES:
            raise ValueError(f"{path}: rule {rule.id}: severity must be one of {SEVERITIES}")
        if "{batch}" not in rule.sql:
            raise ValueError(f"{path}: rule {rule.id}: the query must select from {{batch}}")
    return rules


@lru_cache(maxsize=1)
def default_rules() -> tuple[Rule, ...]:
    return load_rules()
