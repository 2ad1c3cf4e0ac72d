"""The Spark engine against the DuckDB one: the samples and a small generated province, each run
by `fiscal run` on both engines, hold the same rows in every mart, the same findings of every rule
and the same report figures (`make test-spark`)."""
import os
import re
import socket
import subprocess
import sys
import time
from pathlib import Path

import duckdb
import openpyxl
import pytest

from tests.conftest import ROOT, SAMPLES, XIAOYI

pytestmark = pytest.mark.spark
ENGINES = ("duckdb", "spark")


@pytest.fixture(scope="module")
def province(tmp_path_factory):
    folder = tmp_path_factory.mktemp("province")
    subprocess.run([sys.executable, "-m", "orchestration.cli", "generate", "--out", str(folder), "--counties", "2",
                    "--years", "2023-2024", "--seed", "3", "--departments", "2"], check=True, cwd=ROOT)
    return folder


@pytest.fixture(scope="module")
def connect_server(tmp_path_factory):
    """A Spark Connect server on this machine (`local[2]`), as a cluster would offer one."""
    import pyspark

    from orchestration.spark import LOG_CONFIG

    folder = tmp_path_factory.mktemp("connect")
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        port = probe.getsockname()[1]
    home = Path(pyspark.__file__).parent
    log = open(folder / "server.log", "w")
    server = subprocess.Popen(
        [str(home / "bin" / "spark-submit"), "--class", "org.apache.spark.sql.connect.service.SparkConnectServer",
         "--master", "local[2]", "--conf", f"spark.connect.grpc.binding.port={port}",
         "--conf", f"spark.sql.warehouse.dir={folder / 'tables'}", "--conf", "spark.ui.enabled=false",
         "--conf", f"spark.driver.extraJavaOptions=-Dderby.system.home={folder} -Dlog4j2.configurationFile={LOG_CONFIG}"],
        cwd=folder, stdout=log, stderr=subprocess.STDOUT,
        env={**os.environ, "SPARK_HOME": str(home), "PYSPARK_PYTHON": sys.executable})
    try:
        deadline = time.monotonic() + 120
        while True:
            with socket.socket() as client:
                if client.connect_ex(("127.0.0.1", port)) == 0:
                    break
            assert server.poll() is None and time.monotonic() < deadline, (folder / "server.log").read_text()[-2000:]
            time.sleep(1)
        yield f"sc://127.0.0.1:{port}"
    finally:
        server.terminate()
        server.wait(timeout=60)
        log.close()


# the runs, each compared with the DuckDB run of the same input: Spark in a session of the
# command's own on the samples and the province, and Spark through the Connect server on one
# sample (a warehouse with marts that have no rows)
RUNS = {"duckdb": ("duckdb", False, "all"), "spark": ("spark", False, "all"),
        "duckdb_one": ("duckdb", False, "one"), "connect": ("spark", True, "one")}
PAIRS = (("duckdb", "spark"), ("duckdb_one", "connect"))


@pytest.fixture(scope="module")
def runs(tmp_path_factory, province, connect_server):
    base = tmp_path_factory.mktemp("engines")
    started = {}
    inputs = {"all": [SAMPLES, province], "one": [XIAOYI]}
    for name, (engine, remote, read) in RUNS.items():
        folder = base / name
        folder.mkdir()
        command = [sys.executable, "-m", "orchestration.cli", "run", "--engine", engine, "--allow-errors",
                   *(arg for path in inputs[read] for arg in ("--input", str(path))),
                   "--db", str(folder / "fiscal.duckdb"), "--out", str(folder / "reports")]
        env = {**os.environ, "FISCAL_ENGINE": ""}
        env.pop("FISCAL_SPARK_REMOTE", None)
        if remote:
            env["FISCAL_SPARK_REMOTE"] = connect_server
        # all at once: the DuckDB run is over long before Spark's
        started[name] = (folder, subprocess.Popen(command, cwd=ROOT, stdout=subprocess.PIPE, stderr=subprocess.PIPE,
                                                  text=True, env=env))
    done = {}
    for name, (folder, process) in started.items():
        out, err = process.communicate(timeout=1800)
        assert process.returncode == 0, f"{name}: {err[-3000:]}"
        done[name] = {"db": folder / "fiscal.duckdb", "reports": folder / "reports", "stdout": out, "stderr": err}
    return done


