"""The warehouse resource: the single way assets reach the DuckDB file."""
from __future__ import annotations

from contextlib import contextmanager
from pathlib import Path

import dagster as dg

from ingest.limits import connect_duckdb
from orchestration.settings import ENGINES

# Every asset that writes the DuckDB file runs in this pool; DuckDB allows one writing process.
WRITER_POOL = "duckdb_writer"


class WarehouseResource(dg.ConfigurableResource):
    db_path: str
    out_dir: str
    inputs: list[str]
    sources: str = ""  # the source-registry YAML; empty for none
    engine: str = ENGINES[0]  # what builds and checks the marts (orchestration/settings.py)

    def own_paths(self) -> list[Path]:
        """What the warehouse writes: never read as input (`lock.never_input`)."""
        from orchestration.lock import never_input

        return never_input(Path(self.db_path), Path(self.out_dir))

    def registry(self):
        from ingest.registry import EMPTY, load_registry

        return load_registry(Path(self.sources)) if self.sources and Path(self.sources).exists() else EMPTY

    @contextmanager
    def connect(self, read_only: bool = False):
        path = Path(self.db_path)
        if not read_only:
            path.parent.mkdir(parents=True, exist_ok=True)
        con = connect_duckdb(path, read_only=read_only)
        try:
            yield con
        finally:
            con.close()
