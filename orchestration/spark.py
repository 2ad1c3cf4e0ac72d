"""Apache Spark as the warehouse's engine (`--engine spark`), for a corpus larger than one machine.

The flow is the DuckDB engine's, step for step, with the heavy work on Spark:

- ingest: the files are parsed as Spark tasks over the list of files (`SparkTasks`); the records
  go through the same loader into the warehouse's raw schema, which decides once what is new and
  what a document replaces, and land as Parquet under the warehouse's Spark folder
  (`land_raw`: `<db>.spark/raw/<table>/`), which Spark reads as the raw tables;
- build: the same dbt project, with dbt-spark (profiles.yml, target `spark`), in full every time;
  the marts are Parquet tables at `<db>.spark/marts/<model>/` (macros/spark.sql, spark__create_schema);
- check: every integrity rule's query runs on Spark SQL over those marts (`validate`), its
  findings recorded in the warehouse's audit schema as the DuckDB engine records them;
- report and summary: the warehouse's `marts` schema holds a view of each Spark mart
  (`attach_marts`), so that the reports and every reader of the warehouse read Spark's rows.

Spark's settings are the dbt profile's (`session_parameters`): one place for both sessions. This
process's session never opens the Hive metastore dbt's session keeps (an embedded Derby database
one process at a time may hold); it reads the marts by their location instead.
"""
from __future__ import annotations

import os
import shutil
import sys
from collections.abc import Callable, Iterator
from datetime import datetime
from pathlib import Path
from typing import TYPE_CHECKING

import yaml

from orchestration.lock import spark_home
from orchestration.settings import DBT_PROJECT_DIR

if TYPE_CHECKING:
    import duckdb

    from expectations.catalogue import Rule
    from expectations.suite import SuiteRun
    from ingest.pipeline import Batch

PROFILE_TARGET = "spark"  # the dbt profile's output the Spark engine builds with
CONNECT_TARGET = "spark_connect"  # the one it builds with through a Spark Connect server
REMOTE_ENV = "FISCAL_SPARK_REMOTE"
HOME_ENV = "FISCAL_SPARK_HOME"  # tells dbt (profiles.yml, macros/spark.sql) where the warehouse's Spark folder is
MASTER_ENV = "FISCAL_SPARK_MASTER"
RAW = "raw"
MARTS = "marts"
REFERENCE = "reference"
# what only dbt's session opens: the metastore of the tables it builds
_METASTORE_KEYS = ("spark.hadoop.javax.jdo.", "spark.sql.catalogImplementation")
_session = None


LOG_CONFIG = Path(__file__).with_name("spark-log4j2.properties")  # what Spark's JVM logs


def spark_env(db_path: Path) -> dict[str, str]:
    """The environment that points dbt's Spark session at a warehouse's Spark folder."""
    return {HOME_ENV: str(spark_home(db_path)), "FISCAL_SPARK_LOG": str(LOG_CONFIG)}


def profile_target() -> str:
    """The dbt profile's target the engine builds with: a Spark Connect server's when
    FISCAL_SPARK_REMOTE names one (sc://host:port), else a session of this machine's or of the
    cluster FISCAL_SPARK_MASTER names."""
    return CONNECT_TARGET if os.environ.get(REMOTE_ENV) else PROFILE_TARGET


def session_parameters(db_path: Path) -> dict[str, str]:
    """The Spark settings of the dbt profile's target (`profile_target`), for a warehouse, as dbt
    renders them (`env_var` reads the environment, with FISCAL_SPARK_HOME the warehouse's Spark
    folder)."""
    import jinja2

    profile = yaml.safe_load((DBT_PROJECT_DIR / "profiles.yml").read_text(encoding="utf-8"))
    parameters = profile["fiscal"]["outputs"][profile_target()]["server_side_parameters"]
    environ = {**os.environ, **spark_env(db_path)}

    def env_var(name: str, default: str | None = None) -> str:
        if name in environ:
            return environ[name]
        if default is None:
            raise KeyError(f"profiles.yml: environment variable {name} is not set")
        return default

    templates = jinja2.Environment()
    return {key: templates.from_string(str(value)).render(env_var=env_var) for key, value in parameters.items()}


def session(db_path: Path):
    """This process's Spark session (one per process, made on first use), with the profile's
    settings but its metastore."""
    global _session
    if _session is None:
        from pyspark.sql import SparkSession

        # the tasks run this interpreter (its packages, the project) unless the cluster says otherwise
        os.environ.setdefault("PYSPARK_PYTHON", sys.executable)
        builder = SparkSession.builder.appName("fiscal")
        for key, value in session_parameters(db_path).items():
            if not key.startswith(_METASTORE_KEYS):
                builder = builder.config(key, value)
        _session = builder.getOrCreate()  # a Spark Connect client where the settings name a remote
        if not _is_connect(_session):
            _session.sparkContext.setLogLevel("ERROR")
    return _session


