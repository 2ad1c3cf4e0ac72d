"""Peak memory of a run whatever its inputs: `fiscal ingest` (a subprocess, as a user runs it) over
a folder of the worst files we know how to make, each small on disk, with the memory of the whole
process tree sampled from /proc. Every file is quarantined with "resource limit: …" or read within
its limits, and the run goes on; the figure to hold is the peak, against `limits.RUN_MEMORY`.

    python -m bench.hostile [--out bench/hostile_results.json]
"""
from __future__ import annotations

import argparse
import io
import json
import os
import subprocess
import sys
import tempfile
import time
import zipfile
from pathlib import Path

from bench.run import ROOT, PeakMemory


def _many_paragraphs_docx(paragraphs: int) -> bytes:
    """A Word file whose XML is just under the decompressed-size cap: 1.8 GB to parse unbounded."""
    out = io.BytesIO()
    with zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED) as archive:
        archive.writestr("[Content_Types].xml",
                         '<?xml version="1.0" encoding="UTF-8"?><Types xmlns="http://schemas.openxmlformats.org/package/'
                         '2006/content-types"><Default Extension="rels" ContentType="application/vnd.openxmlformats-'
                         'package.relationships+xml"/><Default Extension="xml" ContentType="application/xml"/>'
                         '<Override PartName="/word/document.xml" ContentType="application/vnd.openxmlformats-'
                         'officedocument.wordprocessingml.document.main+xml"/></Types>')
        archive.writestr("_rels/.rels",
                         '<?xml version="1.0" encoding="UTF-8"?><Relationships xmlns="http://schemas.openxmlformats.org/'
                         'package/2006/relationships"><Relationship Id="rId1" Type="http://schemas.openxmlformats.org/'
                         'officeDocument/2006/relationships/officeDocument" Target="word/document.xml"/></Relationships>')
        with archive.open("word/document.xml", "w", force_zip64=True) as part:
            part.write(b'<?xml version="1.0" encoding="UTF-8"?><w:document xmlns:w="http://schemas.openxmlformats.org/'
                       b'wordprocessingml/2006/main"><w:body>')
            block = b"<w:p><w:r><w:t>x</w:t></w:r></w:p>" * 10_000
            for _ in range(paragraphs // 10_000):
                part.write(block)
            part.write(b"</w:body></w:document>")
    return out.getvalue()


def _long_pdf(pages: int, rows: int) -> bytes:
    """A ruled table of `rows` rows on every one of `pages` pages."""
    from reportlab.pdfgen import canvas

    out = io.BytesIO()
    pdf = canvas.Canvas(out, pagesize=(595, 842))
    for page in range(pages):
        for r in range(rows):
            y = 800 - r * 18
            pdf.line(50, y, 545, y)
            pdf.drawString(55, y - 13, f"2010{r:02d}")
            for k in range(4):
                pdf.drawRightString(300 + k * 80, y - 13, f"{(page * r * k + 1) * 1.25:,.2f}")
        for x in (50, 110, 310, 390, 470, 545):
            pdf.line(x, 800, x, 800 - rows * 18)
        pdf.showPage()
    pdf.save()
    return out.getvalue()


def _zip_bomb() -> bytes:
    out = io.BytesIO()
    with zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED) as archive:
        archive.writestr("[Content_Types].xml", "<Types/>")
        with archive.open("xl/worksheets/sheet1.xml", "w", force_zip64=True) as part:
            block = b"<c/>" * 250_000
            for _ in range(2_000):
                part.write(block)
    return out.getvalue()


def build(folder: Path) -> dict[str, int]:
    """The hostile corpus; returns each file's size on disk."""
    files = {
        "many_paragraphs.docx": _many_paragraphs_docx(1_800_000),
        "long_table.pdf": _long_pdf(1_400, 40),
        "too_many_pages.pdf": _long_pdf(2_000, 1),
        "bomb.xlsx": _zip_bomb(),
        "spans.html": b"<table>" + b"<tr><td rowspan=1000 colspan=1000>x</td></tr>" * 40 + b"</table>",
        "nested.html": b"<table><tr><td>" * 20_000,
        "huge_line.txt": ("一" * 20_000_000).encode("utf-8"),
    }
    folder.mkdir(parents=True, exist_ok=True)
    for name, data in files.items():
        (folder / name).write_bytes(data)
    return {name: len(data) for name, data in files.items()}


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--out", type=Path, default=ROOT / "bench" / "hostile_results.json")
    args = parser.parse_args(argv)
    from ingest.limits import RUN_MEMORY

    with tempfile.TemporaryDirectory() as scratch:
        corpus = Path(scratch) / "in"
        sizes = build(corpus)
        db = Path(scratch) / "w.duckdb"
        start = time.perf_counter()
        fiscal = Path(sys.executable).with_name("fiscal")
        process = subprocess.Popen([str(fiscal), "ingest", str(corpus), "--db", str(db)], stdout=subprocess.PIPE,
                                   stderr=subprocess.STDOUT, text=True, env={**os.environ, "PYTHONUNBUFFERED": "1"})
        with PeakMemory(process.pid, interval=0.05) as peak:
            output, _ = process.communicate()
        seconds = time.perf_counter() - start
        import duckdb

        with duckdb.connect(str(db), read_only=True) as con:
            rows = con.execute("select source_file, status, reason from raw.documents order by source_file").fetchall()
    outcome = {Path(source).name: {"status": status, "reason": reason, "bytes": sizes[Path(source).name]}
               for source, status, reason in rows}
    figures = {"seconds": round(seconds, 1), "peak_bytes": peak.peak, "limit_bytes": RUN_MEMORY,
               "returncode": process.returncode, "files": outcome}
    args.out.write_text(json.dumps(figures, ensure_ascii=False, indent=2) + "\n", encoding="utf-8")
    print(output.rstrip())
    print(f"hostile inputs: {len(outcome)} of {len(sizes)} files recorded in {seconds:.1f} s, "
          f"peak {peak.peak / 2**30:.2f} GiB (limit {RUN_MEMORY / 2**30:.2f} GiB)")
    for name, found in outcome.items():
        print(f"  {name} ({found['bytes']:,} bytes): {found['status']}: {found['reason']}")
    return 0 if peak.peak <= RUN_MEMORY and len(outcome) == len(sizes) else 1


if __name__ == "__main__":
    raise SystemExit(main())
