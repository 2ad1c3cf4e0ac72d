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


class TooLong(BaseException):
    """A file's reading ran out of time. Not an `Exception`: a reader's handler for a corrupt file
    must not take it for one."""


@contextmanager
def time_limit(seconds: float | None = None):
    """Raise `TooLong` in the block when it runs longer than `seconds` (SECONDS_PER_FILE). Only the
    main thread of a process can be interrupted this way; elsewhere the block runs unbounded."""
    seconds = SECONDS_PER_FILE if seconds is None else seconds
    if threading.current_thread() is not threading.main_thread() or signal.getitimer(signal.ITIMER_REAL)[0]:
        yield
        return

    def expired(signum, frame):
        raise TooLong(f"resource limit: reading took longer than {seconds:g} s")

    previous = signal.signal(signal.SIGALRM, expired)
    signal.setitimer(signal.ITIMER_REAL, seconds)
    try:
        yield
    finally:
        signal.setitimer(signal.ITIMER_REAL, 0)
        signal.signal(signal.SIGALRM, previous)


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
