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

_LAYOUTS = {layout.PROJECT_TABLE, layout.REPORT_WITH_INDICATORS, layout.FINAL_ACCOUNTS, layout.BUDGET, layout.NARRATIVE}
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
    """The registry at `path`, every entry checked: a mistake is one line naming the file, the
    source and the field."""
    path = Path(path)
    try:
        data = yaml.safe_load(path.read_text(encoding="utf-8")) or {}
    except (OSError, UnicodeDecodeError, yaml.YAMLError) as exc:
        raise RegistryError(f"{path}: cannot read the source registry: {exc}".splitlines()[0]) from exc
    if not isinstance(data, dict) or not isinstance(data.get("sources") or [], list):
        raise RegistryError(f"{path}: the source registry must map `root` and `sources` (a list of sources)")
    root = (path.parent / str(data.get("root", "."))).resolve()
    if not root.is_dir() or root == Path(root.anchor):
        raise RegistryError(f"{path}: root {root} must be an existing project folder, not the file system's root")
    sources = []
    for n, entry in enumerate(data.get("sources") or [], start=1):
        if not isinstance(entry, dict):
            raise RegistryError(f"{path}: source {n}: must be a mapping of fields")
        sources.append(_source(path, n, entry))
    return Registry(root=root, sources=tuple(sources))


def _source(path: Path, n: int, entry: dict) -> Source:
    unknown = set(entry) - _FIELDS
    if unknown:
        raise RegistryError(f"{path}: source {n}: unknown field(s) {', '.join(sorted(map(str, unknown)))}")
    if not entry.get("name") or not entry.get("path"):
        raise RegistryError(f"{path}: source {n}: needs a name and a path")

    def bad(message: str) -> RegistryError:
        return RegistryError(f"{path}: source '{entry['name']}': {message}")

    glob = str(entry["path"])
    # Globs are confined to the root: no absolute paths, no climbing out with '..'.
    if glob.startswith("/") or ".." in Path(glob).parts:
        raise bad("path must stay under the registry root")
    for text_field in ("department", "encoding", "note", "layout", "unit"):
        if entry.get(text_field) is not None and not isinstance(entry[text_field], str):
            raise bad(f"{text_field} must be text")
    if entry.get("layout") and entry["layout"] not in _LAYOUTS:
        raise bad(f"layout must be one of {', '.join(sorted(_LAYOUTS))}")
    if entry.get("unit") and entry["unit"] not in ("元", "万元", "千元", "亿元"):
        raise bad("unit must be 元, 千元, 万元 or 亿元")
    if entry.get("encoding"):
        import codecs

        try:
            codecs.lookup(entry["encoding"])
        except LookupError:
            raise bad(f"encoding {entry['encoding']!r} is not a known text encoding") from None
    year = entry.get("fiscal_year")
    if year is not None and (isinstance(year, bool) or not isinstance(year, int) or not 1949 <= year <= 2100):
        raise bad(f"fiscal_year must be a year from 1949 to 2100, not {year!r}")
    factor = entry.get("tolerance_factor")
    if factor is not None and (isinstance(factor, bool) or not isinstance(factor, (int, float)) or not 0 < factor <= 100):
        raise bad(f"tolerance_factor must be a number above 0 and at most 100, not {factor!r}")
    region = entry.get("region")
    if region is not None:
        from ingest.regions import gazetteer

        if not gazetteer().region_for(str(region)).adcode:
            raise bad(f"region {region!r} is not a province, city or county code of the division lists")
    vocabulary = entry.get("vocabulary")
    if vocabulary is not None and not (isinstance(vocabulary, dict) and all(isinstance(v, dict) for v in vocabulary.values())
                                       and set(vocabulary) <= VOCABULARIES):
        raise bad(f"vocabulary must map a form ({', '.join(sorted(VOCABULARIES))}) to its additions")
    return Source(
        name=str(entry["name"]),
        path=glob,
        region=str(region) if region is not None else None,
        fiscal_year=year,
        department=entry.get("department"),
        encoding=entry.get("encoding"),
        unit=entry.get("unit"),
        layout=entry.get("layout"),
        tolerance_factor=float(factor) if factor is not None else None,
        note=entry.get("note"),
        vocabulary=vocabulary,
    )
