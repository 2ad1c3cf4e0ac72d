import json
import os
import re
import subprocess
import sys
from decimal import Decimal

import duckdb

from orchestration.execute import warehouse_instance
from orchestration.lock import data_docs, dbt_state
from tests.conftest import SAMPLES, SHANXI_2020, XIAOYI

ENV = {k: v for k, v in os.environ.items() if not k.startswith("FISCAL_")}


def fiscal(*args, env=None):
    return subprocess.run(
        [sys.executable, "-m", "orchestration.cli", *args], capture_output=True, text=True, env={**ENV, **(env or {})}, timeout=600
    )


def test_extract_shows_what_the_parsers_read():
    result = fiscal("extract", str(SHANXI_2020))
    assert result.returncode == 0
    assert "营商环境评估费 -> loaded" in result.stdout
    assert "adjusted 16500000.00 executed 7903500.00 rate 0.479 score 4.79" in result.stdout


def test_extract_json():
    result = fiscal("extract", str(SHANXI_2020), "--json")
    payload = json.loads(result.stdout)
    assert [d["document"]["project_name"] for d in payload] == ["营商环境评估费", "政务大厅水电暖物业管理费"]
    assert Decimal(payload[1]["report"]["evaluation"]["total_score_reported"]) == Decimal("78.75")


def test_bad_input_is_one_clear_line(tmp_path):
    result = fiscal("run", "--input", str(tmp_path / "nowhere"), "--db", str(tmp_path / "w.duckdb"))
    assert result.returncode == 2
    assert result.stderr.strip().splitlines() == [f"fiscal: {tmp_path / 'nowhere'}: no such file or folder"]
    missing = fiscal("check", "--db", str(tmp_path / "none.duckdb"))
    assert missing.returncode == 2 and "no warehouse here" in missing.stderr
    assert "Traceback" not in result.stderr + missing.stderr


def test_run_prints_the_summary_and_honours_env_defaults(tmp_path):
    db, out = tmp_path / "w.duckdb", tmp_path / "reports"
    bad = tmp_path / "inbox"
    bad.mkdir()
    (bad / "empty.txt").write_bytes(b"")
    env = {"FISCAL_DB": str(db), "FISCAL_OUT": str(out)}
    # the real budgets hold two error-level inconsistencies (a narrative amount, a growth rate): they
    # block the reports, and the command says so and exits non-zero
    blocked = fiscal("run", "--input", str(SAMPLES), "--input", str(bad), env=env)
    assert blocked.returncode == 1
    assert "error-level integrity violations block the reports" in blocked.stderr
    assert not (out / "2024").exists()
    # the regions that block, with how many errors and the first of each, and how to go on
    blocking = [line for line in blocked.stderr.splitlines() if line.startswith("  ")]
    assert blocking and sum(int(line.split(": ")[1].split(" error")[0]) for line in blocking) == 2
    assert all(str(SAMPLES / "real") in line and ", 差额 " in line for line in blocking)
    assert blocked.stderr.splitlines()[-1].startswith("fiscal: correct those documents")
    assert "--allow-errors" in blocked.stderr.splitlines()[-1]
    result = fiscal("run", "--input", str(SAMPLES), "--input", str(bad), "--allow-errors", env=env)
    assert result.returncode == 0, result.stderr[-2000:]
    lines = result.stdout.splitlines()
    assert f"warehouse: {db}" in lines
    assert "documents read: 28 (loaded 27, partial 0, quarantined 1)" in lines
    assert any(l.startswith("rows per mart:") and "fct_project_evaluation 21" in l and "fct_department_budget 3" in l
               for l in lines)
    assert "violations: error 2, warning 26, info 33" in lines
    assert f"report: {out / '2024' / 'yearly_comparison_2024.xlsx'}" in lines
    assert (out / "2020" / "yearly_comparison_2020.html").exists()
    # every file that did not load is named once on stderr, with its reason
    quarantined = [l for l in blocked.stderr.splitlines() if ": quarantined: " in l]
    assert quarantined == [f"{bad / 'empty.txt'}: quarantined: empty file"]

    # `fiscal check` exits non-zero on the severity asked for
    assert fiscal("check", "--db", str(db), "--fail-on", "error").returncode == 1
    warned = fiscal("check", "--db", str(db), "--fail-on", "warning")
    assert warned.returncode == 1
    assert "violations: error 2, warning 26, info 33" in warned.stdout
    with duckdb.connect(str(db)) as con:
        # table 01's total expenditure no longer equals its total income: money that does not add up
        con.execute(
            "update marts.fct_final_account_line set amount_yuan = amount_yuan + 100000 "
            "where table_code = '01' and row_label = '总计' and column_label = '支出/金额' and adcode = '141181'"
        )
    failed = fiscal("check", "--db", str(db), "--fail-on", "error", env={"FISCAL_OUT": str(out)})
    assert failed.returncode == 1
    # F2 and F3 in the table; the narrative's two statements of 支出总计 now disagree with it (N001)
    assert "violations: error 4, warning 28, info 33" in failed.stdout
    # the Data Docs site indexes every mart's suite, with a page for each mart's validation
    index = (data_docs(db) / "index.html").read_text(encoding="utf-8")
    marts = {"fct_final_account_line", "fct_narrative_fact", "fct_performance_indicator", "fct_project_budget",
             "fct_project_evaluation"}
    assert all(f"integrity_{mart}" in index for mart in marts)
    pages = [p.name for p in (data_docs(db) / "validations").rglob("*.html")]
    assert all(any(mart in page for page in pages) for mart in marts)

    # re-running the same input leaves the facts as they were
    with duckdb.connect(str(db), read_only=True) as con:
        before = con.execute("select * exclude (loaded_at) from raw.documents order by document_id").fetchall()
    assert fiscal("ingest", str(SAMPLES), "--db", str(db)).returncode == 0, "re-ingest failed"
    with duckdb.connect(str(db), read_only=True) as con:
        assert con.execute("select * exclude (loaded_at) from raw.documents order by document_id").fetchall() == before


