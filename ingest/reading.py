"""One file into parsed documents: read it into the document model, split it into reports,
classify each, parse it with its form, and resolve its region and year."""
from __future__ import annotations

import hashlib
import os
import re
import time
from pathlib import Path

from ingest import forms, layout
from ingest.errors import QuarantineError
from ingest.model import Document as ModelDocument
from ingest.normalise import plain, squash
from ingest.readers import read
from ingest.records import Document, ParsedDocument, Region
from ingest.regions import gazetteer
from ingest.registry import EMPTY, Registry, Source


def _short_hash(data: bytes) -> str:
    return hashlib.sha256(data).hexdigest()[:16]


def ingest_file(
    path: Path, registry: Registry = EMPTY, data: bytes | None = None, clock: dict[str, float] | None = None,
    stat: os.stat_result | None = None,
) -> list[ParsedDocument]:
    """The documents of one file. `clock`, when given, gets the CPU seconds spent reading (bytes to
    text lines); the rest is parsing. `stat`, given with `data`, is the file's status taken before
    `data` was read (so that a file changed meanwhile is read again next time)."""
    start = time.perf_counter()
    stat = stat or path.stat()
    data = path.read_bytes() if data is None else data
    sha = hashlib.sha256(data).hexdigest()
    source = str(path)
    declared = registry.match(path)
    try:
        model = read(path, data, sha, declared.encoding if declared else None)
    except QuarantineError as exc:
        return [ParsedDocument(quarantine_record(source, sha, str(exc), declared, stat.st_mtime, stat.st_size))]
    lines = model.lines
    if clock is not None:
        clock["read"] = time.perf_counter() - start
    sections = layout.split_sections(lines)
    # the head names the region and year; capped, so a file that is one enormous line stays cheap
    file_head = "\n".join(lines[:40])[:4000]
    pages = model.page_count if model.has_positions else None
    ocr_pages = model.ocr_pages if model.has_positions else None
    out = []
    for section in sections:
        document_id = sha[:16] if len(sections) == 1 else _short_hash(section.text.encode("utf-8"))
        # a file of one report is read from its document; each report of a file of several, from
        # a document of its own lines
        own = model if len(sections) == 1 else None
        out.append(_parse_section(source, sha, document_id, section, file_head, model.encoding, declared,
                                  stat.st_mtime, stat.st_size, own, pages, ocr_pages))
    return out


def _region(report, flat_head: str, flat_file_head: str, declared: Source | None):
    """The region a section names (its department and unit, then its head and its file's), else the
    one its source declares."""
    names = " ".join(filter(None, [report and report.department, report and report.implementing_unit]))
    # a one-report file's head is its file's head: scan that text once
    places = flat_file_head if flat_head in flat_file_head else flat_head + "\n" + flat_file_head
    region = gazetteer().resolve(names + "\n" + places)
    if not region.adcode and declared and declared.region:
        region = gazetteer().region_for(declared.region)
    return region


def _status(kind: str, reading, missed: list[str]) -> tuple[str, str | None]:
    """Loaded, partial (read, with what was missed) or quarantined (nothing read), and why."""
    if reading is None:
        return "quarantined", f"layout '{kind}': no parser for it yet"
    if reading.empty:
        return "quarantined", "; ".join(missed) or None
    return ("partial" if missed else "loaded"), "; ".join(missed) or None


def _parse_section(
    source: str, sha: str, document_id: str, section: layout.Section, file_head: str, encoding: str | None,
    declared: Source | None, modified_at: float | None = None, file_size: int | None = None,
    model: ModelDocument | None = None, pages: int | None = None, ocr_pages: int | None = None,
) -> ParsedDocument:
    kind = (declared and declared.layout) or layout.classify(section.text)
    if kind == layout.UNKNOWN and model is not None:
        kind = forms.recognise(model, declared) or kind
    head = "\n".join(section.lines[:30])[:4000]
    flat_head, flat_file_head = squash(head), squash(file_head)
    year = _year_in(flat_head) or _year_in(flat_file_head) or (declared and declared.fiscal_year) or None
    form = forms.FORMS.get(kind)
    reading = form.read(section, model, declared) if form is not None else None
    report = reading.report if reading else None
    statements = reading.statements if reading else None
    if year is None and statements is not None:  # a file of tables alone: the year a table's title names
        year = _year_in(squash(" ".join(t.title for t in statements.tables)))
    missed = list(reading.missed) if reading else []
    region = _region(report, flat_head, flat_file_head, declared)
    if not region.adcode:
        missed.append("region not resolved")
    if year is None:
        missed.append("fiscal year not stated")
    status, reason = _status(kind, reading, missed)
    department = (
        (report.department if report else None) or _department_from_title(file_head) or (declared and declared.department) or None
    )
    return ParsedDocument(
        Document(
            document_id=document_id,
            source_file=source,
            sha256=sha,
            section=section.index,
            line_start=section.line_start,
            line_end=section.line_end,
            doc_type=kind,
            fiscal_year=year,
            region=region,
            department=department,
            implementing_unit=report.implementing_unit if report else None,
            project_name=report.project_name if report else None,
            status=status,
            reason=reason,
            parser=reading.parser if reading else None,
            encoding=encoding,
            is_synthetic="合成数据" in head or "SYNTHETIC" in head,
            source_name=declared.name if declared else None,
            tolerance_factor=(declared.tolerance_factor if declared and declared.tolerance_factor else 1.0),
            published_on=publication_date(list(section.lines)),
            file_modified_at=modified_at,
            file_size=file_size,
            pages=pages,
            ocr_pages=ocr_pages,
            scope=forms.scope_of(kind, section.text, declared),
            part=forms.part_of(kind, statements),
        ),
        report if status != "quarantined" else None,
        statements if status != "quarantined" else None,
    )


