"""The source registry: what a data engineer declares about a source when its documents are silent.

A YAML file lists sources; each names a path glob (under the registry's root) and the defaults to
apply to the files it matches: region (adcode), fiscal year, department, text encoding, money unit,
and the layout to parse them as. It may also list approvals: the dates a region's budgets or final
accounts were approved (批复), which the documents do not print and the 20-day disclosure rule is
counted from.
"""
from __future__ import annotations

import datetime
import fnmatch
from dataclasses import dataclass, field
from pathlib import Path

import yaml

from ingest import layout
from ingest.vocabulary import VOCABULARIES

_LAYOUTS = {layout.PROJECT_TABLE, layout.REPORT_WITH_INDICATORS, layout.FINAL_ACCOUNTS, layout.BUDGET, layout.NARRATIVE}
_FIELDS = {"name", "path", "region", "fiscal_year", "department", "encoding", "unit", "layout", "tolerance_factor", "note",
           "vocabulary"}


_APPROVAL_FIELDS = {"region", "fiscal_year", "doc_type", "approved_on", "department", "note"}
APPROVED_KINDS = ("department_budget", "final_accounts")


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
class Approval:
    """The day a region's budgets or final accounts of a year were approved (批复): for every
    department of the region, or for one (`department`), which then takes precedence."""

    region: str  # adcode
    fiscal_year: int
    doc_type: str  # department_budget or final_accounts
    approved_on: datetime.date
    department: str | None = None
    note: str | None = None


@dataclass(frozen=True)
class Registry:
    root: Path
    sources: tuple[Source, ...] = ()
    approvals: tuple[Approval, ...] = ()

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
    if not isinstance(data.get("approvals") or [], list):
        raise RegistryError(f"{path}: approvals must be a list of approvals")
    approvals = [_approval(path, n, entry) for n, entry in enumerate(data.get("approvals") or [], start=1)]
    seen = set()
    for a in approvals:
        key = (a.region, a.fiscal_year, a.doc_type, a.department)
        if key in seen:
            raise RegistryError(f"{path}: approval of {a.doc_type} {a.fiscal_year} for {a.region}"
                                f"{' ' + a.department if a.department else ''} is listed twice")
        seen.add(key)
    return Registry(root=root, sources=tuple(sources), approvals=tuple(approvals))


def _approval(path: Path, n: int, entry) -> Approval:
    def bad(message: str) -> RegistryError:
        return RegistryError(f"{path}: approval {n}: {message}")

    if not isinstance(entry, dict):
        raise bad("must be a mapping of fields")
    unknown = set(entry) - _APPROVAL_FIELDS
    if unknown:
        raise bad(f"unknown field(s) {', '.join(sorted(map(str, unknown)))}")
    missing = [f for f in ("region", "fiscal_year", "doc_type", "approved_on") if entry.get(f) is None]
    if missing:
        raise bad(f"needs {', '.join(missing)}")
    region = _region_code(entry["region"], bad)
    year = _check_year(entry["fiscal_year"], bad)
    if entry["doc_type"] not in APPROVED_KINDS:
        raise bad(f"doc_type must be one of {', '.join(APPROVED_KINDS)}")
    day = entry["approved_on"]
    if isinstance(day, str):
        try:
            day = datetime.date.fromisoformat(day)
        except ValueError:
            raise bad(f"approved_on must be a date (YYYY-MM-DD), not {day!r}") from None
    if isinstance(day, datetime.datetime) or not isinstance(day, datetime.date):
        raise bad(f"approved_on must be a date (YYYY-MM-DD), not {day!r}")
    if not year - 1 <= day.year <= year + 1:
        raise bad(f"approved_on {day} is not within a year of the fiscal year {year}")
    _check_text(entry, ("department", "note"), bad)
    return Approval(region=region, fiscal_year=year, doc_type=entry["doc_type"], approved_on=day,
                    department=entry.get("department"), note=entry.get("note"))


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
    _check_text(entry, ("department", "encoding", "note", "layout", "unit"), bad)
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
    if year is not None:
        _check_year(year, bad)
    factor = entry.get("tolerance_factor")
    if factor is not None and (isinstance(factor, bool) or not isinstance(factor, (int, float)) or not 0 < factor <= 100):
        raise bad(f"tolerance_factor must be a number above 0 and at most 100, not {factor!r}")
    region = entry.get("region")
    if region is not None:
        _region_code(region, bad)
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


# the checks sources and approvals share; `bad` makes the error, naming the file and the entry

def _check_text(entry: dict, fields: tuple[str, ...], bad) -> None:
    for text_field in fields:
        if entry.get(text_field) is not None and not isinstance(entry[text_field], str):
            raise bad(f"{text_field} must be text")


def _check_year(year, bad) -> int:
    if isinstance(year, bool) or not isinstance(year, int) or not 1949 <= year <= 2100:
        raise bad(f"fiscal_year must be a year from 1949 to 2100, not {year!r}")
    return year


def _region_code(region, bad) -> str:
    """The division code `region` names, as the division lists key it."""
    from ingest.regions import gazetteer

    code = gazetteer().region_for(str(region)).adcode
    if not code:
        raise bad(f"region {region!r} is not a province, city or county code of the division lists")
    return code
