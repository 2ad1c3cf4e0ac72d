"""Running the warehouse's Dagster jobs from the command line, in this process: quiet unless asked,
and each run's outcome turned into a one-line error or a run blocked by its checks."""
from __future__ import annotations

import contextlib
import io
import sys

from orchestration.outcome import BlockedByChecks, CliError, blocked_by_checks, cause, failed_blocking_checks

VERBOSE = False  # set by the command's --verbose: Dagster's and dbt's logs shown


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


@contextlib.contextmanager
def warehouse_instance(db_path):
    """The warehouse's own Dagster instance (`lock.dagster_home`), where the command line records its
    runs, materializations and check results for the UI to show."""
    import dagster as dg

    from orchestration.lock import dagster_home

    from dagster._core.instance.ref import InstanceRef

    from orchestration.dagster_storage import instance_overrides

    home = dagster_home(db_path)
    home.mkdir(parents=True, exist_ok=True)
    # the runs as Dagster records them, with an event log that keeps its files open (dagster_storage)
    instance = dg.DagsterInstance.from_ref(InstanceRef.from_dir(str(home), overrides=instance_overrides(home)))
    try:
        yield instance
    finally:
        instance.dispose()


def execute(defs, job_name: str, instance, run_config: dict | None = None, partition_key: str | None = None):
    """Run a job in this process, recorded on `instance` (the warehouse's own, `warehouse_instance`:
    opening one takes most of a second, so a command running several jobs opens it once)."""
    job = defs.resolve_job_def(job_name)
    with captured_output(job_name):
        result = job.execute_in_process(
            run_config=run_config_of(run_config), instance=instance, partition_key=partition_key, raise_on_error=False
        )
        check_success(result, job_name)
    return result


def materialize(defs, assets: list, db_path, run_config: dict | None = None, what: str = "step"):
    """Materialize some of the graph's assets (with their checks) headless, with the graph's
    resources, recorded in the warehouse's own instance."""
    import dagster as dg

    resources = dict(defs.get_repository_def().get_top_level_resources())
    with captured_output(what), warehouse_instance(db_path) as instance:
        result = dg.materialize(
            assets, resources=resources, run_config=run_config_of(run_config), instance=instance, raise_on_error=False
        )
        check_success(result, what)
    return result