def _is_connect(spark) -> bool:
    return type(spark).__module__.startswith("pyspark.sql.connect")


class SparkTasks:
    """Parse chunks of files as Spark tasks (`ingest.pipeline.Tasks`): a wave of chunks, a few per
    core of the cluster, at a time, each wave's batches returned in order. The parsers are pure
    functions of a file, so an executor needs only the project installed and the files readable at
    the same path. Through the DataFrame API (a frame of chunks mapped in Arrow), so that a Spark
    Connect client runs them as a local session does."""

    def __init__(self, spark) -> None:
        self.spark = spark
        if _is_connect(spark):
            self.parallelism = max(1, int(spark.conf.get("spark.default.parallelism", "0") or 0)
                                   or int(spark.conf.get("spark.sql.shuffle.partitions", "2")))
        else:
            self.parallelism = max(1, spark.sparkContext.defaultParallelism)

    def __call__(self, parse: Callable[[list[Path]], "Batch"], chunks: list[list[Path]]) -> Iterator["Batch"]:
        import pickle

        import pyarrow as pa

        out = pa.schema([("chunk", pa.int32()), ("batch", pa.binary())])

        def run(frames):
            for frame in frames:
                numbers, payloads = frame.column("chunk").to_pylist(), frame.column("files").to_pylist()
                batches = [pickle.dumps(parse(pickle.loads(payload))) for payload in payloads]
                yield pa.RecordBatch.from_arrays([pa.array(numbers, pa.int32()), pa.array(batches, pa.binary())],
                                                 schema=out)

        wave = self.parallelism * 2
        for start in range(0, len(chunks), wave):
            part = chunks[start:start + wave]
            frame = self.spark.createDataFrame([(i, pickle.dumps(chunk)) for i, chunk in enumerate(part)],
                                               "chunk int, files binary").repartition(len(part))
            rows = frame.mapInArrow(run, "chunk int, batch binary").collect()
            for row in sorted(rows, key=lambda r: r["chunk"]):
                yield pickle.loads(row["batch"])


def land_raw(con: "duckdb.DuckDBPyConnection", db_path: Path) -> dict[str, int]:
    """Write every raw table of the warehouse as Parquet for Spark, `<db>.spark/raw/<table>/`, each
    table replacing its previous copy whole (written beside it, then swapped in). Returns the rows
    written per table."""
    from ingest.load import RAW_SCHEMAS, ensure_raw_schema

    ensure_raw_schema(con)
    root = spark_home(db_path) / RAW
    root.mkdir(parents=True, exist_ok=True)
    rows = {}
    for table in RAW_SCHEMAS:
        target, staged, old = root / table, root / f".{table}.new", root / f".{table}.old"
        shutil.rmtree(staged, ignore_errors=True)
        staged.mkdir()
        con.execute(f"copy (select * from {RAW}.{table}) to '{staged / 'part-0.parquet'}' (format parquet)")
        rows[table] = con.execute(f"select count(*) from {RAW}.{table}").fetchone()[0]
        shutil.rmtree(old, ignore_errors=True)
        if target.exists():
            target.rename(old)
        staged.rename(target)
        shutil.rmtree(old, ignore_errors=True)
    return rows


def location(db_path: Path, schema: str, name: str) -> Path:
    """Where dbt-spark keeps a mart or a seed: a folder in its schema's (macros/spark.sql, spark__create_schema)."""
    return spark_home(db_path) / schema / name


def attach_marts(con: "duckdb.DuckDBPyConnection", db_path: Path, marts: list[str]) -> None:
    """Make each mart of the warehouse's `marts` schema a view of the Parquet table Spark built
    (a DuckDB table of the same name from a DuckDB build gives way)."""
    con.execute(f"create schema if not exists {MARTS}")
    kinds = dict(con.execute(
        "select table_name, table_type from information_schema.tables where table_schema = ?", [MARTS]).fetchall())
    for mart in marts:
        files = str(_holding(db_path, MARTS, mart) / "**" / "*.parquet").replace("'", "''")
        if kinds.get(mart) == "BASE TABLE":
            con.execute(f'drop table {MARTS}."{mart}"')
        con.execute(f"create or replace view {MARTS}.\"{mart}\" as "
                    f"select * from read_parquet('{files}', hive_partitioning = true, union_by_name = true)")


