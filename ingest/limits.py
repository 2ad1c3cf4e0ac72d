"""The work one file may cost. A published document is a few hundred pages and a few megabytes; a
file beyond these limits is quarantined with "resource limit: …" and the rest of the batch goes on,
so no single file can take the machine's memory or the run's time."""
from __future__ import annotations

import signal
import threading
import zipfile
from contextlib import contextmanager

from ingest.errors import QuarantineError

MAX_PDF_PAGES = 1_500  # the longest provincial budget books run to several hundred
MAX_UNZIPPED_BYTES = 64 * 1024 * 1024  # a Word or Excel file's XML parts, decompressed (media aside)
MAX_TEXT_BYTES = 64 * 1024 * 1024  # a text or Markdown file
SECONDS_PER_FILE = 300.0  # reading and parsing one file
# a page read by OCR (2 to 3 s of work) earns its file this much more time, up to MAX_EXTRA_SECONDS:
# a scanned budget book of a few hundred pages is read, not stopped at SECONDS_PER_FILE
OCR_SECONDS_PER_PAGE = 10.0
MAX_EXTRA_SECONDS = 3600.0
# A worker stops itself at SECONDS_PER_FILE, when Python gets control; native code that never hands
# it back is killed by the command this much later.
STOP_GRACE = 30.0
# A run's memory: the workers share what the loading process does not hold (its batches, DuckDB's
# appends), so that however many workers read, and whatever they read, the run stays under it.
RUN_MEMORY = 2 * 1024**3
LOADER_MEMORY = 512 * 1024**2
# DuckDB's share of it in each process of a run that opens the warehouse (the one loading it, the
# checks, each report writer): without a limit DuckDB keeps every block it touched in memory, up to
# most of the machine's; beyond it, it spills to `<db>.tmp`.
DUCKDB_MEMORY = LOADER_MEMORY // 2
# dbt's DuckDB: the build runs once no reader is alive, beside the command's own process.
BUILD_DUCKDB_MEMORY = RUN_MEMORY - 2 * LOADER_MEMORY


def duckdb_memory(size: int) -> str:
    """A memory size as DuckDB's `memory_limit` setting takes it."""
    return f"{size >> 20}MiB"


# The settings of every connection to a warehouse file, DuckDB's own or through a URL's query.
DUCKDB_SETTINGS = {"memory_limit": duckdb_memory(DUCKDB_MEMORY)}


def connect_duckdb(path, read_only: bool = False):
    """A connection to a warehouse file, with DUCKDB_SETTINGS. Every connection a process of the
    project opens goes through here: DuckDB refuses a second connection to an open file with other
    settings."""
    import duckdb

    return duckdb.connect(str(path), read_only=read_only, config=DUCKDB_SETTINGS)


def comment(con, table: str, about: str, columns: dict[str, str]) -> None:
    """Keep a table's description and its columns' as their comments in DuckDB, where a query writer
    finds them (`duckdb_columns()`). COMMENT ON takes no parameters: the texts, ours, are quoted here."""
    def quoted(text: str) -> str:
        return "'" + text.replace("'", "''") + "'"

    con.execute(f"comment on table {table} is {quoted(about)}")
    for column, text in columns.items():
        con.execute(f"comment on column {table}.{column} is {quoted(text)}")


def table_exists(con, name: str) -> bool:
    """Whether the warehouse holds the table `schema.table` (one an older warehouse, or a first run,
    may not have yet)."""
    schema, table = name.split(".")
    return bool(con.execute(
        "select count(*) from information_schema.tables where table_schema = ? and table_name = ?", [schema, table]
    ).fetchone()[0])


def check_pages(pages: int) -> None:
    if pages > MAX_PDF_PAGES:
        raise QuarantineError(f"resource limit: {pages:,} pages (at most {MAX_PDF_PAGES:,})")


def check_text(size: int) -> None:
    if size > MAX_TEXT_BYTES:
        raise QuarantineError(f"resource limit: {size:,} bytes of text (at most {MAX_TEXT_BYTES:,})")


def check_zip(archive: zipfile.ZipFile) -> None:
    """A Word or Excel container, by what the XML it is read from would take decompressed (a zip
    bomb is small; pictures are not read, and do not count)."""
    unzipped = sum(info.file_size for info in archive.infolist() if info.filename.endswith((".xml", ".rels")))
    if unzipped > MAX_UNZIPPED_BYTES:
        raise QuarantineError(f"resource limit: {unzipped:,} bytes once decompressed (at most {MAX_UNZIPPED_BYTES:,})")


class ResourceLimit(BaseException):
    """A file's reading went beyond a limit. Not an `Exception`: a reader's handler for a corrupt
    file must not take it for one."""


class TooLong(ResourceLimit):
    """A file's reading ran out of time."""


