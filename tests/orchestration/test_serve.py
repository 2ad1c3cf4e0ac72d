"""`fiscal serve`: one long-lived process that runs as files arrive, paying its start-up once."""
import json
import os
import shutil
import signal
import subprocess
import sys
import threading
import time
from argparse import Namespace
from pathlib import Path

import duckdb
import pytest

from orchestration.last_run import InputFiles
from orchestration.serve import apply_changes
from tests.conftest import SAMPLES, SHANXI_2020

ENV = {k: v for k, v in os.environ.items() if not k.startswith("FISCAL_")}
BAOSHAN = SAMPLES / "yunnan_baoshan_2022_project_self_evaluation_report.txt"
QUANNAN = SAMPLES / "jiangxi_quannan_2021_hall_operations_evaluation_report.txt"


def _documents(db: Path) -> dict[str, str]:
    with duckdb.connect(str(db), read_only=True) as con:
        return dict(con.execute("select source_file, status from marts.dim_document").fetchall())


def test_changes_name_the_files_to_read_and_keep_the_inputs_as_a_listing_finds_them(tmp_path):
    inbox, warehouse = tmp_path / "in", tmp_path / "in" / "warehouse"
    (inbox / "county").mkdir(parents=True)
    warehouse.mkdir()
    first = inbox / "a.txt"
    first.write_text("一", encoding="utf-8")
    exclude = [warehouse]
    files = InputFiles.survey([inbox], exclude)
    assert list(files.stamps) == [str(first)]
    # a new file, a note, a hidden part file, the warehouse's own file and a folder moved in whole
    (inbox / "b.txt").write_text("二", encoding="utf-8")
    (inbox / "README.md").write_text("notes", encoding="utf-8")
    (inbox / ".b.txt.part").write_text("...", encoding="utf-8")
    (warehouse / "w.duckdb").write_bytes(b"x")
    moved = tmp_path / "elsewhere"
    (moved / "2024").mkdir(parents=True)
    (moved / "2024" / "c.txt").write_text("三", encoding="utf-8")
    (moved / "2024" / ".hidden.txt").write_text("四", encoding="utf-8")
    shutil.move(str(moved), str(inbox / "county" / "moved"))
    changed = {(1, str(p)) for p in (inbox / "b.txt", inbox / "README.md", inbox / ".b.txt.part",
                                     warehouse / "w.duckdb", inbox / "county" / "moved")}
    to_read = apply_changes(files, changed, [inbox], exclude)
    assert to_read == [str(inbox / "b.txt"), str(inbox / "county" / "moved" / "2024" / "c.txt")]
    assert files.digest() == InputFiles.survey([inbox], exclude).digest()
    # a file rewritten and one removed: the listing agrees again, and only the rewritten one is read
    first.write_text("一二", encoding="utf-8")
    (inbox / "b.txt").unlink()
    to_read = apply_changes(files, {(2, str(first)), (3, str(inbox / "b.txt"))}, [inbox], exclude)
    assert to_read == [str(first)]
    assert files.digest() == InputFiles.survey([inbox], exclude).digest()
    shutil.rmtree(inbox / "county")
    assert apply_changes(files, {(3, str(inbox / "county"))}, [inbox], exclude) == []
    assert files.digest() == InputFiles.survey([inbox], exclude).digest()