def _summary(stdout: str) -> dict[str, str]:
    """The summary lines a run prints that do not name its own files."""
    return {line.split(":", 1)[0]: line.split(":", 1)[1].strip() for line in stdout.splitlines()
            if line.startswith(("documents read:", "rows per mart:", "violations:"))}


def _rows(summary: dict[str, str]) -> dict[str, int]:
    return {mart: int(n) for mart, n in (item.rsplit(" ", 1) for item in summary["rows per mart"].split(", "))}


def test_both_engines_print_the_same_summary(runs):
    for duck_run, spark_run in PAIRS:
        duck, spark = _summary(runs[duck_run]["stdout"]), _summary(runs[spark_run]["stdout"])
        assert set(duck) == {"documents read", "rows per mart", "violations"}
        assert spark == duck, spark_run
    rows = _rows(_summary(runs["duckdb"]["stdout"]))
    assert rows["fct_final_account_line"] > 1000 and rows["fct_performance_indicator"] > 100
    assert _summary(runs["duckdb"]["stdout"])["violations"] != "error 0, warning 0, info 0"  # planted ones
    # one county's final accounts and projects: no budget, so marts without rows, on both engines
    assert 0 in _rows(_summary(runs["connect"]["stdout"])).values()


RUN_TIMES = {"loaded_at"}  # when each run loaded a document: the two runs are minutes apart


def _normalised(con, relation: str, like: str) -> str:
    """A query of the relation's rows with each value in a form both engines agree on: numbers to
    six places (a scale both keep; Spark types some sums with fewer digits of precision than
    DuckDB), instants in microseconds, the rest as text; the columns of `like`, in its order
    (Spark puts the partition column last)."""
    columns = con.execute(f"describe select * from {like}").fetchall()
    values = []
    for name, kind, *_ in columns:
        quoted = f'"{name}"'
        if name in RUN_TIMES:
            continue
        if "TIMESTAMP" in kind:
            values.append(f"epoch_us(cast({quoted} as timestamptz))")
        elif re.match(r"(DECIMAL|DOUBLE|FLOAT|HUGEINT|BIGINT|INTEGER|SMALLINT)", kind):
            values.append(f"round(cast({quoted} as double), 6)")
        else:
            values.append(f"cast({quoted} as varchar)")
    return f"select {', '.join(values)} from {relation}"


@pytest.mark.parametrize("pair", PAIRS, ids=lambda pair: pair[1])
def test_every_mart_holds_the_same_rows_on_both_engines(runs, pair):
    con = duckdb.connect()
    for engine, run in zip(ENGINES, pair):
        con.execute(f"attach '{runs[run]['db']}' as {engine} (read_only)")
    marts = [r[0] for r in con.execute(
        "select table_name from information_schema.tables where table_catalog = 'duckdb' and table_schema = 'marts' "
        "order by 1").fetchall()]
    spark_kinds = dict(con.execute(
        "select table_name, table_type from information_schema.tables where table_catalog = 'spark' "
        "and table_schema = 'marts'").fetchall())
    assert len(marts) >= 20 and set(spark_kinds) == set(marts)
    assert set(spark_kinds.values()) == {"VIEW"}  # Spark's tables, seen from the warehouse
    for mart in marts:
        duck = _normalised(con, f"duckdb.marts.{mart}", f"duckdb.marts.{mart}")
        spark = _normalised(con, f"spark.marts.{mart}", f"duckdb.marts.{mart}")
        columns = {r[0] for r in con.execute(f"describe select * from duckdb.marts.{mart}").fetchall()}
        assert {r[0] for r in con.execute(f"describe select * from spark.marts.{mart}").fetchall()} == columns, mart
        only_duck = con.execute(f"select count(*) from ({duck} except all {spark})").fetchone()[0]
        only_spark = con.execute(f"select count(*) from ({spark} except all {duck})").fetchone()[0]
        assert (mart, only_duck, only_spark) == (mart, 0, 0)


