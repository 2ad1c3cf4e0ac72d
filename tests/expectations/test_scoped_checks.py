"""A build's integrity check reads the fiscal years loaded since the rules last ran, and keeps the rest."""
from dataclasses import replace
from datetime import datetime, timedelta, timezone
from decimal import Decimal

import duckdb

from expectations.audit import check_and_record, forget_checks
from expectations.catalogue import default_rules
from tests.expectations.test_suite import COLUMNS

PB001 = tuple(r for r in default_rules() if r.id == "PB001")
FIRST_LOAD = datetime(2026, 1, 5, tzinfo=timezone.utc)


def _row(document_id, year, rate):
    """A project's total line, executed 50 of 100: a printed rate of 0.5 is right, anything else is a finding."""
    return (document_id, f"{document_id}.txt", "line 7", f"项目{document_id}", "total", "合计", Decimal("100"),
            Decimal("50"), Decimal(rate), 1, year)


def _warehouse(path):
    with duckdb.connect(str(path)) as con:
        con.execute("create schema raw")
        con.execute("create table raw.documents (document_id varchar, fiscal_year integer, loaded_at timestamptz)")
        con.execute("create schema marts")
        con.execute(f"create table marts.fct_project_budget ({COLUMNS}, fiscal_year_partition integer)")
    return path


def _add(path, rows, loaded_at):
    with duckdb.connect(str(path)) as con:
        for row in rows:
            con.execute("insert into raw.documents values (?, ?, ?)", [row[0], row[-1], loaded_at])
            con.execute("insert into marts.fct_project_budget values (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)", list(row))


def _findings(path):
    with duckdb.connect(str(path), read_only=True) as con:
        return sorted(r[0] for r in con.execute("select document_id from audit.integrity_violation").fetchall())


def test_a_build_check_reads_the_new_years_and_keeps_the_other_findings(tmp_path):
    db = _warehouse(tmp_path / "w.duckdb")
    _add(db, [_row("a", 2020, "0.5"), _row("b", 2020, "0.9")], FIRST_LOAD)
    first = check_and_record(db, rules=PB001, since_last_check=True)
    assert first.fiscal_years is None  # never checked: every year
    assert _findings(db) == ["b"]

    # a new year arrives; meanwhile a 2020 row went wrong without its document being loaded again
    _add(db, [_row("c", 2021, "0.7"), _row("d", 2021, "0.5")], FIRST_LOAD + timedelta(days=30))
    with duckdb.connect(str(db)) as con:
        con.execute("update marts.fct_project_budget set execution_rate = 0.8 where document_id = 'a'")

    run = check_and_record(db, rules=PB001, since_last_check=True)
    assert run.fiscal_years == {2021, 2022}  # the year loaded, and the one after it
    (result,) = run.results
    assert result.rows_checked == 2 and [v["document_id"] for v in result.violations] == ["c"]
    assert _findings(db) == ["b", "c"]  # 2020's finding stays; 2020 was not read again
    # what the warehouse holds counts, not only what this run read
    assert run.counts()["warning"] == 1 and run.warehouse_counts()["warning"] == 2
    with duckdb.connect(str(db), read_only=True) as con:
        assert con.execute("select rows_checked, violations, fiscal_years from audit.integrity_run").fetchall() == [
            (2, 2, "2021,2022")
        ]

    # nothing loaded since: nothing read, nothing lost
    quiet = check_and_record(db, rules=PB001, since_last_check=True)
    assert quiet.fiscal_years == frozenset() and quiet.results[0].rows_checked == 0
    assert _findings(db) == ["b", "c"]

    # a check asked for by hand reads every year
    full = check_and_record(db, rules=PB001)
    assert full.fiscal_years is None and _findings(db) == ["a", "b", "c"]


def test_a_changed_rule_or_a_rebuilt_warehouse_is_checked_in_full(tmp_path):
    db = _warehouse(tmp_path / "w.duckdb")
    _add(db, [_row("a", 2020, "0.5")], FIRST_LOAD)
    check_and_record(db, rules=PB001)
    _add(db, [_row("b", 2021, "0.5")], FIRST_LOAD + timedelta(days=1))
    assert check_and_record(db, rules=PB001, since_last_check=True).fiscal_years == {2021, 2022}

    reworded = (replace(PB001[0], description_zh=PB001[0].description_zh + "（修订）"),)
    assert check_and_record(db, rules=reworded, since_last_check=True).fiscal_years is None
    assert check_and_record(db, rules=reworded, since_last_check=True).fiscal_years == frozenset()

    with duckdb.connect(str(db)) as con:
        forget_checks(con)  # the marts were rebuilt from scratch
    assert check_and_record(db, rules=reworded, since_last_check=True).fiscal_years is None


def test_a_rule_on_a_mart_not_kept_by_year_reads_every_year(tmp_path):
    db = _warehouse(tmp_path / "w.duckdb")
    _add(db, [_row("a", 2020, "0.9")], FIRST_LOAD)
    with duckdb.connect(str(db)) as con:
        con.execute("alter table marts.fct_project_budget drop column fiscal_year_partition")
    check_and_record(db, rules=PB001)
    with duckdb.connect(str(db)) as con:
        con.execute("insert into raw.documents values ('z', 2021, ?)", [FIRST_LOAD + timedelta(days=1)])
    run = check_and_record(db, rules=PB001, since_last_check=True)
    assert run.fiscal_years is None and _findings(db) == ["a"]


def test_a_cut_query_reads_every_named_mart_through_its_years():
    rule = next(r for r in default_rules() if r.id == "PE002")
    reading = {"marts.fct_performance_indicator": "in_years_fct_performance_indicator",
               "marts.fct_project_budget": "in_years_fct_project_budget"}
    sql = rule.query_for("in_years_fct_project_evaluation", reading)
    assert "marts." not in sql
    assert "from in_years_fct_performance_indicator" in sql and "from in_years_fct_project_budget" in sql
    assert "from in_years_fct_project_evaluation as e" in sql
