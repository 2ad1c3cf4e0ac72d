"""The dbt project's command line, run against one warehouse file."""
import os
import subprocess
import sys
from pathlib import Path

from orchestration.settings import DBT_PROJECT_DIR

BIN = Path(sys.prefix) / "bin"


def run_in_project(args: list[str], db: Path, told: dict[str, str] | None = None) -> subprocess.CompletedProcess:
    """A command (dbt, sqlfluff) run in the dbt project, its profile pointed at `db`, dbt's artifacts,
    parse cache and log beside it unless `--target-path` says otherwise (never in the project); a dbt
    build is told what changed by `told` (`orchestration.assets.dbt.changes_env`), and by nothing else."""
    env = {k: v for k, v in os.environ.items() if not k.startswith("FISCAL_CHANGED_")}
    beside = str(Path(db).parent / "dbt-target")
    env.update(told or {}, FISCAL_DB=str(db), DBT_TARGET_PATH=beside, DBT_LOG_PATH=beside)
    return subprocess.run(args, cwd=DBT_PROJECT_DIR, env=env, capture_output=True, text=True, timeout=600)
