"""Province-scale benchmark: generated corpora of increasing size through the whole pipeline.

For each size it records, in one run on one machine:
- end to end: `fiscal run` on the corpus (a subprocess, as a user runs it), documents/s, and the peak
  memory of its whole process tree (the command, its parse and report workers and dbt: the sum of
  their proportional set sizes), sampled from /proc;
- each step on its own, with the code the assets call: read, parse, load, dbt build, integrity
  checks (Great Expectations, per mart as the asset checks run them), report;
- the bare-engine references: DuckDB loading the same parsed records straight from Arrow with no
  schema management, and the integrity identities as plain SQL in DuckDB;
- incremental: 1 % new documents (a new year for some counties) added to the built warehouse.

Figures go to BENCHMARKS.md (and bench/results.json), with the machine's description.
"""
from __future__ import annotations

import argparse
import json
import math
import os
import platform
import re
import shutil
import subprocess
import sys
import threading
import time
from dataclasses import dataclass, field
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
DOCS_PER_COUNTY_YEAR = 12 * 4  # twelve departments, about three project reports and one final accounts each
LAST_YEAR = 2024


def _tree_memory(root: int) -> int:
    """Memory of a process and all its descendants, in bytes (Linux /proc): the sum of their
    proportional set sizes, so that pages forked workers share with their parent count once."""
    children: dict[int, list[int]] = {}
    for entry in os.listdir("/proc"):
        if not entry.isdigit():
            continue
        try:
            with open(f"/proc/{entry}/stat", encoding="utf-8") as f:
                ppid = int(f.read().rsplit(")", 1)[1].split()[1])
        except (OSError, IndexError, ValueError):
            continue
        children.setdefault(ppid, []).append(int(entry))
    total, stack = 0, [root]
    while stack:
        pid = stack.pop()
        total += _process_memory(pid)
        stack.extend(children.get(pid, []))
    return total


def _process_memory(pid: int) -> int:
    try:
        with open(f"/proc/{pid}/smaps_rollup", encoding="utf-8") as f:
            for line in f:
                if line.startswith("Pss:"):
                    return int(line.split()[1]) * 1024
    except (OSError, IndexError, ValueError):
        pass
    try:  # no smaps_rollup: resident pages, shared ones counted in every process
        with open(f"/proc/{pid}/statm", encoding="utf-8") as f:
            return int(f.read().split()[1]) * os.sysconf("SC_PAGE_SIZE")
    except (OSError, IndexError, ValueError):
        return 0


class PeakMemory:
    """Samples the memory of a process tree every `interval` seconds while it runs."""

    def __init__(self, pid: int, interval: float = 0.5):
        self.pid, self.peak, self._stop, self._interval = pid, 0, threading.Event(), interval
        self._thread = threading.Thread(target=self._run, daemon=True)

    def _run(self) -> None:
        while not self._stop.is_set():
            self.peak = max(self.peak, _tree_memory(self.pid))
            self._stop.wait(self._interval)

    def __enter__(self) -> "PeakMemory":
        self._thread.start()
        return self

    def __exit__(self, *exc) -> None:
        self._stop.set()
        self._thread.join()


@dataclass
class Figures:
    size: int
    documents: int = 0
    files: int = 0
    generate_s: float = 0.0
    end_to_end_s: float = 0.0
    end_to_end_peak_bytes: int = 0
    steps: dict[str, float] = field(default_factory=dict)
    bare: dict[str, float] = field(default_factory=dict)
    incremental_documents: int = 0
    incremental_s: float = 0.0
    incremental_steps: dict[str, float] = field(default_factory=dict)
    rows: dict[str, int] = field(default_factory=dict)


def _fiscal(*args: str, env: dict | None = None) -> tuple[float, int, str]:
    """Run the fiscal command; wall seconds, peak tree memory and its output."""
    command = [sys.executable, "-m", "orchestration.cli", *args]
    start = time.perf_counter()
    process = subprocess.Popen(command, cwd=ROOT, stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True, env=env)
    with PeakMemory(process.pid) as memory:
        output, _ = process.communicate()
    elapsed = time.perf_counter() - start
    if process.returncode not in (0,):
        raise RuntimeError(f"fiscal {' '.join(args)} exited {process.returncode}:\n{output[-3000:]}")
    return elapsed, memory.peak, output


