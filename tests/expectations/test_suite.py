"""Great Expectations over DuckDB: a correct table passes, a broken one names its failing row."""
from dataclasses import replace
from decimal import Decimal

import duckdb
import pytest

from expectations.audit import check_and_record
from expectations.catalogue import default_rules, load_rules

PB001 = tuple(r for r in default_rules() if r.id == "PB001")
from expectations.suite import validate

COLUMNS = """
    document_id varchar, source_file varchar, location varchar, project_name varchar,
    fund_source varchar, fund_source_label varchar, budget_adjusted_yuan decimal(18,2),
    executed_yuan decimal(18,2), execution_rate decimal(12,6), execution_rate_decimals integer
"""
ROWS = [
    ("d1", "a.txt", "line 10", "营商环境评估费", "total", "年度资金总额", Decimal("16500000"), Decimal("7903500"), Decimal("0.479"), 1),
    ("d1", "a.txt", "line 11", "营商环境评估费", "central", "中央财政资金", Decimal("0"), Decimal("0"), Decimal("0"), 0),
    ("d2", "b.txt", "line 42", "物业管理费", "total", "年度资金总额", Decimal("11344700"), Decimal("11344600"), Decimal("1"), 0),
    ("d3", "c.txt", "line 833", "刻制印章", "total", "合计", Decimal("119936"), Decimal("119936"), Decimal("1"), 0),
]


def make_warehouse(path, rows):
    with duckdb.connect(str(path)) as con:
        con.execute("create schema marts")
        con.execute(f"create table marts.fct_project_budget ({COLUMNS})")
        con.executemany("insert into marts.fct_project_budget values (?, ?, ?, ?, ?, ?, ?, ?, ?, ?)", rows)
    return path


def test_correct_table_passes_with_every_row_checked(tmp_path):
    db = make_warehouse(tmp_path / "ok.duckdb", ROWS)
    (result,) = validate(db, PB001).results
    assert result.exception is None
    assert result.success
    # GE's metrics came back from DuckDB: the row count is real, not an empty result
    assert result.rows_checked == len(ROWS)
    assert result.violations == ()


def test_planted_error_is_reported_with_its_row(tmp_path):
    broken = list(ROWS)
    broken[3] = broken[3][:8] + (Decimal("0.9"), 0)
    db = make_warehouse(tmp_path / "broken.duckdb", broken)
    (result,) = validate(db, PB001).results
    assert not result.success
    (violation,) = result.violations
    assert violation["document_id"] == "d3"
    assert (violation["source_file"], violation["location"]) == ("c.txt", "line 833")
    assert (violation["expected"], violation["actual"], violation["difference"]) == ("1.000000", "0.900000", "-0.100000")
    assert violation["severity"] == "warning"
    assert "执行率" in violation["message"]


def test_ge_releases_the_duckdb_file(tmp_path):
    db = make_warehouse(tmp_path / "lock.duckdb", ROWS)
    validate(db, PB001)
    with duckdb.connect(str(db)) as con:  # a writer can open the file right after
        con.execute("create table marts.after_ge as select 1 as x")


def test_a_rule_that_cannot_run_is_reported_and_does_not_break_the_others(tmp_path):
    db = make_warehouse(tmp_path / "rules.duckdb", ROWS)
    good = PB001[0]
    bad = replace(good, id="BAD1", sql="select no_such_column from {{ batch }}")
    run = validate(db, (bad, good))
    by_id = {r.rule.id: r for r in run.results}
    assert by_id["BAD1"].exception and "no_such_column" in by_id["BAD1"].exception
    assert not by_id["BAD1"].success
    assert by_id[good.id].success and by_id[good.id].rows_checked == len(ROWS)


def test_all_failing_rows_reach_the_audit_table_beyond_ge_sample(tmp_path):
    many = [
        (f"d{i}", "x.txt", f"line {i}", f"p{i}", "total", "合计", Decimal("100"), Decimal("50"), Decimal("1"), 0)
        for i in range(250)
    ]
    db = make_warehouse(tmp_path / "many.duckdb", many)
    run = check_and_record(db, rules=PB001)
    assert len(run.results[0].violations) == 250
    with duckdb.connect(str(db)) as con:
        assert con.execute("select count(*) from audit.integrity_violation where rule_id = 'PB001'").fetchone()[0] == 250
        assert con.execute("select rows_checked, violations, warnings from audit.integrity_run").fetchall() == [(250, 250, 250)]


