"""Bounded work per file: a file beyond a limit is quarantined with "resource limit: …" and the
rest of the batch goes on."""
import io
import time
import zipfile
from pathlib import Path

from ingest.pipeline import ingest_paths
from tests.conftest import SHANXI_2020


def _statuses(folder: Path):
    result = ingest_paths([folder], workers=1)
    return {Path(d.document.source_file).name: (d.document.status, d.document.reason) for d in result.documents}


def test_files_beyond_the_limits_are_quarantined_and_the_batch_goes_on(tmp_path, monkeypatch):
    import ingest.limits as limits
    import ingest.pipeline as pipeline
    from reportlab.pdfgen import canvas

    corpus = tmp_path / "in"
    corpus.mkdir()
    (corpus / "a_good.txt").write_text(SHANXI_2020.read_text(encoding="utf-8"), encoding="utf-8")
    # many pages: a PDF of 2,000 (small pages, quick to make)
    out = io.BytesIO()
    pdf = canvas.Canvas(out, pagesize=(100, 100))
    for n in range(2000):
        pdf.drawString(10, 50, f"page {n}")
        pdf.showPage()
    pdf.save()
    (corpus / "b_pages.pdf").write_bytes(out.getvalue())
    # a zip bomb dressed as a Word file: a few hundred kilobytes, 300 MB once decompressed
    bomb = io.BytesIO()
    with zipfile.ZipFile(bomb, "w", zipfile.ZIP_DEFLATED) as archive:
        archive.writestr("[Content_Types].xml", "<Types/>")
        with archive.open("word/document.xml", "w", force_zip64=True) as part:
            block = b"<w:p/>" * 100_000
            for _ in range(500):
                part.write(block)
    (corpus / "c_bomb.docx").write_bytes(bomb.getvalue())
    # a file that takes too long to read (a reader's worst case, made quick to hit)
    (corpus / "d_slow.txt").write_text("项目支出绩效自评表\n", encoding="utf-8")
    real = pipeline.ingest_file

    def slow(path, *args, **kwargs):
        if path.name == "d_slow.txt":
            time.sleep(5)
        return real(path, *args, **kwargs)

    monkeypatch.setattr(pipeline, "ingest_file", slow)
    monkeypatch.setattr(limits, "SECONDS_PER_FILE", 1.0)
    found = _statuses(corpus)

    assert found["a_good.txt"][0] == "loaded"
    assert found["b_pages.pdf"] == ("quarantined", "resource limit: 2,000 pages (at most 1,500)")
    status, reason = found["c_bomb.docx"]
    assert status == "quarantined" and reason.startswith("resource limit: 300,000,") and "once decompressed" in reason
    assert found["d_slow.txt"] == ("quarantined", "resource limit: reading took longer than 1 s")


def test_a_huge_text_file_is_quarantined_before_it_is_decoded(tmp_path, monkeypatch):
    import ingest.limits as limits

    monkeypatch.setattr(limits, "MAX_TEXT_BYTES", 1_000)
    corpus = tmp_path / "in"
    corpus.mkdir()
    (corpus / "big.txt").write_text("字" * 2_000, encoding="utf-8")
    assert _statuses(corpus)["big.txt"] == ("quarantined", "resource limit: 6,000 bytes of text (at most 1,000)")
