"""The source registry: what a data engineer declares about a source when its documents are silent.

A YAML file lists sources; each names a path glob (under the registry's root) and the defaults to
apply to the files it matches: region (adcode), fiscal year, department, text encoding, money unit,
and the layout to parse them as.
"""
from __future__ import annotations

import fnmatch
from dataclasses import dataclass, field
from pathlib import Path

import yaml

from ingest import layout
from ingest.vocabulary import VOCABULARIES

_LAYOUTS = {layout.PROJECT_TABLE, layout.REPORT_WITH_INDICATORS, layout.FINAL_ACCOUNTS, layout.NARRATIVE}
_FIELDS = {"name", "path", "region", "fiscal_year", "department", "encoding", "unit", "layout", "tolerance_factor", "note",
           "vocabulary"}


class RegistryError(ValueError):
    pass


@dataclass(frozen=True)
class Source:
    name: str
    path: str
    region: str | None = None
    fiscal_year: int | None = None
    department: str | None = None
    encoding: str | None = None
    unit: str | None = None
    layout: str | None = None
    tolerance_factor: float | None = None  # widens (or narrows) the rounding band of this source's figures
    note: str | None = None
    # additions to the forms' vocabularies for this source's files (ingest/vocabulary/*.yml)
    vocabulary: dict | None = field(default=None, hash=False, compare=False)


@dataclass(frozen=True)
class Registry:
    root: Path
    sources: tuple[Source, ...] = ()

    def match(self, path: Path) -> Source | None:
        """The first source whose glob matches the file; files outside the root match none."""
        try:
            relative = Path(path).resolve().relative_to(self.root)
        except ValueError:
            return None
        for source in self.sources:
            if fnmatch.fnmatch(relative.as_posix(), source.path):
                return source
        return None


EMPTY = Registry(root=Path("/"))


def load_registry(path: Path) -> Registry:
    path = Path(path)
    try:
        data = yaml.safe_load(path.read_text(encoding="utf-8")) or {}
    except (OSError, yaml.YAMLError) as exc:
        raise RegistryError(f"{path}: cannot read the source registry: {exc}".splitlines()[0]) from exc
    root = (path.parent / str(data.get("root", "."))).resolve()
    sources = []
    for n, entry in enumerate(data.get("sources") or [], start=1):
        unknown = set(entry) - _FIELDS
        if unknown:
            raise RegistryError(f"{path}: source {n}: unknown field(s) {', '.join(sorted(unknown))}")
        if not entry.get("name") or not entry.get("path"):
            raise RegistryError(f"{path}: source {n}: needs a name and a path")
        glob = str(entry["path"])
        # Globs are confined to the root: no absolute paths, no climbing out with '..'.
        if glob.startswith("/") or ".." in Path(glob).parts:
            raise RegistryError(f"{path}: source '{entry['name']}': path must stay under the registry root")
        if entry.get("layout") and entry["layout"] not in _LAYOUTS:
            raise RegistryError(f"{path}: source '{entry['name']}': layout must be one of {', '.join(sorted(_LAYOUTS))}")
        if entry.get("unit") and entry["unit"] not in ("元", "万元", "千元", "亿元"):
            raise RegistryError(f"{path}: source '{entry['name']}': unit must be 元, 千元, 万元 or 亿元")
        vocabulary = entry.get("vocabulary")
        if vocabulary is not None and not (isinstance(vocabulary, dict) and all(isinstance(v, dict) for v in vocabulary.values())
                                           and set(vocabulary) <= VOCABULARIES):
            raise RegistryError(f"{path}: source '{entry['name']}': vocabulary must map a form "
                                f"({', '.join(sorted(VOCABULARIES))}) to its additions")
        region = entry.get("region")
        sources.append(
            Source(
                name=str(entry["name"]),
                path=glob,
                region=str(region) if region is not None else None,
                fiscal_year=int(entry["fiscal_year"]) if entry.get("fiscal_year") else None,
                department=entry.get("department"),
                encoding=entry.get("encoding"),
                unit=entry.get("unit"),
                layout=entry.get("layout"),
                tolerance_factor=float(entry["tolerance_factor"]) if entry.get("tolerance_factor") is not None else None,
                note=entry.get("note"),
                vocabulary=vocabulary,
            )
        )
    return Registry(root=root, sources=tuple(sources))
