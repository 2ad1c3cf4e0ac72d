"""The dbt project as Dagster assets; every dbt node's naming lives in one translator."""

import os
import shutil
import sys
import time
from collections.abc import Iterator, Mapping
from contextlib import contextmanager
from functools import cached_property
from pathlib import Path
from typing import Any
from unittest.mock import patch

import dagster as dg
from dagster_dbt import DagsterDbtTranslator, DbtCliResource, DbtProject, dbt_assets
from packaging import version

from ingest.limits import BUILD_DUCKDB_MEMORY, duckdb_memory
from orchestration.lock import dbt_state
from orchestration.progress import Ticker
from orchestration.resources import WRITER_POOL, WarehouseResource
from orchestration.settings import DBT_PROJECT_DIR

dbt_project = DbtProject(project_dir=DBT_PROJECT_DIR, profiles_dir=DBT_PROJECT_DIR)
dbt_project.prepare_if_dev()


class FiscalDbtTranslator(DagsterDbtTranslator):
    """Asset keys follow the warehouse: raw/<table> for sources, <schema>/<model> for models and seeds."""

    def get_asset_key(self, dbt_resource_props: Mapping[str, Any]) -> dg.AssetKey:
        if dbt_resource_props["resource_type"] == "source":
            return dg.AssetKey([dbt_resource_props["source_name"], dbt_resource_props["name"]])
        schema = dbt_resource_props.get("config", {}).get("schema") or "main"
        return dg.AssetKey([schema, dbt_resource_props["name"]])

    def get_group_name(self, dbt_resource_props: Mapping[str, Any]) -> "str | None":
        if dbt_resource_props["resource_type"] == "source":
            return "raw"
        return dbt_resource_props.get("config", {}).get("schema") or "dbt"


# What a build leaves as it is when the warehouse was last built from the same dbt project: its
# views (SQL the database runs when read) and its seeds (the project's own tables). Their data
# tests still run.
KEPT_WHEN_UNCHANGED = ["--exclude", "resource_type:seed config.materialized:view", "--indirect-selection", "empty"]


def dbt_build_args(full_refresh: bool = False, select: str | None = None, project_unchanged: bool = False) -> list[str]:
    """The dbt command line for a warehouse build: models, seeds and data tests; without the views
    and seeds when the project is unchanged since the warehouse's last build (`project_unchanged`).
    The unit tests check the models' SQL against fixed inputs, not the data: the test suite runs
    them (`dbt test --select test_type:unit`), a warehouse build does not."""
    # dbt's own log file at info, not debug: the debug log is megabytes of SQL per build
    args = ["build", "--exclude-resource-type", "unit_test", "--log-level-file", "info"]
    if full_refresh:
        args.append("--full-refresh")
    elif project_unchanged:
        args += KEPT_WHEN_UNCHANGED
    if select:
        args += ["--select", select]
    return args


# What a build is told changed (`orchestration.changes.build_changes`), by environment variable
# rather than `--vars`: dbt keys its parse cache on the vars, and the changes differ every build.
# The macros read them only while running (macros/changed_fiscal_years.sql), never while parsing.
CHANGES_ENV = {"changed_years": "FISCAL_CHANGED_YEARS", "changed_since_us": "FISCAL_CHANGED_SINCE_US"}


def changes_env(changes: Mapping[str, Any] | None) -> dict[str, str]:
    """The environment that tells a dbt build `changes`; unset, the build reads every year."""
    if not changes:
        return {}
    return {CHANGES_ENV["changed_years"]: ",".join(str(int(y)) for y in sorted(changes["changed_years"])),
            CHANGES_ENV["changed_since_us"]: str(int(changes["changed_since_us"]))}


@contextmanager
def _dbt_env(db_path: Path, changes: Mapping[str, Any] | None = None) -> Iterator[None]:
    """What the dbt subprocess is told of this run's warehouse: the file its profile opens
    (FISCAL_DB), the memory DuckDB may take there (FISCAL_DBT_MEMORY), the warehouse's own folder
    for dbt's artifacts, log and parse cache (DBT_TARGET_PATH, which dagster-dbt also reads for the
    folder of each build and the parse cache to start from), and what changed since its last
    passed build (`changes_env`)."""
    env = {"FISCAL_DB": str(db_path), "FISCAL_DBT_MEMORY": duckdb_memory(BUILD_DUCKDB_MEMORY),
           "DBT_TARGET_PATH": str(dbt_state(db_path)), **changes_env(changes)}
    with patch.dict(os.environ, env):
        for name in set(CHANGES_ENV.values()) - set(env):
            os.environ.pop(name, None)
        yield