@pytest.mark.warehouse
def test_runs_in_one_process_parse_the_dbt_project_once_and_read_only_the_changed_files(tmp_path):
    from orchestration.dbt_inprocess import runner
    from orchestration.execute import warehouse_instance
    from orchestration.serve import Server
    from orchestration.settings import Settings

    inbox = tmp_path / "in"
    inbox.mkdir()
    shutil.copy(SHANXI_2020, inbox)
    settings = Settings(db_path=tmp_path / "w.duckdb", out_dir=tmp_path / "reports", inputs=(inbox,)).resolved()
    server = Server(Namespace(allow_errors=True), settings, out=open(os.devnull, "w"))
    server.warm_up()
    parses = runner().parses
    built = settings.db_path.with_name("w.duckdb.dbt") / "last_build" / "run_results.json"

    def nodes() -> list[str]:
        return [r["unique_id"] for r in json.loads(built.read_text(encoding="utf-8"))["results"]]

    with warehouse_instance(settings.db_path) as instance:
        assert server.run_once(instance, None)
        first = nodes()
        assert {"seed.fiscal.grade_bands", "model.fiscal.stg_raw__documents", "model.fiscal.dim_document"} <= set(first)
        assert not server.run_once(instance, None)  # nothing changed: nothing run
        added = Path(shutil.copy(BAOSHAN, inbox))
        changed = apply_changes(server.files, {(1, str(added))}, settings.inputs, server.exclude)
        assert server.run_once(instance, changed)
        import dagster as dg

        last = instance.get_runs(dg.RunsFilter(job_name="build_warehouse"))[0]  # the newest
        ingest = instance.get_latest_materialization_event(dg.AssetKey(["raw", "documents"]))
        # the run read the one new file: one document new, the other left where it was
        assert ingest.run_id == last.run_id
        assert ingest.asset_materialization.metadata["new_rows"].value == 1
    assert runner().parses == parses  # the project parsed at start-up, not for each build
    # the warehouse was built from this dbt project: its views and seeds stay, their tests run
    adding = nodes()
    assert "model.fiscal.dim_document" in adding and "model.fiscal.stg_raw__documents" not in adding
    assert not [n for n in adding if n.startswith("seed.")]
    assert sorted(n for n in adding if n.startswith("test.")) == sorted(n for n in first if n.startswith("test."))
    assert set(_documents(settings.db_path)) == {str(inbox / SHANXI_2020.name), str(added)}
    assert (settings.out_dir / "2022" / "yearly_comparison_2022.xlsx").exists()
    # what the server recorded is what a listing finds: a run after it has nothing to do
    from orchestration import last_run

    basis = last_run.basis(settings.inputs, server.exclude, settings.sources)
    assert last_run.up_to_date(settings.db_path, settings.out_dir, basis, True) is not None


def _wait_for(lines: list[str], text: str, process, seconds: float = 300) -> str:
    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline:
        for line in lines:
            if text in line:
                return line
        if process.poll() is not None:
            break
        time.sleep(0.2)
    raise AssertionError(f"no line with {text!r} in {lines[-20:]}")


@pytest.mark.warehouse
def test_serve_picks_up_a_dropped_file_records_it_for_the_ui_and_stops_on_sigterm(tmp_path):
    inbox, db, out = tmp_path / "in", tmp_path / "w.duckdb", tmp_path / "reports"
    inbox.mkdir()
    shutil.copy(SHANXI_2020, inbox)
    process = subprocess.Popen(
        [sys.executable, "-m", "orchestration.cli", "serve", "--input", str(inbox), "--db", str(db), "--out", str(out),
         "--allow-errors"], stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True, env=ENV)
    lines: list[str] = []
    reader = threading.Thread(target=lambda: lines.extend(iter(process.stdout.readline, "")), daemon=True)
    reader.start()
    try:
        _wait_for(lines, "fiscal serve: watching", process)
        # another writer is told the warehouse is busy while the server holds it
        busy = subprocess.run([sys.executable, "-m", "orchestration.cli", "build", "--db", str(db)],
                              capture_output=True, text=True, env=ENV, timeout=120)
        assert busy.returncode == 2 and "another fiscal command" in busy.stderr
        # a file written in parts under a hidden name, then renamed, is read once, whole
        part = inbox / f".{QUANNAN.name}.part"
        shutil.copy(QUANNAN, part)
        part.rename(inbox / QUANNAN.name)
        done = _wait_for(lines, "run 2 on 1 changed file done", process)
        assert "failed" not in "".join(lines), lines[-20:]
        assert float(done.rsplit(" in ", 1)[1].split()[0]) > 0
    finally:
        process.send_signal(signal.SIGTERM)
        code = process.wait(timeout=120)
        reader.join(timeout=10)
    assert code == 0
    assert lines[-1].strip() == "fiscal serve: stopped"
    assert set(_documents(db)) == {str(inbox / SHANXI_2020.name), str(inbox / QUANNAN.name)}
    assert (out / "2021" / "yearly_comparison_2021.html").exists()
    # Dagster's own instance, as `make dev` opens it, reads the runs the server recorded
    import dagster as dg

    with dg.DagsterInstance.from_config(str(Path(str(db) + ".dagster"))) as instance:
        builds = instance.get_runs(dg.RunsFilter(job_name="build_warehouse"))
        assert [r.status for r in builds] == [dg.DagsterRunStatus.SUCCESS] * 2
        assert instance.get_latest_materialization_event(dg.AssetKey(["marts", "fct_project_evaluation"])).run_id \
            == builds[0].run_id
    # and a run of the same inputs afterwards has nothing to do
    idle = subprocess.run([sys.executable, "-m", "orchestration.cli", "run", "--input", str(inbox), "--db", str(db),
                           "--out", str(out), "--allow-errors"], capture_output=True, text=True, env=ENV, timeout=300)
    assert idle.returncode == 0 and idle.stdout.startswith("nothing to do"), idle.stdout[-2000:] + idle.stderr[-2000:]