def _shape(size: int, available: int) -> tuple[int, int]:
    """Counties and years giving about `size` documents."""
    county_years = max(1, round(size / DOCS_PER_COUNTY_YEAR))
    years = max(2, math.ceil(county_years / available))
    return max(1, min(available, round(county_years / years))), years


def run_size(size: int, work: Path, province: str) -> Figures:
    import duckdb

    from demo.generator import counties_of, generate

    figures = Figures(size)
    base = work / str(size)
    shutil.rmtree(base, ignore_errors=True)
    corpus, extra = base / "corpus", base / "extra"
    counties, years = _shape(size, len(counties_of(province)))
    start = time.perf_counter()
    generated = generate(corpus, counties, (LAST_YEAR - years + 1, LAST_YEAR), province, seed=size, error_rate=0.02,
                         departments=12)
    figures.generate_s = time.perf_counter() - start
    os.sync()  # the corpus's pages reach the disk now, not while the run is being timed
    figures.documents = generated.documents
    figures.files = sum(1 for _ in corpus.iterdir()) - 1  # without truth.json
    print(f"[{size}] generated {figures.documents} documents ({counties} counties × {years} years) "
          f"in {figures.generate_s:.1f} s", flush=True)

    # End to end, as a user runs it. Error findings are planted: the reports are written anyway.
    db, out = base / "e2e" / "w.duckdb", base / "e2e" / "reports"
    env = {k: v for k, v in os.environ.items() if not k.startswith("FISCAL_")}
    figures.end_to_end_s, figures.end_to_end_peak_bytes, _ = _fiscal(
        "run", "--allow-errors", "--input", str(corpus), "--db", str(db), "--out", str(out), env=env
    )
    print(f"[{size}] end to end {figures.end_to_end_s:.1f} s, "
          f"{figures.documents / figures.end_to_end_s:.0f} documents/s, "
          f"peak {figures.end_to_end_peak_bytes / 2**30:.2f} GiB", flush=True)

    # Incremental: a new year for a few counties, about 1 % of the corpus, added to that warehouse.
    new_counties = max(1, round(figures.documents * 0.01 / DOCS_PER_COUNTY_YEAR))
    added = generate(extra, new_counties, (LAST_YEAR + 1, LAST_YEAR + 1), province, seed=size + 1, error_rate=0.0,
                     departments=12)
    os.sync()
    figures.incremental_documents = added.documents
    figures.incremental_s, _, _ = _fiscal(
        "run", "--allow-errors", "--input", str(corpus), "--input", str(extra), "--db", str(db), "--out", str(out), env=env
    )
    print(f"[{size}] +{added.documents} documents: {figures.incremental_s:.1f} s "
          f"({figures.incremental_s / figures.end_to_end_s:.1%} of the full run)", flush=True)
    with duckdb.connect(str(db), read_only=True) as con:
        for table in ("raw.documents", "marts.fct_final_account_line", "marts.fct_performance_indicator",
                      "audit.integrity_violation"):
            figures.rows[table] = con.execute(f"select count(*) from {table}").fetchone()[0]

    # Each step alone, on a fresh warehouse, with the code the assets call.
    figures.steps, figures.bare = _steps(corpus, base / "steps")
    for name, seconds in figures.steps.items():
        print(f"[{size}] step {name}: {seconds:.2f} s", flush=True)
    for name, seconds in figures.bare.items():
        print(f"[{size}] bare {name}: {seconds:.2f} s", flush=True)
    shutil.rmtree(corpus, ignore_errors=True)
    shutil.rmtree(extra, ignore_errors=True)
    return figures


def _steps(corpus: Path, base: Path) -> tuple[dict[str, float], dict[str, float]]:
    """Each step's seconds, as a run takes it, and the bare references' beside them."""
    import duckdb

    from reporting.yearly import write_report

    base.mkdir(parents=True, exist_ok=True)
    db = base / "w.duckdb"
    steps, bare = _read_and_load(corpus, base, db)
    steps["dbt build"] = _dbt_build(db)
    _check(db, steps, bare)

    start = time.perf_counter()
    with duckdb.connect(str(db), read_only=True) as con:
        years = [r[0] for r in con.execute("select distinct fiscal_year from marts.dim_document where fiscal_year is not null").fetchall()]
        for year in years:
            write_report(con, year, base / "reports")
    steps["report"] = time.perf_counter() - start
    return steps, bare


