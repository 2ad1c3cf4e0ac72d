"""The dbt project's own checks: SQL style (sqlfluff with the dbt templater) and generated docs."""
import json

from tests.models.dbt_cli import BIN, run_in_project


def _run(args, tmp_path):
    return run_in_project(args, tmp_path / "lint.duckdb")


def _project_target():
    """What the project's own dbt folders hold (the manifest `make setup` parses, and its log), with
    mtimes."""
    from orchestration.settings import DBT_PROJECT_DIR

    return {p: p.stat().st_mtime_ns for folder in ("target", "logs") for p in (DBT_PROJECT_DIR / folder).rglob("*")
            if p.is_file()}


def test_models_pass_sqlfluff(tmp_path):
    before = _project_target()
    result = _run([str(BIN / "sqlfluff"), "lint", "models", "--format", "json", "--nocolor"], tmp_path)
    # the dbt templater parsed and logged into the test's folder, not into the source tree
    assert _project_target() == before
    assert (tmp_path / "dbt-target" / "partial_parse.msgpack").is_file()
    report = json.loads(result.stdout[result.stdout.index("["):])
    problems = [
        f"{f['filepath']}:{v['start_line_no']} {v['code']} {v['description']}" for f in report for v in f["violations"]
    ]
    assert problems == []
    assert len(report) >= 20  # every model was linted


def test_docs_generate(tmp_path):
    target = tmp_path / "docs"
    result = _run([str(BIN / "dbt"), "docs", "generate", "--profiles-dir", ".", "--target-path", str(target)], tmp_path)
    assert result.returncode == 0, result.stdout[-2000:]
    catalog = json.loads((target / "catalog.json").read_text(encoding="utf-8"))
    manifest = json.loads((target / "manifest.json").read_text(encoding="utf-8"))
    assert "model.fiscal.fct_department_summary" in manifest["nodes"]
    assert (target / "index.html").exists()
    assert isinstance(catalog["nodes"], dict)


def test_unit_tests_pass(tmp_path):
    """The models' unit tests (fixed inputs, expected outputs written by hand in the YAML) run here,
    not in every warehouse build. dbt takes their column types from the relations upstream: an empty
    build (seeds and models, no rows) makes those first."""
    import duckdb

    from ingest.load import ensure_raw_schema

    with duckdb.connect(str(tmp_path / "lint.duckdb")) as con:
        ensure_raw_schema(con)
    empty = _run([str(BIN / "dbt"), "build", "--empty", "--resource-type", "seed", "--resource-type", "model", "--profiles-dir", ".", "--target-path", str(tmp_path / "empty")], tmp_path)
    assert empty.returncode == 0, empty.stdout[-3000:]
    target = tmp_path / "unit"
    result = _run([str(BIN / "dbt"), "test", "--select", "test_type:unit", "--profiles-dir", ".", "--target-path", str(target)],
                  tmp_path)
    assert result.returncode == 0, result.stdout[-3000:]
    results = json.loads((target / "run_results.json").read_text(encoding="utf-8"))["results"]
    unit = [r for r in results if r["unique_id"].startswith("unit_test.")]
    assert len(unit) >= 7 and all(r["status"] == "pass" for r in unit)


def test_dbt_sources_declare_the_raw_tables_ingest_writes():
    """The raw schema is defined once, in ingest/load.py; the dbt sources state the same tables
    and columns with the same types, so a column added on one side and not the other fails here."""
    from pathlib import Path

    import yaml

    from ingest.load import RAW_SCHEMAS, duck_type

    sources = Path(__file__).resolve().parents[2] / "dbt_project" / "models" / "staging" / "_raw__sources.yml"
    [raw] = yaml.safe_load(sources.read_text(encoding="utf-8"))["sources"]
    declared = {t["name"]: [(c["name"], c["data_type"]) for c in t["columns"]] for t in raw["tables"]}
    assert declared == {table: [(f.name, duck_type(f.type)) for f in schema] for table, schema in RAW_SCHEMAS.items()}


def test_the_docs_site_is_one_page_of_every_model_with_its_descriptions(tmp_path):
    """`make docs` (dbt docs generate --static): one self-contained page, the manifest and the
    catalogue inside it, every mart and its descriptions there."""
    import duckdb

    from ingest.load import ensure_raw_schema

    with duckdb.connect(str(tmp_path / "lint.duckdb")) as con:
        ensure_raw_schema(con)
    built = _run([str(BIN / "dbt"), "build", "--empty", "--resource-type", "seed", "--resource-type", "model",
                  "--profiles-dir", ".", "--target-path", str(tmp_path / "empty")], tmp_path)
    assert built.returncode == 0, built.stdout[-3000:]
    docs = tmp_path / "docs"
    result = _run([str(BIN / "dbt"), "docs", "generate", "--static", "--profiles-dir", ".", "--target-path", str(docs)],
                  tmp_path)
    assert result.returncode == 0, result.stdout[-3000:]
    page = (docs / "static_index.html").read_text(encoding="utf-8")
    for mart in ("fct_project_budget", "fct_published_table", "region_comparison", "dim_document"):
        assert f"model.fiscal.{mart}" in page
    assert "summing every row counts the project" in page  # the total-row trap, where a query writer reads
    assert '<script src="http' not in page and '<link href="http' not in page  # nothing fetched from elsewhere
