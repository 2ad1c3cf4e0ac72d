"""Incremental facts: adding a year's documents rebuilds that year only and never duplicates rows."""
import dagster as dg
import duckdb

from orchestration.build import build_definitions
from orchestration.lock import dbt_state
from orchestration.settings import Settings
from tests.conftest import SHANXI_2020, XIAOYI


def test_a_new_year_is_added_without_touching_the_loaded_one(tmp_path):
    settings = Settings(db_path=tmp_path / "w.duckdb", out_dir=tmp_path / "r", inputs=(SHANXI_2020,), inbox=tmp_path / "i")
    defs = build_definitions(settings)
    job = defs.resolve_job_def("build_warehouse")
    with dg.DagsterInstance.ephemeral() as instance:
        assert job.execute_in_process(instance=instance).success
        with duckdb.connect(str(settings.db_path), read_only=True) as con:
            before = con.execute(
                "select fiscal_year, count(*), max(loaded_at) from marts.fct_performance_indicator group by 1"
            ).fetchall()
        run_config = {"ops": {"ingest_documents": {"config": {"paths": [str(XIAOYI)]}}}}
        assert job.execute_in_process(instance=instance, run_config=run_config).success
    # the second build of the same warehouse reused the parse of the first
    log = (dbt_state(settings.db_path) / "last_build" / "dbt.log").read_text(encoding="utf-8")
    assert "Unable to do partial parsing" not in log
    with duckdb.connect(str(settings.db_path), read_only=True) as con:
        after = dict(
            ((year, (n, stamp)) for year, n, stamp in con.execute(
                "select fiscal_year, count(*), max(loaded_at) from marts.fct_performance_indicator group by 1"
            ).fetchall())
        )
        lines = con.execute("select count(*), count(distinct final_account_line_id) from marts.fct_final_account_line").fetchone()
    (year, count, stamp), = before
    assert year == 2020 and after[2020] == (count, stamp)  # the 2020 rows were left as they were
    assert after[2024][0] == 153  # the 16 Xiaoyi reports' indicators
    assert lines == (209, 209)


INCREMENTAL_FACTS = (
    "fct_final_account_line", "fct_performance_indicator", "fct_narrative_fact", "fct_project_budget",
    "fct_project_evaluation", "fct_three_public_expenses", "fct_department_expenditure", "fct_department_summary",
)


def _load(db, corpus):
    from ingest.load import load
    from ingest.pipeline import ingest_paths

    with duckdb.connect(str(db)) as con:
        load(con, ingest_paths([corpus], workers=1))


def _dbt_build(db, target, *extra):
    """dbt's build, told what changed as a warehouse build tells it."""
    from orchestration.assets.dbt import changes_env, dbt_build_args
    from orchestration.changes import build_changes
    from tests.models.dbt_cli import BIN, run_in_project

    with duckdb.connect(str(db), read_only=True) as con:
        told = changes_env(build_changes(con))
    return run_in_project([str(BIN / "dbt"), *dbt_build_args(), *extra, "--profiles-dir", ".", "--target-path", str(target)],
                          db, told)


def _facts(db):
    with duckdb.connect(str(db), read_only=True) as con:
        return {t: con.execute(f"select * from marts.{t} order by all").fetchall() for t in INCREMENTAL_FACTS}


def _findings(db):
    with duckdb.connect(str(db), read_only=True) as con:
        return con.execute(
            "select * exclude (run_at) from audit.integrity_violation order by all"
        ).fetchall()


