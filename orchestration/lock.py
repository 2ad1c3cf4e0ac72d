"""One writer per warehouse: a lock file beside the DuckDB file, held for a whole command."""
from __future__ import annotations

import fcntl
import os
import shutil
import time
from contextlib import contextmanager
from pathlib import Path


class WarehouseBusy(Exception):
    pass


@contextmanager
def warehouse_lock(db_path: Path, wait_seconds: float = 0.0):
    """Hold `<db>.lock` exclusively; wait up to `wait_seconds` for another holder, then give up.

    The operating system releases the lock when its process ends, however it ends, so a killed
    run never leaves the warehouse locked.
    """
    lock_path = Path(str(db_path) + ".lock")
    lock_path.parent.mkdir(parents=True, exist_ok=True)
    handle = open(lock_path, "a+", encoding="utf-8")
    deadline = time.monotonic() + wait_seconds
    try:
        while True:
            try:
                fcntl.flock(handle, fcntl.LOCK_EX | fcntl.LOCK_NB)
                break
            except BlockingIOError:
                if time.monotonic() >= deadline:
                    handle.seek(0)
                    holder = handle.read().strip() or "unknown"
                    raise WarehouseBusy(
                        f"{db_path}: another fiscal command (pid {holder}) is writing this warehouse; "
                        "try again when it has finished, or pass --wait SECONDS"
                    ) from None
                time.sleep(0.5)
        handle.seek(0)
        handle.truncate()
        handle.write(str(os.getpid()))
        handle.flush()
        yield
    finally:
        handle.close()


@contextmanager
def staged_warehouse(db_path: Path):
    """Work on a copy of the warehouse and put it in place only when the work is done.

    A run that is killed or fails leaves the warehouse exactly as it was; the copy it was writing
    is discarded by the next run. Call it while holding the warehouse lock.
    """
    db_path = Path(db_path)
    work = db_path.with_name(db_path.name + ".building")
    for leftover in (work, Path(str(work) + ".wal")):
        leftover.unlink(missing_ok=True)
    if db_path.exists():
        shutil.copy2(db_path, work)
    try:
        yield work
    except BaseException:
        for leftover in (work, Path(str(work) + ".wal")):
            leftover.unlink(missing_ok=True)
        raise
    os.replace(work, db_path)
