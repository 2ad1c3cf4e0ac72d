"""From files to parsed documents: read, split into reports, classify, parse, resolve region and year."""
from __future__ import annotations

import gc
import hashlib
import os
import re
import time
from collections.abc import Iterable, Iterator
from concurrent.futures import ProcessPoolExecutor
from dataclasses import dataclass
from datetime import datetime
from functools import partial
from pathlib import Path
from typing import TYPE_CHECKING

from ingest import forms, layout
from ingest.errors import QuarantineError
from ingest.known import NOTHING_KNOWN, KnownFiles
from ingest.limits import TooLong, die_with_parent, time_limit
from ingest.model import Document as ModelDocument
from ingest.normalise import plain, squash
from ingest.readers import read
from ingest.records import Document, IngestResult, ParsedDocument, Region, no_cyclic_gc
from ingest.regions import gazetteer
from ingest.registry import EMPTY, Registry, Source

if TYPE_CHECKING:
    import pyarrow as pa

# Files that describe a corpus rather than belong to it.
IGNORED_NAMES = {"MANIFEST.md", "README.md", "SOURCE.md", "truth.json", "expected.json", "expected.md"}


def discover(paths: Iterable[Path], exclude: Iterable[Path] = ()) -> list[Path]:
    """Every file under the given files and folders, in a stable order, without corpus notes or hidden files."""
    return [Path(name) for name in _discover(paths, exclude)[0]]


def _discover(paths: Iterable[Path], exclude: Iterable[Path] = ()) -> tuple[list[str], list[tuple[str, str]]]:
    """The files to read under `paths` (path strings: at a hundred thousand files, making `Path`s
    takes a third of a second), and what was found but cannot be read, each with the reason:
    FIFOs, devices and sockets, dangling or looping links, folders that cannot be listed, names
    that are not UTF-8. Hidden files and folders are left out below an input, not above it, and
    so are the paths in `exclude` (the warehouse's own files and reports)."""
    found: set[str] = set()
    skipped: list[tuple[str, str]] = []
    excluded = tuple(os.path.abspath(p) for p in exclude)
    for path in paths:
        path = Path(path)
        if path.is_dir():
            for name, reason in _files_under(str(path), excluded):
                if reason is None:
                    found.add(name)
                else:
                    skipped.append((name, reason))
        elif path.is_file():
            found.add(str(path))
        elif path.exists() or path.is_symlink():
            skipped.append((str(path), _not_a_file(path)))
        else:
            raise FileNotFoundError(f"{path}: no such file or folder")
    kept = []
    for name in sorted(found):
        if os.path.basename(name) in IGNORED_NAMES or _outside(name, excluded):
            continue
        if not _utf8(name):
            skipped.append((name, "file name is not valid UTF-8; rename it to read it"))
            continue
        kept.append(name)
    return kept, sorted(skipped)


def _outside(name: str, excluded: tuple[str, ...]) -> bool:
    """Whether a path is one of the excluded paths or under one."""
    absolute = os.path.abspath(name)
    return any(absolute == e or absolute.startswith(e + os.sep) for e in excluded)


def _utf8(name: str) -> bool:
    try:
        name.encode("utf-8")
    except UnicodeEncodeError:  # os.fsdecode kept the bytes as surrogates
        return False
    return True


def _not_a_file(path: Path) -> str:
    """Why something found is not read: what it is instead of a regular file."""
    import stat

    try:
        mode = path.lstat().st_mode
    except OSError as exc:
        return f"skipped: cannot be examined ({exc.strerror or exc})"
    if stat.S_ISLNK(mode):
        try:
            path.stat()
        except OSError as exc:
            return "skipped: a link that loops" if exc.errno == 40 else "skipped: a link to nothing"
        return "skipped: a link to something that is not a file"
    kind = ("a FIFO" if stat.S_ISFIFO(mode) else "a device" if stat.S_ISCHR(mode) or stat.S_ISBLK(mode)
            else "a socket" if stat.S_ISSOCK(mode) else "not a regular file")
    return f"skipped: {kind}, not a regular file"


def _files_under(folder: str, excluded: tuple[str, ...] = ()) -> Iterator[tuple[str, str | None]]:
    """The files in a folder and its subfolders, each with None, and what cannot be read, each with
    the reason. Symbolic links to folders are not followed; hidden entries are left out. Read from
    the directory entries alone: no call per file to ask what it is."""
    pending = [folder]
    while pending:
        current = pending.pop()
        try:
            with os.scandir(current) as entries:
                listed = list(entries)
        except OSError as exc:
            yield current, f"skipped: the folder cannot be listed ({exc.strerror or exc})"
            continue
        for entry in listed:
            if entry.name.startswith(".") or _outside(entry.path, excluded):
                continue
            if entry.is_dir(follow_symlinks=False):
                pending.append(entry.path)
            elif _follows_to(entry, "file"):
                yield entry.path, None
            elif not _follows_to(entry, "dir"):  # a link to a folder is not followed, and not a loss
                yield entry.path, _not_a_file(Path(entry.path))