def test_facts_built_year_by_year_equal_a_full_rebuild(tmp_path):
    """Years arriving one run at a time, a backfilled earlier year included (the year after it gains
    its comparison), give the same facts as one build from scratch; the integrity rules, reading
    each time the years loaded since they last ran, find what they find reading every year."""
    from demo.generator import generate
    from expectations.audit import check_and_record

    db = tmp_path / "w.duckdb"
    years_read = []
    for step, year in enumerate((2023, 2024, 2022)):
        corpus = tmp_path / f"corpus{year}"
        # the same counties each year, with inconsistencies planted for the rules to find
        generate(corpus, 2, (year, year), seed=3, error_rate=0.3, departments=3)
        _load(db, corpus)
        built = _dbt_build(db, tmp_path / f"t{step}")
        assert built.returncode == 0, built.stdout[-3000:]
        years_read.append(check_and_record(db, since_last_check=True).fiscal_years)
    assert years_read == [None, {2024, 2025}, {2022, 2023}]
    by_increments = _facts(db)
    found_by_years = _findings(db)
    check_and_record(db)
    assert _findings(db) == found_by_years
    # planted and found, a rule across documents among them: the comparison is not of empty sets
    assert {row[0] for row in found_by_years} >= {"PB002", "X002"}
    with duckdb.connect(str(db), read_only=True) as con:
        compared = con.execute(
            "select count(*) filter (where previous_expenditure_total_yuan is not null), count(*) "
            "from marts.fct_department_summary where fiscal_year = 2023"
        ).fetchone()
    assert compared[0] == compared[1] > 0  # the backfilled 2022 reached the 2023 rows

    # documents read anew (a parser change) as another year leave their old year's facts: one of
    # 2024's, and every document of 2022, a year then left with none
    with duckdb.connect(str(db)) as con:
        moved, = con.execute(
            "select document_id from marts.fct_performance_indicator where fiscal_year = 2024 "
            "order by document_id limit 1"
        ).fetchone()
        reread = "parser = parser || '+', loaded_at = loaded_at + interval 1 day"
        con.execute(f"update raw.documents set fiscal_year = 2023, {reread} where document_id = ?", [moved])
        con.execute(f"update raw.documents set fiscal_year = 2021, {reread} where fiscal_year = 2022")
    built = _dbt_build(db, tmp_path / "moved")
    assert built.returncode == 0, built.stdout[-3000:]
    by_increments = _facts(db)
    with duckdb.connect(str(db), read_only=True) as con:
        left = {t: con.execute(
            f"select count(*) filter (where document_id = ? and fiscal_year = 2024), "
            f"count(*) filter (where fiscal_year = 2022), count(*) filter (where fiscal_year = 2021) "
            f"from marts.{t}", [moved]).fetchone() for t in INCREMENTAL_FACTS}
    assert all(old == [0, 0] for *old, _ in left.values()), left
    assert all(new_year > 0 for *_, new_year in left.values()), left

    rebuilt = _dbt_build(db, tmp_path / "full", "--full-refresh")
    assert rebuilt.returncode == 0, rebuilt.stdout[-3000:]
    assert _facts(db) == by_increments
    assert all(by_increments[t] for t in INCREMENTAL_FACTS)


def test_data_tests_read_what_changed_since_the_last_passed_build(tmp_path):
    db = tmp_path / "w.duckdb"
    _load(db, SHANXI_2020)
    assert _dbt_build(db, tmp_path / "t1").returncode == 0
    with duckdb.connect(str(db)) as con:
        marks = con.execute("select loaded_through from audit.build_checked").fetchall()
        assert marks == con.execute("select max(loaded_at) from raw.documents").fetchall()
        # a repeated indicator line among documents that passed before ...
        con.execute("insert into raw.indicator_lines select * from raw.indicator_lines limit 1")

    # ... is not read again by an ordinary build, whose tests read the documents loaded since
    assert _dbt_build(db, tmp_path / "t2").returncode == 0
    # a full refresh checks every row, and a build that fails records nothing
    full = _dbt_build(db, tmp_path / "t3", "--full-refresh")
    assert full.returncode != 0 and "unique_stg_raw__indicator_lines_indicator_line_id" in full.stdout
    with duckdb.connect(str(db)) as con:
        assert con.execute("select count(*) from audit.build_checked").fetchone()[0] == 2
        # the same repeat in a newly loaded document is found by an ordinary build
        con.execute("update raw.documents set loaded_at = loaded_at + interval 1 day")
    from orchestration.changes import build_changes

    with duckdb.connect(str(db), read_only=True) as con:
        told = build_changes(con)
    assert told["changed_years"] == [2020, 2021]  # the year loaded since, and the year after it
    again = _dbt_build(db, tmp_path / "t4")
    assert again.returncode != 0 and "unique_stg_raw__indicator_lines_indicator_line_id" in again.stdout
    # the build's data tests read the years it was told, and the documents loaded since its mark
    with duckdb.connect(str(db), read_only=True) as con:
        scopes = dict(con.execute("select scope, condition from audit.tests_scope").fetchall())
        loaded = [r[0] for r in con.execute("select document_id from raw.documents order by 1").fetchall()]
    assert scopes["changed_years"] == "fiscal_year_partition in (2020, 2021)"
    assert scopes["loaded_documents"] == "document_id in (" + ", ".join(f"'{d}'" for d in loaded) + ")"
