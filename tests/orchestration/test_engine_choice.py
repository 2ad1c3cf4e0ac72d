"""Choosing the engine: what the Spark engine is told, what it needs, and what a run remembers of
it. (Both engines building the same warehouse: tests/spark, `make test-spark`.)"""
from datetime import datetime, timezone
from pathlib import Path

import pytest

from ingest.pipeline import IngestStream
from orchestration import cli, last_run, spark
from orchestration.lock import never_input, spark_home, staged_path
from orchestration.settings import Settings
from tests.conftest import SAMPLES, SHANXI_2020, XIAOYI


def test_spark_reads_the_profiles_settings_for_the_warehouse_it_builds(tmp_path, monkeypatch):
    monkeypatch.delenv(spark.MASTER_ENV, raising=False)
    monkeypatch.delenv(spark.REMOTE_ENV, raising=False)
    db = tmp_path / "w" / "fiscal.duckdb"
    parameters = spark.session_parameters(db)
    home = str(tmp_path / "w" / "fiscal.duckdb.spark")
    assert parameters["spark.master"] == "local[2]"
    assert parameters["spark.sql.warehouse.dir"] == f"{home}/tables"
    assert f"databaseName={home}/metastore" in parameters["spark.hadoop.javax.jdo.option.ConnectionURL"]
    # the staged copy a run builds keeps Spark's tables with the warehouse
    assert spark_home(staged_path(db)) == spark_home(db) == Path(home)
    assert spark.spark_env(staged_path(db))[spark.HOME_ENV] == home
    assert f"-Dlog4j2.configurationFile={spark.LOG_CONFIG}" in parameters["spark.driver.extraJavaOptions"]
    assert spark_home(db) in never_input(db, tmp_path / "reports")
    monkeypatch.setenv(spark.MASTER_ENV, "spark://cluster:7077")
    assert spark.session_parameters(db)["spark.master"] == "spark://cluster:7077"


def test_a_spark_connect_server_named_is_the_one_built_with(tmp_path, monkeypatch):
    monkeypatch.setenv(spark.REMOTE_ENV, "sc://cluster:15002")
    assert spark.profile_target() == "spark_connect"
    parameters = spark.session_parameters(tmp_path / "fiscal.duckdb")
    assert parameters["spark.remote"] == "sc://cluster:15002"
    assert "spark.master" not in parameters  # the server's cluster, catalogue and metastore
    assert not [key for key in parameters if key.startswith("spark.hadoop.javax.jdo")]
    monkeypatch.delenv(spark.REMOTE_ENV)
    assert spark.profile_target() == "spark"
    assert "spark.remote" not in spark.session_parameters(tmp_path / "fiscal.duckdb")


def test_the_rules_read_the_marts_and_seeds_spark_writes_where_the_project_puts_them(tmp_path):
    from orchestration.assets.dbt import manifest

    relations = spark.tables(manifest())
    assert ("marts", "dim_document") in relations and ("reference", "grade_bands") in relations
    assert not [r for r in relations if r[0] not in ("marts", "reference")]
    assert spark.location(tmp_path / "fiscal.duckdb", "marts", "fct_x") == tmp_path / "fiscal.duckdb.spark" / "marts" / "fct_x"
    assert spark.mart_names(manifest()) == sorted(name for schema, name in relations if schema == "marts")


def test_the_engine_comes_from_the_flag_else_the_environment():
    assert Settings().engine == "duckdb"
    assert Settings.from_env({"FISCAL_ENGINE": "spark"}).engine == "spark"
    assert Settings.from_env({"FISCAL_ENGINE": "spark"}).with_overrides(engine="duckdb").engine == "duckdb"


def test_an_unknown_engine_or_spark_without_its_packages_is_one_clear_line(monkeypatch, capsys):
    monkeypatch.setenv("FISCAL_ENGINE", "oracle")
    assert cli.main(["check"]) == 2
    assert "engine 'oracle': expected one of duckdb, spark" in capsys.readouterr().err
    monkeypatch.delenv("FISCAL_ENGINE")
    monkeypatch.setattr("importlib.util.find_spec", lambda name: None)
    assert cli.main(["check", "--engine", "spark"]) == 2
    assert capsys.readouterr().err.strip() == "fiscal: the Spark engine needs PySpark and dbt-spark: run `make setup-spark`"


def test_a_run_on_the_other_engine_is_not_a_run_already_made(tmp_path):
    registry = tmp_path / "sources.yml"
    duck = last_run.basis([SAMPLES], [], registry)
    on_spark = last_run.basis([SAMPLES], [], registry, "spark")
    assert duck.inputs == on_spark.inputs and duck.sources != on_spark.sources
    assert last_run.basis([SAMPLES], [], registry, "duckdb") == duck


class _InOrder:
    """Tasks that run each chunk's parse here, last chunk first, and hand the batches back in order."""

    parallelism = 3

    def __init__(self):
        self.chunks = []

    def __call__(self, parse, chunks):
        self.chunks = chunks
        batches = {i: parse(chunk) for i, chunk in reversed(list(enumerate(chunks)))}
        return (batches[i] for i in range(len(chunks)))


def test_the_ingest_parses_through_the_tasks_it_is_given(tmp_path):
    folder = tmp_path / "in"
    folder.mkdir()
    for source in (SHANXI_2020, XIAOYI, *sorted(SAMPLES.glob("*.txt"))):
        (folder / source.name).write_bytes(source.read_bytes())
    loaded_at = datetime.now(timezone.utc)
    tasks = _InOrder()
    through = list(IngestStream([folder], tasks=tasks, loaded_at=loaded_at))
    here = list(IngestStream([folder], workers=1, loaded_at=loaded_at))
    assert len(tasks.chunks) > 1  # chunked for the tasks' parallelism, not one chunk for one worker
    ids = [b.tables["documents"].column("document_id").to_pylist() for b in through]
    assert sum(ids, []) == sum((b.tables["documents"].column("document_id").to_pylist() for b in here), [])
    assert len(sum(ids, [])) >= 5


def test_a_check_on_spark_before_any_spark_build_is_one_clear_line(tmp_path):
    with pytest.raises(FileNotFoundError, match=r"marts\.dim_document here; run `fiscal build --engine spark` first"):
        spark._register(None, tmp_path / "fiscal.duckdb", [("marts", "dim_document")])


def test_the_flag_offers_the_engines_there_are(capsys):
    with pytest.raises(SystemExit):
        cli.build_parser().parse_args(["run", "--engine", "oracle"])
    assert "invalid choice: 'oracle' (choose from 'duckdb', 'spark')" in capsys.readouterr().err