def test_recording_twice_replaces_the_findings(tmp_path):
    broken = list(ROWS)
    broken[3] = broken[3][:8] + (Decimal("0.9"), 0)
    db = make_warehouse(tmp_path / "twice.duckdb", broken)
    check_and_record(db, rules=PB001)
    check_and_record(db, rules=PB001)
    with duckdb.connect(str(db)) as con:
        assert con.execute("select count(*) from audit.integrity_violation").fetchone()[0] == 1
        assert con.execute("select count(*) from audit.integrity_run").fetchone()[0] == 1


def _catalogue(folder, rows, queries):
    (folder / "rules").mkdir(parents=True)
    header = "id,applies_to,severity,unit,description_zh,description_en,tolerance\n"
    (folder / "rules.csv").write_text(header + "".join(r + "\n" for r in rows), encoding="utf-8")
    for name, sql in queries.items():
        (folder / "rules" / f"{name}.sql").write_text(sql, encoding="utf-8")
    return folder / "rules.csv"


@pytest.mark.parametrize("rows, queries, message", [
    (["X1,t,error,元,a,b,c"], {"X1": "select 1"}, "X1: the query must select from"),
    (["X1,t,error,元,a,b,c"], {}, "X1: no query file"),
    (["X1,t,fatal,元,a,b,c"], {"X1": "select * from {{ batch }}"}, "X1: severity must be one of"),
    (["X1,t,error,万元,a,b,c"], {"X1": "select * from {{ batch }}"}, "X1: unit must be one of"),
    (["X1,t,error,元,a,b,c"], {"X1": "select * from {{ batch }}", "X2": "select * from {{ batch }}"}, "without a catalogue row: X2"),
    (["X1,t,error,元,a,b,c"], {"X1": "select 'error' as severity from {{ batch }}"}, "X1: the query states a severity"),
])
def test_catalogue_rejects_what_would_make_two_sources(tmp_path, rows, queries, message):
    with pytest.raises(ValueError, match=message):
        load_rules(_catalogue(tmp_path, rows, queries))


def test_severity_comes_from_the_catalogue_and_the_band_alone(tmp_path):
    """One query, judged by the runner: inside its band info, beyond it the catalogue's severity,
    and a difference of zero passes."""
    query = ("select document_id, source_file, location, project_name as entity, '0' as expected, '0' as actual,\n"
             "    cast(executed_yuan - budget_adjusted_yuan as varchar) as difference, 1.00 as band, 'm' as message\n"
             "from {{ batch }}")
    db = make_warehouse(tmp_path / "band.duckdb", ROWS)
    for severity in ("error", "warning"):
        (rule,) = load_rules(_catalogue(tmp_path / severity, [f"Y1,fct_project_budget,{severity},元,a,b,c"], {"Y1": query}))
        found = {v["document_id"]: (v["difference"], v["severity"]) for v in validate(db, (rule,)).results[0].violations}
        # d1: 8,596,500 short; d2: 100 short; d3: exact (passes)
        assert found == {"d1": ("-8596500.00", severity), "d2": ("-100.00", severity)}
    wide = query.replace("1.00 as band", "100.00 as band")
    (rule,) = load_rules(_catalogue(tmp_path / "wide", ["Y1,fct_project_budget,error,元,a,b,c"], {"Y1": wide}))
    found = {v["document_id"]: v["severity"] for v in validate(db, (rule,)).results[0].violations}
    assert found == {"d1": "error", "d2": "info"}


def test_data_docs_are_written(tmp_path):
    broken = list(ROWS)
    broken[3] = broken[3][:8] + (Decimal("0.9"), 0)
    db = make_warehouse(tmp_path / "docs.duckdb", broken)
    check_and_record(db, rules=PB001, docs_dir=tmp_path / "data_docs")
    index = (tmp_path / "data_docs" / "index.html").read_text(encoding="utf-8")
    assert "integrity_fct_project_budget" in index
    pages = list((tmp_path / "data_docs" / "validations").rglob("*.html"))
    assert len(pages) == 1 and "fct_project_budget" in pages[0].name


def test_rule_queries_pass_sqlfluff():
    """The rules' SQL is linted like the models (expectations/.sqlfluff)."""
    import json
    import subprocess
    import sys
    from pathlib import Path

    folder = Path(__file__).resolve().parents[2] / "expectations"
    result = subprocess.run([str(Path(sys.prefix) / "bin" / "sqlfluff"), "lint", "rules", "--format", "json", "--nocolor"],
                            cwd=folder, capture_output=True, text=True, timeout=600)
    report = json.loads(result.stdout[result.stdout.index("["):])
    problems = [f"{f['filepath']}:{v['start_line_no']} {v['code']} {v['description']}" for f in report for v in f["violations"]]
    assert problems == []
    assert len(report) == len(default_rules())  # every rule was linted
