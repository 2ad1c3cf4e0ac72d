import json
import os
from datetime import datetime

import dagster as dg

from orchestration.assets.dbt import dbt_build_args
from orchestration.build import build_definitions
from orchestration.sensors import settled_new_files
from orchestration.settings import Settings


def test_definitions_hold_assets_checks_schedule_and_sensor(tmp_path):
    defs = build_definitions(Settings(db_path=tmp_path / "w.duckdb", inbox=tmp_path / "inbox"))
    repo = defs.get_repository_def()
    keys = {k.to_user_string() for k in repo.asset_graph.get_all_asset_keys()}
    for key in ("raw/documents", "marts/fct_project_budget", "marts/dim_document", "reports/yearly_comparison"):
        assert key in keys
    assert {s.name for s in repo.schedule_defs} == {"annual_rollup_schedule"}
    assert {s.name for s in repo.sensor_defs} == {"inbox_sensor"}
    check_keys = {k.name for k in repo.asset_graph.asset_check_keys}
    assert "integrity_rules_fct_project_budget" in check_keys


def test_dbt_args():
    assert dbt_build_args() == ["build"]
    assert dbt_build_args(full_refresh=True, select="marts") == ["build", "--full-refresh", "--select", "marts"]


def test_schedule_requests_the_year_before(tmp_path):
    defs = build_definitions(Settings(db_path=tmp_path / "w.duckdb"))
    schedule = defs.get_repository_def().get_schedule_def("annual_rollup_schedule")
    assert schedule.cron_schedule == "0 6 1 10 *"
    context = dg.build_schedule_context(
        scheduled_execution_time=datetime(2025, 10, 1, 6), repository_def=defs.get_repository_def()
    )
    (request,) = schedule.evaluate_tick(context).run_requests
    assert request.partition_key == "2024"


def test_sensor_waits_until_a_file_settles(tmp_path):
    inbox = tmp_path / "inbox"
    inbox.mkdir()
    new = inbox / "county_2024.txt"
    new.write_text("part", encoding="utf-8")
    ready, cursor = settled_new_files(inbox, None)
    assert ready == []  # first sight: maybe still being written
    new.write_text("part and more", encoding="utf-8")
    ready, cursor = settled_new_files(inbox, cursor)
    assert ready == []  # it changed since the last tick
    ready, cursor = settled_new_files(inbox, cursor)
    assert ready == [str(new)]
    ready, cursor = settled_new_files(inbox, cursor)
    assert ready == []  # processed once
    stat = new.stat()
    os.utime(new, (stat.st_atime, stat.st_mtime + 5))
    ready, cursor = settled_new_files(inbox, cursor)
    ready, cursor = settled_new_files(inbox, cursor)
    assert ready == [str(new)]  # a changed file is processed again once it settles
    assert "done" in json.loads(cursor)


def test_sensor_definition_emits_an_ingest_run(tmp_path):
    inbox = tmp_path / "inbox"
    inbox.mkdir()
    (inbox / "a.txt").write_text("x", encoding="utf-8")
    defs = build_definitions(Settings(db_path=tmp_path / "w.duckdb", inbox=inbox))
    sensor = defs.get_repository_def().get_sensor_def("inbox_sensor")
    with dg.instance_for_test() as instance:
        first = sensor.evaluate_tick(dg.build_sensor_context(instance=instance, repository_def=defs.get_repository_def()))
        assert not first.run_requests
        second = sensor.evaluate_tick(
            dg.build_sensor_context(instance=instance, cursor=first.cursor, repository_def=defs.get_repository_def())
        )
    (request,) = second.run_requests
    assert request.run_config["ops"]["ingest_documents"]["config"]["paths"] == [str(inbox / "a.txt")]
    assert sensor.job_name == "build_warehouse"
