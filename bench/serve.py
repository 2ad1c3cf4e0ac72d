"""One file added to a built warehouse: by `fiscal run` (a process per run) and by `fiscal serve`
(one process that paid its start-up before the file came).

`python -m bench.serve [--documents N] [--files K]`: generates a province of about N documents
(text, Markdown and HTML, as `bench.run`), builds it with `fiscal run`, then adds new documents of
the next year to the same input folder and warehouse one at a time: K with a `fiscal run` after
each, timed from start to exit; then K more to a `fiscal serve` started on the warehouse those runs
left, each timed from the moment the file is in the input folder to the server's line that its run
is done (so the time to notice the file counts). Prints the figures and keeps them, by corpus
size, in bench/serve_results.json for BENCHMARKS.md.
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
RESULTS = ROOT / "bench" / "serve_results.json"


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

    def wait_for(said, after: int) -> float:
        """When the server printed a line, after its first `after` lines, that `said` accepts."""
        deadline = time.perf_counter() + 900
        while time.perf_counter() < deadline:
            for at, line in lines[after:]:
                if said(line):
                    return at
            if process.poll() is not None:
                break
            time.sleep(0.02)
        raise RuntimeError(f"fiscal serve stopped waiting:\n{''.join(l for _, l in lines[-40:])}")

    seconds = []
    with PeakMemory(process.pid) as memory:
        ready = wait_for(lambda line: line.startswith("fiscal serve: watching"), 0) - started
        print(f"[serve] fiscal serve ready in {ready:.1f} s", flush=True)
        for path in new:
            seen = len(lines)
            arrived = time.perf_counter()
            shutil.copy(path, corpus / path.name)
            done = wait_for(lambda line: line.startswith("fiscal serve: run") and " changed file" in line
                            and (" done in " in line or " failed after " in line), seen)
            if " failed after " in lines[-1][1]:
                raise RuntimeError(f"fiscal serve: {''.join(l for _, l in lines[-20:])}")
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
    work = Path(args.work).resolve()
    shutil.rmtree(work, ignore_errors=True)
    province = "山西省"
    counties, years = _shape(args.documents, len(counties_of(province)))
    corpus = generate(work / "corpus", counties, (LAST_YEAR - years + 1, LAST_YEAR), province, seed=args.documents,
                      error_rate=0.02, departments=12)
    extra = generate(work / "extra", 1, (LAST_YEAR + 1, LAST_YEAR + 1), province, seed=args.documents + 1, error_rate=0.0,
                     departments=12)
    (work / "corpus" / "truth.json").unlink()
    new = sorted(p for p in (work / "extra").iterdir() if p.name != "truth.json")[: 2 * args.files]
    os.sync()
    print(f"[serve] {corpus.documents} documents ({counties} counties × {years} years); "
          f"{len(new)} new files to add, {DOCS_PER_COUNTY_YEAR} documents a county and year", flush=True)
    db, out = work / "w.duckdb", work / "reports"
    full_s, full_peak, _ = _fiscal("run", "--allow-errors", "--input", str(work / "corpus"), "--db", str(db),
                                   "--out", str(out), env=ENV)
    print(f"[serve] fiscal run, the whole corpus: {full_s:.1f} s", flush=True)
    figures = {"documents": corpus.documents, "full_run_s": full_s, "full_run_peak_bytes": full_peak}
    # the same warehouse and input folder both ways, one after the other: the files by `fiscal run`
    # first, then the others by a server started on the warehouse those runs left
    figures["run_s"] = by_run(work / "corpus", new[: args.files], db, out)
    figures["serve_s"], figures["serve_ready_s"], figures["serve_peak_bytes"] = by_serve(
        work / "corpus", new[args.files:], db, out)
    figures["run_median_s"] = statistics.median(figures["run_s"])
    figures["serve_median_s"] = statistics.median(figures["serve_s"])
    print(f"[serve] one file added, median of {len(new)}: fiscal run {figures['run_median_s']:.1f} s, "
          f"fiscal serve {figures['serve_median_s']:.1f} s "
          f"({figures['run_median_s'] / figures['serve_median_s']:.1f}× faster)", flush=True)
    # the figures of each size, kept beside the others' (BENCHMARKS.md)
    stored = json.loads(RESULTS.read_text(encoding="utf-8")) if RESULTS.exists() else {}
    stored[str(corpus.documents)] = {"recorded": time.strftime("%Y-%m-%d"), **figures}
    RESULTS.write_text(json.dumps(stored, indent=1, sort_keys=True), encoding="utf-8")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