def publication_date(lines: list[str]) -> str | None:
    """The date a document says it was published (发布日期, or a lone `2024年12月` under the title)."""
    for line in lines[:40]:
        flat = squash(line)
        match = _PUBLISHED_ON.search(flat)
        if match:
            return f"{match.group(1)}-{int(match.group(2)):02d}-{int(match.group(3)):02d}"
        match = _YEAR_MONTH.fullmatch(flat)
        if match:
            day = f"-{int(match.group(3)):02d}" if match.group(3) else ""
            return f"{match.group(1)}-{int(match.group(2)):02d}{day}"
    return None


_PUBLISHED_ON = re.compile(r"发布日期[:：]?(\d{4})[-年/.](\d{1,2})[-月/.](\d{1,2})")
_YEAR_MONTH = re.compile(r"(\d{4})年(\d{1,2})月(?:(\d{1,2})日)?")


def fiscal_year(text: str) -> int | None:
    """The fiscal year a title names (`（2020年度）`, `2024年度部门决算`), never a publication date."""
    return _year_in(squash(text))


_YEAR = re.compile(r"((?:19|20)\d{2})年度")
# a budget's or final accounts' title may name its year without 年度: 2025年区级部门预算
_TITLE_YEAR = re.compile(r"((?:19|20)\d{2})年[\u4e00-\u9fff]{0,4}?(?:部门|单位)(?:汇总)?(?:预算|决算)"
                         r"|((?:19|20)\d{2})年[\u4e00-\u9fff“”]{0,20}?(?:预算|决算)(?:总)?表")


def _year_in(flat: str) -> int | None:
    match = _YEAR.search(flat) or _TITLE_YEAR.search(flat)
    return int(next(g for g in match.groups() if g)) if match else None


def _department_from_title(text: str) -> str | None:
    """The department a cover or title names: a line that is its name (`预算主管部门：` before it or
    not), a title that leads with it (`江苏省委办公厅2019年度部门预算公开`), or a table caption's
    `部门：` cell."""
    lines = text.splitlines()
    for line in lines:
        flat = _DEPARTMENT_LABEL.sub("", plain(line))
        if flat.endswith(_BODIES) and 2 < len(flat) <= 40:
            return flat
    for line in lines:
        match = _LEADS_TITLE.match(plain(line))
        if match:
            return match.group(1)
    for line in lines:
        for cell in line.split("\t"):
            flat = plain(cell)
            name = _DEPARTMENT_LABEL.sub("", flat)
            if name != flat and name.endswith(_BODIES):
                return name
    return None


_BODIES = ("局", "委员会", "中心", "办公室", "厅", "委", "院")
_LEADS_TITLE = re.compile(r"^([\u4e00-\u9fff()]{2,30}(?:局|委员会|中心|办公室|厅|委|院))[^\u4e00-\u9fff]{0,4}"
                          r"[\u4e00-\u9fff]{0,2}?(?:19|20)\d{2}年")


# the words a cover prints before the department's name: 预算主管部门：, 部门名称：, 编制部门：
_DEPARTMENT_LABEL = re.compile(r"^[\u4e00-\u9fff]{0,6}(?:部门|单位)(?:名称)?[:：]")


def quarantine_record(source: str, sha: str, reason: str, declared: Source | None = None,
                 modified_at: float | None = None, file_size: int | None = None,
                 source_name: str | None = None) -> Document:
    """A file's quarantine record. Its id is the file's content and path together: two files that
    cannot be read are two records, whatever their bytes."""
    identity = hashlib.sha256(f"{sha}\0{source}".encode("utf-8", "surrogateescape")).hexdigest()
    return Document(
        document_id=identity[:16],
        source_file=source,
        sha256=sha,
        section=0,
        line_start=0,
        line_end=0,
        doc_type=layout.UNKNOWN,
        fiscal_year=None,
        region=Region(),
        department=None,
        implementing_unit=None,
        project_name=None,
        status="quarantined",
        reason=reason,
        parser=None,
        source_name=declared.name if declared else source_name,
        file_modified_at=modified_at,
        file_size=file_size,
    )
