"""Children die with their parent: a killed command leaves no dbt writing on behind it."""
import os
import signal
import subprocess
import sys
import time
from pathlib import Path

from tests.conftest import SAMPLES

ENV = {k: v for k, v in os.environ.items() if not k.startswith("FISCAL_")}


def _children(pid: int) -> set[int]:
    found = set()
    for entry in Path("/proc").iterdir():
        if entry.name.isdigit():
            try:
                fields = (entry / "stat").read_text().rsplit(")", 1)[1].split()
            except OSError:
                continue
            if int(fields[1]) == pid:
                found.add(int(entry.name))
    return found


def _command(pid: int) -> str:
    try:
        return (Path("/proc") / str(pid) / "cmdline").read_bytes().replace(b"\0", b" ").decode()
    except OSError:
        return ""


def _alive(pid: int) -> bool:
    try:
        state = (Path("/proc") / str(pid) / "stat").read_text().rsplit(")", 1)[1].split()[0]
    except OSError:
        return False
    return state != "Z"


def test_dbt_dies_with_the_command_that_started_it(tmp_path):
    run = subprocess.Popen([sys.executable, "-m", "orchestration.cli", "run", "--input", str(SAMPLES), "--db",
                            str(tmp_path / "w.duckdb"), "--out", str(tmp_path / "r"), "--allow-errors"],
                           stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL, env=ENV)
    dbt = None
    deadline = time.monotonic() + 240
    while dbt is None and time.monotonic() < deadline and run.poll() is None:
        dbt = next((pid for pid in _children(run.pid) if "dbt" in _command(pid) and "build" in _command(pid)), None)
        time.sleep(0.1)
    assert dbt is not None, "the run never started dbt"
    os.kill(run.pid, signal.SIGKILL)  # the command alone, not its process group
    run.wait(timeout=60)
    # at once: left alone, dbt goes on building for many seconds, until it writes to the closed pipe
    deadline = time.monotonic() + 3
    while _alive(dbt) and time.monotonic() < deadline:
        time.sleep(0.05)
    assert not _alive(dbt), f"dbt ({_command(dbt)}) outlived the command"
