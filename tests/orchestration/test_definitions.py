import json
import os
from datetime import datetime, timezone

import dagster as dg
import duckdb

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
    assert {s.name for s in repo.sensor_defs} == {"inbox_sensor", "affected_years_sensor"}
    check_keys = {k.name for k in repo.asset_graph.asset_check_keys}
    assert "integrity_rules_fct_project_budget" in check_keys


def test_dbt_args():
    base = ["build", "--exclude-resource-type", "unit_test", "--log-level-file", "info"]
    assert dbt_build_args() == base
    assert dbt_build_args(full_refresh=True, select="marts") == [*base, "--full-refresh", "--select", "marts"]
    # an unchanged project leaves the views and seeds as they are, and still tests them
    assert dbt_build_args(project_unchanged=True) == [
        *base, "--exclude", "resource_type:seed config.materialized:view", "--indirect-selection", "empty"]
    assert dbt_build_args(full_refresh=True, project_unchanged=True) == [*base, "--full-refresh"]


def test_a_build_keeps_its_dbt_artifacts_as_the_last_build_only(built_warehouse):
    import json

    from orchestration.outcome import blocked_by_checks
    from orchestration.lock import dbt_state
    from orchestration.settings import DBT_PROJECT_DIR

    assert blocked_by_checks(built_warehouse["build"])  # the checks ran after the build
    # dbt's artifacts are the warehouse's, beside it, not the project's
    target = dbt_state(built_warehouse["settings"].db_path)
    assert target.parent == built_warehouse["settings"].db_path.parent
    last = target / "last_build"
    project = DBT_PROJECT_DIR / "target"
    assert not [p for p in (*project.glob("warehouse_models-*"), project / "last_build")
                if p.exists() and p.stat().st_mtime >= last.stat().st_mtime]
    # the build's own folder became last_build (a killed build may have left an older one)
    assert all(p.stat().st_mtime < last.stat().st_mtime for p in target.glob("warehouse_models-*"))
    results = json.loads((last / "run_results.json").read_text(encoding="utf-8"))
    assert len(results["results"]) > 100


def test_the_report_partitions_are_the_reportable_years():
    from orchestration.assets.report import fiscal_years
    from orchestration.changes import FIRST_FISCAL_YEAR, reportable_years

    keys = set(fiscal_years.get_partition_keys())
    assert keys == reportable_years()
    assert min(keys) == str(FIRST_FISCAL_YEAR) and max(keys) == str(datetime.now(timezone.utc).year)
    assert max(reportable_years(datetime(2031, 1, 1))) == "2031"


def test_schedule_requests_the_year_before(tmp_path):
    defs = build_definitions(Settings(db_path=tmp_path / "w.duckdb"))
    schedule = defs.get_repository_def().get_schedule_def("annual_rollup_schedule")
    assert schedule.cron_schedule == "0 6 1 10 *"
    context = dg.build_schedule_context(
        scheduled_execution_time=datetime(2025, 10, 1, 6), repository_def=defs.get_repository_def()
    )
    (request,) = schedule.evaluate_tick(context).run_requests
    assert request.partition_key == "2024"
    # the cron is configuration: a province that publishes later moves the rollup
    later = build_definitions(Settings.from_env({"FISCAL_ROLLUP_CRON": "0 3 15 11 *"}))
    assert later.get_repository_def().get_schedule_def("annual_rollup_schedule").cron_schedule == "0 3 15 11 *"


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


