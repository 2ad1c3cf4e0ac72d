"""Pick up documents dropped into the inbox folder once they have stopped changing."""

import hashlib
import json
from pathlib import Path

import dagster as dg

from orchestration.assets.ingest import RAW_KEYS, years_in
from orchestration.assets.report import reportable_years
from orchestration.jobs import build_warehouse_job, yearly_report_job

REPORT_KEY = dg.AssetKey(["reports", "yearly_comparison"])


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


def years_loaded(instance: dg.DagsterInstance, run_id: str) -> list[int]:
    """The fiscal years of the documents a build run added, from its raw.documents materialization."""
    records = instance.get_records_for_run(run_id=run_id, of_type=dg.DagsterEventType.ASSET_MATERIALIZATION).records
    for record in records:
        materialization = record.event_log_entry.asset_materialization
        if materialization and materialization.asset_key == RAW_KEYS["documents"]:
            return years_in(materialization.metadata)
    return []


@dg.run_status_sensor(
    name="affected_years_sensor",
    run_status=dg.DagsterRunStatus.SUCCESS,
    monitored_jobs=[build_warehouse_job],
    request_job=yearly_report_job,
    default_status=dg.DefaultSensorStatus.RUNNING,
    description="After the inbox sensor's build succeeds, rewrites the reports of the years its files belong to, and no others.",
)
def affected_years_sensor(context: dg.RunStatusSensorContext):
    run = context.dagster_run
    if run.tags.get("dagster/sensor_name") != "inbox_sensor":
        return dg.SkipReason(f"run {run.run_id} was not started by the inbox sensor")
    loaded = years_loaded(context.instance, run.run_id)
    if not loaded:
        return dg.SkipReason(f"run {run.run_id} loaded no new documents")
    # the year after a changed one compares with it (year-on-year): rewrite it too if it was written
    written = context.instance.get_materialized_partitions(REPORT_KEY)
    reportable = reportable_years()
    years = sorted(y for y in set(loaded) | {y + 1 for y in loaded if str(y + 1) in written} if str(y) in reportable)
    if not years:
        return dg.SkipReason(f"run {run.run_id} loaded only years without a report partition: {loaded}")
    return [dg.RunRequest(run_key=f"{run.run_id}:{year}", partition_key=str(year)) for year in years]
