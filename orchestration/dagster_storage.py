"""The event log of a warehouse's own Dagster instance (`lock.dagster_home`), kept in SQLite as
Dagster keeps it, written at the pace a build's events come.

A build reports each of its two hundred dbt models and tests to Dagster, a few events each, every
one written to the run's SQLite file and most mirrored into the instance's index. Dagster's SQLite
event log opens a new engine and connection for every write, and SQLite syncs the disk at every
commit: with the instance on disk, that doubled an adding run. This one keeps each shard's engine
and connection open while the process lives (the last few runs' and the index's) and lets SQLite
sync at checkpoints rather than at each commit (write-ahead log, `synchronous=NORMAL`: a power
failure may lose the last events of a run's record, never the warehouse, which is DuckDB's).
The files are the same, so the UI (`make dev`) and any Dagster tool read them as before; the
command line opens its instance with this event log (`execute.warehouse_instance`).
"""
from __future__ import annotations

import sqlite3
from collections import OrderedDict
from contextlib import contextmanager
from pathlib import Path

from dagster._core.storage.event_log.sqlite.sqlite_event_log import (
    SQLITE_BUSY_TIMEOUT_SECONDS,
    SqliteEventLogStorage,
)

# engines kept open: the index's and those of the latest runs (each run has a file of its own)
KEPT_SHARDS = 4


def _sync_at_checkpoints(dbapi_connection, _record) -> None:
    if isinstance(dbapi_connection, sqlite3.Connection):
        dbapi_connection.execute("pragma synchronous=normal")


class WarehouseEventLogStorage(SqliteEventLogStorage):
    """Dagster's SQLite event log, its engines kept open across writes."""

    def __init__(self, base_dir: str, inst_data=None):
        self._engines: OrderedDict[str, object] = OrderedDict()
        super().__init__(base_dir, inst_data)

    @classmethod
    def from_config_value(cls, inst_data, config_value):
        return cls(inst_data=inst_data, **config_value)

    def _engine(self, shard: str):
        from sqlalchemy import create_engine, event
        from sqlalchemy.pool import QueuePool

        engine = self._engines.pop(shard, None)
        if engine is None:
            engine = create_engine(
                self.conn_string_for_shard(shard), poolclass=QueuePool, pool_size=1,
                # used by one thread at a time (the storage's lock), not always the same one
                connect_args={"timeout": SQLITE_BUSY_TIMEOUT_SECONDS, "check_same_thread": False},
            )
            event.listen(engine, "connect", _sync_at_checkpoints)
            if shard not in self._initialized_dbs:
                self._initdb(engine)
                self._initialized_dbs.add(shard)
        self._engines[shard] = engine
        while len(self._engines) > KEPT_SHARDS:
            _, oldest = self._engines.popitem(last=False)
            oldest.dispose()
        return engine

    @contextmanager
    def _connect(self, shard: str):
        with self._db_lock:
            with self._engine(shard).connect() as conn:
                with conn.begin():
                    yield conn

    def dispose(self) -> None:
        with self._db_lock:
            for engine in self._engines.values():
                engine.dispose()
            self._engines.clear()
        super().dispose()


def instance_overrides(home: Path) -> dict:
    """The instance settings that put this event log in place of Dagster's, for the instance of
    `home` (over whatever its dagster.yaml says of the rest)."""
    return {"event_log_storage": {"module": __name__, "class": WarehouseEventLogStorage.__name__,
                                  "config": {"base_dir": str(Path(home).resolve() / "history" / "runs")}}}
