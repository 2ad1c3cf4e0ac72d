"""Assemble the Definitions from each domain's pieces, for given settings."""
from __future__ import annotations

import dagster as dg

from orchestration.assets.dbt import dbt_resource, warehouse_models
from orchestration.assets.ingest import ingest_documents
from orchestration.assets.integrity import mart_integrity_checks
from orchestration.assets.report import due_reports_job, yearly_comparison_report
from orchestration.jobs import annual_rollup_job, build_warehouse_job, yearly_report_job
from orchestration.resources import WarehouseResource
from orchestration.schedules import annual_rollup_schedule
from orchestration.sensors import affected_years_sensor, inbox_sensor
from orchestration.settings import Settings


def build_definitions(settings: Settings, in_process_dbt: bool = False) -> dg.Definitions:
    """`in_process_dbt`: dbt runs in this process, its project parsed once (a process that serves
    many runs, `fiscal serve`), instead of a process of its own per build."""
    settings = settings.resolved()
    return dg.Definitions(
        assets=[ingest_documents, warehouse_models, yearly_comparison_report],
        asset_checks=mart_integrity_checks,
        jobs=[build_warehouse_job, yearly_report_job, annual_rollup_job, due_reports_job],
        schedules=[annual_rollup_schedule(settings.rollup_cron)],
        sensors=[inbox_sensor(settings.inbox), affected_years_sensor],
        resources={
            "warehouse": WarehouseResource(
                db_path=str(settings.db_path),
                out_dir=str(settings.out_dir),
                inputs=[str(p) for p in settings.inputs],
                sources=str(settings.sources),
                engine=settings.engine,
            ),
            "dbt": dbt_resource(in_process_dbt),
        },
        # One process writes the DuckDB file: steps run in the run's own process, one after another.
        executor=dg.in_process_executor,
    )
