"""What a run is from, and when the warehouse already holds what a run would make of it."""
import shutil
from datetime import datetime, timezone

import duckdb

from orchestration import last_run
from orchestration.settings import PROJECT_ROOT
from tests.conftest import SAMPLES, SHANXI_2020, XIAOYI


def _inputs(tmp_path):
    folder = tmp_path / "inbox"
    folder.mkdir()
    shutil.copy(SHANXI_2020, folder)
    shutil.copy(XIAOYI, folder)
    return folder


def test_a_runs_basis_changes_with_what_the_ingest_would_read_and_nothing_else(tmp_path):
    folder = _inputs(tmp_path)
    out, registry = folder / "reports", tmp_path / "sources.yml"

    def basis():
        return last_run.basis([folder], [out], registry)

    first = basis()
    assert basis() == first
    # what the ingest leaves out leaves the basis as it is: corpus notes, hidden files, the reports
    (folder / "MANIFEST.md").write_text("说明", encoding="utf-8")
    (folder / ".partial.txt").write_text("x", encoding="utf-8")
    out.mkdir()
    (out / "yearly_comparison_2024.html").write_text("<html></html>", encoding="utf-8")
    assert basis() == first
    # a file changed or added is new input; what turns files into records is not
    copy = folder / SHANXI_2020.name
    copy.write_text(copy.read_text(encoding="utf-8") + "\n", encoding="utf-8")
    changed = basis()
    assert changed.inputs != first.inputs and changed.sources == first.sources
    shutil.copy(SAMPLES / "jiangxi_quannan_2021_hall_operations_evaluation_report.txt", folder)
    assert basis().inputs not in (first.inputs, changed.inputs)


def test_a_runs_basis_changes_with_each_rule_vocabulary_parser_and_registry(tmp_path, monkeypatch):
    folder = _inputs(tmp_path)
    rules = tmp_path / "rules"
    shutil.copytree(PROJECT_ROOT / "expectations" / "rules", rules / "rules")
    shutil.copytree(PROJECT_ROOT / "ingest" / "vocabulary", rules / "vocabulary")
    monkeypatch.setattr(last_run, "RULES_AND_VOCABULARIES", (rules / "rules", rules / "vocabulary"))
    registry = tmp_path / "sources.yml"

    def sources():
        return last_run.basis([folder], [], registry).sources

    seen = {sources()}
    rule = sorted((rules / "rules").glob("*.sql"))[0]
    rule.write_text(rule.read_text(encoding="utf-8") + "\n-- tightened\n", encoding="utf-8")
    seen.add(sources())
    vocabulary = rules / "vocabulary" / "budget.yml"
    vocabulary.write_text(vocabulary.read_text(encoding="utf-8") + "\n# another province's titles\n", encoding="utf-8")
    seen.add(sources())
    registry.write_text("sources: []\n", encoding="utf-8")
    seen.add(sources())
    from ingest import known

    monkeypatch.setattr(known, "CURRENT_PARSERS", known.CURRENT_PARSERS | {"final_accounts@next"})
    seen.add(sources())
    model = tmp_path / "fct_new.sql"
    model.write_text("select 1", encoding="utf-8")
    monkeypatch.setattr(last_run, "dbt_sources", lambda: [model])
    seen.add(sources())
    model.write_text("select 2", encoding="utf-8")
    seen.add(sources())
    assert len(seen) == 7


def test_a_load_since_the_last_run_or_another_basis_is_something_to_do(tmp_path):
    basis = last_run.RunBasis(inputs="a" * 64, sources="b" * 64)
    with duckdb.connect(str(tmp_path / "w.duckdb")) as con:
        assert last_run.unchanged_since(con, basis) is None  # no run recorded
        con.execute("create schema raw")
        con.execute("create table raw.documents (document_id varchar, loaded_at timestamptz)")
        con.execute("insert into raw.documents values ('d1', ?)", [datetime(2026, 5, 1, tzinfo=timezone.utc)])
        last_run.record(con, basis)
        since = last_run.unchanged_since(con, basis)
        assert since is not None and since.year >= 2026
        assert last_run.unchanged_since(con, last_run.RunBasis(inputs="c" * 64, sources=basis.sources)) is None
        assert last_run.unchanged_since(con, last_run.RunBasis(inputs=basis.inputs, sources="c" * 64)) is None
        # `fiscal ingest` loaded a document since: the build and the reports are behind it
        con.execute("insert into raw.documents values ('d2', ?)", [datetime(2026, 5, 2, tzinfo=timezone.utc)])
        assert last_run.unchanged_since(con, basis) is None
        last_run.record(con, basis)  # one record, the latest
        assert con.execute(f"select count(*) from {last_run.LAST_RUN}").fetchone()[0] == 1
        assert last_run.unchanged_since(con, basis) is not None
