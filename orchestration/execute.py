"""Running the warehouse's Dagster jobs from the command line, in this process: quiet unless asked,
each run's outcome turned into a one-line error or a run blocked by its checks, and the yearly
reports of several years written side by side."""
from __future__ import annotations

import contextlib
import io
import sys
from pathlib import Path

from ingest.limits import connect_duckdb
from orchestration.outcome import BlockedByChecks, CliError, blocked_by_checks, cause, failed_blocking_checks

VERBOSE = False  # set by the command's --verbose: Dagster's and dbt's logs shown, reports one after another


# Dagster's console log only for what is fatal: the command prints its own summary and one line per
# failure (a run blocked by findings is an outcome, not a crash); `--verbose` shows everything.
QUIET = {"loggers": {"console": {"config": {"log_level": "CRITICAL"}}}}


def run_config_of(run_config: dict | None) -> dict:
    return {**({} if VERBOSE else QUIET), **(run_config or {})}


@contextlib.contextmanager
def captured_output(what: str):
    """Hold back the dbt log the orchestration echoes to stdout; show its tail only if the step fails."""
    if VERBOSE:
        yield
        return
    buffer = io.StringIO()
    try:
        with contextlib.redirect_stdout(buffer):
            yield
    except BlockedByChecks:
        raise  # the build itself went through: its log says nothing about the findings
    except CliError:
        tail = buffer.getvalue().splitlines()[-40:]
        if tail:
            print(f"--- last lines of the {what} log ---", file=sys.stderr)
            print("\n".join(tail), file=sys.stderr)
        raise


def check_success(result, what: str) -> None:
    if not result.success:
        if blocked_by_checks(result):
            marts = ", ".join(failed_blocking_checks(result))
            blocked = BlockedByChecks(f"{what}: error-level integrity violations block the reports ({marts}; "
                                      "see audit.integrity_violation)")
            blocked.result = result
            raise blocked
        failures = [e for e in result.all_events if e.is_failure]
        raise CliError(f"{what} failed: {cause(failures[0]) if failures else 'see the log'}")


def execute(defs, job_name: str, run_config: dict | None = None, partition_key: str | None = None, instance=None):
    """Run a job in this process, on `instance` or a new ephemeral one (making one takes half a second:
    a command running several jobs passes its own)."""
    import dagster as dg

    job = defs.resolve_job_def(job_name)
    with captured_output(job_name), contextlib.ExitStack() as stack:
        if instance is None:
            instance = stack.enter_context(dg.DagsterInstance.ephemeral())
        result = job.execute_in_process(
            run_config=run_config_of(run_config), instance=instance, partition_key=partition_key, raise_on_error=False
        )
        check_success(result, job_name)
    return result


def materialize(defs, assets: list, run_config: dict | None = None, what: str = "step") -> None:
    """Materialize some of the graph's assets (with their checks) headless, with the graph's resources."""
    import dagster as dg

    resources = dict(defs.get_repository_def().get_top_level_resources())
    with captured_output(what), dg.DagsterInstance.ephemeral() as instance:
        result = dg.materialize(
            assets, resources=resources, run_config=run_config_of(run_config), instance=instance, raise_on_error=False
        )
        check_success(result, what)


_report_defs = None  # the definitions a forked report writer inherits
# the report runs of `fiscal run` leave the warehouse to the command, which marks each year written
_WRITTEN_BY_THE_COMMAND = {"ops": {"reports__yearly_comparison": {"config": {"clear_due": False}}}}


def _report_run(year: int) -> None:
    execute(_report_defs, "yearly_report", run_config=_WRITTEN_BY_THE_COMMAND, partition_key=str(year))


def write_reports(defs, years: list[int], db_path: Path, instance=None) -> None:
    """One report run per year; several years are written side by side in forked processes (one per
    core, each with an instance of its own), each reading the warehouse alone. Each year written is
    marked so in the warehouse; the first failure is raised once all have finished, its year still
    due."""
    global _report_defs
    import os

    import multiprocessing

    from orchestration.changes import clear_due

    def written(done: list[int]) -> None:
        with connect_duckdb(db_path) as con:
            clear_due(con, done)

    workers = min(len(years), os.cpu_count() or 1)
    if workers < 2 or VERBOSE or "fork" not in multiprocessing.get_all_start_methods():
        for year in years:
            execute(defs, "yearly_report", run_config=_WRITTEN_BY_THE_COMMAND, partition_key=str(year), instance=instance)
            written([year])
        return
    from concurrent.futures import ProcessPoolExecutor

    _report_defs = defs
    try:
        from ingest.limits import die_with_parent

        with ProcessPoolExecutor(workers, mp_context=multiprocessing.get_context("fork"), initializer=die_with_parent) as pool:
            futures = {year: pool.submit(_report_run, year) for year in years}
        written([year for year, future in futures.items() if future.exception() is None])
        for future in futures.values():
            future.result()
    finally:
        _report_defs = None
