"""A run killed half-way leaves the warehouse as it was; the next run completes."""
import os
import signal
import subprocess
import sys
import time

import duckdb

from tests.conftest import SAMPLES, SHANXI_2020

ENV = {k: v for k, v in os.environ.items() if not k.startswith("FISCAL_")}


def fiscal_args(*args):
    return [sys.executable, "-m", "orchestration.cli", *args]


def snapshot(db):
    with duckdb.connect(str(db), read_only=True) as con:
        return {
            table: con.execute(f"select count(*) from {table}").fetchone()[0]
            for table in ("raw.documents", "raw.indicator_lines", "marts.dim_document", "marts.fct_performance_indicator")
        }


def test_killed_run_leaves_the_warehouse_whole(tmp_path):
    db, out = tmp_path / "w.duckdb", tmp_path / "reports"
    first = subprocess.run(fiscal_args("run", "--input", str(SHANXI_2020), "--db", str(db), "--out", str(out)),
                           capture_output=True, text=True, env=ENV, timeout=600)
    assert first.returncode == 0, first.stderr[-2000:]
    before = snapshot(db)
    assert before["raw.documents"] == 2

    # the samples' real budgets hold error-level findings: the reports are written regardless
    run = subprocess.Popen(fiscal_args("run", "--input", str(SAMPLES), "--db", str(db), "--out", str(out), "--allow-errors"),
                           stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL, env=ENV, start_new_session=True)
    building = tmp_path / "w.duckdb.building"
    deadline = time.monotonic() + 120
    while not building.exists() and time.monotonic() < deadline:
        time.sleep(0.2)
    time.sleep(6)  # ingest has written the copy; the dbt build is under way
    assert run.poll() is None, "the run finished before it could be killed"
    os.killpg(run.pid, signal.SIGKILL)
    run.wait(timeout=60)

    assert snapshot(db) == before  # untouched, and opens cleanly

    again = subprocess.run(fiscal_args("run", "--input", str(SAMPLES), "--db", str(db), "--out", str(out), "--allow-errors"),
                           capture_output=True, text=True, env=ENV, timeout=600)
    assert again.returncode == 0, again.stderr[-2000:]
    after = snapshot(db)
    assert after["raw.documents"] == 27 and after["marts.dim_document"] == 27
    assert not building.exists()
