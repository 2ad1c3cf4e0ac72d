"""The one place settings come from: defaults relative to the project, then the environment, then flags."""
from __future__ import annotations

import os
from dataclasses import dataclass, field, replace
from pathlib import Path

PROJECT_ROOT = Path(__file__).resolve().parent.parent
DBT_PROJECT_DIR = PROJECT_ROOT / "dbt_project"
SAMPLES_DIR = PROJECT_ROOT / "data" / "samples"
DEMO_DIR = PROJECT_ROOT / "data" / "demo"
SOURCES_FILE = PROJECT_ROOT / "data" / "sources.yml"


def dbt_sources() -> list[Path]:
    """The files of the dbt project its manifest and models are made from (not its target or logs)."""
    return [DBT_PROJECT_DIR / "dbt_project.yml"] + sorted(
        p for folder in ("models", "seeds", "macros", "tests") for p in (DBT_PROJECT_DIR / folder).rglob("*") if p.is_file()
    )


# What builds and checks the marts: DuckDB in this process (the default), or Apache Spark
# (orchestration/spark.py), for a corpus larger than one machine.
ENGINES = ("duckdb", "spark")

# After the final-accounts publication season (August–September), for the year before.
DEFAULT_ROLLUP_CRON = "0 6 1 10 *"


def default_inputs() -> tuple[Path, ...]:
    """The bundled samples, plus the generated demo province when `make run` has written it."""
    return (SAMPLES_DIR, DEMO_DIR) if (DEMO_DIR / "truth.json").exists() else (SAMPLES_DIR,)


@dataclass(frozen=True)
class Settings:
    db_path: Path = PROJECT_ROOT / "warehouse" / "fiscal.duckdb"
    out_dir: Path = PROJECT_ROOT / "reports"
    inputs: tuple[Path, ...] = field(default_factory=default_inputs)
    inbox: Path = PROJECT_ROOT / "inbox"
    sources: Path = SOURCES_FILE
    rollup_cron: str = DEFAULT_ROLLUP_CRON
    engine: str = ENGINES[0]

    @classmethod
    def from_env(cls, environ: dict[str, str] | None = None) -> "Settings":
        """Defaults overridden by FISCAL_DB, FISCAL_OUT, FISCAL_INBOX, FISCAL_SOURCES, FISCAL_ROLLUP_CRON
        (the annual rollup's schedule, Asia/Shanghai) and FISCAL_ENGINE; read when called, never at import."""
        env = os.environ if environ is None else environ
        settings = cls()
        if env.get("FISCAL_DB"):
            settings = replace(settings, db_path=Path(env["FISCAL_DB"]))
        if env.get("FISCAL_OUT"):
            settings = replace(settings, out_dir=Path(env["FISCAL_OUT"]))
        if env.get("FISCAL_INBOX"):
            settings = replace(settings, inbox=Path(env["FISCAL_INBOX"]))
        if env.get("FISCAL_SOURCES"):
            settings = replace(settings, sources=Path(env["FISCAL_SOURCES"]))
        if env.get("FISCAL_ROLLUP_CRON"):
            settings = replace(settings, rollup_cron=env["FISCAL_ROLLUP_CRON"])
        if env.get("FISCAL_ENGINE"):
            settings = replace(settings, engine=env["FISCAL_ENGINE"])
        return settings

    def with_overrides(self, db: str | None = None, out: str | None = None, inputs: list[str] | None = None,
                       engine: str | None = None) -> "Settings":
        settings = self
        if engine:
            settings = replace(settings, engine=engine)
        if db:
            settings = replace(settings, db_path=Path(db))
        if out:
            settings = replace(settings, out_dir=Path(out))
        if inputs:
            settings = replace(settings, inputs=tuple(Path(p) for p in inputs))
        return settings

    def resolved(self) -> "Settings":
        return replace(
            self,
            db_path=self.db_path.resolve(),
            out_dir=self.out_dir.resolve(),
            inputs=tuple(p.resolve() for p in self.inputs),
            inbox=self.inbox.resolve(),
            sources=self.sources.resolve(),
        )
