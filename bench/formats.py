"""Real formats: a generated corpus written mostly as PDF, with Word and Excel beside it, through
the readers and the whole pipeline, against the bare references on the same files in the same run.

It records:
- per format: documents, pages (PDF), reading and parsing in one process of its own (`ingest_file`,
  as a worker runs it), documents/s, pages/s and that process's peak memory, against the bare references on the same files:
  `pdftotext -layout` and PDFium's raw text for PDF, python-docx opening the Word files, openpyxl
  loading the workbooks; as ratios;
- end to end: `fiscal run` on the corpus (documents/s, peak memory of the process tree); then the
  same run again with nothing changed; then one new file added; and `fiscal run` on a corpus of the
  same shape written all as PDF.

Figures go to bench/formats_results.json and a section of BENCHMARKS.md.
"""
from __future__ import annotations

import argparse
import json
import os
import shutil
import subprocess
import time
from collections import defaultdict
from pathlib import Path

from bench.run import ROOT, _fiscal

RESULTS = ROOT / "bench" / "formats_results.json"
MIX = ("pdf", "pdf", "pdf", "docx", "xlsx")  # three in five PDF, as counties publish


def _timed(work) -> float:
    start = time.perf_counter()
    work()
    return time.perf_counter() - start


def _pages(files: list[Path]) -> int:
    import pypdfium2 as pdfium

    return sum(len(pdfium.PdfDocument(f)) for f in files)


def per_format(corpus: Path) -> dict[str, dict]:
    """Each format's reading and parsing against its bare references, the same files, each format
    in a fresh process of its own (so that its peak memory is its own)."""
    import multiprocessing
    from concurrent.futures import ProcessPoolExecutor

    by_format: dict[str, list[Path]] = defaultdict(list)
    for path in sorted(corpus.iterdir()):
        if path.name != "truth.json":
            by_format[path.suffix.lstrip(".")].append(path)
    figures: dict[str, dict] = {}
    for fmt, files in sorted(by_format.items()):
        with ProcessPoolExecutor(1, mp_context=multiprocessing.get_context("spawn")) as pool:
            entry = figures[fmt] = pool.submit(_measure, fmt, files).result()
        print(f"[formats] {fmt}: {len(files)} files, {entry['documents']} documents, read and parsed in "
              f"{entry['ours_s']:.1f} s (peak {entry['ours_peak_bytes'] / 2**20:.0f} MiB); "
              + ", ".join(f"{name} {s:.1f} s" for name, s in entry["bare"].items()), flush=True)
    return figures


def _measure(fmt: str, files: list[Path]) -> dict:
    import resource

    from ingest.reading import ingest_file

    documents = 0

    def ours():
        nonlocal documents
        documents = sum(len(ingest_file(f)) for f in files)

    entry = {"files": len(files), "bytes": sum(f.stat().st_size for f in files), "ours_s": _timed(ours)}
    # the process's peak resident memory, reading every file of the format (kilobytes on Linux)
    entry["ours_peak_bytes"] = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss * 1024
    entry["documents"] = documents
    entry["bare"] = _bare(fmt, files)
    if fmt == "pdf":
        entry["pages"] = _pages(files)
    return entry


def _bare(fmt: str, files: list[Path]) -> dict[str, float]:
    """The references a user would otherwise reach for, on the same files."""
    if fmt == "pdf":
        import pypdfium2 as pdfium

        def pdfium_text():
            for f in files:
                for page in pdfium.PdfDocument(f):
                    page.get_textpage().get_text_range()

        refs = {"PDFium raw text": _timed(pdfium_text)}
        if shutil.which("pdftotext"):
            refs["pdftotext -layout"] = _timed(lambda: [
                subprocess.run(["pdftotext", "-layout", str(f), "-"], capture_output=True, check=True) for f in files])
        return refs
    if fmt == "docx":
        from docx import Document

        return {"python-docx open": _timed(lambda: [Document(str(f)) for f in files])}
    if fmt == "xlsx":
        from openpyxl import load_workbook

        return {"openpyxl load": _timed(lambda: [load_workbook(f, data_only=True) for f in files])}
    return {}


def end_to_end(corpus: Path, extra: Path, base: Path) -> dict[str, float]:
    """`fiscal run` on the corpus, again with nothing changed, and with one new file added."""
    db, out = base / "w.duckdb", base / "reports"
    env = {k: v for k, v in os.environ.items() if not k.startswith("FISCAL_")}
    inputs = ["--input", str(corpus)]
    figures: dict[str, float] = {}
    figures["run_s"], figures["run_peak_bytes"], _ = _fiscal(
        "run", "--allow-errors", *inputs, "--db", str(db), "--out", str(out), env=env)
    print(f"[formats] fiscal run: {figures['run_s']:.1f} s, peak {figures['run_peak_bytes'] / 2**30:.2f} GiB", flush=True)
    figures["noop_s"], _, said = _fiscal("run", "--allow-errors", *inputs, "--db", str(db), "--out", str(out), env=env)
    if not said.startswith("nothing to do"):
        raise RuntimeError(f"the second run found something to do:\n{said[:2000]}")
    print(f"[formats] the same run again, nothing changed: {figures['noop_s']:.2f} s", flush=True)
    [new] = [p for p in sorted(extra.iterdir()) if p.suffix == ".pdf"][:1]
    shutil.copy(new, corpus / f"added_{new.name}")
    figures["one_more_s"], _, _ = _fiscal("run", "--allow-errors", *inputs, "--db", str(db), "--out", str(out), env=env)
    print(f"[formats] one file added: {figures['one_more_s']:.1f} s", flush=True)
    return figures


