"""Incremental facts: adding a year's documents rebuilds that year only and never duplicates rows."""
import dagster as dg
import duckdb

from orchestration.build import build_definitions
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
