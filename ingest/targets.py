"""Indicator target and actual expressions -> operator, value, unit."""
from __future__ import annotations

import re
from dataclasses import dataclass
from decimal import Decimal

from ingest.normalise import squash

_NUM = r"(\d+(?:,\d{3})*(?:\.\d+)?)"

_PREFIX_OPS = (
    ("≥", ">="), (">=", ">="), ("不低于", ">="), ("不少于", ">="), ("大于等于", ">="),
    ("≤", "<="), ("<=", "<="), ("不高于", "<="), ("不超过", "<="), ("小于等于", "<="),
    (">", ">"), ("<", "<"), ("=", "="), ("＝", "="),
)
_SUFFIX_OPS = (
    ("及以上", ">="), ("以上", ">="), ("及以下", "<="), ("以内", "<="), ("以下", "<="), ("之前", "<="), ("前", "<="),
)


@dataclass(frozen=True)
class Target:
    text: str
    operator: str | None  # >=, <=, >, <, =, between; None for a qualitative target
    value: Decimal | None
    unit: str | None
    value_high: Decimal | None = None

    @property
    def quantitative(self) -> bool:
        return self.value is not None


_RANGE = re.compile(_NUM + r"([^\d\-~～至]*)[-~～至]" + _NUM + r"(.*)")
_LEADING_NUMBER = re.compile(_NUM + r"(.*)$")
_DIGIT = re.compile(r"\d")
_ACTUAL = re.compile(r"[=≥≤><]?" + _NUM + r"(\D{0,6})")


def parse_target(text: str | None) -> Target:
    """Parse `≥98%`, `= 58 条`, `≤0.84万元`, `不低于95%`, `30个以上`, `80%-90%`; anything else is qualitative."""
    raw = (text or "").strip()
    flat = squash(raw)
    if not flat:
        return Target(raw, None, None, None)
    rng = _RANGE.fullmatch(flat)
    if rng:
        unit = rng.group(4) or rng.group(2) or None
        return Target(raw, "between", _dec(rng.group(1)), unit, _dec(rng.group(3)))
    operator = None
    body = flat
    for token, op in _PREFIX_OPS:
        if body.startswith(token):
            operator, body = op, body[len(token):]
            break
    match = _LEADING_NUMBER.match(body)
    if not match:
        return Target(raw, None, None, None)
    value, unit = _dec(match.group(1)), match.group(2)
    if _DIGIT.search(unit):
        # "3个月、48小时", "000份、不少于30": several figures in one cell, no single target
        return Target(raw, None, None, None)
    for token, op in _SUFFIX_OPS:
        if unit.endswith(token):
            unit = unit[: -len(token)]
            operator = operator or op
            break
    if unit.startswith("余") and operator is None:
        # "30余类": more than thirty
        unit, operator = unit[1:], ">="
    if unit.endswith("内") and operator is None:
        # "15个工作日内": a deadline, at most the stated value
        unit, operator = unit[:-1], "<="
    return Target(raw, operator or "=", value, unit or None)


def parse_actual(text: str | None) -> tuple[Decimal | None, str | None]:
    """An actual value `98`, `98%`, `1416.7元`, `2 年` -> (value, unit); qualitative text -> (None, None)."""
    flat = squash(text or "")
    match = _ACTUAL.fullmatch(flat)
    if not match:
        return None, None
    return _dec(match.group(1)), (match.group(2) or None)


def _dec(text: str) -> Decimal:
    return Decimal(text.replace(",", ""))
