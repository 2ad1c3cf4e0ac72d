"""Resolve a document's region from the names it prints, against the admin-division code lists."""
from __future__ import annotations

import csv
from dataclasses import dataclass
from functools import lru_cache
from pathlib import Path

from ingest.records import Region

# The code lists are dbt seeds, so the warehouse and the resolver read the same copy.
REFERENCE_DIR = Path(__file__).resolve().parent.parent / "dbt_project" / "seeds"

# Placeholder rows of the statistics list that are not places a document would name.
_PLACEHOLDERS = {"市辖区", "县", "省直辖县级行政区划", "自治区直辖县级行政区划"}
# County names that are also ordinary words in budget text (城区 "urban area", 郊区, 矿区).
_GENERIC = {"城区", "郊区", "矿区", "新区", "开发区", "高新区"}


@dataclass(frozen=True)
class Division:
    code: str
    name: str
    city_code: str | None
    province_code: str


class Gazetteer:
    def __init__(self, reference_dir: Path = REFERENCE_DIR):
        self.provinces = _read(reference_dir / "admin_provinces.csv", lambda r: Division(r["code"], r["name"], None, r["code"]))
        self.cities = _read(reference_dir / "admin_cities.csv", lambda r: Division(r["code"], r["name"], None, r["provinceCode"]))
        self.counties = _read(
            reference_dir / "admin_counties.csv", lambda r: Division(r["code"], r["name"], r["cityCode"], r["provinceCode"])
        )
        self._province_by_code = {d.code: d for d in self.provinces}
        self._city_by_code = {d.code: d for d in self.cities}
        # Every name by its first two characters: a text is scanned once, not once per name.
        self._by_prefix: dict[str, set[str]] = {}
        self._by_name: dict[str, list[tuple[int, Division]]] = {}
        for level, divisions in enumerate((self.provinces, self.cities, self.counties)):
            for d in divisions:
                self._by_prefix.setdefault(d.name[:2], set()).add(d.name)
                self._by_name.setdefault(d.name, []).append((level, d))

    def _names_in(self, text: str) -> set[str]:
        """The division names that occur in `text`, except where an occurrence is only part of a
        longer name found at the same place (高县 inside 阳高县 is not a mention of 高县)."""
        matches: list[tuple[int, int, str]] = []
        by_prefix = self._by_prefix
        for i in range(len(text) - 1):
            names = by_prefix.get(text[i:i + 2])
            if names:
                for name in names:
                    if text.startswith(name, i):
                        matches.append((i, i + len(name), name))
        if not matches:
            return set()
        # prefix lookups only find a name where it starts: one inside a longer name starts later
        found: set[str] = set()
        for start, end, name in matches:
            if name in found:
                continue
            if not any(s <= start and end <= e and e - s > end - start for s, e, _ in matches):
                found.add(name)
        return found

    def region_for(self, adcode: str) -> Region:
        """The region a code names; an empty Region for a code not in the lists."""
        for county in self.counties:
            if county.code == adcode:
                city = self._city_by_code.get(county.city_code or "")
                city_name = city.name if city and city.name not in _PLACEHOLDERS else None
                return Region(self._province_by_code[county.province_code].name, city_name, county.name, county.code)
        if adcode in self._city_by_code:
            city = self._city_by_code[adcode]
            return Region(self._province_by_code[city.province_code].name, city.name, None, city.code)
        if adcode in self._province_by_code:
            return Region(self._province_by_code[adcode].name, None, None, adcode)
        return Region()

    def resolve(self, text: str) -> Region:
        """The most specific region the text names unambiguously; an empty Region when it names none.

        A county name shared by several provinces (朝阳区) is resolved only when the text also names
        its province or city; it is never guessed.
        """
        named = self._names_in(text)
        if not named:
            return Region()
        found: tuple[list[Division], list[Division], list[Division]] = ([], [], [])
        for name in named:
            for level, d in self._by_name[name]:
                found[level].append(d)
        provinces = sorted(found[0], key=lambda d: d.code)
        cities = sorted((d for d in found[1] if d.name not in _PLACEHOLDERS), key=lambda d: d.code)
        counties = sorted((d for d in found[2] if d.name not in _PLACEHOLDERS | _GENERIC), key=lambda d: d.code)
        province_codes = {d.code for d in provinces}
        city_codes = {d.code for d in cities}

        def narrow(candidates: list[Division]) -> list[Division]:
            if len(candidates) <= 1:
                return candidates
            by_city = [d for d in candidates if d.city_code in city_codes]
            if by_city:
                candidates = by_city
            by_province = [d for d in candidates if d.province_code in province_codes]
            return by_province or candidates

        counties = narrow(counties)
        if len(counties) == 1:
            county = counties[0]
            city = self._city_by_code.get(county.city_code or "")
            province = self._province_by_code[county.province_code]
            city_name = city.name if city and city.name not in _PLACEHOLDERS else None
            return Region(province.name, city_name, county.name, county.code)
        cities = [d for d in cities if not province_codes or d.province_code in province_codes]
        if len(cities) == 1 and not counties:
            city = cities[0]
            return Region(self._province_by_code[city.province_code].name, city.name, None, city.code)
        if len(provinces) == 1 and not counties and not cities:
            return Region(provinces[0].name, None, None, provinces[0].code)
        return Region()


def _read(path: Path, build) -> list[Division]:
    with path.open(encoding="utf-8") as handle:
        return [build(row) for row in csv.DictReader(handle)]


@lru_cache(maxsize=1)
def gazetteer() -> Gazetteer:
    return Gazetteer()