class DbtBuildConfig(dg.Config):
    full_refresh: bool = False


@dbt_assets(
    manifest=dbt_project.manifest_path,
    project=dbt_project,
    dagster_dbt_translator=FiscalDbtTranslator(),
    pool=WRITER_POOL,
)
def warehouse_models(context: dg.AssetExecutionContext, config: DbtBuildConfig, dbt: DbtCliResource, warehouse: WarehouseResource):
    if warehouse.engine == "spark":
        yield from _build_on_spark(context, dbt, warehouse)
        return
    from expectations.suite import preload_in_background

    # the integrity checks come next: their imports load while dbt's own process does the work
    preload_in_background()
    from orchestration.changes import build_changes
    from orchestration.last_run import built_from, sources_digest

    with warehouse.connect() as con:
        changes = build_changes(con)
        unchanged = built_from(con, sources_digest(Path(warehouse.sources), warehouse.engine))
        rebuilt = config.full_refresh
        if not config.full_refresh:
            for table in drop_tables_built_whole(con, manifest()):
                context.log.info(f"{table}: built whole by an earlier version; rebuilt in full this time")
                rebuilt = True
        if rebuilt:
            from expectations.audit import forget_checks

            # facts rebuilt from scratch: the integrity rules read every year next, not the new ones only
            forget_checks(con)
    args = dbt_build_args(full_refresh=config.full_refresh, project_unchanged=unchanged)
    with _dbt_env(Path(warehouse.db_path), changes):
        if getattr(dbt, "in_process", False):
            yield from _build_in_process(context, Path(warehouse.db_path), args)
        else:
            yield from _stream(dbt.cli(args, context=context))


def _stream(invocation):
    """A dbt invocation's events, a result per model, seed and test as dbt finishes it."""
    ticker, nodes = Ticker("dbt build"), 0
    try:
        for event in invocation.stream():
            nodes += 1
            ticker.tick(lambda: f"{nodes} models and tests done")
            yield event
    finally:
        keep_as_last_build(Path(invocation.target_path))
    ticker.done(f"{nodes} models and tests")


def _build_in_process(context, db_path: Path, args: list[str]):
    """The build by the process's own dbt (orchestration/dbt_inprocess.py): no dbt process to start
    and no project to parse, for a process that serves many runs."""
    from dagster_dbt.errors import DagsterDbtCliRuntimeError

    from orchestration.dbt_inprocess import asset_events, runner

    state = dbt_state(db_path)
    target = state / "in-process"
    ticker, nodes = Ticker("dbt build"), 0

    def heard(_event) -> None:
        nonlocal nodes
        nodes += 1
        ticker.tick(lambda: f"{nodes} models and tests done")

    try:
        outcome = runner().build(args, state, target, heard)
        yield from asset_events(outcome.events, manifest(), FiscalDbtTranslator(), context, target, dbt_project)
    finally:
        keep_as_last_build(target)
    ticker.done(f"{nodes} models and tests")
    if not outcome.success:
        detail = "; ".join(outcome.errors[:3]) or str(outcome.exception or f"see {state / LAST_BUILD / 'dbt.log'}")
        raise DagsterDbtCliRuntimeError(description=f"dbt build failed: {detail}")


def _build_on_spark(context, dbt: DbtCliResource, warehouse: WarehouseResource):
    """The same build with dbt-spark (orchestration/spark.py): in full, every model over the raw
    Parquet the ingest landed; then the warehouse's marts are views of the tables Spark built."""
    from expectations.audit import forget_checks
    from orchestration import spark

    db_path = Path(warehouse.db_path)
    with _dbt_env(db_path), patch.dict(os.environ, spark.spark_env(db_path)):
        yield from _stream(dbt.cli(dbt_build_args(full_refresh=True) + ["--target", spark.profile_target()], context=context))
    with warehouse.connect() as con:
        spark.attach_marts(con, db_path, spark.mart_names(manifest()))
        forget_checks(con)


LAST_BUILD = "last_build"