def _read_and_load(corpus: Path, base: Path, db: Path) -> tuple[dict[str, float], dict[str, float]]:
    from datetime import datetime, timezone

    import duckdb
    import pyarrow as pa

    from ingest.load import SCHEMAS, load_batches
    from ingest.pipeline import IngestStream

    steps: dict[str, float] = {}
    bare: dict[str, float] = {}
    # Reading and parsing, as the ingest asset runs them (the workers also turn their rows into
    # Arrow tables), but with the batches kept so the load can be timed alone.
    start = time.perf_counter()
    stream = IngestStream([corpus], loaded_at=datetime.now(timezone.utc))
    batches = list(stream)
    wall = time.perf_counter() - start
    result = stream.result
    cpu = (result.read_seconds + result.parse_seconds) or 1.0
    # the pool's wall time, shared between reading and parsing as their CPU seconds are
    steps["read"] = wall * result.read_seconds / cpu
    steps["parse"] = wall * result.parse_seconds / cpu

    # The load alone: the same batches into a fresh warehouse (in the asset it overlaps the parsing).
    start = time.perf_counter()
    with duckdb.connect(str(db)) as con:
        load_batches(con, batches)
    steps["load"] = time.perf_counter() - start

    # Bare reference: the same rows, one Arrow table per raw table, straight into a fresh DuckDB file.
    tables = {name: pa.concat_tables([b.tables[name] for b in batches]) for name in SCHEMAS}
    del batches, stream
    start = time.perf_counter()
    with duckdb.connect(str(base / "bare.duckdb")) as con:
        for table, arrow in tables.items():
            con.register("incoming", arrow)
            con.execute(f"create table {table} as select * from incoming")
            con.unregister("incoming")
    bare["load"] = time.perf_counter() - start
    return steps, bare


def _dbt_build(db: Path) -> float:
    from orchestration.assets.dbt import dbt_build_args
    from orchestration.lock import dbt_state
    from orchestration.settings import DBT_PROJECT_DIR

    dbt = Path(sys.prefix) / "bin" / "dbt"
    start = time.perf_counter()
    subprocess.run(
        [str(dbt), *dbt_build_args(), "--quiet", "--project-dir", str(DBT_PROJECT_DIR), "--profiles-dir", str(DBT_PROJECT_DIR)],
        # dbt's artifacts and parse cache beside the warehouse, as a warehouse build keeps them
        check=True, env={**os.environ, "FISCAL_DB": str(db), "DBT_TARGET_PATH": str(dbt_state(db))}, cwd=DBT_PROJECT_DIR,
    )
    return time.perf_counter() - start


def _check(db: Path, steps: dict[str, float], bare: dict[str, float]) -> None:
    import duckdb

    from expectations.audit import check_and_record
    from expectations.catalogue import default_rules
    from orchestration.lock import data_docs

    rules = default_rules()
    start = time.perf_counter()
    import great_expectations  # noqa: F401  (a one-off cost of every process that checks, measured apart)

    bare["great_expectations import"] = time.perf_counter() - start
    start = time.perf_counter()
    check_and_record(db, docs_dir=data_docs(db))  # as the integrity asset check runs them
    steps["integrity checks"] = time.perf_counter() - start
    start = time.perf_counter()
    check_and_record(db)
    bare["integrity checks without Data Docs"] = time.perf_counter() - start

    start = time.perf_counter()
    with duckdb.connect(str(db), read_only=True) as con:
        for rule in rules:
            con.execute(rule.query_for(f"marts.{rule.applies_to}")).fetchall()
    bare["integrity identities"] = time.perf_counter() - start


def machine() -> str:
    cpu = "unknown CPU"
    try:
        with open("/proc/cpuinfo", encoding="utf-8") as f:
            cpu = next(line.split(":", 1)[1].strip() for line in f if line.startswith("model name"))
    except (OSError, StopIteration):
        pass
    memory = os.sysconf("SC_PAGE_SIZE") * os.sysconf("SC_PHYS_PAGES") / 2**30
    import duckdb

    return (f"{os.cpu_count()} cores ({cpu}), {memory:.0f} GiB memory, {platform.system()} {platform.release()}, "
            f"Python {platform.python_version()}, DuckDB {duckdb.__version__}")


