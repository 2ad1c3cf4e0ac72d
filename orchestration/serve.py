"""`fiscal serve`: one process that keeps a warehouse up to date with its inputs as files arrive.

A `fiscal run` is a process of its own: each one pays Python's, Dagster's, dbt's and Great
Expectations' start-up and lists every input file, a floor of several seconds whatever it adds.
`fiscal serve` pays them once. It runs what `fiscal run` would (ingest, build, checks, due
reports, on the same staged copy), then waits for the operating system to say which input paths
changed and runs again on those files alone: the ingest reads the changed files only, the
warehouse's build is dbt in this process with the project parsed once (`dbt_inprocess`), and the
checks reuse the Great Expectations already imported. Each run that ends well records its basis
(`last_run`), kept current from the changes rather than by listing every file again, so a
`fiscal run` after it has nothing to do.

It holds the warehouse's lock for its whole life: it is the warehouse's one writer. When a file of
the dbt project, a rule, a vocabulary or the source registry changes, it starts itself afresh, as
the asset graph and the parsed project come from them.
"""
from __future__ import annotations

import os
import signal
import sys
import threading
import time
from dataclasses import replace
from pathlib import Path

from orchestration.outcome import CliError
from orchestration.settings import Settings

# How long the inputs must be quiet before a batch of changes runs (a file being copied changes
# until it is whole), and how often, with no change, the project's own files are looked at.
QUIET_MS = 200
IDLE_MS = 5_000
STOP_SIGNALS = (signal.SIGTERM, signal.SIGHUP)


def apply_changes(files, changes, roots, exclude) -> list[str]:
    """Bring `files` (`last_run.InputFiles`) up to date with the paths the watcher says changed,
    and return the files to read: those the ingest would find that exist now, a new folder's
    included."""
    from ingest.discovery import found_under, survey

    to_read: set[str] = set()
    for path in sorted({str(p) for _, p in changes}):
        if os.path.isdir(path):
            if found_under(path, roots, exclude):
                found, _ = survey([Path(path)], exclude)
                for name in found:
                    if found_under(name, roots, exclude):
                        files.examine(name)
                        to_read.add(name)
        elif os.path.isfile(path):
            if found_under(path, roots, exclude):
                files.examine(path)
                to_read.add(path)
        else:  # gone: itself, or a folder and what it held
            for name in [n for n in files.stamps if n == path or n.startswith(path + os.sep)]:
                del files.stamps[name]
    return sorted(to_read)


