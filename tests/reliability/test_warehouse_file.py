"""The warehouse file and its write-ahead log are one unit: a log left by a writer that died is
folded into its file, never replayed onto a copy; a log that cannot be accounted for stops the
command with one line."""
import os
import subprocess
import sys

import duckdb

from tests.conftest import SHANXI_2020, XIAOYI

ENV = {k: v for k, v in os.environ.items() if not k.startswith("FISCAL_")}

# An ingest that commits and is killed before DuckDB writes its log into the file.
KILLED_INGEST = """
import os, signal, sys
import duckdb
from ingest.load import load
from ingest.pipeline import ingest_paths
con = duckdb.connect(sys.argv[1])
con.execute("set checkpoint_threshold = '10GB'")
load(con, ingest_paths([sys.argv[2]], workers=1))
os.kill(os.getpid(), signal.SIGKILL)
"""


def fiscal(*args):
    return subprocess.run([sys.executable, "-m", "orchestration.cli", *args], capture_output=True, text=True, env=ENV,
                          timeout=600)


def _documents(db):
    with duckdb.connect(str(db), read_only=True) as con:
        return con.execute("select count(*), count(distinct document_id) from raw.documents").fetchone()


def test_a_log_left_by_a_killed_ingest_is_folded_in_not_doubled(tmp_path):
    db, out = tmp_path / "w.duckdb", tmp_path / "reports"
    assert fiscal("ingest", str(SHANXI_2020), "--db", str(db)).returncode == 0
    killed = subprocess.run([sys.executable, "-c", KILLED_INGEST, str(db), str(XIAOYI)], env=ENV, timeout=600)
    assert killed.returncode == -9
    wal = tmp_path / "w.duckdb.wal"
    assert wal.stat().st_size > 0  # the committed documents are in the log only

    again = fiscal("run", "--input", str(SHANXI_2020), "--input", str(XIAOYI), "--db", str(db), "--out", str(out),
                   "--allow-errors")
    assert again.returncode == 0, again.stderr[-2000:]
    assert not wal.exists()
    assert _documents(db) == (19, 19)  # Shanxi's 2 and Xiaoyi's 17, each once
    with duckdb.connect(str(db), read_only=True) as con:
        assert con.execute("select count(*), count(distinct document_id) from marts.dim_document").fetchone() == (19, 19)


def test_a_log_that_cannot_be_accounted_for_is_one_line(tmp_path):
    db, out = tmp_path / "w.duckdb", tmp_path / "reports"
    assert fiscal("ingest", str(SHANXI_2020), "--db", str(db)).returncode == 0
    wal = tmp_path / "w.duckdb.wal"
    wal.write_bytes(os.urandom(300))
    stopped = fiscal("run", "--input", str(SHANXI_2020), "--db", str(db), "--out", str(out))
    assert stopped.returncode == 2
    (line,) = stopped.stderr.strip().splitlines()
    assert str(wal) in line and "move it away" in line
    assert _documents(db) == (2, 2) and wal.exists()  # nothing guessed, nothing lost

    os.replace(wal, tmp_path / "kept.wal")
    db.unlink()
    os.replace(tmp_path / "kept.wal", wal)
    alone = fiscal("check", "--db", str(db))
    assert alone.returncode == 2
    assert f"{wal}: a write-ahead log without its warehouse" in alone.stderr
