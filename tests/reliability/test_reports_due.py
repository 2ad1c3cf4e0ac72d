"""Reports are part of a run's outcome: a report its run could not write stays due in the
warehouse, and the next run writes it, though nothing changed in between; no temporary file stays."""
import os
import subprocess
import sys

import duckdb
from openpyxl import load_workbook

from tests.conftest import SHANXI_2020

ENV = {k: v for k, v in os.environ.items() if not k.startswith("FISCAL_")}
TEXT = SHANXI_2020.read_text(encoding="utf-8")


def fiscal(*args):
    return subprocess.run([sys.executable, "-m", "orchestration.cli", *args], capture_output=True, text=True, env=ENV,
                          timeout=600)


def _scores(xlsx):
    sheet = load_workbook(xlsx)["项目明细"]
    column = [c.value for c in sheet[1]].index("自评总分")
    return sorted(row[column] for row in sheet.iter_rows(min_row=2, values_only=True))


def test_a_report_its_run_could_not_write_is_written_by_the_next(tmp_path):
    corpus, db, out = tmp_path / "in", tmp_path / "w.duckdb", tmp_path / "reports"
    corpus.mkdir()
    report = corpus / "tables.txt"
    report.write_text(TEXT, encoding="utf-8")
    args = ("run", "--input", str(corpus), "--db", str(db), "--out", str(out))
    assert fiscal(*args).returncode == 0
    xlsx = out / "2020" / "yearly_comparison_2020.xlsx"
    assert _scores(xlsx) == [70.11, 78.75]

    # a corrected figure, and a report that cannot be written this time
    report.write_text(TEXT.replace("\t100\t70.11", "\t100\t75.25"), encoding="utf-8")
    blocker = out / "2020" / "yearly_comparison_2020.xlsx.tmp"
    blocker.mkdir()
    failed = fiscal(*args)
    assert failed.returncode != 0
    assert _scores(xlsx) == [70.11, 78.75]  # the old report, still there
    with duckdb.connect(str(db), read_only=True) as con:
        assert (2020,) in con.execute("select fiscal_year from audit.reports_due").fetchall()

    # nothing changed since: the report is written all the same, and no temporary file is left
    blocker.rmdir()
    (out / "2020" / "yearly_comparison_2020.html.tmp").write_text("left by a writer that was stopped")
    again = fiscal(*args)
    assert again.returncode == 0, again.stderr[-2000:]
    assert _scores(xlsx) == [75.25, 78.75]
    assert not list(out.rglob("*.tmp"))
    with duckdb.connect(str(db), read_only=True) as con:
        assert con.execute("select fiscal_year from audit.reports_due where fiscal_year = 2020").fetchall() == []
