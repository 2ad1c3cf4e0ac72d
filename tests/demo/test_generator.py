"""The synthetic province: deterministic, marked synthetic, and read back as its truth says."""
import json
from decimal import Decimal

from demo.generator import counties_of, generate
from ingest.pipeline import ingest_paths


def _bytes(folder):
    return {p.name: p.read_bytes() for p in sorted(folder.iterdir())}


def test_same_seed_same_documents(tmp_path):
    generate(tmp_path / "a", 2, (2023, 2024), seed=7)
    generate(tmp_path / "b", 2, (2023, 2024), seed=7)
    generate(tmp_path / "c", 2, (2023, 2024), seed=8)
    assert _bytes(tmp_path / "a") == _bytes(tmp_path / "b")
    assert _bytes(tmp_path / "a") != _bytes(tmp_path / "c")


def test_counties_are_real_ones():
    codes = dict(counties_of("山西省"))
    assert codes["141181"] == "孝义市" and all(code.startswith("14") for code in codes)


def test_generated_documents_read_back_as_their_truth(tmp_path):
    projects = generate(tmp_path, 3, (2023, 2024), seed=5, error_rate=0.3)
    truth = {t["file"]: t for t in json.loads((tmp_path / "truth.json").read_text(encoding="utf-8"))}
    assert len(truth) == len(projects) and {t["fiscal_year"] for t in truth.values()} == {2023, 2024}
    assert any(t["planted"] for t in truth.values())
    parsed = [p for p in ingest_paths([tmp_path]).documents if not p.document.source_file.endswith("truth.json")]
    assert len(parsed) == len(truth)
    for p in parsed:
        d, r = p.document, p.report
        t = truth[d.source_file.rsplit("/", 1)[-1]]
        assert (d.status, d.is_synthetic, d.fiscal_year, d.region.adcode, d.department, d.project_name) == (
            "loaded", True, t["fiscal_year"], t["adcode"], t["county"] + t["department"], t["project_name"],
        )
        total = r.budget_lines[0]
        assert (total.budget_initial_yuan, total.budget_adjusted_yuan, total.executed_yuan) == (
            Decimal(t["initial_yuan"]), Decimal(t["adjusted_yuan"]), Decimal(t["executed_yuan"]),
        )
        assert total.execution_rate * 100 == Decimal(t["printed_rate"])
        assert [(i.indicator_name, i.weight, i.score_reported) for i in r.indicators] == [
            (i["name"], Decimal(i["weight"]), Decimal(i["score"])) for i in t["indicators"]
        ]
        assert (r.evaluation.total_score_reported, r.evaluation.grade_reported) == (Decimal(t["total_score"]), t["grade"])


def test_the_rules_find_every_planted_inconsistency(tmp_path):
    import dagster as dg
    import duckdb

    from orchestration.build import build_definitions
    from orchestration.settings import Settings

    corpus = tmp_path / "corpus"
    projects = generate(corpus, 2, (2024, 2024), seed=11, error_rate=0.5)
    settings = Settings(db_path=tmp_path / "w.duckdb", out_dir=tmp_path / "r", inputs=(corpus,), inbox=tmp_path / "i")
    with dg.DagsterInstance.ephemeral() as instance:
        build_definitions(settings).resolve_job_def("build_warehouse").execute_in_process(instance=instance, raise_on_error=False)
    with duckdb.connect(str(settings.db_path), read_only=True) as con:
        flagged = set(con.execute(
            "select d.source_file, v.rule_id from audit.integrity_violation v join marts.dim_document d using (document_id) "
            "where v.severity <> 'info'"
        ).fetchall())
        synthetic = con.execute("select count(*), count(*) filter (where is_synthetic) from marts.dim_document").fetchone()
    assert synthetic == (len(projects), len(projects))
    rule_for = {"total_not_sum": "PE002", "rate_mismatch": "PB001", "full_marks_below_target": "PI003"}
    planted = {(str(corpus / p.file), rule_for[kind]) for p in projects for kind in p.planted}
    assert planted and planted <= flagged
