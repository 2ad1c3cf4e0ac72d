"""Dagster code location: the project's assets, checks, jobs, schedule and sensor with default settings."""
from orchestration.build import build_definitions
from orchestration.settings import Settings

defs = build_definitions(Settings())