def test_inbox_files_rebuild_only_the_reports_of_their_years(tmp_path):
    """The inbox sensor's build run loads a 2023 document; the run-status sensor then asks for the
    2023 report, and for no other year."""
    from demo.generator import generate
    from orchestration.sensors import affected_years_sensor

    inbox = tmp_path / "inbox"
    corpus = generate(tmp_path / "corpus", 1, (2023, 2023), seed=3, error_rate=0, departments=1)
    inbox.mkdir()
    for document in corpus.projects + corpus.accounts + corpus.budgets:
        (inbox / document.file).write_bytes((tmp_path / "corpus" / document.file).read_bytes())
    defs = build_definitions(Settings(db_path=tmp_path / "w.duckdb", out_dir=tmp_path / "r", inputs=(), inbox=inbox))
    repo = defs.get_repository_def()
    inbox_sensor = repo.get_sensor_def("inbox_sensor")
    with dg.instance_for_test() as instance:
        first = inbox_sensor.evaluate_tick(dg.build_sensor_context(instance=instance, repository_def=repo))
        (request,) = inbox_sensor.evaluate_tick(
            dg.build_sensor_context(instance=instance, cursor=first.cursor, repository_def=repo)
        ).run_requests
        assert len(request.run_config["ops"]["ingest_documents"]["config"]["paths"]) == corpus.documents
        result = defs.resolve_job_def("build_warehouse").execute_in_process(
            run_config=request.run_config, instance=instance, tags={"dagster/sensor_name": "inbox_sensor"}
        )
        context = dg.build_run_status_sensor_context(
            sensor_name="affected_years_sensor", dagster_instance=instance, dagster_run=result.dagster_run,
            dagster_event=result.get_run_success_event(),
        )
        warehouse = repo.get_top_level_resources()["warehouse"]
        requests = affected_years_sensor(context, warehouse=warehouse)
        # 2024 compares with 2023 and is due too, but holds no documents: no report of it
        assert [(r.partition_key, r.run_key) for r in requests] == [("2023", f"{result.run_id}:2023")]
        with duckdb.connect(str(tmp_path / "w.duckdb"), read_only=True) as con:
            assert con.execute("select fiscal_year from audit.reports_due order by 1").fetchall() == [(2023,), (2024,)]
        # the report written, it is no longer due
        defs.resolve_job_def("yearly_report").execute_in_process(instance=instance, partition_key="2023")
        assert isinstance(affected_years_sensor(context, warehouse=warehouse), dg.SkipReason)
        # a build nobody dropped files for (the schedule's, a person's) leaves the reports to its own job
        manual = defs.resolve_job_def("build_warehouse").execute_in_process(run_config=request.run_config, instance=instance)
        skipped = affected_years_sensor(dg.build_run_status_sensor_context(
            sensor_name="affected_years_sensor", dagster_instance=instance, dagster_run=manual.dagster_run,
            dagster_event=manual.get_run_success_event(),
        ), warehouse=warehouse)
        assert isinstance(skipped, dg.SkipReason)
    assert affected_years_sensor.job_name == "yearly_report"


def test_dbt_version_is_known_without_asking_the_command():
    """The dbt resource reads the installed dbt-core's version instead of running `dbt --version`
    before every build: both must name the same version."""
    import subprocess

    from dagster_dbt import DbtCliResource

    from orchestration.assets.dbt import dbt_resource

    resource = dbt_resource()
    asked = DbtCliResource._cli_version.func(resource)  # dagster-dbt's own way: runs the command
    assert resource._cli_version == asked
    assert str(asked) in subprocess.run([resource.dbt_executable, "--version"], capture_output=True, text=True).stdout


def test_the_last_build_replaces_the_one_before_and_stale_folders_go(tmp_path):
    import os
    import time

    from orchestration.assets.dbt import keep_as_last_build

    target = tmp_path / "target"
    for name, content in (("last_build", "before"), ("warehouse_models-old-1", "killed"), ("warehouse_models-new-2", "now")):
        (target / name).mkdir(parents=True)
        (target / name / "run_results.json").write_text(content, encoding="utf-8")
    two_days_ago = time.time() - 2 * 86_400
    os.utime(target / "warehouse_models-old-1", (two_days_ago, two_days_ago))
    (target / "warehouse_models-recent-3").mkdir()  # another build's, still young: left alone

    keep_as_last_build(target / "warehouse_models-new-2")
    assert (target / "last_build" / "run_results.json").read_text(encoding="utf-8") == "now"
    assert sorted(p.name for p in target.iterdir()) == ["last_build", "warehouse_models-recent-3"]


