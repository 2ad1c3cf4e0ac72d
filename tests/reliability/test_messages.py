"""A failure the user can cause is one line naming the file or setting and the cause, not a traceback."""
import errno
import os
import shutil
import subprocess
import sys

import duckdb

from tests.conftest import SHANXI_2020

ENV = {k: v for k, v in os.environ.items() if not k.startswith("FISCAL_")}


def fiscal(*args):
    return subprocess.run([sys.executable, "-m", "orchestration.cli", *args], capture_output=True, text=True, env=ENV,
                          timeout=600)


def test_a_full_disk_while_copying_the_warehouse_is_one_line(tmp_path, monkeypatch, capsys):
    from orchestration.cli import main

    db = tmp_path / "w.duckdb"
    with duckdb.connect(str(db)) as con:
        con.execute("create table t as select 1 as x")

    def full(source, target, *args, **kwargs):
        raise OSError(errno.ENOSPC, os.strerror(errno.ENOSPC), str(target))

    monkeypatch.setattr(shutil, "copy2", full)
    assert main(["run", "--input", str(SHANXI_2020), "--db", str(db), "--out", str(tmp_path / "r")]) == 2
    err = capsys.readouterr().err.strip().splitlines()
    assert err == [f"fiscal: {db}.building: No space left on device"]
    with duckdb.connect(str(db), read_only=True) as con:  # the warehouse as it was
        assert con.execute("select * from t").fetchall() == [(1,)]


def test_a_warehouse_another_program_holds_is_one_line(tmp_path):
    db = tmp_path / "w.duckdb"
    holder = subprocess.Popen([sys.executable, "-c", (
        "import duckdb, sys, time\n"
        f"con = duckdb.connect({str(db)!r})\n"
        "con.execute('create table t as select 1 as x')\n"
        "print('ready', flush=True)\n"
        "time.sleep(120)\n")], stdout=subprocess.PIPE, text=True)
    try:
        assert holder.stdout.readline().strip() == "ready"
        check = fiscal("check", "--db", str(db))
        assert check.returncode == 2
        (line,) = check.stderr.strip().splitlines()
        assert line.startswith("fiscal: ") and str(db) in line and "lock" in line.lower()
    finally:
        holder.kill()
        holder.wait()


def test_an_out_folder_that_cannot_be_written_says_why(tmp_path):
    """The reports cannot be written under a file: the failed step names the folder and the cause,
    not only that a step failed."""
    blocked = tmp_path / "a_file"
    blocked.write_text("not a folder")
    run = fiscal("run", "--input", str(SHANXI_2020), "--db", str(tmp_path / "w.duckdb"), "--out", str(blocked / "reports"))
    assert run.returncode == 2
    last = run.stderr.strip().splitlines()[-1]
    assert last.startswith("fiscal: due_reports failed: NotADirectoryError: [Errno 20] Not a directory: ")
    assert str(blocked) in last
