"""Ingest: files -> the warehouse's raw schema."""

from pathlib import Path

import dagster as dg

from orchestration.progress import Ticker
from orchestration.resources import WRITER_POOL, WarehouseResource

RAW_TABLES = ("documents", "budget_lines", "indicator_lines", "evaluations")
FISCAL_YEARS_KEY = "fiscal_years_loaded"  # the years of the documents this run added, comma-separated


RAW_KEYS = {table: dg.AssetKey(["raw", table]) for table in RAW_TABLES}


class IngestConfig(dg.Config):
    paths: list[str] = []  # files or folders; empty means the warehouse's configured inputs


@dg.multi_asset(
    specs=[dg.AssetSpec(key, group_name="raw", description=f"raw.{key.path[-1]}, written by ingest") for key in RAW_KEYS.values()],
    name="ingest_documents",
    pool=WRITER_POOL,
)
def ingest_documents(context: dg.AssetExecutionContext, config: IngestConfig, warehouse: WarehouseResource):
    from datetime import datetime, timezone

    from ingest.approvals import write_approvals
    from ingest.load import known_files, load_batches
    from ingest.pipeline import IngestStream
    from ingest.changes import affected_years
    from orchestration.changes import mark_due

    paths = [Path(p) for p in (config.paths or warehouse.inputs)]
    with warehouse.connect() as con:
        known = known_files(con)
    # Worker processes parse and turn the rows into Arrow tables; this process alone writes the
    # warehouse, a batch at a time as they come back (the pool starts before the connection opens).
    registry = warehouse.registry()
    spark_engine = tasks = None
    if warehouse.engine == "spark":  # the files are parsed as Spark tasks; their records land as Parquet too
        from orchestration import spark as spark_engine

        tasks = spark_engine.SparkTasks(spark_engine.session(Path(warehouse.db_path)))
    stream = IngestStream(paths, registry=registry, known=known, loaded_at=datetime.now(timezone.utc),
                          exclude=warehouse.own_paths(), tasks=tasks)
    ticker = Ticker("ingest")

    def read_so_far():
        for batch in stream:
            yield batch
            ticker.tick(lambda: f"{stream.result.files_read:,} files read, {stream.result.files_known:,} already held")

    try:
        with warehouse.connect() as con:
            # the reports the documents change are due from the moment they are in (until each is
            # written): recorded in the transaction that loads them
            summary = load_batches(con, read_so_far(), lambda c, years: mark_due(c, affected_years(years)))
            # the registry's approval dates, and the reports whose 20-day judgement they change
            con.execute("begin")
            mark_due(con, write_approvals(con, registry.approvals))
            con.execute("commit")
            counts = {t: con.execute(f"select count(*) from raw.{t}").fetchone()[0] for t in RAW_TABLES}
            if spark_engine is not None:
                spark_engine.land_raw(con, Path(warehouse.db_path))
    finally:
        stream.close()
    result = stream.result
    ticker.done(f"{result.files_read:,} files read, {result.files_known:,} already held")
    context.log.info(
        f"read {result.files_read} files ({result.files_known} already in the warehouse): "
        f"{result.read_seconds:.1f} s reading, {result.parse_seconds:.1f} s parsing (summed over the workers)"
    )
    for message in result.messages:
        context.log.warning(message)
    statuses = summary.statuses
    for table, key in RAW_KEYS.items():
        yield dg.MaterializeResult(
            asset_key=key,
            metadata={
                "rows": counts[table],
                "new_rows": summary.rows[table],
                **({f"documents_{k}": v for k, v in statuses.items()} if table == "documents" else {}),
                **({FISCAL_YEARS_KEY: ",".join(map(str, summary.fiscal_years))} if table == "documents" else {}),
            },
        )
