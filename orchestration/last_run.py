"""What the warehouse last ran from, so that a run with nothing to do does nothing.

A `fiscal run` that ends well records, in the warehouse (`audit.last_run`), what it read and built
from: a digest of its input files as found (each path with its size and modification time, as the
ingest itself takes a file for unchanged: `ingest.known`), a digest of what turns files into
findings (the dbt project, the integrity rules, the vocabularies, the source registry and the
parsers' versions), and how far the raw layer had been loaded. The next run compares them before
it starts Dagster, dbt or Great Expectations: when none changed, no report is due and each report
is on disk, the warehouse already holds what the run would make of its input, and the run only
says so.
"""
from __future__ import annotations

import hashlib
import os
from dataclasses import dataclass
from pathlib import Path

import duckdb

from ingest.limits import comment, table_exists
from orchestration.settings import ENGINES, PROJECT_ROOT, dbt_sources

LAST_RUN = "audit.last_run"
# what turns a file into records and findings, besides the dbt project and the parsers' versions
RULES_AND_VOCABULARIES = (PROJECT_ROOT / "expectations" / "rules.csv", PROJECT_ROOT / "expectations" / "rules",
                          PROJECT_ROOT / "ingest" / "vocabulary")


@dataclass(frozen=True)
class RunBasis:
    """What a run reads and builds from, as digests (SHA-256, hex)."""

    inputs: str
    sources: str


@dataclass
class InputFiles:
    """The input files as a run finds them: each file's size and modification time (or why it
    could not be examined), and what was found under the inputs but cannot be read. A process that
    watches the inputs (`fiscal serve`) keeps one and changes the entries of the paths it is told
    changed, instead of listing every file again."""

    roots: tuple[str, ...]
    stamps: dict[str, tuple]  # file -> (size, modified µs), or ("gone", errno) when it could not be examined
    skipped: list[tuple[str, str]]

    @classmethod
    def survey(cls, inputs, exclude) -> "InputFiles":
        """The files the ingest would find under `inputs` (`exclude` left out)."""
        from ingest.discovery import survey

        files, skipped = survey(inputs, exclude)
        found = cls(tuple(sorted(str(p) for p in inputs)), {}, skipped)
        for name in files:
            found.examine(name)
        return found

    def examine(self, name: str) -> None:
        from ingest.known import modified_us

        try:
            st = os.stat(name)
        except OSError as exc:  # gone since the listing: the ingest will say so
            self.stamps[name] = ("gone", exc.errno)
            return
        self.stamps[name] = (st.st_size, modified_us(st))

    def digest(self) -> str:
        found = hashlib.sha256()
        for root in self.roots:
            found.update(f"input\0{root}\n".encode())
        for name in sorted(self.stamps):
            stamp = self.stamps[name]
            line = f"gone\0{name}\0{stamp[1]}\n" if stamp[0] == "gone" else f"{name}\0{stamp[0]}\0{stamp[1]}\n"
            found.update(line.encode(errors="surrogateescape"))
        for name, reason in self.skipped:
            found.update(f"skipped\0{name}\0{reason}\n".encode(errors="surrogateescape"))
        return found.hexdigest()


def basis(inputs, exclude, registry: Path, engine: str = ENGINES[0], files: InputFiles | None = None) -> RunBasis:
    """The basis of a run over `inputs` (the files the ingest would find under them, `exclude` left
    out, or `files` as already found) with the source registry `registry`, built by `engine`."""
    files = files if files is not None else InputFiles.survey(inputs, exclude)
    return RunBasis(inputs=files.digest(), sources=sources_digest(registry, engine))


def sources_digest(registry: Path, engine: str = ENGINES[0]) -> str:
    """The digest of what turns files into findings: the engine, the parsers' versions, the dbt
    project, the rules, the vocabularies and the source registry `registry`."""
    from ingest.known import CURRENT_PARSERS

    made = hashlib.sha256()
    made.update(f"engine\0{engine}\n".encode())
    for parser in sorted(CURRENT_PARSERS):
        made.update(f"parser\0{parser}\n".encode())
    for path in [*dbt_sources(), *_files(RULES_AND_VOCABULARIES), *([registry] if registry.is_file() else [])]:
        made.update(f"{path.relative_to(PROJECT_ROOT) if path.is_relative_to(PROJECT_ROOT) else path}\0".encode())
        made.update(hashlib.sha256(path.read_bytes()).digest())
    return made.hexdigest()


