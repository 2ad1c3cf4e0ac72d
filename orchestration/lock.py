"""One writer per warehouse: a lock file beside the DuckDB file, held for a whole command."""
from __future__ import annotations

import fcntl
import os
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