def test_a_second_writer_stops_with_a_clear_message(tmp_path):
    from orchestration.lock import warehouse_lock

    db = tmp_path / "w.duckdb"
    with warehouse_lock(db):
        busy = fiscal("run", "--db", str(db), "--out", str(tmp_path / "r"))
        assert busy.returncode == 2
        (line,) = busy.stderr.strip().splitlines()
        assert line.startswith(f"fiscal: {db}: another fiscal command (pid {os.getpid()}) is writing this warehouse")
        assert not db.exists()
        waited = fiscal("--wait", "1", "check", "--db", str(db))
        assert waited.returncode == 2 and "another fiscal command" in waited.stderr
    # released with its holder: the next command gets through to its own work
    after = fiscal("check", "--db", str(db))
    assert "no warehouse here" in after.stderr


def test_a_run_rewrites_only_the_reports_of_the_years_it_changed(tmp_path):
    from tests.conftest import XIAOYI

    quannan = SAMPLES / "jiangxi_quannan_2021_hall_operations_evaluation_report.txt"
    db, out = tmp_path / "w.duckdb", tmp_path / "reports"
    first = fiscal("run", "--input", str(SHANXI_2020), "--input", str(XIAOYI), "--db", str(db), "--out", str(out))
    assert first.returncode == 0, first.stderr[-2000:]
    written = {year: (out / year / f"yearly_comparison_{year}.xlsx").stat().st_mtime_ns for year in ("2020", "2024")}

    # the same input again: nothing to do, and nothing done (no load, no dbt, no checks, no report)
    # but the warehouse's summary, as the run that built it printed it
    def state():
        files = [db, *out.rglob("*"), *dbt_state(db).rglob("*.json"), *data_docs(db).rglob("*.html")]
        return {str(f): (f.stat().st_size, f.stat().st_mtime_ns) for f in files if f.is_file()}

    # the run is recorded in the warehouse's own Dagster instance, the one `make dev` shows
    import dagster as dg

    with warehouse_instance(db) as instance:
        runs = [(r.job_name, r.status) for r in instance.get_runs()]
        assert runs == [("due_reports", dg.DagsterRunStatus.SUCCESS), ("build_warehouse", dg.DagsterRunStatus.SUCCESS)]
        assert instance.get_latest_materialization_event(dg.AssetKey(["marts", "dim_document"])) is not None
        [build] = instance.get_runs(dg.RunsFilter(job_name="build_warehouse"))
        checks = instance.get_records_for_run(build.run_id, of_type=dg.DagsterEventType.ASSET_CHECK_EVALUATION).records
        assert any(r.event_log_entry.dagster_event.event_specific_data.check_name.startswith("integrity_rules_")
                   for r in checks)
    before = state()
    idle = fiscal("run", "--input", str(SHANXI_2020), "--input", str(XIAOYI), "--db", str(db), "--out", str(out))
    assert idle.returncode == 0, idle.stderr[-2000:]
    said, *summary = idle.stdout.splitlines()
    assert said.startswith("nothing to do: no input file, model, rule or vocabulary changed since the run of ")
    assert summary == first.stdout.splitlines()
    assert state() == before
    with warehouse_instance(db) as instance:
        assert len(instance.get_runs()) == 2  # nothing run, nothing recorded
    # a report removed by hand is something to do: that year's report, and no other
    (out / "2020" / "yearly_comparison_2020.html").unlink()
    restored = fiscal("run", "--input", str(SHANXI_2020), "--input", str(XIAOYI), "--db", str(db), "--out", str(out))
    assert restored.returncode == 0 and not restored.stdout.startswith("nothing to do")
    assert (out / "2020" / "yearly_comparison_2020.html").exists()
    assert (out / "2024" / "yearly_comparison_2024.xlsx").stat().st_mtime_ns == written["2024"]
    written["2020"] = (out / "2020" / "yearly_comparison_2020.xlsx").stat().st_mtime_ns
    again = fiscal("run", "--input", str(SHANXI_2020), "--input", str(XIAOYI), "--input", str(quannan),
                   "--db", str(db), "--out", str(out))
    assert again.returncode == 0, again.stderr[-2000:]
    # 2021 is new; 2020 and 2024 gained nothing, so their reports are left as they were
    assert (out / "2021" / "yearly_comparison_2021.xlsx").exists()
    assert {year: (out / year / f"yearly_comparison_{year}.xlsx").stat().st_mtime_ns for year in written} == written
    assert f"report: {out / '2024' / 'yearly_comparison_2024.xlsx'}" in again.stdout.splitlines()


