"""Dagster definitions and the `fiscal` command line."""