def test_every_rule_finds_the_same_on_both_engines(runs):
    query = ("select rule_id, document_id, location, entity, severity from audit.integrity_violation "
             "order by all")
    found = {name: duckdb.connect(str(runs[name]["db"]), read_only=True).execute(query).fetchall() for name in RUNS}
    assert len(found["duckdb"]) > 10 and found["duckdb_one"]
    runs_query = "select rule_id, rows_checked, violations, errors, warnings, infos from audit.integrity_run order by 1"
    checked = {name: duckdb.connect(str(runs[name]["db"]), read_only=True).execute(runs_query).fetchall()
               for name in RUNS}
    assert len(checked["duckdb"]) >= 31
    for duck_run, spark_run in PAIRS:
        assert found[spark_run] == found[duck_run], spark_run
        assert checked[spark_run] == checked[duck_run], spark_run


WRITTEN_AT = re.compile(r"^\d{4}-\d{2}-\d{2} \d{2}:\d{2}（北京时间）$")


def _figures(path: Path) -> dict[tuple[str, str], object]:
    """Every cell of a workbook, but the one that says when it was written; numbers to the
    twelfth significant digit (a ratio of sums in double precision ends differently when the
    engines add in another order)."""
    book = openpyxl.load_workbook(path, data_only=True)
    cells = {}
    for sheet in book.worksheets:
        for row in sheet.iter_rows():
            for cell in row:
                value = cell.value
                if value is None or (isinstance(value, str) and WRITTEN_AT.match(value)):
                    continue
                cells[(sheet.title, cell.coordinate)] = float(f"{value:.12g}") if isinstance(value, float) else value
    return cells


def test_the_reports_hold_the_same_figures_on_both_engines(runs):
    years = sorted(p.name for p in runs["duckdb"]["reports"].iterdir() if p.is_dir())
    assert "2023" in years and "2024" in years
    assert sorted(p.name for p in runs["spark"]["reports"].iterdir() if p.is_dir()) == years
    for year in years:
        duck = _figures(runs["duckdb"]["reports"] / year / f"yearly_comparison_{year}.xlsx")
        spark = _figures(runs["spark"]["reports"] / year / f"yearly_comparison_{year}.xlsx")
        assert set(spark) == set(duck), year
        differing = {key: (duck[key], spark[key]) for key in duck if duck[key] != spark[key]}
        numbers = [v for v in duck.values() if isinstance(v, (int, float))]
        assert len(numbers) > 20, year
        assert differing == {}, year


def test_spark_tasks_parse_every_file_in_the_order_a_local_reading_does(tmp_path, province):
    from datetime import datetime, timezone

    from ingest.pipeline import IngestStream
    from orchestration.spark import SparkTasks, session

    tasks = SparkTasks(session(tmp_path / "fiscal.duckdb"))
    loaded_at = datetime.now(timezone.utc)
    on_spark = list(IngestStream([province, SAMPLES], tasks=tasks, loaded_at=loaded_at))
    here = list(IngestStream([province, SAMPLES], workers=1, loaded_at=loaded_at))

    def documents(batches):
        return [row for b in batches for row in zip(*(b.tables["documents"].column(c).to_pylist()
                                                       for c in ("document_id", "source_file", "status", "doc_type")))]

    assert len(on_spark) > tasks.parallelism * 2  # more chunks than one wave of tasks
    assert documents(on_spark) == documents(here)
    assert len(documents(here)) > 60
    lines = [sum(b.tables["final_account_lines"].num_rows for b in batches) for batches in (on_spark, here)]
    assert lines[0] == lines[1] > 1000


# what Java and Spark print as a session's JVM starts, before any logging is set up: the Java
# launcher of the vector module Spark asks for, and PySpark's gateway (started as a shell) of its
# shell's log level
JVM_NOTICES = ("WARNING: Using incubator modules: jdk.incubator.vector", "Setting default log level to ",
               "To adjust logging level use sc.setLogLevel")


def test_spark_says_what_it_does_in_a_line_or_two_not_its_logs(runs):
    for name in ("spark", "connect"):
        said = [line for line in runs[name]["stderr"].splitlines() if line.strip() and not line.startswith(JVM_NOTICES)]
        assert all(line.startswith("fiscal: ") for line in said) and len(said) <= 2, (name, said)
    # the run that meets the province's planted errors says so, in one line
    assert [line for line in runs["spark"]["stderr"].splitlines() if line.startswith("fiscal: ")]
