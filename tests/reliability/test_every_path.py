"""Every path found gets a record, and no one file stops the batch: files that cannot be read or
stored are quarantined with the cause, things that are not files are recorded as skipped, and the
warehouse never reads its own files."""
import os
import shutil
from pathlib import Path

import duckdb

from ingest.load import load_batches
from ingest.pipeline import IngestStream
from tests.conftest import SHANXI_2020

GOOD = SHANXI_2020.read_text(encoding="utf-8")


def _load(db: Path, paths, exclude=()):
    from datetime import datetime, timezone

    stream = IngestStream([Path(p) for p in paths], workers=1, loaded_at=datetime.now(timezone.utc), exclude=exclude)
    with duckdb.connect(str(db)) as con:
        load_batches(con, stream)
        rows = con.execute("select source_file, status, reason from raw.documents order by source_file, line_start").fetchall()
    return rows, stream.result.messages


def _by_name(rows):
    out = {}
    for source, status, reason in rows:
        out.setdefault(os.path.basename(source), []).append((status, reason))
    return out


def test_one_bad_file_never_stops_the_batch(tmp_path, monkeypatch):
    corpus = tmp_path / "in"
    corpus.mkdir()
    (corpus / "a_good.txt").write_text(GOOD, encoding="utf-8")
    (corpus / "b_unreadable.txt").write_text(GOOD.replace("营商环境", "营商"), encoding="utf-8")
    locked = corpus / "c_locked"
    locked.mkdir()
    (locked / "inside.txt").write_text(GOOD, encoding="utf-8")
    # amounts beyond what a decimal holds exactly, and beyond the warehouse's DECIMAL(18, 2)
    (corpus / "d_huge.txt").write_text(GOOD.replace("\t1650\t", "\t" + "9" * 30 + "\t", 1), encoding="utf-8")
    (corpus / "d_large.txt").write_text(GOOD.replace("\t1650\t", "\t" + "9" * 20 + "\t", 1), encoding="utf-8")
    # 1.7 KB of HTML asking for hundreds of millions of cells
    cells = "".join('<td rowspan="1000" colspan="1000">x</td>' for _ in range(40))
    (corpus / "e_spans.html").write_text(f"<html><body><table><tr>{cells}</tr>" + "<tr><td>y</td></tr>" * 999
                                         + "</table></body></html>", encoding="utf-8")
    (corpus / "f_crash.txt").write_text(GOOD.replace("营商环境", "营商环境评估"), encoding="utf-8")
    os.symlink(corpus / "g_loop", corpus / "g_loop")
    os.symlink(tmp_path / "nowhere.txt", corpus / "h_dangling.txt")
    os.mkfifo(corpus / "i_fifo.txt")
    with open(os.fsencode(corpus) + b"/j_\xff\xfe.txt", "wb") as handle:
        handle.write(GOOD.encode("utf-8"))

    real_read, real_scandir = Path.read_bytes, os.scandir

    def read_bytes(self):
        if self.name == "b_unreadable.txt":
            raise PermissionError(13, "Permission denied", str(self))
        return real_read(self)

    def scandir(path="."):
        if str(path).endswith("c_locked"):
            raise PermissionError(13, "Permission denied", str(path))
        return real_scandir(path)

    import ingest.pipeline as pipeline

    real_ingest = pipeline.ingest_file

    def ingest_file(path, *args, **kwargs):
        if path.name == "f_crash.txt":
            raise RuntimeError("a parser bug")
        return real_ingest(path, *args, **kwargs)

    monkeypatch.setattr(Path, "read_bytes", read_bytes)
    monkeypatch.setattr(os, "scandir", scandir)
    monkeypatch.setattr(pipeline, "ingest_file", ingest_file)
    rows, messages = _load(tmp_path / "w.duckdb", [corpus])
    found = _by_name(rows)

    assert [s for s, _ in found["a_good.txt"]] == ["loaded", "loaded"]  # the batch went on
    assert found["b_unreadable.txt"] == [("quarantined", "cannot be read (Permission denied)")]
    assert found["c_locked"] == [("quarantined", "skipped: the folder cannot be listed (Permission denied)")]
    assert found["d_huge.txt"] == [("quarantined", "could not be read: an amount beyond what can be held exactly")]
    ((status, reason),) = found["d_large.txt"]
    assert status == "quarantined" and reason.startswith("cannot be stored: ")
    ((status, reason),) = found["e_spans.html"]
    assert status == "quarantined" and reason.startswith("resource limit: a table whose merged cells cover")
    assert found["f_crash.txt"] == [("quarantined", "could not be read: RuntimeError: a parser bug")]
    assert found["g_loop"] == [("quarantined", "skipped: a link that loops")]
    assert found["h_dangling.txt"] == [("quarantined", "skipped: a link to nothing")]
    assert found["i_fifo.txt"] == [("quarantined", "skipped: a FIFO, not a regular file")]
    assert found["j_\\xff\\xfe.txt"] == [("quarantined", "file name is not valid UTF-8; rename it to read it")]
    # one line for each of them
    assert sum(": quarantined: " in m for m in messages) == 10