def write_markdown(path: Path, results: list[Figures], when: str, on: str | None = None) -> None:
    lines = (_end_to_end_section(results, when, on) + _steps_section(results) + _bare_section(results)
             + _incremental_section(results))
    from bench.formats import section as formats_section

    lines += pdf_section() + formats_section()
    notes = ROOT / "bench" / "NOTES.md"
    if notes.exists():
        lines += ["", notes.read_text(encoding="utf-8").strip()]
    path.write_text("\n".join(lines) + "\n", encoding="utf-8")


def _end_to_end_section(results: list[Figures], when: str, on: str | None) -> list[str]:
    lines = [
        "# Benchmarks",
        "",
        f"Recorded {when} by `make bench` on: {on or machine()}.",
        "",
        "Corpora are generated with `fiscal generate` (12 departments per county, each with about three project",
        "reports and one final accounts a year, in text, Markdown and HTML). Figures are wall-clock seconds from",
        "one run; ratios compare figures measured in that same run. Regenerate with `make bench`",
        "(add `BENCH_SIZES=2000,20000,100000` for the largest corpus).",
        "",
        "## End to end (`fiscal run` on the corpus)",
        "",
        "| documents | files | seconds | documents/s | ms per document | peak memory (process tree, PSS) |",
        "|---:|---:|---:|---:|---:|---:|",
    ]
    for f in results:
        lines.append(f"| {f.documents:,} | {f.files:,} | {f.end_to_end_s:.1f} | {f.documents / f.end_to_end_s:.0f} | "
                     f"{1000 * f.end_to_end_s / f.documents:.2f} | {f.end_to_end_peak_bytes / 2**30:.2f} GiB |")
    return lines


def _steps_section(results: list[Figures]) -> list[str]:
    names = list(results[0].steps)
    lines = [
        "",
        "## Steps, each measured alone on a fresh warehouse",
        "",
        "| documents | " + " | ".join(names) + " | sum |",
        "|---:|" + "---:|" * (len(names) + 1),
    ]
    for f in results:
        lines.append(f"| {f.documents:,} | " + " | ".join(f"{f.steps[n]:.2f}" for n in names)
                     + f" | {sum(f.steps.values()):.2f} |")
    lines += [
        "",
        "Read and parse run together in a pool of worker processes (one per core), which also turn the",
        "parsed rows into Arrow tables (counted in parse); their wall time is shared between reading and",
        "parsing in proportion to the time each took in the workers. Load is DuckDB inserting those",
        "batches; in `fiscal run` it overlaps the parsing. Report writes the years one after another",
        "(`fiscal run` writes them side by side, one process per core).",
    ]
    return lines


def _bare_section(results: list[Figures]) -> list[str]:
    lines = [
        "",
        "## Against the bare engine",
        "",
        "| documents | load | bare DuckDB load from Arrow | ratio | integrity checks (GE, with Data Docs) | without Data Docs | identities as plain SQL | ratio (with / without docs) |",
        "|---:|---:|---:|---:|---:|---:|---:|---:|",
    ]
    for f in results:
        lines.append(
            f"| {f.documents:,} | {f.steps['load']:.2f} | {f.bare['load']:.2f} | {f.steps['load'] / f.bare['load']:.2f}× | "
            f"{f.steps['integrity checks']:.2f} | {f.bare['integrity checks without Data Docs']:.2f} | "
            f"{f.bare['integrity identities']:.2f} | {f.steps['integrity checks'] / f.bare['integrity identities']:.2f}× / "
            f"{f.bare['integrity checks without Data Docs'] / f.bare['integrity identities']:.2f}× |"
        )
    lines += [
        "",
        "The integrity checks run every rule's query once in DuckDB (into scratch tables), then Great",
        "Expectations validates each rule's result and writes the Data Docs; their time excludes the",
        f"one-off `import great_expectations` of the process ({max(f.bare['great_expectations import'] for f in results):.1f} s here).",
        "",
    ]
    return lines