def _follows_to(entry: os.DirEntry, kind: str) -> bool:
    """Whether an entry is (or links to) a file or a folder; a link that loops is neither."""
    try:
        return entry.is_file() if kind == "file" else entry.is_dir()
    except OSError:
        return False


# Below this many files a pool costs more than it saves.
PARALLEL_FROM = 64
# Files a worker parses before it sends their rows back: enough to make building Arrow tables cheap
# per document, few enough that the main process loads while the workers go on parsing.
CHUNK_FILES = 128


@dataclass
class Batch:
    """What a worker sends back for a run of files, in file order."""

    documents: list[ParsedDocument]  # parsed records; empty when they come as `tables`
    tables: dict[str, "pa.Table"] | None  # every raw table's rows for the batch's documents
    messages: list[str]
    read_seconds: float
    parse_seconds: float
    files_read: int
    files_known: int




class IngestStream:
    """Read and parse every file under `paths` in a pool of worker processes; iterate for the batches.

    Batches arrive in file order whatever the number of workers, and a document whose content was
    already read (in this run) is dropped with a message, so each is loaded once. With `loaded_at`,
    each batch holds its rows as Arrow tables built in the worker (the warehouse load path); without,
    it holds the parsed records. `known` holds the files the warehouse already has with the current
    parsers: those are not parsed again (`KnownFiles`). `result` gathers the counts and messages as
    the batches are consumed.

    The pool starts when the stream is made: make it before opening a DuckDB connection, so that no
    database threads exist when the workers are forked.
    """

    def __init__(self, paths: Iterable[Path], registry: Registry = EMPTY, workers: int | None = None,
                 known: KnownFiles = NOTHING_KNOWN, loaded_at: datetime | None = None, exclude: Iterable[Path] = ()):
        names, skipped = _discover(paths, exclude)
        self.result = IngestResult()
        # what was found but cannot be read is recorded, as a first batch of its own
        self._skipped = _skipped_batch(skipped, loaded_at)
        if known.stats:
            # the files found as they were read before are settled here, from their status alone: the
            # workers get only the others (at province scale, a hundredth of the files)
            listed = len(names)
            names = [name for name in names if not known.unchanged(name, os.stat(name))]
            self.result.files_known += listed - len(names)
            known = known.by_content()
        files = [Path(name) for name in names]
        if workers is None:
            workers = min(os.cpu_count() or 1, 8) if len(files) >= PARALLEL_FROM else 1
        size = max(1, min(CHUNK_FILES, -(-len(files) // (workers * 4))))
        chunks = [files[i:i + size] for i in range(0, len(files), size)]
        self._seen: set[str] = set()
        self._pool = None
        if workers > 1 and len(chunks) > 1:
            import multiprocessing

            context = multiprocessing.get_context("fork" if "fork" in multiprocessing.get_all_start_methods() else "spawn")
            # what every chunk needs goes to each worker once, not with every chunk
            self._pool = ProcessPoolExecutor(max_workers=workers, mp_context=context, initializer=_warm,
                                             initargs=(registry, known, loaded_at))
            self._batches: Iterator[Batch] = self._pool.map(_pooled_chunk, chunks)
        else:
            self._batches = map(partial(_parse_chunk, registry=registry, known=known, loaded_at=loaded_at), chunks)

    def __iter__(self) -> Iterator[Batch]:
        try:
            if self._skipped is not None:
                yield self._accept(self._skipped)
            for batch in self._batches:
                yield self._accept(batch)
        finally:
            self.close()

    def close(self) -> None:
        if self._pool is not None:
            self._pool.shutdown(cancel_futures=True)
            self._pool = None

    def _accept(self, batch: Batch) -> Batch:
        result = self.result
        result.read_seconds += batch.read_seconds
        result.parse_seconds += batch.parse_seconds
        result.files_read += batch.files_read
        result.files_known += batch.files_known
        result.messages.extend(batch.messages)
        if batch.tables is None:
            kept = []
            for parsed in batch.documents:
                if _first_time(self._seen, result.messages, parsed.document.document_id, parsed.document.source_file):
                    kept.append(parsed)
                    _note_status(result.messages, parsed.document.source_file, parsed.document.line_start,
                                 parsed.document.section, parsed.document.status, parsed.document.reason)
            batch.documents = kept
            return batch
        docs = batch.tables["documents"]
        columns = [docs.column(c).to_pylist() for c in ("document_id", "source_file", "line_start", "section", "status", "reason")]
        dropped = []
        for document_id, source_file, line_start, section, status, reason in zip(*columns):
            if _first_time(self._seen, self.result.messages, document_id, source_file):
                _note_status(result.messages, source_file, line_start, section, status, reason)
            else:
                dropped.append(document_id)
        if dropped:  # ids are unique within a batch: the worker dropped its own repeats
            import pyarrow as pa
            import pyarrow.compute as pc

            gone = pa.array(dropped, pa.string())
            batch.tables = {name: t.filter(pc.invert(pc.is_in(t["document_id"], value_set=gone)))
                            for name, t in batch.tables.items()}
        return batch



def _first_time(seen: set[str], messages: list[str], document_id: str, source_file: str) -> bool:
    """Whether a document is read for the first time in this run; a repeat gets a message instead."""
    if document_id in seen:
        messages.append(f"{source_file}: same content as a document already read; loaded once")
        return False
    seen.add(document_id)
    return True


def _note_status(messages: list[str], source_file: str, line_start: int, section: int, status: str, reason: str | None) -> None:
    if status != "loaded":
        where = f"{source_file}:{line_start}" if section else source_file
        messages.append(f"{where}: {status}: {reason}")


def ingest_paths(
    paths: Iterable[Path], registry: Registry = EMPTY, workers: int | None = None, known: KnownFiles = NOTHING_KNOWN,
) -> IngestResult:
    """Read and parse every file under `paths` into records; the result is in file order whatever
    the number of workers. (The warehouse load streams Arrow batches instead: `IngestStream`.)"""
    stream = IngestStream(paths, registry, workers, known)
    # the result grows by millions of small objects that live as long as it does
    with no_cyclic_gc():
        for batch in stream:
            stream.result.documents.extend(batch.documents)
    return stream.result


_worker_setup: tuple[Registry, KnownFiles, datetime | None] | None = None


def _warm(registry: Registry, known: KnownFiles, loaded_at: datetime | None) -> None:
    """A worker keeps what every chunk needs, builds the region gazetteer once, not per file, and
    collects cycles rarely (what it parses is freed as soon as it is sent back)."""
    global _worker_setup
    die_with_parent()
    _worker_setup = (registry, known, loaded_at)
    gc.set_threshold(50_000, 20, 20)
    gazetteer()


def _pooled_chunk(files: list[Path]) -> Batch:
    registry, known, loaded_at = _worker_setup
    return _parse_chunk(files, registry, known, loaded_at)


def _parse_chunk(files: list[Path], registry: Registry, known: KnownFiles, loaded_at: datetime | None) -> Batch:
    """Parse a run of files (in a worker); a repeated document within the run is dropped here."""
    documents: list[ParsedDocument] = []
    messages: list[str] = []
    seen: set[str] = set()
    read_s = parse_s = 0.0
    files_read = files_known = 0
    for path in files:
        start = time.perf_counter()
        try:
            st = path.stat()  # before reading: a file changed meanwhile does not pass for unchanged next time
            data = path.read_bytes()
        except OSError as exc:
            documents.append(ParsedDocument(_unreadable(str(path), f"cannot be read ({exc.strerror or exc})", registry)))
            files_read += 1
            continue
        if known and known.settled(path, hashlib.sha256(data).hexdigest()):
            read_s += time.perf_counter() - start
            files_known += 1
            continue
        clock: dict[str, float] = {}
        parsed = _ingest_isolated(path, registry, data, clock, st)
        total = time.perf_counter() - start
        read_s += clock.get("read", total)
        parse_s += total - clock.get("read", total)
        files_read += 1
        documents.extend(p for p in parsed if _first_time(seen, messages, p.document.document_id, p.document.source_file))
    if loaded_at is None:
        return Batch(documents, None, messages, read_s, parse_s, files_read, files_known)
    start = time.perf_counter()
    tables = _storable(documents, loaded_at)
    return Batch([], tables, messages, read_s, parse_s + time.perf_counter() - start, files_read, files_known)


def _ingest_isolated(path: Path, registry: Registry, data: bytes, clock: dict[str, float],
                     st: os.stat_result) -> list[ParsedDocument]:
    """`ingest_file`, with whatever goes wrong in reading or parsing this one file made its
    quarantine record: the rest of the batch goes on."""
    try:
        with time_limit():
            return ingest_file(path, registry, data=data, clock=clock, stat=st)
    except TooLong as exc:
        reason = str(exc)
    except MemoryError:
        reason = "resource limit: out of memory while reading it"
    except RecursionError:
        reason = "resource limit: nested too deeply to read"
    except ArithmeticError:
        reason = "could not be read: an amount beyond what can be held exactly"
    except Exception as exc:  # a reader or parser bug must not cost the batch: it is recorded, with its cause
        reason = f"could not be read: {type(exc).__name__}: {str(exc).splitlines()[0] if str(exc) else ''}".rstrip(": ")
    sha = hashlib.sha256(data).hexdigest()
    return [ParsedDocument(_quarantined(str(path), sha, reason, registry.match(path), st.st_mtime, st.st_size))]


def _storable(documents: list[ParsedDocument], loaded_at: datetime) -> dict[str, "pa.Table"]:
    """The batch's rows as Arrow tables; a document that cannot be stored as it was read (an amount
    beyond the warehouse's DECIMAL(18, 2), say) is stored as quarantined, with the reason."""
    from ingest.load import to_arrow

    try:
        return to_arrow(documents, loaded_at)
    except (ArithmeticError, ValueError, TypeError, OverflowError) as exc:
        if len(documents) == 1:
            d = documents[0].document
            reason = f"cannot be stored: {type(exc).__name__}: {str(exc).splitlines()[0]}"
            return to_arrow([ParsedDocument(_quarantined(d.source_file, d.sha256, reason, None, d.file_modified_at,
                                                         d.file_size, d.source_name))], loaded_at)
    import pyarrow as pa

    parts = [_storable([document], loaded_at) for document in documents]
    return {name: pa.concat_tables([part[name] for part in parts]) for name in parts[0]}


def _unreadable(source: str, reason: str, registry: Registry) -> Document:
    declared = registry.match(Path(source))
    return _quarantined(source, hashlib.sha256(("unreadable:" + source).encode("utf-8", "surrogateescape")).hexdigest(),
                        reason, declared)


def _skipped_batch(skipped: list[tuple[str, str]], loaded_at: datetime | None) -> Batch | None:
    """A record for each thing found that is not read (a FIFO, a dangling link, …)."""
    if not skipped:
        return None
    documents = []
    for name, reason in skipped:
        shown = name.encode("utf-8", "surrogateescape").decode("utf-8", "backslashreplace")
        sha = hashlib.sha256(("skipped:" + shown).encode("utf-8")).hexdigest()
        documents.append(ParsedDocument(_quarantined(shown, sha, reason)))
    if loaded_at is None:
        return Batch(documents, None, [], 0.0, 0.0, 0, 0)
    return Batch([], _storable(documents, loaded_at), [], 0.0, 0.0, 0, 0)


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
        return [ParsedDocument(_quarantined(source, sha, str(exc), declared, stat.st_mtime, stat.st_size))]
    lines = model.lines
    if clock is not None:
        clock["read"] = time.perf_counter() - start
    sections = layout.split_sections(lines)
    # the head names the region and year; capped, so a file that is one enormous line stays cheap
    file_head = "\n".join(lines[:40])[:4000]
    pages = model.page_count if model.has_positions else None
    out = []
    for section in sections:
        document_id = sha[:16] if len(sections) == 1 else _short_hash(section.text.encode("utf-8"))
        # a file of one report is read from its document; each report of a file of several, from
        # a document of its own lines
        own = model if len(sections) == 1 else None
        out.append(_parse_section(source, sha, document_id, section, file_head, model.encoding, declared,
                                  stat.st_mtime, stat.st_size, own, pages))
    return out


def _parse_section(
    source: str, sha: str, document_id: str, section: layout.Section, file_head: str, encoding: str | None,
    declared: Source | None, modified_at: float | None = None, file_size: int | None = None,
    model: ModelDocument | None = None, pages: int | None = None,
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
    names = " ".join(filter(None, [report and report.department, report and report.implementing_unit]))
    # a one-report file's head is its file's head: scan that text once
    places = flat_file_head if flat_head in flat_file_head else flat_head + "\n" + flat_file_head
    region = gazetteer().resolve(names + "\n" + places)
    if not region.adcode and declared and declared.region:
        region = gazetteer().region_for(declared.region)
    if not region.adcode:
        missed.append("region not resolved")
    if year is None:
        missed.append("fiscal year not stated")
    if reading is None:
        status, reason = "quarantined", f"layout '{kind}': no parser for it yet"
    elif reading.empty:
        status, reason = "quarantined", "; ".join(missed) or None
    else:
        status = "partial" if missed else "loaded"
        reason = "; ".join(missed) or None
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


def _quarantined(source: str, sha: str, reason: str, declared: Source | None = None,
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
