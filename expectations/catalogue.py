"""The rule catalogue: rules as data, read from rules.yml."""
from __future__ import annotations

import hashlib
import json
import re
from collections.abc import Mapping
from dataclasses import asdict, dataclass
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

    def query_for(self, table: str, reading: Mapping[str, str] | None = None) -> str:
        """The rule's query against a named table, outside Great Expectations; `reading` puts a
        relation in place of each mart it names ("marts.fct_x" -> a view of some of its rows)."""
        sql = self.sql
        if reading:
            sql = _QUALIFIED.sub(lambda m: reading.get(m.group(0), m.group(0)), sql)
        return sql.replace("{batch}", table)

    @property
    def digest(self) -> str:
        """Changes whenever anything the rule says changes: its findings from before are then stale."""
        return hashlib.sha256(json.dumps(asdict(self), sort_keys=True, ensure_ascii=False).encode()).hexdigest()


_QUALIFIED = re.compile(r"(?<![\w.\"])marts\.\w+")


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
