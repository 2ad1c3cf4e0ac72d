"""Approval dates (批复) declared in the source registry: checked when the registry is read, kept in
raw.approvals, and the publications judged against them by the 20-day rule."""
from datetime import date

import duckdb
import pytest

from ingest.registry import RegistryError, load_registry

REGISTRY = """\
sources: []
approvals:
  - {region: "310107", fiscal_year: 2024, doc_type: final_accounts, approved_on: 2025-06-10}
  - {region: "310107", fiscal_year: 2024, doc_type: final_accounts, approved_on: 2025-06-25, department: 上海市普陀区财政局}
  - {region: "32", fiscal_year: 2019, doc_type: department_budget, approved_on: "2019-01-30", note: 省人大批准}
"""


def test_the_registry_reads_approvals_and_names_the_file_and_entry_of_a_bad_one(tmp_path):
    path = tmp_path / "sources.yml"
    path.write_text(REGISTRY, encoding="utf-8")
    approvals = load_registry(path).approvals
    assert [(a.region, a.fiscal_year, a.doc_type, a.approved_on, a.department) for a in approvals] == [
        ("310107", 2024, "final_accounts", date(2025, 6, 10), None),
        ("310107", 2024, "final_accounts", date(2025, 6, 25), "上海市普陀区财政局"),
        ("32", 2019, "department_budget", date(2019, 1, 30), None),
    ]
    for entry, message in (
        ("{region: '32', fiscal_year: 2019, doc_type: budget, approved_on: 2019-01-30}", "doc_type must be one of department_budget, final_accounts"),
        ("{region: '32', fiscal_year: 2019, doc_type: final_accounts, approved_on: 30/01/2019}", "approved_on must be a date"),
        ("{region: '32', fiscal_year: 2019, doc_type: final_accounts, approved_on: 2023-06-01}", "approved_on 2023-06-01 is not within a year of the fiscal year 2019"),
        ("{region: '999999', fiscal_year: 2019, doc_type: final_accounts, approved_on: 2020-06-01}", "region '999999' is not"),
        ("{region: '32', doc_type: final_accounts, approved_on: 2020-06-01}", "needs fiscal_year"),
        ("{region: '32', fiscal_year: 2019, doc_type: final_accounts, approved_on: 2020-06-01, when: now}", "unknown field"),
    ):
        path.write_text(f"approvals:\n  - {entry}\n", encoding="utf-8")
        with pytest.raises(RegistryError, match=f"{path}: approval 1: {message}"):
            load_registry(path)
    twice = "approvals:\n" + "  - {region: '32', fiscal_year: 2019, doc_type: final_accounts, approved_on: 2020-06-01}\n" * 2
    path.write_text(twice, encoding="utf-8")
    with pytest.raises(RegistryError, match="final_accounts 2019 for 32 is listed twice"):
        load_registry(path)


def test_approvals_are_written_once_and_a_change_names_the_years_it_touches(tmp_path):
    from dataclasses import replace

    from ingest.approvals import write_approvals
    from ingest.load import ensure_raw_schema

    path = tmp_path / "sources.yml"
    path.write_text(REGISTRY, encoding="utf-8")
    approvals = load_registry(path).approvals
    with duckdb.connect(str(tmp_path / "w.duckdb")) as con:
        ensure_raw_schema(con)
        assert write_approvals(con, approvals) == {2024, 2019}
        assert write_approvals(con, approvals) == set()  # the same registry again changes nothing
        assert con.execute("select count(*) from raw.approvals").fetchone()[0] == 3
        moved = (replace(approvals[0], approved_on=date(2025, 6, 12)), *approvals[1:])
        assert write_approvals(con, moved) == {2024}
        assert write_approvals(con, moved[1:]) == {2024}  # removed
        assert write_approvals(con, ()) == {2024, 2019}
        assert con.execute("select count(*) from raw.approvals").fetchone()[0] == 0


@pytest.mark.parametrize("published, approved, said", [
    ("2025-06-20", date(2025, 6, 10), "按时：批复后第 10 日公开"),
    ("2025-06-30", date(2025, 6, 10), "按时：批复后第 20 日公开"),
    ("2025-07-01", date(2025, 6, 10), "逾期：批复后第 21 日公开"),
    ("2025-08", date(2025, 6, 10), "逾期：批复后第 52–82 日公开"),
    ("2025-06", date(2025, 6, 20), "按时：批复后 10 日内公开"),
    ("2025-07", date(2025, 6, 20), "无法判定：公开日期只载明月份（批复后第 11–41 日）"),
    ("2025-06-01", date(2025, 6, 10), "公开日期早于批复日期（2025-06-10），请核对"),
    ("2025-06-20", None, "批复日期未登记，20 日时限无法核对"),
    (None, date(2025, 6, 10), "公开日期未载明"),
])
def test_the_twenty_day_rule_counts_from_the_approval(published, approved, said):
    from reporting.queries import deadline

    assert deadline(published, approved) == said