def _incremental_section(results: list[Figures]) -> list[str]:
    lines = [
        "## Incremental: about 1 % new documents added to the built warehouse",
        "",
        "| documents | added | full run (s) | adding run (s) | share of the full run |",
        "|---:|---:|---:|---:|---:|",
    ]
    for f in results:
        lines.append(f"| {f.documents:,} | {f.incremental_documents:,} | {f.end_to_end_s:.1f} | {f.incremental_s:.1f} | "
                     f"{f.incremental_s / f.end_to_end_s:.1%} |")
    if len(results) > 1:
        first = results[0].end_to_end_s / results[0].documents
        costs = ", ".join(f"{1000 * f.end_to_end_s / f.documents:.2f} ms at {f.documents:,}"
                          + (f" ({f.end_to_end_s / f.documents / first:.2f}× the first)" if i else " documents")
                          for i, f in enumerate(results))
        lines += ["", "## Scaling", "", f"Per-document cost end to end: {costs}."]
    lines += ["", "## Warehouse rows after the adding run", "", "| documents | " + " | ".join(results[0].rows) + " |",
              "|---:|" + "---:|" * len(results[0].rows)]
    for f in results:
        lines.append(f"| {f.documents:,} | " + " | ".join(f"{v:,}" for v in f.rows.values()) + " |")
    return lines


def pdf_section() -> list[str]:
    """The real-PDF reading figures `bench.pdf_speed` recorded, as a section of BENCHMARKS.md."""
    stored = ROOT / "bench" / "pdf_results.json"
    if not stored.exists():
        return []
    r = json.loads(stored.read_text(encoding="utf-8"))
    rows = [("`ingest.readers.pdf.read_pdf` (words, rulings, tables rebuilt, paragraphs)", r["ours_s"], "1")]
    if "pdftotext_layout_s" in r:
        rows.append(("`pdftotext -layout` (poppler, one process per file)", r["pdftotext_layout_s"],
                     f"ours = {r['ratio_to_pdftotext']:.2f}×"))
    rows.append(("PDFium's raw text extraction (`get_text_range`, no positions)", r["pdfium_text_s"],
                 f"ours = {r['ratio_to_pdfium_text']:.2f}×"))
    rows.append(("pdfplumber `extract_words` + `lines` (pdfminer; positions, no tables)", r["pdfplumber_words_s"],
                 f"{r['pdfplumber_to_ours']:.1f}× ours"))
    lines = ["", "## Reading real PDFs (`python -m bench.pdf_speed data/samples/real`)", "",
             f"Recorded {r['recorded']}: the {r['files']} published PDFs of `data/samples/real/` ({r['pages']} pages),",
             "best of three passes each (one for pdfplumber), all in one run. Target: at most 3× `pdftotext -layout`.",
             "", "| reader | seconds | pages/s | against ours |", "|---|---:|---:|---|"]
    lines += [f"| {name} | {seconds:.3f} | {r['pages'] / seconds:.0f} | {ratio} |" for name, seconds, ratio in rows]
    return lines


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--sizes", default=os.environ.get("BENCH_SIZES", "2000,20000"))
    parser.add_argument("--work", default=str(ROOT / "bench" / "work"))
    parser.add_argument("--province", default="山西省")
    parser.add_argument("--out", default=str(ROOT / "BENCHMARKS.md"))
    parser.add_argument("--rewrite", action="store_true", help="only rewrite the Markdown from bench/results.json")
    args = parser.parse_args(argv)
    if args.rewrite:
        stored = json.loads((ROOT / "bench" / "results.json").read_text(encoding="utf-8"))
        # the corpus figures keep the day and the machine they were measured on
        recorded = re.search(r"Recorded (\S+) by `make bench` on: (.*)\.$", Path(args.out).read_text(encoding="utf-8"),
                             re.MULTILINE) if Path(args.out).exists() else None
        write_markdown(Path(args.out), [Figures(**f) for f in stored],
                       *(recorded.groups() if recorded else (time.strftime("%Y-%m-%d"),)))
        return 0
    # absolute: the dbt build of the steps runs in the dbt project's folder
    work = Path(args.work).resolve()
    work.mkdir(parents=True, exist_ok=True)
    results = []
    for size in (int(s) for s in args.sizes.split(",")):
        results.append(run_size(size, work, args.province))
        (ROOT / "bench" / "results.json").write_text(
            json.dumps([f.__dict__ for f in results], indent=1, ensure_ascii=False), encoding="utf-8"
        )
    write_markdown(Path(args.out), results, time.strftime("%Y-%m-%d"))
    print(f"wrote {args.out}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
