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
    corpus = generate(tmp_path, 3, (2023, 2024), seed=5, error_rate=0.3, departments=4)
    stored = json.loads((tmp_path / "truth.json").read_text(encoding="utf-8"))
    truth = {t["file"]: t for t in stored["projects"]}
    accounts = {t["file"]: t for t in stored["final_accounts"]}
    assert len(truth) == len(corpus.projects) and {t["fiscal_year"] for t in truth.values()} == {2023, 2024}
    assert len(accounts) == 3 * 4 * 2  # one final accounts per county, department and year
    budgets = {t["file"]: t for t in stored["budgets"]}
    assert len(budgets) == len(accounts) and len(corpus.budgets) == len(budgets)
    assert any(t["planted"] for t in truth.values())
    documents = ingest_paths([tmp_path]).documents
    assert len(documents) == corpus.documents
    for p in documents:
        name = p.document.source_file.rsplit("/", 1)[-1]
        if name in accounts:
            t, d = accounts[name], p.document
            assert (d.status, d.is_synthetic, d.doc_type, d.fiscal_year, d.region.adcode, d.department) == (
                "loaded", True, "final_accounts", t["fiscal_year"], t["adcode"], t["county"] + t["department"])
            cells = {(c.table_code, c.row_label, c.column_label): c.amount_yuan for c in p.statements.lines}
            wan = Decimal(100)  # truth is kept in 0.01 万元, i.e. 100 yuan
            assert cells[("03", "合计", "基本支出")] == t["basic"] * wan
            assert cells[("03", "合计", "项目支出")] == t["project"] * wan
            assert cells[("01", "本年支出合计", "支出/金额")] == t["total"] * wan
            # project spending in the accounts is the sum of that year's project reports, to the printed unit
            executed = sum(Decimal(x["executed_yuan"]) for x in truth.values()
                           if (x["adcode"], x["department"], x["fiscal_year"]) == (t["adcode"], t["department"], t["fiscal_year"]))
            assert abs(t["project"] * wan - executed) <= 50 * t["project_count"]
        if name in budgets:
            t, d = budgets[name], p.document
            assert (d.status, d.is_synthetic, d.doc_type, d.fiscal_year, d.region.adcode, d.department) == (
                "loaded", True, "department_budget", t["fiscal_year"], t["adcode"], t["county"] + t["department"])
            cells = {(c.table_code, c.row_key or c.row_label, c.column_label): c.amount_yuan for c in p.statements.lines}
            wan = Decimal(100)
            assert cells[("03", "total", "基本支出")] == t["basic"] * wan
            assert cells[("03", "total", "项目支出")] == t["project"] * wan
            assert cells[("01", "income_grand_total", "收入/金额")] == t["total"] * wan
            [stated] = [f for f in p.statements.facts if f.kind == "growth"]
            assert stated.current_yuan - stated.change_yuan == t["previous_total"] * wan
    for p in (p for p in documents if p.document.source_file.rsplit("/", 1)[-1] in truth):
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


def test_the_rules_find_every_planted_inconsistency(synthetic_warehouse):
    import duckdb

    generated, folder = synthetic_warehouse["corpus"], synthetic_warehouse["folder"]
    with duckdb.connect(str(synthetic_warehouse["settings"].db_path), read_only=True) as con:
        flagged = set(con.execute(
            "select d.source_file, v.rule_id from audit.integrity_violation v join marts.dim_document d using (document_id) "
            "where v.severity <> 'info'"
        ).fetchall())
        synthetic = con.execute("select count(*), count(*) filter (where is_synthetic) from marts.dim_document").fetchone()
    assert synthetic == (generated.documents, generated.documents)
    rule_for = {"total_not_sum": "PE002", "rate_mismatch": "PB001", "full_marks_below_target": "PI003",
                "share_mismatch": "N002", "sources_not_sum": "PB002"}
    from demo.budgets import PLANTS as BUDGET_PLANTS

    rule_for.update(BUDGET_PLANTS)
    planted = {(str(folder / p.file), rule_for[kind])
               for p in generated.projects + generated.accounts + generated.budgets for kind in p.planted}
    assert planted and planted <= flagged
    assert any(p.planted for p in generated.accounts) and any(b.planted for b in generated.budgets)
    # clean budgets pass every budget identity (B rules) and narrative rule, whatever their execution
    clean_budgets = {str(folder / b.file) for b in generated.budgets if not b.planted}
    assert not {(f, r) for f, r in flagged if f in clean_budgets and (r.startswith("B") or r.startswith("N"))}
    # clean final accounts pass every final-accounts identity (F rules) and every narrative rule
    clean = {str(folder / a.file) for a in generated.accounts if not a.planted}
    assert not {(f, r) for f, r in flagged if f in clean and (r.startswith("F") or r.startswith("N"))}
