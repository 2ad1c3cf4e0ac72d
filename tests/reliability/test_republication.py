"""A corrected re-publication: the newer version wins, the older stays visible as superseded."""
import dagster as dg
import duckdb

from orchestration.build import build_definitions
from orchestration.settings import Settings
from tests.conftest import SHANXI_2020

FIRST_TABLE = SHANXI_2020.read_text(encoding="utf-8").splitlines()[:34]


def version(date: str, total: str) -> str:
    lines = list(FIRST_TABLE)
    year_line = next(i for i, line in enumerate(lines) if "年度" in line)
    lines.insert(year_line + 1, f"发布日期：{date}")
    text = "\n".join(lines)
    assert "\t100\t70.11" in text
    return text.replace("\t100\t70.11", f"\t100\t{total}")


def test_newer_version_wins(tmp_path):
    inbox = tmp_path / "in"
    inbox.mkdir()
    # the corrected version is written first: the stated publication date decides, not the file order
    (inbox / "a_corrected.txt").write_text(version("2021-06-30", "75.25"), encoding="utf-8")
    (inbox / "b_original.txt").write_text(version("2021-05-01", "70.11"), encoding="utf-8")
    settings = Settings(db_path=tmp_path / "w.duckdb", out_dir=tmp_path / "r", inputs=(inbox,), inbox=tmp_path / "i")
    defs = build_definitions(settings)
    with dg.DagsterInstance.ephemeral() as instance:
        assert defs.resolve_job_def("build_warehouse").execute_in_process(instance=instance, raise_on_error=False).success
    with duckdb.connect(str(settings.db_path), read_only=True) as con:
        docs = {
            row[0].rsplit("/", 1)[-1]: row[1:]
            for row in con.execute(
                "select source_file, status, published_on, superseded_by, document_id from marts.dim_document"
            ).fetchall()
        }
        evaluations = con.execute(
            "select project_name, total_score_reported from marts.fct_project_evaluation"
        ).fetchall()
    corrected, original = docs["a_corrected.txt"], docs["b_original.txt"]
    assert corrected[:3] == ("loaded", "2021-06-30", None)
    assert original[:3] == ("superseded", "2021-05-01", corrected[3])
    assert [(name, float(total)) for name, total in evaluations] == [("营商环境评估费", 75.25)]


def test_what_a_path_holds_now_is_current_a_reverted_file_included(tmp_path):
    """Change a figure, run; restore the original bytes, run: the original figure is served again."""
    import os

    inbox = tmp_path / "in"
    inbox.mkdir()
    report = inbox / "report.txt"
    settings = Settings(db_path=tmp_path / "w.duckdb", out_dir=tmp_path / "r", inputs=(inbox,), inbox=tmp_path / "i")
    defs = build_definitions(settings)
    original = version("2021-05-01", "70.11")
    served = []
    for step, text in enumerate((original, version("2021-05-01", "75.25"), original)):
        report.write_text(text, encoding="utf-8")
        os.utime(report, (1_700_000_000 + step * 3600, 1_700_000_000 + step * 3600))
        with dg.DagsterInstance.ephemeral() as instance:
            assert defs.resolve_job_def("build_warehouse").execute_in_process(instance=instance, raise_on_error=False).success
        with duckdb.connect(str(settings.db_path), read_only=True) as con:
            served.append(con.execute("select total_score_reported from marts.fct_project_evaluation").fetchall())
            statuses = con.execute("select status, count(*) from marts.dim_document group by 1 order by 1").fetchall()
    assert [[float(t) for (t,) in rows] for rows in served] == [[70.11], [75.25], [70.11]]
    assert statuses == [("loaded", 1), ("superseded", 1)]  # the edited version stays visible, superseded
