"""OCR of scanned PDFs: the real published PDFs (data/samples/real) rendered to image-only PDFs at
150 and 300 dpi, and at 300 dpi turned by 0.8° as a scanner leaves a page, read by the project
(`ingest_file`) against their own text layer.

It records, per resolution: pages, seconds, pages per second (one process), the share of the text
layer's table amounts the scan read alike (same table, subject or row, column and amount), and the
share of its amounts read at all (same table and amount: the digits, whatever the labels). For
the choice of engine, it also runs Tesseract (Debian's tesseract-ocr with chi_sim, when installed)
over the same page images and counts the text layer's numbers it gives back, beside the project's
engine read the same way (bare recognition, no table rebuilding), and each one's seconds per page.

Figures go to bench/ocr_results.json and the "OCR" section of BENCHMARKS.md.
"""
from __future__ import annotations

import json
import re
import shutil
import subprocess
import tempfile
import time
from collections import Counter
from pathlib import Path

from bench.run import ROOT
from demo.formats import as_scanned

RESULTS = ROOT / "bench" / "ocr_results.json"
REAL = ROOT / "data" / "samples" / "real"
SCANS = (("150 dpi", 150, 0.0), ("300 dpi", 300, 0.0), ("300 dpi, turned 0.8°", 300, 0.8))
_NUMBER = re.compile(r"\d[\d,]*\.\d+|\d{3,}")


def _amounts(path: Path) -> tuple[Counter, int]:
    from ingest.reading import ingest_file

    out: Counter = Counter()
    pages = 0
    for parsed in ingest_file(path):
        pages = parsed.document.pages or pages
        if parsed.statements:
            out.update((l.table_code, l.subject_code or l.row_key or l.row_label, l.column_label, l.amount_yuan)
                       for l in parsed.statements.lines)
    return out, pages


def _digits(printed: Counter, read: Counter) -> float:
    """The share of the printed amounts read with the right digits, in the right table."""
    def amounts(found: Counter) -> Counter:
        out: Counter = Counter()
        for (table, _, _, amount), n in found.items():
            out[(table, amount)] += n
        return out

    expected = amounts(printed)
    return sum((expected & amounts(read)).values()) / sum(expected.values())


def scans(work: Path) -> list[dict]:
    rows = []
    for pdf in sorted(REAL.glob("*.pdf")):
        printed, _ = _amounts(pdf)
        if not printed:
            continue
        for label, dpi, turn in SCANS:
            scan = work / f"{pdf.stem}-{dpi}-{turn}.pdf"
            scan.write_bytes(as_scanned(pdf.read_bytes(), dpi, turn))
            start = time.perf_counter()
            read, pages = _amounts(scan)
            seconds = time.perf_counter() - start
            rows.append({"file": pdf.name, "scan": label, "pages": pages, "seconds": round(seconds, 1),
                         "pages_per_second": round(pages / seconds, 3), "amounts": sum(printed.values()),
                         "read_alike": sum((printed & read).values()),
                         "share": round(sum((printed & read).values()) / sum(printed.values()), 4),
                         "digits_share": round(_digits(printed, read), 4)})
            print(rows[-1], flush=True)
    return rows


def engines(pages: int = 6) -> dict:
    """Bare recognition of the first table pages of the real final accounts at 200 dpi: the
    project's engine and Tesseract, the text layer's numbers each gives back, and seconds a page."""
    import pypdfium2 as pdfium

    from ingest.readers import ocr

    pdf = pdfium.PdfDocument(REAL / "shanghai_putuo_2024_finance_bureau_final_accounts.pdf")
    chosen = [i for i in range(len(pdf)) if _NUMBER.search(pdf[i].get_textpage().get_text_range())][:pages]
    expected: Counter = Counter()
    found = {"rapidocr": Counter(), "tesseract": Counter()}
    seconds = {"rapidocr": 0.0, "tesseract": 0.0}
    tesseract = shutil.which("tesseract")
    for index in chosen:
        page = pdf[index]
        expected.update(_NUMBER.findall(page.get_textpage().get_text_range()))
        image = page.render(scale=200 / 72)
        start = time.perf_counter()
        text = " ".join(w.text for w in ocr.words(image.to_numpy(), 200 / 72))
        seconds["rapidocr"] += time.perf_counter() - start
        found["rapidocr"].update(_NUMBER.findall(text))
        if tesseract:
            with tempfile.NamedTemporaryFile(suffix=".png") as png:
                image.to_pil().save(png.name)
                start = time.perf_counter()
                text = subprocess.run([tesseract, png.name, "-", "-l", "chi_sim", "--psm", "6"],
                                      capture_output=True, text=True).stdout
                seconds["tesseract"] += time.perf_counter() - start
            found["tesseract"].update(_NUMBER.findall(text))
    total = sum(expected.values())
    return {
        "pages": len(chosen), "numbers": total,
        **{name: {"numbers_read": sum((expected & got).values()), "share": round(sum((expected & got).values()) / total, 4),
                  "seconds_per_page": round(seconds[name] / len(chosen), 2)}
           for name, got in found.items() if name == "rapidocr" or tesseract},
    }


def main() -> None:
    with tempfile.TemporaryDirectory() as tmp:
        results = {"scans": scans(Path(tmp)), "engines": engines()}
    RESULTS.write_text(json.dumps(results, ensure_ascii=False, indent=2) + "\n", encoding="utf-8")
    print(json.dumps(results["engines"], ensure_ascii=False, indent=2))


if __name__ == "__main__":
    main()
