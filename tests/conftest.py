import contextlib
import tempfile
from pathlib import Path

import pytest
from hypothesis import settings
from hypothesis.configuration import set_hypothesis_home_dir

# the property tests keep no example database and their caches outside the project: nothing a test
# does writes into the source tree
set_hypothesis_home_dir(tempfile.mkdtemp(prefix="fiscal-hypothesis-"))
settings.register_profile("suite", database=None)
settings.load_profile("suite")

ROOT = Path(__file__).resolve().parent.parent
SAMPLES = ROOT / "data" / "samples"
XIAOYI = SAMPLES / "shanxi_xiaoyi_2024_final_accounts_and_project_self_evaluations.txt"
SHANXI_2020 = SAMPLES / "shanxi_province_2020_project_self_evaluation_tables.txt"


def pytest_sessionstart(session):
    # The dbt assets read the manifest when their module is imported: make it current first, once,
    # before any parallel worker starts (a worker finds it current).
    if hasattr(session.config, "workerinput"):
        return
    from orchestration.cli import _ensure_manifest

    _ensure_manifest()


@pytest.fixture(scope="session")
def xiaoyi_lines() -> list[str]:
    return XIAOYI.read_text(encoding="utf-8").splitlines()


@pytest.fixture(scope="session")
def built_warehouse(tmp_path_factory):
    """The whole asset graph materialized headless on the samples, into a temporary DuckDB file."""
    import dagster as dg

    from orchestration.build import build_definitions
    from orchestration.settings import Settings

    base = tmp_path_factory.mktemp("warehouse")
    settings = Settings(db_path=base / "fiscal.duckdb", out_dir=base / "reports", inputs=(SAMPLES,), inbox=base / "inbox")
    defs = build_definitions(settings)
    with dg.DagsterInstance.ephemeral() as instance:
        build = defs.resolve_job_def("build_warehouse").execute_in_process(instance=instance, raise_on_error=False)
        report = defs.resolve_job_def("yearly_report").execute_in_process(
            instance=instance, partition_key="2024", raise_on_error=False
        )
    with _unchanged(settings.db_path):
        yield {"settings": settings, "build": build, "report": report, "defs": defs}


def _digest(db_path: Path) -> str:
    import hashlib

    with open(db_path, "rb") as f:
        return hashlib.file_digest(f, "sha256").hexdigest()


@contextlib.contextmanager
def _unchanged(db_path: Path):
    """A session's built warehouse is read by many tests and none may write it (a test that changes
    a warehouse works on `warehouse_copy`), so that no test depends on the order the others run in:
    the file is the same at the end of the session as when it was built."""
    built = _digest(db_path)
    yield
    assert _digest(db_path) == built, f"{db_path}: a test wrote the shared warehouse; use warehouse_copy"


@pytest.fixture
def warehouse_copy(built_warehouse, tmp_path):
    """The built warehouse of the samples copied for one test that changes it: the DuckDB file, dbt's
    state beside it, and the reports; with its own settings and definitions."""
    import shutil
    from dataclasses import replace

    from orchestration.build import build_definitions
    from orchestration.lock import dbt_state

    built = built_warehouse["settings"]
    settings = replace(built, db_path=tmp_path / built.db_path.name, out_dir=tmp_path / "reports", inbox=tmp_path / "inbox")
    shutil.copyfile(built.db_path, settings.db_path)
    shutil.copytree(dbt_state(built.db_path), dbt_state(settings.db_path), symlinks=True)
    shutil.copytree(built.out_dir, settings.out_dir)
    return {"settings": settings, "defs": build_definitions(settings)}


@pytest.fixture(scope="session")
def synthetic_warehouse(tmp_path_factory):
    """A small generated province (3 counties, 2023–2024, planted inconsistencies) built through the
    asset graph, with the 2024 report written."""
    import dagster as dg

    from demo.generator import generate
    from orchestration.build import build_definitions
    from orchestration.settings import Settings

    base = tmp_path_factory.mktemp("synthetic")
    corpus = generate(base / "corpus", 3, (2023, 2024), seed=11, error_rate=0.3)
    settings = Settings(db_path=base / "w.duckdb", out_dir=base / "reports", inputs=(base / "corpus",), inbox=base / "inbox")
    defs = build_definitions(settings)
    with dg.DagsterInstance.ephemeral() as instance:
        build = defs.resolve_job_def("build_warehouse").execute_in_process(instance=instance, raise_on_error=False)
        report = defs.resolve_job_def("yearly_report").execute_in_process(
            instance=instance, partition_key="2024", raise_on_error=False
        )
    # the planted errors block the scheduled rollup; the report, asked for on its own, marks them
    assert not build.success and report.success
    with _unchanged(settings.db_path):
        yield {"settings": settings, "corpus": corpus, "folder": base / "corpus"}


_BUILDS = {"built_warehouse", "synthetic_warehouse"}


def pytest_collection_modifyitems(items):
    """A test that reads a built warehouse is marked `warehouse` (the fast tier leaves it out). The
    tests of one built warehouse run in the same worker when the suite runs in parallel
    (`--dist loadgroup`), so that each warehouse is built once."""
    for item in items:
        builds = sorted(_BUILDS & set(getattr(item, "fixturenames", ())))
        if builds:
            item.add_marker(pytest.mark.warehouse)
            item.add_marker(pytest.mark.xdist_group(builds[0]))
