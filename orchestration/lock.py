"""One writer per warehouse: a lock file beside the DuckDB file, held for a whole command."""
from __future__ import annotations

import fcntl
import os
import shutil
import time
from contextlib import contextmanager
from pathlib import Path

from ingest.limits import connect_duckdb


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


class WarehouseDamaged(Exception):
    """The warehouse file or its write-ahead log cannot be opened as they are."""


def wal_of(db_path: Path) -> Path:
    return Path(str(db_path) + ".wal")


def settle(db_path: Path) -> None:
    """Fold `<db>.wal` into `<db>` (DuckDB replays a log on open; a checkpoint writes it into the
    file), so that the file alone is the whole warehouse. Call it while holding the warehouse lock.

    A log with no file beside it, or one DuckDB cannot replay, is not guessed at: it is reported
    in one line and left where it is."""
    import duckdb

    wal = wal_of(db_path)
    if not wal.exists():
        return
    if not Path(db_path).exists():
        raise WarehouseDamaged(f"{wal}: a write-ahead log without its warehouse {db_path}; move it away to start afresh")
    try:
        with connect_duckdb(db_path) as con:
            con.execute("checkpoint")
    except duckdb.Error as exc:
        first = str(exc).splitlines()[0]
        raise WarehouseDamaged(f"{wal}: cannot be replayed into {db_path} ({first}); move it away if it does not belong there") from exc
    if wal.exists():  # DuckDB leaves a log it could not read: it is not this file's
        raise WarehouseDamaged(f"{wal}: not a log DuckDB can replay into {db_path}; move it away if it does not belong there")


STAGED_SUFFIX = ".building"


def staged_path(db_path: Path) -> Path:
    """The copy a run builds before it replaces the warehouse."""
    return Path(db_path).with_name(Path(db_path).name + STAGED_SUFFIX)


def _warehouse_of(db_path: Path) -> Path:
    """The warehouse a path names: itself, or the one whose copy a run is building there."""
    db_path = Path(db_path)
    if db_path.name.endswith(STAGED_SUFFIX):
        return db_path.with_name(db_path.name[: -len(STAGED_SUFFIX)])
    return db_path


def dbt_state(db_path: Path) -> Path:
    """Where dbt keeps what it knows of a warehouse, beside it: each build's artifacts and log, the
    last build's, and the parse cache. A run on the staged copy keeps them with the warehouse."""
    return Path(str(_warehouse_of(db_path)) + ".dbt")


def data_docs(db_path: Path) -> Path:
    """Where Great Expectations' Data Docs of a warehouse's checks are written, beside it (a run on
    the staged copy writes them with the warehouse)."""
    return Path(str(_warehouse_of(db_path)) + ".docs")


def dagster_home(db_path: Path) -> Path:
    """The Dagster instance of a warehouse's runs, beside it: the runs the command line starts, their
    materializations and check results, which `make dev` (DAGSTER_HOME) shows."""
    return Path(str(_warehouse_of(db_path)) + ".dagster")


def spark_home(db_path: Path) -> Path:
    """Where the Spark engine keeps a warehouse's tables, beside it: the raw records as Parquet,
    the marts Spark builds, and its metastore (orchestration/spark.py). A run on the staged copy
    keeps them with the warehouse."""
    return Path(str(_warehouse_of(db_path)) + ".spark")


def own_files(db_path: Path) -> list[Path]:
    """The files of the warehouse a path names (the warehouse, or the copy a run is building): the
    file, its log, its lock, the staged copy and its log, the folders DuckDB spills to beside
    each, dbt's, the Data Docs, the Dagster instance and Spark's tables. Never input."""
    db_path = _warehouse_of(db_path)
    staged = staged_path(db_path)
    return [db_path, wal_of(db_path), Path(str(db_path) + ".lock"), staged, wal_of(staged),
            Path(str(db_path) + ".tmp"), Path(str(staged) + ".tmp"), dbt_state(db_path), data_docs(db_path),
            dagster_home(db_path), spark_home(db_path)]


def never_input(db_path: Path, out_dir: Path) -> list[Path]:
    """What a warehouse's runs write (its files, its reports and Data Docs): never read as input,
    even when an input folder holds them."""
    return [*own_files(Path(db_path)), Path(out_dir)]


@contextmanager
def staged_warehouse(db_path: Path):
    """Work on a copy of the warehouse and put it in place only when the work is done.

    A run that is killed or fails leaves the warehouse exactly as it was; the copy it was writing
    is discarded by the next run. The file and its write-ahead log are one unit: the log is folded
    into the file before the copy, the copy's own log into the copy before the swap, so no log is
    ever left beside a file it does not belong to. Call it while holding the warehouse lock.
    """
    db_path = Path(db_path)
    work = staged_path(db_path)
    for leftover in (work, wal_of(work)):
        leftover.unlink(missing_ok=True)
    settle(db_path)
    if db_path.exists():
        shutil.copy2(db_path, work)
    try:
        yield work
        settle(work)
    except BaseException:
        for leftover in (work, wal_of(work)):
            leftover.unlink(missing_ok=True)
        raise
    if work.exists():
        os.replace(work, db_path)
