"""Jobs over the asset graph: the warehouse build, the yearly report, and the annual rollup."""
from __future__ import annotations

import dagster as dg

from orchestration.assets.report import fiscal_years, yearly_comparison_report

_report = dg.AssetSelection.assets(yearly_comparison_report)

build_warehouse_job = dg.define_asset_job(
    "build_warehouse",
    selection=dg.AssetSelection.all() - _report,
    description="Ingest the inputs, build the dbt models and tests, run the integrity checks.",
)

yearly_report_job = dg.define_asset_job(
    "yearly_report",
    selection=_report,
    partitions_def=fiscal_years,
    description="Write one fiscal year's comparison report.",
)

annual_rollup_job = dg.define_asset_job(
    "annual_rollup",
    selection=dg.AssetSelection.all(),
    partitions_def=fiscal_years,
    description="Rebuild the warehouse from its inputs and write the report of one fiscal year.",
)
