"""What a Dagster run came to, read from what the run recorded: its check results and the errors of
its failed steps."""
from __future__ import annotations


class CliError(Exception):
    """A problem the user can fix; printed as one line, exit status 2."""


class BlockedByChecks(CliError):
    """The run finished, but error-level integrity findings stopped what is built after the checks."""


def failed_blocking_checks(result) -> list[str]:
    """The marts whose blocking, error-severity asset checks failed in a run (error-level
    integrity findings): what stops everything built after the checks."""
    import dagster as dg

    return sorted({e.asset_key.to_user_string().replace("/", ".") for e in result.get_asset_check_evaluations()
                   if not e.passed and e.blocking and e.severity == dg.AssetCheckSeverity.ERROR})


def findings(result) -> dict[str, int] | None:
    """The integrity findings by severity a run's checks reported (each mart's check counts the
    findings the warehouse holds on it), or None when the run checked nothing."""
    counts = {"error": 0, "warning": 0, "info": 0}
    checked = False
    for evaluation in result.get_asset_check_evaluations():
        if evaluation.check_name.startswith("integrity_rules_"):
            checked = True
            for severity, key in (("error", "errors"), ("warning", "warnings"), ("info", "infos")):
                counts[severity] += evaluation.metadata[key].value
    return counts if checked else None


def blocked_by_checks(result) -> bool:
    """Whether a run that did not succeed failed only because blocking checks failed (everything
    before them was built): told by the run's check results and the kind of each step's failure."""
    steps = [e for e in result.all_events if e.is_step_failure]
    return bool(steps) and bool(failed_blocking_checks(result)) and all(
        _error_class(e) == "DagsterAssetCheckFailedError" for e in steps)


def _error_class(event) -> str | None:
    error = getattr(event.event_specific_data, "error", None)
    return error.cls_name if error is not None else None


def cause(event) -> str:
    """What made a step fail, in one line: the innermost error Dagster recorded, else its message."""
    error = getattr(event.event_specific_data, "error", None)
    while error is not None and getattr(error, "cause", None) is not None:
        error = error.cause
    text = (error.message if error is not None else None) or event.message or "see the log"
    return text.strip().splitlines()[0]