def _files(paths) -> list[Path]:
    found = []
    for path in paths:
        path = Path(path)
        found.extend(sorted(p for p in path.rglob("*") if p.is_file()) if path.is_dir() else [path] if path.is_file() else [])
    return found


def _loaded(con: duckdb.DuckDBPyConnection) -> tuple[int, int | None]:
    """How far the raw layer is loaded: its documents, and the last load's time (microseconds)."""
    if not table_exists(con, "raw.documents"):
        return 0, None
    return con.execute("select count(*), epoch_us(max(loaded_at)) from raw.documents").fetchone()


def record(con: duckdb.DuckDBPyConnection, run: RunBasis) -> None:
    """Record that a run from `run` ended well on this warehouse."""
    documents, loaded_through = _loaded(con)
    con.execute("create schema if not exists audit")
    con.execute(f"create or replace table {LAST_RUN} (inputs_sha256 varchar, sources_sha256 varchar, "
                "documents bigint, loaded_through_us bigint, finished_at timestamp with time zone)")
    con.execute(f"insert into {LAST_RUN} values (?, ?, ?, ?, current_timestamp)",
                [run.inputs, run.sources, documents, loaded_through])
    comment(con, LAST_RUN, "What the last fiscal run that ended well was from: a run finding all of it unchanged does nothing.", {
        "inputs_sha256": "Digest of the input files as found: each path with its size and modification time.",
        "sources_sha256": "Digest of the dbt project, the rules, the vocabularies, the source registry and the parsers' versions.",
        "documents": "Documents in raw.documents after the run.",
        "loaded_through_us": "The last load then, in microseconds since the epoch.",
        "finished_at": "When the run ended.",
    })


def built_from(con: duckdb.DuckDBPyConnection, sources: str) -> bool:
    """Whether the warehouse's last run that ended well was built from `sources` (`sources_digest`):
    then its views and seeds are what the dbt project makes of them."""
    if not table_exists(con, LAST_RUN):
        return False
    last = con.execute(f"select sources_sha256 from {LAST_RUN}").fetchone()
    return last is not None and last[0] == sources


def unchanged_since(con: duckdb.DuckDBPyConnection, run: RunBasis):
    """When the warehouse's last run was from `run` and nothing has been loaded since (by another
    command), the time it finished; else None."""
    if not table_exists(con, LAST_RUN):
        return None
    last = con.execute(f"select inputs_sha256, sources_sha256, documents, loaded_through_us, finished_at from {LAST_RUN}"
                       ).fetchone()
    if last is None or (last[0], last[1]) != (run.inputs, run.sources) or tuple(last[2:4]) != tuple(_loaded(con)):
        return None
    return last[4]



def up_to_date(db_path: Path, out_dir: Path, run: RunBasis, allow_errors: bool):
    """When the warehouse already holds what a run from `run` would make, the time its last run
    finished; else None. It does when that run was from the same files, dbt project, rules,
    vocabularies and parsers, nothing was loaded since, no report is due and each is on disk. A
    warehouse whose error-level findings block the reports is not, without `allow_errors`: the
    run runs in full, to say so."""
    from ingest.limits import connect_duckdb
    from orchestration.changes import reportable_years, reports_to_write
    from reporting.yearly import report_paths

    if not Path(db_path).exists():
        return None
    with connect_duckdb(db_path, read_only=True) as con:
        since = unchanged_since(con, run)
        if since is None or reports_to_write(
                con, reportable_years(), lambda y: all(p.exists() for p in report_paths(out_dir, y))):
            return None
        if not allow_errors and table_exists(con, "audit.integrity_violation") and con.execute(
                "select count(*) from audit.integrity_violation where severity = 'error'").fetchone()[0]:
            return None
    return since
