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
    bad = replace(good, id="BAD1", sql="select no_such_column from {batch}")
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


def test_catalogue_rejects_rules_without_batch(tmp_path):
    bad = tmp_path / "rules.yml"
    bad.write_text(
        "rules:\n  - {id: X1, applies_to: t, severity: error, description_zh: a, description_en: b, tolerance: c, sql: select 1}\n",
        encoding="utf-8",
    )
    with pytest.raises(ValueError, match="X1"):
        load_rules(bad)


def test_data_docs_are_written(tmp_path):
    broken = list(ROWS)
    broken[3] = broken[3][:8] + (Decimal("0.9"), 0)
    db = make_warehouse(tmp_path / "docs.duckdb", broken)
    check_and_record(db, rules=PB001, docs_dir=tmp_path / "data_docs")
    index = (tmp_path / "data_docs" / "index.html").read_text(encoding="utf-8")
    assert "integrity_fct_project_budget" in index
    pages = list((tmp_path / "data_docs" / "validations").rglob("*.html"))
    assert len(pages) == 1 and "fct_project_budget" in pages[0].name
