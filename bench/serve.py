"""One file added to a built warehouse: by `fiscal run` (a process per run) and by `fiscal serve`
(one process that paid its start-up before the file came).

`python -m bench.serve [--documents N] [--files K]`: generates a province of about N documents
(text, Markdown and HTML, as `bench.run`), builds it with `fiscal run`, then adds K new documents
one at a time, each way on a copy of the same built warehouse: `fiscal run` after each file, timed
from start to exit; and `fiscal serve`, timed from the moment the file is in the input folder to
the server's line that its run is done (so the time to notice the file counts). Prints the
figures and writes them to bench/work/serve.json for BENCHMARKS.md.
"""
from __future__ import annotations

import argparse
import json
import os
import shutil
import statistics
import subprocess
import sys
import threading
import time
from pathlib import Path

from bench.run import DOCS_PER_COUNTY_YEAR, LAST_YEAR, PeakMemory, _fiscal, _shape

ROOT = Path(__file__).resolve().parent.parent
ENV = {k: v for k, v in os.environ.items() if not k.startswith("FISCAL_")}


def _copy_warehouse(src: Path, dst: Path) -> None:
    """A built warehouse and its state beside it (dbt's, the Dagster instance), under another name."""
    dst.parent.mkdir(parents=True, exist_ok=True)
    for suffix in ("", ".dbt", ".dagster"):
        source = Path(str(src) + suffix)
        if source.is_dir():
            shutil.copytree(source, Path(str(dst) + suffix))
        elif source.exists():
            shutil.copy2(source, Path(str(dst) + suffix))


def by_run(corpus: Path, new: list[Path], db: Path, out: Path) -> list[float]:
    seconds = []
    for path in new:
        shutil.copy(path, corpus / path.name)
        elapsed, _, _ = _fiscal("run", "--allow-errors", "--input", str(corpus), "--db", str(db), "--out", str(out), env=ENV)
        seconds.append(elapsed)
        print(f"[serve] fiscal run, one file added: {elapsed:.1f} s", flush=True)
    return seconds


def by_serve(corpus: Path, new: list[Path], db: Path, out: Path) -> tuple[list[float], float, int]:
    """Each file's seconds from its arrival to its run's end, the server's start-up, and its peak memory."""
    started = time.perf_counter()
    process = subprocess.Popen(
        [sys.executable, "-m", "orchestration.cli", "serve", "--allow-errors", "--input", str(corpus), "--db", str(db),
         "--out", str(out)], cwd=ROOT, stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True, env=ENV)
    lines: list[tuple[float, str]] = []
    reader = threading.Thread(target=lambda: lines.extend((time.perf_counter(), line) for line in iter(process.stdout.readline, "")),
                              daemon=True)
    reader.start()

    def wait_for(text: str, after: int) -> float:
        deadline = time.perf_counter() + 900
        while time.perf_counter() < deadline:
            for at, line in lines[after:]:
                if text in line:
                    return at
            if process.poll() is not None:
                break
            time.sleep(0.02)
        raise RuntimeError(f"fiscal serve: no {text!r}:\n{''.join(l for _, l in lines[-40:])}")

    seconds = []
    with PeakMemory(process.pid) as memory:
        ready = wait_for("fiscal serve: watching", 0) - started
        print(f"[serve] fiscal serve ready in {ready:.1f} s", flush=True)
        for number, path in enumerate(new, start=1):
            seen = len(lines)
            arrived = time.perf_counter()
            shutil.copy(path, corpus / path.name)
            done = wait_for(f"run {number} on", seen)
            if "failed" in lines[-1][1]:
                raise RuntimeError(f"fiscal serve: {lines[-1][1]}")
            seconds.append(done - arrived)
            print(f"[serve] fiscal serve, one file added: {done - arrived:.1f} s", flush=True)
        process.terminate()
        process.wait(timeout=120)
    return seconds, ready, memory.peak


def main(argv: list[str] | None = None) -> int:
    from demo.generator import counties_of, generate

    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--documents", type=int, default=2000)
    parser.add_argument("--files", type=int, default=3)
    parser.add_argument("--work", default=str(ROOT / "bench" / "work" / "serve"))
    args = parser.parse_args(argv)
    work = Path(args.work)
    shutil.rmtree(work, ignore_errors=True)
    province = "山西省"
    counties, years = _shape(args.documents, len(counties_of(province)))
    corpus = generate(work / "corpus", counties, (LAST_YEAR - years + 1, LAST_YEAR), province, seed=args.documents,
                      error_rate=0.02, departments=12)
    extra = generate(work / "extra", 1, (LAST_YEAR + 1, LAST_YEAR + 1), province, seed=args.documents + 1, error_rate=0.0,
                     departments=12)
    (work / "corpus" / "truth.json").unlink()
    new = sorted(p for p in (work / "extra").iterdir() if p.name != "truth.json")[: args.files]
    os.sync()
    print(f"[serve] {corpus.documents} documents ({counties} counties × {years} years); "
          f"{len(new)} new files to add, {DOCS_PER_COUNTY_YEAR} documents a county and year", flush=True)
    built = work / "built" / "w.duckdb"
    full_s, full_peak, _ = _fiscal("run", "--allow-errors", "--input", str(work / "corpus"), "--db", str(built),
                                   "--out", str(work / "built" / "reports"), env=ENV)
    print(f"[serve] fiscal run, the whole corpus: {full_s:.1f} s", flush=True)
    figures = {"documents": corpus.documents, "full_run_s": full_s, "full_run_peak_bytes": full_peak}
    for way in ("run", "serve"):
        folder = work / way
        shutil.copytree(work / "corpus", folder / "corpus")
        shutil.copytree(work / "built" / "reports", folder / "reports")
        _copy_warehouse(built, folder / "w.duckdb")
        if way == "run":
            figures["run_s"] = by_run(folder / "corpus", new, folder / "w.duckdb", folder / "reports")
        else:
            figures["serve_s"], figures["serve_ready_s"], figures["serve_peak_bytes"] = by_serve(
                folder / "corpus", new, folder / "w.duckdb", folder / "reports")
    figures["run_median_s"] = statistics.median(figures["run_s"])
    figures["serve_median_s"] = statistics.median(figures["serve_s"])
    print(f"[serve] one file added, median of {len(new)}: fiscal run {figures['run_median_s']:.1f} s, "
          f"fiscal serve {figures['serve_median_s']:.1f} s "
          f"({figures['run_median_s'] / figures['serve_median_s']:.1f}× faster)", flush=True)
    (work.parent / "serve.json").write_text(json.dumps(figures, indent=2), encoding="utf-8")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