class Server:
    """The long-lived run loop; `run_once` is one pass, `serve` the loop around it."""

    def __init__(self, args, settings: Settings, out=sys.stdout):
        from orchestration import last_run
        from orchestration.lock import never_input

        self.args, self.settings, self.out = args, settings, out
        self.exclude = never_input(settings.db_path, settings.out_dir)
        self.files = last_run.InputFiles.survey(settings.inputs, self.exclude)
        self.pending: set[str] = set()  # changed files not yet in a run that ended well
        self._definitions: dict[Path, object] = {}
        self.stop = threading.Event()
        self.sources = self._basis().sources
        self.runs = 0

    def _project_changed(self) -> bool:
        from orchestration.last_run import sources_digest

        return sources_digest(self.settings.sources, self.settings.engine) != self.sources

    def _basis(self):
        from orchestration import last_run

        return last_run.basis(self.settings.inputs, self.exclude, self.settings.sources, self.settings.engine,
                              files=self.files)

    def definitions(self, settings: Settings):
        """One Definitions per warehouse path (the staged copy's and the warehouse's), made once."""
        if settings.db_path not in self._definitions:
            from orchestration.build import build_definitions
            from orchestration.cli import _ensure_manifest

            _ensure_manifest()
            self._definitions[settings.db_path] = build_definitions(settings, in_process_dbt=True)
        return self._definitions[settings.db_path]

    def warm_up(self) -> None:
        """Pay the start-up before the first file arrives: Great Expectations' imports, the Dagster
        definitions and dbt's parse of the project for the staged copy the runs build on."""
        from expectations.suite import preload_in_background
        from orchestration.assets.dbt import _dbt_env
        from orchestration.dbt_inprocess import runner
        from orchestration.lock import dbt_state, staged_path

        preload_in_background().join()
        staged = replace(self.settings, db_path=staged_path(self.settings.db_path))
        self.definitions(staged)
        self.definitions(self.settings)
        with _dbt_env(staged.db_path):
            runner().manifest(dbt_state(self.settings.db_path))

    def say(self, text: str) -> None:
        print(f"fiscal serve: {text}", file=self.out, flush=True)

    def run_once(self, instance, changed: list[str] | None) -> bool:
        """A run when the inputs or the warehouse call for one: on the changed files (with any
        earlier ones whose run did not end well), or on every input when `changed` is None. Returns
        whether it ran."""
        import duckdb

        from ingest.limits import connect_duckdb
        from orchestration import last_run
        from orchestration.cli import _run

        started = time.perf_counter()
        basis = self._basis()
        if basis.sources != self.sources:
            raise ProjectChanged()
        if changed is not None:
            self.pending.update(changed)
        if last_run.up_to_date(self.settings.db_path, self.settings.out_dir, basis, self.args.allow_errors):
            self.pending.clear()
            return False
        paths = sorted(p for p in self.pending if os.path.isfile(p)) if changed is not None else None
        what = f"{len(paths)} changed file{'s' * (len(paths) != 1)}" if paths else "every input"
        self.say(f"running on {what}")
        try:
            code = _run(self.args, self.settings, instance, self.definitions, paths=paths or None)
        except (CliError, OSError, duckdb.Error) as exc:  # the files stay pending: the next change runs them again
            where = f"{exc.filename}: " if isinstance(exc, OSError) and exc.filename else ""
            print(f"fiscal: {where}{str(exc).strip().splitlines()[0] if str(exc).strip() else type(exc).__name__}",
                  file=sys.stderr, flush=True)
            self.say(f"run on {what} failed after {time.perf_counter() - started:.1f} s")
            return True
        self.pending.clear()  # read, whether or not findings blocked the reports
        if code == 0:
            with connect_duckdb(self.settings.db_path) as con:
                last_run.record(con, basis)
        self.runs += 1
        self.say(f"run {self.runs} on {what} done in {time.perf_counter() - started:.1f} s")
        return True

    def _stop_on_signals(self) -> None:
        """SIGTERM and SIGHUP stop the server between runs (SIGINT stops it at once). Set again after
        each run: a Dagster run puts handlers of its own in place while it runs."""
        for sig in STOP_SIGNALS:
            signal.signal(sig, lambda *_: self.stop.set())

    def serve(self) -> int:
        import watchfiles

        from orchestration.execute import warehouse_instance

        previous = {sig: signal.getsignal(sig) for sig in STOP_SIGNALS}
        try:
            self.warm_up()
            with warehouse_instance(self.settings.db_path) as instance:
                self.run_once(instance, None)
                self._stop_on_signals()
                self.say(f"watching {', '.join(map(str, self.settings.inputs))} (warehouse {self.settings.db_path})")
                for changes in watchfiles.watch(*self.settings.inputs, stop_event=self.stop, step=QUIET_MS,
                                                rust_timeout=IDLE_MS, yield_on_timeout=True, raise_interrupt=False):
                    if changes:
                        # no file to read (notes, hidden files, a removed file) may still call for a
                        # run, which the basis tells
                        self.run_once(instance, apply_changes(self.files, changes, self.settings.inputs, self.exclude))
                    elif self._project_changed():  # quiet: the project's own files may have changed
                        raise ProjectChanged()
                    self._stop_on_signals()
        except ProjectChanged:
            self.say("the dbt project, a rule, a vocabulary or the source registry changed: starting afresh")
            return RESTART
        finally:
            for sig, handler in previous.items():
                signal.signal(sig, handler)
        self.say("stopped")
        return 0


class ProjectChanged(Exception):
    """What turns files into findings changed under a running server: it starts afresh."""


RESTART = -1


def restart() -> None:
    """This command again, in a fresh interpreter (the warehouse's lock, opened close-on-exec, is
    let go and taken again)."""
    sys.stdout.flush()
    sys.stderr.flush()
    os.execv(sys.executable, [sys.executable, "-m", "orchestration.cli", *sys.argv[1:]])
