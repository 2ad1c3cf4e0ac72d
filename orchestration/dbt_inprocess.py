"""dbt run inside this process, for a process that serves many runs (`fiscal serve`).

A `fiscal run` starts dbt as a process of its own: dbt's imports, its profile and its parse cache
are paid once per run, a few seconds that an adding run spends whatever it adds. A process that
lives across runs pays them once: it parses the project once per warehouse file and dbt project
(again only when a file of the project changes), keeps the parsed manifest, and hands it to each
build through dbt's programmatic entry point. The build's results become the same Dagster events
the subprocess's would (dagster-dbt's own translation of dbt's result events), and its artifacts
and log land where a subprocess build's do (`<db>.dbt/last_build`).
"""
from __future__ import annotations

import os
import shutil
import sys
import threading
from collections.abc import Callable, Iterator, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from orchestration.settings import DBT_PROJECT_DIR, dbt_sources

# dbt's events that carry a node's result: the ones dagster-dbt turns into materializations and checks
RESULT_EVENTS = frozenset({"LogSeedResult", "LogModelResult", "LogSnapshotResult", "LogTestResult"})


def _project_stamp() -> tuple:
    """What the parsed manifest depends on besides the profile: the dbt project's files as found."""
    stamps = []
    for path in dbt_sources():
        st = path.stat()
        stamps.append((str(path), st.st_size, st.st_mtime_ns))
    return tuple(stamps)


@dataclass
class BuildOutcome:
    success: bool
    events: list[dict[str, Any]] = field(default_factory=list)  # the result events, as dbt's JSON log has them
    errors: list[str] = field(default_factory=list)
    exception: BaseException | None = None


class InProcessDbt:
    """The dbt project parsed once and built in this process, one build at a time."""

    def __init__(self, project_dir: Path = DBT_PROJECT_DIR):
        self.project_dir = Path(project_dir)
        self._lock = threading.Lock()
        self._manifest = None
        self._key: tuple | None = None
        self.parses = 0  # how many times the project was parsed (once per warehouse file and project state)

    def _args(self, *args: str, target: Path) -> list[str]:
        return [*args, "--project-dir", str(self.project_dir), "--profiles-dir", str(self.project_dir),
                "--target-path", str(target), "--log-path", str(target), "--quiet"]

    def manifest(self, state: Path):
        """The parsed project for the warehouse the environment names (FISCAL_DB: the database a
        node's relation names), parsed again only when that or a file of the project changed. The
        parse starts from the warehouse's parse cache in `state` and leaves it there."""
        from dbt.cli.main import dbtRunner

        key = (os.environ.get("FISCAL_DB"), _project_stamp())
        if self._manifest is not None and key == self._key:
            return self._manifest
        state.mkdir(parents=True, exist_ok=True)
        result = dbtRunner().invoke(self._args("parse", target=state))
        if not result.success or result.result is None:
            raise RuntimeError(f"dbt parse failed in {self.project_dir}: {result.exception or 'see ' + str(state / 'dbt.log')}")
        self._manifest, self._key = result.result, key
        self.parses += 1
        return self._manifest

    def build(self, args: Sequence[str], state: Path, target: Path,
              on_result: Callable[[dict[str, Any]], None] | None = None) -> BuildOutcome:
        """Run `args` (a `dbt build` command line without its paths) on the parsed project, its
        artifacts and log written to `target`. `on_result` hears each node's result as dbt
        finishes it."""
        from dbt.cli.main import dbtRunner
        from dbt_common.events.functions import msg_to_dict

        outcome = BuildOutcome(success=False)

        def heard(msg) -> None:
            name = msg.info.name
            if name in RESULT_EVENTS:
                event = msg_to_dict(msg)
                outcome.events.append(event)
                if on_result is not None:
                    on_result(event)
            elif msg.info.level == "error":
                outcome.errors.append(msg.info.msg)

        with self._lock:  # dbt's adapters and flags are process-wide: one build at a time
            manifest = self.manifest(state)
            shutil.rmtree(target, ignore_errors=True)
            target.mkdir(parents=True)
            try:
                result = dbtRunner(manifest=manifest, callbacks=[heard]).invoke(self._args(*args, target=target))
            finally:
                _release_duckdb()
        outcome.success = bool(result.success)
        outcome.exception = result.exception
        return outcome


def _release_duckdb() -> None:
    """Close the database dbt-duckdb opened for the build. It keeps it open for the process's life
    (closing it only at exit), and DuckDB lets one process open a file with one configuration at a
    time: the checks' and reports' connections after the build, and the swap of the staged copy
    into place, need it closed."""
    module = sys.modules.get("dbt.adapters.duckdb.connections")
    if module is None:
        return
    from dbt.adapters.factory import cleanup_connections

    cleanup_connections()  # the threads' connections, each a cursor of the database
    manager = module.DuckDBConnectionManager
    with manager._LOCK:
        if manager._ENV is not None:
            manager._ENV.close()
            manager._ENV = None


_RUNNER: InProcessDbt | None = None


def runner() -> InProcessDbt:
    """The process's one in-process dbt (its parsed manifest kept for the process's life)."""
    global _RUNNER
    if _RUNNER is None:
        _RUNNER = InProcessDbt()
    return _RUNNER


def asset_events(outcome_events: list[dict[str, Any]], manifest: Any, translator, context, target: Path,
                 project) -> Iterator[Any]:
    """Dagster's events for dbt's result events, as dagster-dbt makes them from a subprocess's log."""
    from dagster_dbt.core.dbt_cli_event import DbtCoreCliEventMessage

    for raw in outcome_events:
        yield from DbtCoreCliEventMessage(raw_event=raw, event_history_metadata={}).to_default_asset_events(
            manifest=manifest, dagster_dbt_translator=translator, context=context, target_path=target, project=project)
