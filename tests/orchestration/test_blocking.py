"""Money that does not add up (an error) stops the report; warnings do not."""
import os
import subprocess
import sys

import dagster as dg

from orchestration.build import build_definitions
from orchestration.settings import Settings
from tests.conftest import SHANXI_2020, XIAOYI

# Table 01's expenditure total printed 10万元 too high: F2 and F3 fail as errors
TAMPERED = XIAOYI.read_text(encoding="utf-8").replace(
    "<b>总计</b>\t<b>31</b>\t<b>1649.56</b>\t<b>总计</b>\t<b>62</b>\t<b>1649.56</b>",
    "<b>总计</b>\t<b>31</b>\t<b>1649.56</b>\t<b>总计</b>\t<b>62</b>\t<b>1659.56</b>",
)


def test_error_findings_block_the_report(tmp_path):
    assert "1659.56" in TAMPERED
    inbox = tmp_path / "in"
    inbox.mkdir()
    (inbox / "xiaoyi_tampered.txt").write_text(TAMPERED, encoding="utf-8")
    settings = Settings(db_path=tmp_path / "w.duckdb", out_dir=tmp_path / "reports", inputs=(inbox,), inbox=tmp_path / "i")
    defs = build_definitions(settings)
    with dg.DagsterInstance.ephemeral() as instance:
        result = defs.resolve_job_def("annual_rollup").execute_in_process(
            instance=instance, partition_key="2024", raise_on_error=False
        )
    assert not result.success
    failed = [e for e in result.get_asset_check_evaluations() if not e.passed]
    assert any(e.check_name == "integrity_rules_fct_final_account_line" and e.severity == dg.AssetCheckSeverity.ERROR
               for e in failed)
    materialized = {e.asset_key.to_user_string() for e in result.get_asset_materialization_events()}
    assert "reports/yearly_comparison" not in materialized
    assert "marts/fct_final_account_line" in materialized
    assert not (settings.out_dir / "2024").exists()

    # a later build that adds a sound document of another year reads only that year, and the 2024
    # errors it did not read again still block
    with dg.DagsterInstance.ephemeral() as instance:
        later = defs.resolve_job_def("build_warehouse").execute_in_process(
            instance=instance, raise_on_error=False,
            run_config={"ops": {"ingest_documents": {"config": {"paths": [str(SHANXI_2020)]}}}},
        )
    (check,) = [e for e in later.get_asset_check_evaluations() if e.check_name == "integrity_rules_fct_final_account_line"]
    assert check.metadata["fiscal_years_read"].value == "2020, 2021"
    assert not check.passed and check.severity == dg.AssetCheckSeverity.ERROR and check.metadata["errors"].value == 2

    # the command line says so, prints what it found, and exits non-zero
    env = {k: v for k, v in os.environ.items() if not k.startswith("FISCAL_")}
    cli = subprocess.run(
        [sys.executable, "-m", "orchestration.cli", "run", "--input", str(inbox), "--db", str(tmp_path / "cli.duckdb"),
         "--out", str(tmp_path / "cli_reports")],
        capture_output=True, text=True, env=env, timeout=600,
    )
    assert cli.returncode == 1
    assert "violations: error 2," in cli.stdout
    assert "error-level integrity violations block the reports" in cli.stderr
    assert not (tmp_path / "cli_reports" / "2024").exists()
