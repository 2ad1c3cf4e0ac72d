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


@dg.asset(
    key=dg.AssetKey(["reports", "yearly_comparison"]),
    # The marts' blocking integrity checks stand between them and the report.
    deps=list(MART_KEYS.values()),
    partitions_def=fiscal_years,
    group_name="reports",
    description="reports/<year>/yearly_comparison_<year>.xlsx and .html",
)
def yearly_comparison_report(context: dg.AssetExecutionContext, warehouse: WarehouseResource) -> dg.MaterializeResult:
    from pathlib import Path

    from reporting.yearly import write_report

    year = int(context.partition_key)
    with warehouse.connect(read_only=True) as con:
        paths = write_report(con, year, Path(warehouse.out_dir))
    return dg.MaterializeResult(metadata={"xlsx": dg.MetadataValue.path(str(paths.xlsx)), "html": dg.MetadataValue.path(str(paths.html))})
