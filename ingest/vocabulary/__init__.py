"""The vocabularies the forms read documents by, kept as data files beside this module, with one
loader. A source-registry entry may add to them for its own files (`Vocabulary.extended`)."""
from __future__ import annotations

from dataclasses import dataclass
from functools import lru_cache
from pathlib import Path
from typing import Any

import yaml

_HERE = Path(__file__).parent


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


def final_accounts(extra: dict[str, Any] | None = None) -> dict[str, Any]:
    """The final-accounts vocabulary, with a source's additions (under its `final_accounts` key)."""
    return merged(load("final_accounts"), (extra or {}).get("final_accounts"))