def test_identical_bad_files_each_get_their_record(tmp_path):
    corpus = tmp_path / "in"
    corpus.mkdir()
    suffixes = (".txt", ".md", ".html", ".docx", ".xlsx", ".xls", ".pdf", ".csv")
    for suffix in suffixes:
        (corpus / f"empty{suffix}").write_bytes(b"")
    rows, messages = _load(tmp_path / "w.duckdb", [corpus])
    assert len(rows) == len(suffixes) and all(status == "quarantined" for _, status, _ in rows)
    assert sum(": quarantined: " in m for m in messages) == len(suffixes)
    again, _ = _load(tmp_path / "w.duckdb", [corpus])  # and nothing twice
    assert again == rows
    (corpus / "another_empty.txt").write_bytes(b"")  # known bytes at a new path: its own record too
    third, _ = _load(tmp_path / "w.duckdb", [corpus])
    assert len(third) == len(suffixes) + 1


def test_a_hidden_folder_above_the_input_is_no_reason_to_skip_it(tmp_path):
    corpus = tmp_path / ".hidden" / "in"
    corpus.mkdir(parents=True)
    (corpus / "a.txt").write_text(GOOD, encoding="utf-8")
    (corpus / ".notes.txt").write_text(GOOD, encoding="utf-8")  # hidden below the input: left out
    rows, _ = _load(tmp_path / "w.duckdb", [corpus])
    assert [(os.path.basename(s), status) for s, status, _ in rows] == [("a.txt", "loaded"), ("a.txt", "loaded")]


def test_the_warehouse_never_reads_its_own_files(tmp_path):
    """--db and --out inside --input: two runs later, only the input's own documents."""
    import subprocess
    import sys

    corpus = tmp_path / "in"
    corpus.mkdir()
    shutil.copy(SHANXI_2020, corpus / "a.txt")
    env = {k: v for k, v in os.environ.items() if not k.startswith("FISCAL_")}
    where = ["--db", str(corpus / "w.duckdb"), "--out", str(corpus / "reports")]
    run = subprocess.run([sys.executable, "-m", "orchestration.cli", "run", "--input", str(corpus), *where],
                         capture_output=True, text=True, env=env, timeout=600)
    assert run.returncode == 0, run.stderr[-2000:]
    assert (corpus / "reports" / "2020").is_dir() and (corpus / "w.duckdb.docs").is_dir()
    # the next read of the folder finds the warehouse, its lock, the reports and the Data Docs
    again = subprocess.run([sys.executable, "-m", "orchestration.cli", "ingest", str(corpus), "--db",
                            str(corpus / "w.duckdb")], capture_output=True, text=True,
                           env={**env, "FISCAL_OUT": str(corpus / "reports")}, timeout=600)
    assert again.returncode == 0, again.stderr[-2000:]
    with duckdb.connect(str(corpus / "w.duckdb"), read_only=True) as con:
        sources = {r[0] for r in con.execute("select source_file from raw.documents").fetchall()}
    assert sources == {str(corpus / "a.txt")}


def test_a_fifo_or_a_device_given_as_input_is_recorded_not_read(tmp_path):
    """Given directly, a FIFO would block the run for ever and /dev/zero read until memory ran out."""
    fifo = tmp_path / "pipe.txt"
    os.mkfifo(fifo)
    rows, messages = _load(tmp_path / "w.duckdb", [fifo, Path("/dev/zero")])
    assert [(s, status, reason) for s, status, reason in rows] == [
        ("/dev/zero", "quarantined", "skipped: a device, not a regular file"),
        (str(fifo), "quarantined", "skipped: a FIFO, not a regular file"),
    ]
    assert len(messages) == 2


def test_every_connection_bounds_duckdb_and_never_reads_where_it_spills(tmp_path):
    """DuckDB's memory is bounded in every process that opens the warehouse, writing or reading
    (else it keeps every block it touched); beyond it, it spills to a folder beside the warehouse,
    which is never input. dbt's build is told its own bound."""
    from ingest.limits import BUILD_DUCKDB_MEMORY, DUCKDB_MEMORY, RUN_MEMORY
    from orchestration.assets.dbt import _dbt_env
    from orchestration.resources import WarehouseResource

    warehouse = WarehouseResource(db_path=str(tmp_path / "w.duckdb"), out_dir=str(tmp_path / "out"), inputs=[])
    for read_only in (False, True):
        with warehouse.connect(read_only=read_only) as con:
            limit, spill = con.execute("select current_setting('memory_limit'), current_setting('temp_directory')").fetchone()
        assert limit == f"{DUCKDB_MEMORY / 2**20:.1f} MiB"
        assert Path(spill) in warehouse.own_paths()
    with _dbt_env(tmp_path / "w.duckdb.building"):
        assert os.environ["FISCAL_DBT_MEMORY"] == f"{BUILD_DUCKDB_MEMORY >> 20}MiB"
        assert Path(os.environ["DBT_TARGET_PATH"]) in warehouse.own_paths()
    assert "FISCAL_DBT_MEMORY" not in os.environ
    assert BUILD_DUCKDB_MEMORY + DUCKDB_MEMORY < RUN_MEMORY