def test_a_year_outside_the_reports_is_one_clear_line(tmp_path):
    from demo.generator import generate

    corpus = tmp_path / "corpus"
    generate(corpus, 1, (1998, 1998), seed=2, error_rate=0, departments=1)
    db, out = tmp_path / "w.duckdb", tmp_path / "reports"
    result = fiscal("run", "--input", str(corpus), "--db", str(db), "--out", str(out))
    # the documents load; the year has no report partition, which is said once and is not a crash
    assert result.returncode == 0, result.stderr[-2000:]
    assert "Traceback" not in result.stderr
    assert "fiscal: no report for fiscal year 1998: reports cover 2000–" in result.stderr
    assert not (out / "1998").exists()
    asked = fiscal("report", "--year", "1998", "--db", str(db), "--out", str(out))
    assert asked.returncode != 0 and asked.stderr.strip().startswith("fiscal: --year 1998: reports cover fiscal years 2000–")
    # a year a report could cover but the warehouse holds nothing of: no empty report saying all is well
    empty = fiscal("report", "--year", "2010", "--db", str(db), "--out", str(out), "-v")
    assert empty.returncode == 2
    assert empty.stderr.strip() == "fiscal: --year 2010: the warehouse holds no documents of fiscal year 2010 (it holds 1998)"
    assert not (out / "2010").exists()


def test_a_registry_mistake_stops_a_run_with_one_line(tmp_path):
    registry = tmp_path / "sources.yml"
    registry.write_text("sources:\n  - {name: county, path: 'in/*', region: '999999'}\n", encoding="utf-8")
    run = fiscal("run", "--input", str(SHANXI_2020), "--db", str(tmp_path / "w.duckdb"), "--out", str(tmp_path / "r"),
                 env={"FISCAL_SOURCES": str(registry)})
    assert run.returncode == 2
    assert run.stderr.strip().splitlines() == [
        f"fiscal: {registry}: source 'county': region '999999' is not a province, city or county code of the division lists"]
    assert not (tmp_path / "w.duckdb").exists()


def test_every_option_says_what_it_does_and_verbose_stands_before_or_after_the_command():
    import argparse

    from orchestration.cli import build_parser

    parser = build_parser()
    [commands] = [a for a in parser._actions if isinstance(a, argparse._SubParsersAction)]
    silent = [(name, action.dest) for name, sub in commands.choices.items() for action in sub._actions
              if not isinstance(action, argparse._HelpAction) and not action.help]
    assert silent == []
    assert parser.parse_args(["-v", "run"]).verbose and parser.parse_args(["run", "-v"]).verbose
    assert parser.parse_args(["check", "--verbose"]).verbose and not parser.parse_args(["check"]).verbose


def _on_a_terminal(*args) -> tuple[int, str]:
    """A command run with its stderr on a terminal (a pseudo-terminal): its exit status and what it said there."""
    import pty

    master, slave = pty.openpty()
    process = subprocess.Popen([sys.executable, "-m", "orchestration.cli", *args], stdout=subprocess.DEVNULL,
                               stderr=slave, env=ENV)
    os.close(slave)
    said = b""
    while True:
        try:
            chunk = os.read(master, 4096)
        except OSError:  # the terminal closed with the command
            break
        if not chunk:
            break
        said += chunk
    os.close(master)
    return process.wait(timeout=600), said.decode("utf-8", "replace")


def test_on_a_terminal_the_long_steps_say_where_they_are(tmp_path):
    db, out = tmp_path / "w.duckdb", tmp_path / "reports"
    code, said = _on_a_terminal("run", "--input", str(SHANXI_2020), "--db", str(db), "--out", str(out))
    assert code == 0, said[-2000:]
    lines = [line.strip() for line in said.splitlines() if line.strip()]
    steps = [line.split(": ")[1] for line in lines if line.startswith("fiscal: ")]
    # each step in its order, each ending with what it did and how long it took
    assert [s for i, s in enumerate(steps) if s not in steps[:i]] == ["ingest", "dbt build", "checks", "reports"]
    assert "fiscal: ingest: 1 files read, 0 already held (" in said
    assert re.search(r"fiscal: dbt build: \d+ models and tests \([\d.]+ s\)", said)
    assert re.search(r"fiscal: checks: findings held: error 0, warning \d+, info \d+ \([\d.]+ s\)", said)
    assert "fiscal: reports: writing 2020" in said and "fiscal: reports: 1 written (" in said
    # not on a terminal (a log, a pipe, a scheduler) it says nothing of the kind
    quiet = fiscal("ingest", str(XIAOYI), "--db", str(db))
    assert quiet.returncode == 0 and "fiscal: ingest:" not in quiet.stderr