def test_a_fact_an_earlier_version_built_whole_is_dropped_to_be_rebuilt(tmp_path):
    import duckdb

    from orchestration.assets.dbt import drop_tables_built_whole, manifest

    with duckdb.connect(str(tmp_path / "w.duckdb")) as con:
        con.execute("create schema marts")
        con.execute("create table marts.fct_final_account_line (document_id varchar, amount_yuan decimal(18, 2))")
        con.execute("create table marts.fct_performance_indicator (document_id varchar, fiscal_year_partition integer)")
        con.execute("create table marts.dim_document (document_id varchar)")
        assert drop_tables_built_whole(con, manifest()) == ["marts.fct_final_account_line"]
        left = {r[0] for r in con.execute("select table_name from information_schema.tables where table_schema = 'marts'").fetchall()}
    assert left == {"fct_performance_indicator", "dim_document"}


def test_a_full_rebuild_makes_the_next_integrity_check_read_every_year(warehouse_copy):
    import subprocess
    import sys

    import duckdb

    db = warehouse_copy["settings"].db_path
    marked = "select count(*) from audit.integrity_checked"
    with duckdb.connect(str(db), read_only=True) as con:
        assert con.execute(marked).fetchone()[0] > 20  # the build's check marked its rules
    env = {k: v for k, v in os.environ.items() if not k.startswith("FISCAL_")}
    built = subprocess.run([sys.executable, "-m", "orchestration.cli", "build", "--full-refresh", "--db", str(db)],
                           capture_output=True, text=True, env=env, timeout=600)
    assert built.returncode == 0, built.stderr
    with duckdb.connect(str(db), read_only=True) as con:
        assert con.execute(marked).fetchone()[0] == 0


def test_the_due_reports_job_writes_each_due_year_once_and_records_it_as_that_years_report(warehouse_copy):
    """The job `fiscal run` ends with, launched as the UI launches it: it writes the years held that
    have no report yet, leaves the written one alone, and records each as a report partition."""
    import duckdb

    from orchestration.assets.report import REPORT_KEY

    settings, defs = warehouse_copy["settings"], warehouse_copy["defs"]
    assert "due_reports" in {job.name for job in defs.get_repository_def().get_all_jobs()}
    with duckdb.connect(str(settings.db_path), read_only=True) as con:
        held = {r[0] for r in con.execute(
            "select distinct fiscal_year from marts.dim_document where status <> 'quarantined' and fiscal_year is not null"
        ).fetchall()}
    written_before = settings.out_dir / "2024" / "yearly_comparison_2024.xlsx"
    stamp = written_before.stat().st_mtime_ns
    assert {2020, 2024} <= held
    from orchestration.changes import mark_due

    with duckdb.connect(str(settings.db_path)) as con:
        mark_due(con, [max(held) + 1])  # the year after the last held: no document of it yet, no report
    with dg.DagsterInstance.ephemeral() as instance:
        result = defs.resolve_job_def("due_reports").execute_in_process(instance=instance)
        assert result.success
        recorded = instance.get_materialized_partitions(REPORT_KEY)
    assert recorded == {str(y) for y in held - {2024}}
    assert result.output_for_node("write_due_reports") == sorted(held - {2024})
    assert all((settings.out_dir / str(y) / f"yearly_comparison_{y}.html").exists() for y in held)
    assert written_before.stat().st_mtime_ns == stamp
    with duckdb.connect(str(settings.db_path), read_only=True) as con:
        due = {r[0] for r in con.execute("select fiscal_year from audit.reports_due").fetchall()}
    # each written, and the year held nothing of dropped: nothing stays due that no run would write
    assert due == set()