def _holding(db_path: Path, schema: str, name: str) -> Path:
    """The folder of a table's Parquet: its own, or for a mart without rows (Spark writes no file of a
    partitioned table without rows), the empty file of its columns (macros/spark.sql, keep_schema)."""
    where = location(db_path, schema, name)
    if schema == MARTS and not any(where.glob("**/*.parquet")):
        return spark_home(db_path) / "schemas" / name
    return where


def mart_names(manifest) -> list[str]:
    """The models dbt builds in the marts schema."""
    return sorted(name for schema, name in tables(manifest) if schema == MARTS)


def tables(manifest) -> list[tuple[str, str]]:
    """What the rules may read, as (schema, name): the marts and the reference seeds."""
    return sorted((node["schema"], node["alias"]) for node in manifest["nodes"].values()
                  if (node["resource_type"], node["schema"]) in (("model", MARTS), ("seed", REFERENCE)))


def _register(spark, db_path: Path, relations: list[tuple[str, str]]) -> None:
    """The marts and seeds as tables of this session's own catalogue, over their Parquet, by the
    names the rules use (marts.<model>, reference.<seed>)."""
    held = {(schema, name): _holding(db_path, schema, name) for schema, name in relations}
    for (schema, name), where in held.items():
        if not any(where.glob("**/*.parquet")):
            raise FileNotFoundError(f"{where}: Spark has built no table {schema}.{name} here; "
                                    "run `fiscal build --engine spark` first")
    for schema in sorted({schema for schema, _ in relations}):
        spark.sql(f"create database if not exists {schema}")
    for (schema, name), where in held.items():
        table = f"{schema}.{name}"
        if spark.catalog.tableExists(table) and spark.catalog.getTable(table).tableType == "MANAGED":
            spark.sql(f"refresh table {table}")  # dbt's own, on a Spark Connect server: read as built
            continue
        spark.sql(f"drop table if exists {table}")  # this session's record of it, from an earlier check
        spark.sql(f"create table {table} using parquet location '{where}'")
        if any(column.isPartition for column in spark.catalog.listColumns(f"{schema}.{name}")):
            spark.sql(f"alter table {schema}.{name} recover partitions")  # the year folders dbt-spark wrote


def validate(db_path: Path, rules: tuple["Rule", ...], relations: list[tuple[str, str]]) -> "SuiteRun":
    """Every rule's query on Spark SQL, over every fiscal year: the same queries, and the same
    judgement of their rows (`catalogue.findings_query`), as the DuckDB engine's validation."""
    from datetime import timezone

    from expectations.suite import RuleResult, SuiteRun, finding

    spark = session(db_path)
    _register(spark, db_path, relations)
    run = SuiteRun(run_at=datetime.now(timezone.utc))
    counted: dict[str, int] = {}
    documents = f"{MARTS}.dim_document" if (MARTS, "dim_document") in relations else None
    for rule in rules:
        table = f"{MARTS}.{rule.applies_to}"
        try:
            if rule.applies_to not in counted:
                counted[rule.applies_to] = spark.table(table).count()
            rows = [row.asDict() for row in spark.sql(rule.query_for(table, None, documents, engine="spark")).collect()]
        except Exception as exc:  # a rule that cannot run is reported as such, never as passing
            run.results.append(RuleResult(rule=rule, success=False, rows_checked=counted.get(rule.applies_to, 0),
                                          violations=(), exception=str(exc).strip().splitlines()[0]))
            continue
        violations = tuple({**finding(row), "rule_id": rule.id} for row in rows)
        run.results.append(RuleResult(rule=rule, success=not violations, rows_checked=counted[rule.applies_to],
                                      violations=violations))
    return run


def check_and_record(db_path: Path, relations: list[tuple[str, str]] | None = None,
                     rules: tuple["Rule", ...] | None = None) -> "SuiteRun":
    """Validate the rules on Spark and record their findings in the warehouse's audit schema;
    the rules read `relations`, by default every mart and seed of the dbt project (`tables`)."""
    if relations is None:
        from orchestration.assets.dbt import manifest

        relations = tables(manifest())
    from expectations.audit import last_load, write_audit
    from expectations.catalogue import default_rules
    from ingest.limits import connect_duckdb

    rules = rules if rules is not None else default_rules()
    with connect_duckdb(db_path) as con:
        loaded_through = last_load(con)
    run = validate(db_path, rules, relations)
    with connect_duckdb(db_path) as con:
        write_audit(con, run, loaded_through)
    return run