def keep_as_last_build(run_target: Path) -> None:
    """dbt writes each build's artifacts (manifest, run results, compiled SQL, log) to a folder of its
    own in the warehouse's dbt folder; keep the latest as `last_build` there and drop the rest, so
    that they do not pile up run after run. Its parse cache becomes the warehouse's."""
    if not run_target.is_dir():
        return
    # dbt's parse cache is keyed on the profile, which names the warehouse file: the cache this build
    # left is the one the next build of the same warehouse reuses (dagster-dbt seeds each build from
    # partial_parse.msgpack in the folder above it)
    parsed = run_target / "partial_parse.msgpack"
    if parsed.is_file():
        staged = run_target.parent / "partial_parse.msgpack.next"
        shutil.copyfile(parsed, staged)
        os.replace(staged, run_target.parent / "partial_parse.msgpack")
    kept = run_target.parent / LAST_BUILD
    shutil.rmtree(kept, ignore_errors=True)
    run_target.rename(kept)
    # a build killed before it could tidy up leaves its folder behind: gone once it is a day old
    day_ago = time.time() - 86_400
    for stale in run_target.parent.glob(f"{run_target.name.split('-')[0]}-*"):
        if stale.is_dir() and stale.stat().st_mtime < day_ago:
            shutil.rmtree(stale, ignore_errors=True)


def manifest() -> Mapping[str, Any]:
    """The dbt manifest, as dagster-dbt read it for these assets (it keeps it, read once)."""
    from dagster_dbt.dbt_manifest import validate_manifest

    return validate_manifest(dbt_project.manifest_path)


def drop_tables_built_whole(con, manifest: Mapping[str, Any]) -> list[str]:
    """Drop each incremental model's table that lacks the column its increments are keyed on (a table
    an earlier version rebuilt whole every time): dbt then builds it in full once, and by increments
    after that. Returns the tables dropped."""
    nodes = manifest["nodes"].values()
    keyed = {
        (node["schema"], node["alias"]): node["config"]["unique_key"]
        for node in nodes
        if node["resource_type"] == "model" and node["config"].get("materialized") == "incremental"
        and isinstance(node["config"].get("unique_key"), str)
    }
    columns: dict[tuple[str, str], set[str]] = {}
    for schema, table, column in con.execute(
        "select table_schema, table_name, column_name from information_schema.columns"
    ).fetchall():
        columns.setdefault((schema, table), set()).add(column)
    dropped = []
    for (schema, table), key in sorted(keyed.items()):
        if (schema, table) in columns and key not in columns[(schema, table)]:
            con.execute(f'drop table "{schema}"."{table}"')
            dropped.append(f"{schema}.{table}")
    return dropped


class FiscalDbtCli(DbtCliResource):
    """dbt's command line, without two things dagster-dbt does in this process before each run:

    - open a dbt adapter: it only serves dagster-dbt's optional column and row-count metadata, which
      these assets do not fetch, and costs a couple of seconds of imports and profile loading;
    - run `dbt --version` in a subprocess (another couple of seconds) to learn the version of the
      dbt beside this interpreter, which is the dbt-core package installed here.
    """

    # dbt run in this process, its project parsed once for the process's life (`fiscal serve`),
    # instead of a dbt process per build
    in_process: bool = False

    def _initialize_dbt_core_adapter(self, args):
        return None

    @cached_property
    def _cli_version(self) -> version.Version:
        if Path(self.dbt_executable) in (_LOCAL_DBT, _BOUND_DBT):
            from importlib.metadata import version as installed

            return version.parse(installed("dbt-core"))
        return super()._cli_version


_LOCAL_DBT = Path(sys.prefix) / "bin" / "dbt"
# dbt through a launcher that has it killed with the process that started it (orchestration/bin)
_BOUND_DBT = Path(__file__).resolve().parent.parent / "bin" / "dbt-bound"


def dbt_resource(in_process: bool = False) -> DbtCliResource:
    """The dbt installed beside this interpreter, so a run works without the virtualenv on PATH;
    started so that it dies with the command that started it, where `setpriv` can arrange that.
    `in_process`: dbt runs in this process instead (a process that serves many runs)."""
    dbt = str(_LOCAL_DBT) if _LOCAL_DBT.exists() else (shutil.which("dbt") or "dbt")
    if shutil.which("setpriv") and os.access(_BOUND_DBT, os.X_OK):
        os.environ["FISCAL_DBT"] = dbt
        return FiscalDbtCli(project_dir=dbt_project, dbt_executable=str(_BOUND_DBT), in_process=in_process)
    return FiscalDbtCli(project_dir=dbt_project, dbt_executable=dbt, in_process=in_process)
