"""The vocabularies the forms read documents by, kept as data files beside this module, with one
loader. A source-registry entry may add to them for its own files (`Vocabulary.extended`)."""
from __future__ import annotations

from dataclasses import dataclass
from functools import lru_cache
from pathlib import Path
from typing import Any

import yaml

_HERE = Path(__file__).parent
# the forms whose vocabulary a source-registry entry may add to (`vocabulary:` keys)
VOCABULARIES = frozenset({"final_accounts", "budget", "project_report"})


@lru_cache(maxsize=None)
def load(name: str) -> dict[str, Any]:
    """The vocabulary `name` (a YAML file in this folder), as read."""
    with open(_HERE / f"{name}.yml", encoding="utf-8") as handle:
        return yaml.safe_load(handle)


def merged(base: dict[str, Any], extra: dict[str, Any] | None) -> dict[str, Any]:
    """`base` with `extra` added: lists grow (extra entries first, so they win), mappings merge."""
    if not extra:
        return base
    out = dict(base)
    for key, value in extra.items():
        current = out.get(key)
        if isinstance(current, list) and isinstance(value, list):
            out[key] = list(value) + current
        elif isinstance(current, dict) and isinstance(value, dict):
            out[key] = merged(current, value)
        else:
            out[key] = value
    return out


@dataclass(frozen=True)
class TableKind:
    code: str
    titles: tuple[str, ...]
    name: str


def table_kinds(vocabulary: dict[str, Any]) -> tuple[TableKind, ...]:
    return tuple(TableKind(str(t["code"]), tuple(t["titles"]), t["name"]) for t in vocabulary["tables"])


def table_name(kinds: tuple[TableKind, ...], code: str | None) -> str:
    """A standard table's name, by its number."""
    return next((k.name for k in kinds if k.code == code), code or "")


def missing_tables(codes: set[str], vocabulary: dict[str, Any]) -> tuple[str, ...]:
    """What a publication lacks of the standard tables, by number and name."""
    kinds = table_kinds(vocabulary)
    return tuple(f"table {code} ({table_name(kinds, code)}) not found" for code in vocabulary["required"] if code not in codes)


def count_unit(label: str, vocabulary: dict[str, Any]) -> bool:
    """Whether a row label counts things (车辆数（辆）) rather than prices them."""
    return any(f"({unit})" in label or f"（{unit}）" in label for unit in vocabulary["count_units"])


def final_accounts(extra: dict[str, Any] | None = None) -> dict[str, Any]:
    """The final-accounts vocabulary, with a source's additions (under its `final_accounts` key)."""
    return merged(load("final_accounts"), (extra or {}).get("final_accounts"))


def budget(extra: dict[str, Any] | None = None) -> dict[str, Any]:
    """The budget vocabulary, with a source's additions (under its `budget` key)."""
    return merged(load("budget"), (extra or {}).get("budget"))


def project_report(extra: dict[str, Any] | None = None) -> dict[str, Any]:
    """The project self-evaluation vocabulary, with a source's additions (under `project_report`)."""
    return merged(load("project_report"), (extra or {}).get("project_report"))
