"""The dbt project's command line, run against one warehouse file."""
import os
import subprocess
import sys
from pathlib import Path

from orchestration.settings import DBT_PROJECT_DIR

BIN = Path(sys.prefix) / "bin"


def run_in_project(args: list[str], db: Path) -> subprocess.CompletedProcess:
    """A command (dbt, sqlfluff) run in the dbt project, its profile pointed at `db`."""
    return subprocess.run(args, cwd=DBT_PROJECT_DIR, env={**os.environ, "FISCAL_DB": str(db)},
                          capture_output=True, text=True, timeout=600)
