"""The yearly comparison report, one partition per fiscal year."""

import dagster as dg

from orchestration.assets.integrity import MART_KEYS
from orchestration.resources import WarehouseResource

# Fiscal years from 2000 through the current one (a year's budget is published while it runs).
FIRST_FISCAL_YEAR = 2000
fiscal_years = dg.TimeWindowPartitionsDefinition(
    cron_schedule="0 0 1 1 *", start=str(FIRST_FISCAL_YEAR), fmt="%Y", end_offset=1
)


def reportable_years() -> set[str]:
    """The fiscal years a report can be written for (the partition keys)."""
    return set(fiscal_years.get_partition_keys())


class ReportConfig(dg.Config):
    # whether this run marks the year's report written in the warehouse; off when several years are
    # written side by side (each reading the warehouse), and the command that started them does it
    clear_due: bool = True


@dg.asset(
    key=dg.AssetKey(["reports", "yearly_comparison"]),
    # The marts' blocking integrity checks stand between them and the report.
    deps=list(MART_KEYS.values()),
    partitions_def=fiscal_years,
    group_name="reports",
    description="reports/<year>/yearly_comparison_<year>.xlsx and .html",
)
def yearly_comparison_report(context: dg.AssetExecutionContext, config: ReportConfig,
                             warehouse: WarehouseResource) -> dg.MaterializeResult:
    from pathlib import Path

    from orchestration.changes import clear_due
    from reporting.yearly import write_report

    year = int(context.partition_key)
    with warehouse.connect(read_only=True) as con:
        paths = write_report(con, year, Path(warehouse.out_dir))
    if config.clear_due:
        with warehouse.connect() as con:
            clear_due(con, [year])
    return dg.MaterializeResult(metadata={"xlsx": dg.MetadataValue.path(str(paths.xlsx)), "html": dg.MetadataValue.path(str(paths.html))})
