"""Pick up documents dropped into the inbox folder once they have stopped changing."""

import hashlib
import json
from pathlib import Path

import dagster as dg

from orchestration.assets.report import REPORT_KEY
from orchestration.changes import reportable_years, reports_to_write
from orchestration.jobs import build_warehouse_job, yearly_report_job
from orchestration.resources import WarehouseResource


def _snapshot(inbox: Path) -> dict[str, list[float]]:
    if not inbox.is_dir():
        return {}
    return {
        str(p): [p.stat().st_size, p.stat().st_mtime]
        for p in sorted(inbox.rglob("*"))
        if p.is_file() and not p.name.startswith(".") and not p.name.endswith((".part", ".tmp", ".crdownload"))
    }


def settled_new_files(inbox: Path, cursor: str | None) -> tuple[list[str], str]:
    """Files that look the same as on the previous tick (size and mtime) and were not processed yet.

    A file still being written changes between ticks and waits for the next one.
    """
    state = json.loads(cursor) if cursor else {"seen": {}, "done": {}}
    now = _snapshot(inbox)
    ready = sorted(
        path for path, stamp in now.items() if state["seen"].get(path) == stamp and state["done"].get(path) != stamp
    )
    done = {**state["done"], **{p: now[p] for p in ready}}
    return ready, json.dumps({"seen": now, "done": done}, sort_keys=True)


def _run_key(ready: list[str], cursor: str) -> str:
    """The same files in the same state make the same key, so Dagster never launches them twice."""
    stamps = json.loads(cursor)["done"]
    digest = hashlib.sha256(json.dumps({p: stamps[p] for p in ready}, sort_keys=True).encode()).hexdigest()
    return f"inbox-{digest[:16]}"


def inbox_sensor(inbox: Path) -> dg.SensorDefinition:
    @dg.sensor(
        name="inbox_sensor",
        job=build_warehouse_job,
        minimum_interval_seconds=30,
        description=f"Ingests new files that settle in {inbox}.",
        default_status=dg.DefaultSensorStatus.RUNNING,
    )
    def _sensor(context: dg.SensorEvaluationContext):
        ready, cursor = settled_new_files(inbox, context.cursor)
        context.update_cursor(cursor)
        if not ready:
            return dg.SkipReason(f"no settled new files in {inbox}")
        return dg.RunRequest(
            run_key=_run_key(ready, cursor),
            run_config={"ops": {"ingest_documents": {"config": {"paths": ready}}}},
        )

    return _sensor


@dg.run_status_sensor(
    name="affected_years_sensor",
    run_status=dg.DagsterRunStatus.SUCCESS,
    monitored_jobs=[build_warehouse_job],
    request_job=yearly_report_job,
    default_status=dg.DefaultSensorStatus.RUNNING,
    description="After the inbox sensor's build succeeds, writes the reports the warehouse records as due "
                "(the years its files changed, and the year after each), and no others.",
)
def affected_years_sensor(context: dg.RunStatusSensorContext, warehouse: WarehouseResource):
    run = context.dagster_run
    if run.tags.get("dagster/sensor_name") != "inbox_sensor":
        return dg.SkipReason(f"run {run.run_id} was not started by the inbox sensor")
    written = context.instance.get_materialized_partitions(REPORT_KEY)
    with warehouse.connect(read_only=True) as con:
        years = reports_to_write(con, reportable_years(), lambda y: str(y) in written)
    if not years:
        return dg.SkipReason(f"run {run.run_id} left no report due")
    return [dg.RunRequest(run_key=f"{run.run_id}:{year}", partition_key=str(year)) for year in years]
