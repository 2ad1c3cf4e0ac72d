"""The yearly comparison report, one partition per fiscal year."""

import dagster as dg

from pathlib import Path

from ingest.limits import connect_duckdb
from orchestration.assets.integrity import MART_KEYS
from orchestration.changes import FIRST_FISCAL_YEAR, reportable_years
from orchestration.progress import Ticker, say
from orchestration.resources import WarehouseResource

REPORT_KEY = dg.AssetKey(["reports", "yearly_comparison"])

# One partition per reportable fiscal year (`changes.reportable_years`): the yearly windows from the
# first, and the one the current year opens (end_offset).
fiscal_years = dg.TimeWindowPartitionsDefinition(
    cron_schedule="0 0 1 1 *", start=str(FIRST_FISCAL_YEAR), fmt="%Y", end_offset=1
)


@dg.asset(
    key=REPORT_KEY,
    # The marts' blocking integrity checks stand between them and the report.
    deps=list(MART_KEYS.values()),
    partitions_def=fiscal_years,
    group_name="reports",
    description="reports/<year>/yearly_comparison_<year>.xlsx and .html",
)
def yearly_comparison_report(context: dg.AssetExecutionContext, warehouse: WarehouseResource) -> dg.MaterializeResult:
    from orchestration.changes import clear_due
    from reporting.yearly import write_report

    year = int(context.partition_key)
    with warehouse.connect(read_only=True) as con:
        paths = write_report(con, year, Path(warehouse.out_dir))
    with warehouse.connect() as con:
        clear_due(con, [year])
    return dg.MaterializeResult(metadata=_paths_metadata(paths.xlsx, paths.html))


def _paths_metadata(xlsx, html) -> dict:
    return {"xlsx": dg.MetadataValue.path(str(xlsx)), "html": dg.MetadataValue.path(str(html))}


def _write_one(db_path: str, out_dir: str, year: int) -> tuple[str, str]:
    """One year's report, read from the warehouse by a connection of its own."""
    from reporting.yearly import write_report

    with connect_duckdb(db_path, read_only=True) as con:
        paths = write_report(con, year, Path(out_dir))
    return str(paths.xlsx), str(paths.html)


def _side_by_side(db_path: str, out_dir: str, years: list[int]):
    """Each year's report paths, or what stopped it: several years written at once in forked
    processes, one per core, each reading the warehouse alone."""
    import multiprocessing
    import os
    from concurrent.futures import ProcessPoolExecutor

    from ingest.limits import die_with_parent

    workers = min(len(years), os.cpu_count() or 1)
    if workers < 2 or "fork" not in multiprocessing.get_all_start_methods():
        for year in years:
            try:
                yield year, _write_one(db_path, out_dir, year)
            except Exception as exc:  # the others are still written; the first failure is raised after
                yield year, exc
        return
    with ProcessPoolExecutor(workers, mp_context=multiprocessing.get_context("fork"), initializer=die_with_parent) as pool:
        futures = {year: pool.submit(_write_one, db_path, out_dir, year) for year in years}
    for year, future in futures.items():
        yield year, future.exception() or future.result()


@dg.op(description="Write the reports of the fiscal years the warehouse records as due (and of any year "
                   "without its report), side by side; each is recorded as its year's report partition.")
def write_due_reports(context: dg.OpExecutionContext, warehouse: WarehouseResource):
    from orchestration.changes import clear_due, due_years, held_years, reports_to_write
    from reporting.yearly import report_paths

    out_dir = Path(warehouse.out_dir)
    with warehouse.connect(read_only=True) as con:
        years = reports_to_write(con, reportable_years(), lambda y: all(p.exists() for p in report_paths(out_dir, y)))
    ticker = Ticker("reports")
    say("reports", f"writing {', '.join(map(str, years))}" if years else "none due")
    outcomes = dict(_side_by_side(warehouse.db_path, warehouse.out_dir, years))
    if years:
        ticker.done(f"{sum(not isinstance(o, BaseException) for o in outcomes.values())} written")
    written = [year for year, outcome in outcomes.items() if not isinstance(outcome, BaseException)]
    with warehouse.connect() as con:
        # a year whose report failed stays due; one the warehouse holds nothing of has no report to
        # change (its first document makes it due again)
        clear_due(con, [*written, *(due_years(con) - set(held_years(con)))])
    for year in written:
        yield dg.AssetMaterialization(asset_key=REPORT_KEY, partition=str(year), metadata=_paths_metadata(*outcomes[year]))
    failed = [outcome for outcome in outcomes.values() if isinstance(outcome, BaseException)]
    if failed:
        raise failed[0]
    context.log.info(f"reports written: {', '.join(map(str, written)) or 'none due'}")
    yield dg.Output(written)


@dg.job(name="due_reports", description="Write every report that is due, from the warehouse as it stands.")
def due_reports_job():
    write_due_reports()
