"""From files to parsed documents, many at a time: a stream of batches read by a pool of worker
processes, in file order, each file's failure its own quarantine record."""
from __future__ import annotations

import gc
import hashlib
import os
import time
from collections.abc import Callable, Iterable, Iterator
from contextlib import nullcontext
from dataclasses import dataclass
from datetime import datetime
from functools import partial
from pathlib import Path
from typing import TYPE_CHECKING, Protocol

from ingest import limits
from ingest.discovery import survey
from ingest.known import NOTHING_KNOWN, KnownFiles
from ingest.limits import ResourceLimit, die_with_parent, memory_limit, memory_per_worker, time_limit
from ingest.reading import ingest_file, quarantine_record
from ingest.records import Document, IngestResult, ParsedDocument, no_cyclic_gc
from ingest.regions import gazetteer
from ingest.registry import EMPTY, Registry
from ingest.workers import SurvivingPool, reading_file

if TYPE_CHECKING:
    import pyarrow as pa


# Below this many files a pool costs more than it saves.
PARALLEL_FROM = 64
# Files a worker parses before it sends their rows back: enough to make building Arrow tables cheap
# per document, few enough that the main process loads while the workers go on parsing.
CHUNK_FILES = 128


class Tasks(Protocol):
    """Parses chunks of files elsewhere than in a local pool, yielding each chunk's batch in order."""

    parallelism: int  # how many chunks are parsed at once

    def __call__(self, parse: "Callable[[list[Path]], Batch]", chunks: list[list[Path]]) -> Iterator["Batch"]: ...


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
    database threads exist when the workers are forked. With `tasks`, no pool: the chunks are
    parsed by `tasks(parse, chunks)`, which yields each chunk's batch in order (Spark tasks over the
    list of files: orchestration/spark.py).
    """

    def __init__(self, paths: Iterable[Path], registry: Registry = EMPTY, workers: int | None = None,
                 known: KnownFiles = NOTHING_KNOWN, loaded_at: datetime | None = None, exclude: Iterable[Path] = (),
                 tasks: "Tasks | None" = None):
        names, skipped = survey(paths, exclude)
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
        # a worker's limits cost the worker, not the command: unless told how many workers, even a
        # few files are read in one (a single process, `workers=1`, is for tests and debugging)
        pooled = workers is None and bool(files)
        if tasks is not None:
            workers = tasks.parallelism
        elif workers is None:
            workers = min(os.cpu_count() or 1, 8) if len(files) >= PARALLEL_FROM else 1
        size = max(1, min(CHUNK_FILES, -(-len(files) // (workers * 4))))
        chunks = [files[i:i + size] for i in range(0, len(files), size)]
        self._seen: set[str] = set()
        self._pool = None
        if tasks is not None:
            self._batches = tasks(partial(_parse_chunk, registry=registry, known=known, loaded_at=loaded_at), chunks)
        elif pooled or (workers > 1 and len(chunks) > 1):
            # what every chunk needs goes to each worker once, not with every chunk
            setup = (registry, known, loaded_at, memory_per_worker(workers))
            self._pool = SurvivingPool(workers, _pooled_chunk, partial(_lost, registry=registry, loaded_at=loaded_at),
                                       initializer=_warm, initargs=setup,
                                       deadline=limits.SECONDS_PER_FILE + limits.STOP_GRACE, overdue=limits.overdue())
            self._batches: Iterator[Batch] = self._pool.map(chunks)
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
            self._pool.close()
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


_worker_setup: tuple[Registry, KnownFiles, datetime | None, int] | None = None


def _warm(registry: Registry, known: KnownFiles, loaded_at: datetime | None, memory: int) -> None:
    """A worker keeps what every chunk needs (and the memory each file may take), builds the region
    gazetteer once, not per file, and collects cycles rarely (what it parses is freed as soon as it
    is sent back)."""
    global _worker_setup
    die_with_parent()
    _worker_setup = (registry, known, loaded_at, memory)
    gc.set_threshold(50_000, 20, 20)
    gazetteer()


def _pooled_chunk(files: list[Path]) -> Batch:
    registry, known, loaded_at, memory = _worker_setup
    return _parse_chunk(files, registry, known, loaded_at, memory)


def _lost(path: Path, reason: str, registry: Registry, loaded_at: datetime | None) -> Batch:
    """The record of a file whose reading killed its worker, or was stopped for it."""
    try:
        st = path.stat()
        with open(path, "rb") as file:
            sha = hashlib.file_digest(file, "sha256").hexdigest()
    except OSError as exc:
        document = _unreadable(str(path), f"cannot be read ({exc.strerror or exc})", registry)
    else:
        document = quarantine_record(str(path), sha, reason, registry.match(path), st.st_mtime, st.st_size)
    documents = [ParsedDocument(document)]
    if loaded_at is None:
        return Batch(documents, None, [], 0.0, 0.0, 1, 0)
    return Batch([], _storable(documents, loaded_at), [], 0.0, 0.0, 1, 0)


def _parse_chunk(files: list[Path], registry: Registry, known: KnownFiles, loaded_at: datetime | None,
                 memory: int | None = None) -> Batch:
    """Parse a run of files (in a worker); a repeated document within the run is dropped here."""
    documents: list[ParsedDocument] = []
    messages: list[str] = []
    seen: set[str] = set()
    read_s = parse_s = 0.0
    files_read = files_known = 0
    for path in files:
        with reading_file():  # the command stops a worker whose file never ends
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
            parsed = _ingest_isolated(path, registry, data, clock, st, memory)
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
                     st: os.stat_result, memory: int | None = None) -> list[ParsedDocument]:
    """`ingest_file`, with whatever goes wrong in reading or parsing this one file made its
    quarantine record: the rest of the batch goes on. In a worker, `memory` bounds what the file
    may take (in the command's own process, a failed allocation in native code would end it)."""
    try:
        with time_limit(), (memory_limit(memory) if memory else nullcontext()):
            return ingest_file(path, registry, data=data, clock=clock, stat=st)
    except ResourceLimit as exc:
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
    return [ParsedDocument(quarantine_record(str(path), sha, reason, registry.match(path), st.st_mtime, st.st_size))]


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
            return to_arrow([ParsedDocument(quarantine_record(d.source_file, d.sha256, reason, None, d.file_modified_at,
                                                         d.file_size, d.source_name))], loaded_at)
    import pyarrow as pa

    parts = [_storable([document], loaded_at) for document in documents]
    return {name: pa.concat_tables([part[name] for part in parts]) for name in parts[0]}


def _unreadable(source: str, reason: str, registry: Registry) -> Document:
    declared = registry.match(Path(source))
    return quarantine_record(source, hashlib.sha256(("unreadable:" + source).encode("utf-8", "surrogateescape")).hexdigest(),
                        reason, declared)


def _skipped_batch(skipped: list[tuple[str, str]], loaded_at: datetime | None) -> Batch | None:
    """A record for each thing found that is not read (a FIFO, a dangling link, …)."""
    if not skipped:
        return None
    documents = []
    for name, reason in skipped:
        shown = name.encode("utf-8", "surrogateescape").decode("utf-8", "backslashreplace")
        sha = hashlib.sha256(("skipped:" + shown).encode("utf-8")).hexdigest()
        documents.append(ParsedDocument(quarantine_record(shown, sha, reason)))
    if loaded_at is None:
        return Batch(documents, None, [], 0.0, 0.0, 0, 0)
    return Batch([], _storable(documents, loaded_at), [], 0.0, 0.0, 0, 0)
