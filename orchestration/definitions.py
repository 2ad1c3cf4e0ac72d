"""Dagster code location: the project's assets, checks, jobs, schedule and sensor with the settings of the environment (FISCAL_*), else the defaults."""
from orchestration.build import build_definitions
from orchestration.settings import Settings

defs = build_definitions(Settings.from_env())