def pdf_only(base: Path, counties: int) -> dict:
    """`fiscal run` on a corpus of the same shape written all as PDF."""
    from demo.generator import generate

    generated = generate(base / "corpus", counties, (2023, 2024), seed=2002, error_rate=0.02, departments=12,
                         formats=("pdf",))
    os.sync()
    env = {k: v for k, v in os.environ.items() if not k.startswith("FISCAL_")}
    seconds, peak, _ = _fiscal("run", "--allow-errors", "--input", str(base / "corpus"), "--db", str(base / "w.duckdb"),
                               "--out", str(base / "reports"), env=env)
    print(f"[formats] all PDF: {generated.documents} documents, fiscal run {seconds:.1f} s "
          f"({generated.documents / seconds:.0f} documents/s), peak {peak / 2**30:.2f} GiB", flush=True)
    return {"documents": generated.documents, "pages": _pages(sorted((base / "corpus").glob("*.pdf"))),
            "run_s": seconds, "run_peak_bytes": peak}


def main(argv: list[str] | None = None) -> int:
    from demo.generator import generate

    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--counties", type=int, default=17, help="counties of 12 departments, 2 years: about 2,000 documents")
    parser.add_argument("--work", default=str(ROOT / "bench" / "work" / "formats"))
    parser.add_argument("--out", default=str(RESULTS))
    args = parser.parse_args(argv)
    work = Path(args.work)
    shutil.rmtree(work, ignore_errors=True)
    corpus, extra = work / "corpus", work / "extra"
    start = time.perf_counter()
    generated = generate(corpus, args.counties, (2023, 2024), seed=2000, error_rate=0.02, departments=12, formats=MIX)
    generate_s = time.perf_counter() - start
    generate(extra, 1, (2025, 2025), seed=2001, error_rate=0.0, departments=1, formats=("pdf",))
    os.sync()
    print(f"[formats] generated {generated.documents} documents in {generate_s:.0f} s", flush=True)
    result = {"recorded": time.strftime("%Y-%m-%d"), "documents": generated.documents, "mix": list(MIX),
              "generate_s": generate_s, "formats": per_format(corpus), "end_to_end": end_to_end(corpus, extra, work)}
    shutil.rmtree(corpus, ignore_errors=True)
    result["pdf_only"] = pdf_only(work / "pdf", args.counties)
    Path(args.out).write_text(json.dumps(result, indent=1) + "\n", encoding="utf-8")
    shutil.rmtree(work, ignore_errors=True)
    return 0


def section() -> list[str]:
    """The figures `bench.formats` recorded, as a section of BENCHMARKS.md."""
    if not RESULTS.exists():
        return []
    r = json.loads(RESULTS.read_text(encoding="utf-8"))
    e = r["end_to_end"]
    lines = ["", "## Real formats: a mixed PDF, Word and Excel corpus (`python -m bench.formats`)", "",
             f"Recorded {r['recorded']}: {r['documents']:,} generated documents written in turn as "
             f"{', '.join(r['mix'])} (`fiscal generate --formats`), each format read and parsed in one process",
             "(as one worker reads it) against the bare references on the same files, in the same run.", "",
             "| format | files | documents | pages | ours (s) | documents/s | pages/s | peak memory | reference | reference (s) | ours / reference |",
             "|---|---:|---:|---:|---:|---:|---:|---:|---|---:|---:|"]
    for fmt, f in r["formats"].items():
        pages = f.get("pages")
        for n, (name, seconds) in enumerate(f["bare"].items() or [("—", None)]):
            pages_s = f"{pages / f['ours_s']:.0f}" if pages else ""
            head = (f"| {fmt} | {f['files']:,} | {f['documents']:,} | {pages or ''} | {f['ours_s']:.1f} | "
                    f"{f['documents'] / f['ours_s']:.0f} | {pages_s} | {f['ours_peak_bytes'] / 2**20:.0f} MiB |") \
                if n == 0 else "| | | | | | | | |"
            lines.append(head + (f" {name} | {seconds:.2f} | {f['ours_s'] / seconds:.1f}× |" if seconds else " — | | |"))
    lines += ["", f"End to end on this corpus: `fiscal run` {e['run_s']:.1f} s ({r['documents'] / e['run_s']:.0f} documents/s, "
              f"peak {e['run_peak_bytes'] / 2**30:.2f} GiB for the process tree); the same run again with nothing changed "
              f"{e['noop_s']:.2f} s; one new PDF added {e['one_more_s']:.1f} s."]
    if "pdf_only" in r:
        p = r["pdf_only"]
        lines += ["", f"The same shape of corpus written all as PDF ({p['documents']:,} documents, {p['pages']:,} pages): "
                  f"`fiscal run` {p['run_s']:.1f} s, {p['documents'] / p['run_s']:.0f} documents/s, "
                  f"{p['pages'] / p['run_s']:.0f} pages/s, peak {p['run_peak_bytes'] / 2**30:.2f} GiB."]
    return lines


if __name__ == "__main__":
    raise SystemExit(main())