class TooLarge(ResourceLimit):
    """A file's reading ran out of the memory it may take."""


def too_long(seconds: float) -> str:
    """Why a file whose reading ran out of time is quarantined."""
    return f"resource limit: reading took longer than {seconds:g} s"


def overdue() -> str:
    """Why a file whose reading the command had to stop from outside is quarantined."""
    return f"{too_long(SECONDS_PER_FILE)} (stopped)"


def memory_per_worker(workers: int) -> int:
    """The memory each of `workers` reading processes may take for one file."""
    return (RUN_MEMORY - LOADER_MEMORY) // max(1, workers)


@contextmanager
def time_limit(seconds: float | None = None):
    """Raise `TooLong` in the block when it runs longer than `seconds` (SECONDS_PER_FILE). Only the
    main thread of a process can be interrupted this way; elsewhere the block runs unbounded."""
    seconds = SECONDS_PER_FILE if seconds is None else seconds
    _granted[0] = 0.0
    if threading.current_thread() is not threading.main_thread() or signal.getitimer(signal.ITIMER_REAL)[0]:
        yield
        return

    def expired(signum, frame):
        raise TooLong(too_long(seconds + _granted[0]))

    previous = signal.signal(signal.SIGALRM, expired)
    signal.setitimer(signal.ITIMER_REAL, seconds)
    _granted[1] = True
    try:
        yield
    finally:
        _granted[1] = False
        signal.setitimer(signal.ITIMER_REAL, 0)
        signal.signal(signal.SIGALRM, previous)


# the file being read: the time `more_time` gave it, and whether `time_limit`'s alarm is set for it
_granted: list = [0.0, False]


def more_time(seconds: float) -> None:
    """Give the file being read `seconds` more (all told at most MAX_EXTRA_SECONDS): its own alarm
    goes off later, and the command that watches its worker waits as much longer."""
    seconds = max(0.0, min(seconds, MAX_EXTRA_SECONDS - _granted[0]))
    if not seconds:
        return
    _granted[0] += seconds
    if _granted[1]:
        remaining = signal.getitimer(signal.ITIMER_REAL)[0]
        if remaining:
            signal.setitimer(signal.ITIMER_REAL, remaining + seconds)
    from ingest.workers import extend_reading

    extend_reading(seconds)


def die_with_parent() -> None:
    """Have the kernel kill this process when its parent dies (Linux's parent-death signal): a
    worker forked by a command that is killed goes with it, and never writes on behind it."""
    import ctypes
    import ctypes.util

    try:
        libc = ctypes.CDLL(ctypes.util.find_library("c") or "libc.so.6", use_errno=True)
        libc.prctl(1, int(signal.SIGKILL), 0, 0, 0)  # PR_SET_PDEATHSIG
    except (OSError, AttributeError):  # not Linux: the worker is left to end with its work
        pass


@contextmanager
def memory_limit(budget: int):
    """Let the block take at most `budget` bytes of memory beyond what the process holds already;
    beyond, an allocation fails, and the block raises `TooLarge`. The limit is the process's data
    size (RLIMIT_DATA), so it binds the whole process while the block runs: use it in a worker,
    where native code that aborts on a failed allocation (PDFium does) costs the worker, not the
    command. A reader that reports a failed allocation as its own error (lxml's "unknown error")
    is known by how near its peak came to the limit."""
    import resource

    held = _status_bytes("VmData")
    if held is None:  # not Linux: unbounded
        yield
        return
    soft, hard = resource.getrlimit(resource.RLIMIT_DATA)
    ceiling = held + budget if hard == resource.RLIM_INFINITY else min(hard, held + budget)
    _forget_peak()
    resident = _status_bytes("VmRSS") or 0
    resource.setrlimit(resource.RLIMIT_DATA, (ceiling, hard))
    try:
        yield
    except MemoryError as exc:
        raise TooLarge(f"resource limit: more than {budget >> 20:,} MB of memory to read it") from exc
    except Exception as exc:
        peak = _status_bytes("VmHWM") or 0
        if peak - resident >= budget * 0.8:
            raise TooLarge(f"resource limit: more than {budget >> 20:,} MB of memory to read it") from exc
        raise
    finally:
        resource.setrlimit(resource.RLIMIT_DATA, (soft, hard))


def _status_bytes(field: str) -> int | None:
    try:
        with open("/proc/self/status", encoding="ascii") as status:
            for line in status:
                if line.startswith(field + ":"):
                    return int(line.split()[1]) * 1024
    except OSError:
        pass
    return None


def _forget_peak() -> None:
    """Start the peak resident size (VmHWM) afresh, so that it is this block's."""
    try:
        with open("/proc/self/clear_refs", "w", encoding="ascii") as refs:
            refs.write("5")
    except OSError:
        pass
