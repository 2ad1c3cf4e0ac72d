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


def materialize(defs, assets: list, run_config: dict | None = None, what: str = "step"):
    """Materialize some of the graph's assets (with their checks) headless, with the graph's resources."""
    import dagster as dg

    resources = dict(defs.get_repository_def().get_top_level_resources())
    with captured_output(what), dg.DagsterInstance.ephemeral() as instance:
        result = dg.materialize(
            assets, resources=resources, run_config=run_config_of(run_config), instance=instance, raise_on_error=False
        )
        check_success(result, what)
    return result
