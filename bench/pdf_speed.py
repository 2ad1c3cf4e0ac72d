"""PDF reading against `pdftotext -layout` and PDFium's own text extraction, on the same files, in
one run: pages per second and the ratio to each bare reference (best of three passes each). The
words with positions from pdfplumber (pdfminer), the library the reader could have been built on,
are measured too: the reader uses PDFium because of that figure."""
from __future__ import annotations

import argparse
import json
import shutil
import subprocess
import time
from pathlib import Path


def _best(passes: int, work) -> float:
    times = []
    for _ in range(passes):
        start = time.perf_counter()
        work()
        times.append(time.perf_counter() - start)
    return min(times)


def measure(files: list[Path], passes: int = 3) -> dict:
    import pypdfium2 as pdfium

    from ingest.readers.pdf import read_pdf

    datas = [(f, f.read_bytes()) for f in files]
    pages = sum(len(pdfium.PdfDocument(d)) for _, d in datas)

    def ours():
        for path, data in datas:
            read_pdf(path, data, "")

    def raw_text():
        for _, data in datas:
            pdf = pdfium.PdfDocument(data)
            for page in pdf:
                page.get_textpage().get_text_range()

    def pdftotext():
        for path, _ in datas:
            subprocess.run(["pdftotext", "-layout", str(path), "-"], capture_output=True, check=True)

    def pdfplumber_words():
        import io

        import pdfplumber

        for _, data in datas:
            with pdfplumber.open(io.BytesIO(data)) as pdf:
                for page in pdf.pages:
                    page.extract_words()
                    page.lines  # noqa: B018 - the rulings a table rebuild needs

    ours_s = _best(passes, ours)
    result = {"files": len(files), "pages": pages, "ours_s": ours_s, "ours_pages_per_s": pages / ours_s}
    result["pdfium_text_s"] = _best(passes, raw_text)
    if shutil.which("pdftotext"):
        result["pdftotext_layout_s"] = _best(passes, pdftotext)
        result["ratio_to_pdftotext"] = ours_s / result["pdftotext_layout_s"]
    result["ratio_to_pdfium_text"] = ours_s / result["pdfium_text_s"]
    result["pdfplumber_words_s"] = _best(1, pdfplumber_words)
    result["pdfplumber_to_ours"] = result["pdfplumber_words_s"] / ours_s
    return result


RESULTS = Path(__file__).resolve().parent / "pdf_results.json"


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("folder", nargs="?", default="data/samples/real")
    parser.add_argument("--out", default=str(RESULTS), help="where the figures go (BENCHMARKS.md is written from them)")
    args = parser.parse_args()
    files = sorted(Path(args.folder).glob("*.pdf"))
    result = measure(files)
    result["recorded"] = time.strftime("%Y-%m-%d")
    Path(args.out).write_text(json.dumps(result, indent=1) + "\n", encoding="utf-8")
    for key, value in result.items():
        print(f"{key}: {value:.3f}" if isinstance(value, float) else f"{key}: {value}")


if __name__ == "__main__":
    main()
