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


def _docx_of(paragraphs: int) -> bytes:
    """A Word file of many one-word paragraphs: small on disk, large once parsed."""
    import docx

    out = io.BytesIO()
    docx.Document().save(out)
    source = zipfile.ZipFile(io.BytesIO(out.getvalue()))
    made = io.BytesIO()
    with zipfile.ZipFile(made, "w", zipfile.ZIP_DEFLATED) as archive:
        for item in source.infolist():
            if item.filename != "word/document.xml":
                archive.writestr(item, source.read(item))
        body = b"<w:p><w:r><w:t>x</w:t></w:r></w:p>" * paragraphs
        archive.writestr("word/document.xml",
                         b'<?xml version="1.0" encoding="UTF-8" standalone="yes"?><w:document xmlns:w='
                         b'"http://schemas.openxmlformats.org/wordprocessingml/2006/main"><w:body>' + body
                         + b"</w:body></w:document>")
    return made.getvalue()


def _read_in_workers(folder: Path):
    from ingest.pipeline import IngestStream

    stream = IngestStream([folder], workers=2)
    documents = [d.document for batch in stream for d in batch.documents]
    # per file, in the order read: loaded when any of its reports is, else its first record's status
    found = {}
    for d in documents:
        name = Path(d.source_file).name
        if name not in found or d.status == "loaded":
            found[name] = (d.status, d.reason)
    return [(name, status, reason) for name, (status, reason) in found.items()]


def test_a_file_that_kills_its_worker_is_quarantined_and_the_batch_goes_on(tmp_path, monkeypatch):
    import faulthandler
    import os

    import ingest.pipeline as pipeline

    corpus = tmp_path / "in"
    corpus.mkdir()
    for name in ("a.txt", "b_dies.txt", "c.txt", "d.txt", "e.txt"):
        (corpus / name).write_text(SHANXI_2020.read_text(encoding="utf-8") + name, encoding="utf-8")
    real = pipeline.ingest_file

    def fatal(path, *args, **kwargs):  # what a native reader's failed allocation does: abort
        if path.name == "b_dies.txt":
            faulthandler.disable()  # pytest's would print the dying worker's stack
            os.abort()
        return real(path, *args, **kwargs)

    monkeypatch.setattr(pipeline, "ingest_file", fatal)
    read = _read_in_workers(corpus)

    assert [name for name, _, _ in read] == ["a.txt", "b_dies.txt", "c.txt", "d.txt", "e.txt"]
    assert {name: status for name, status, _ in read if name != "b_dies.txt"} == dict.fromkeys(
        ["a.txt", "c.txt", "d.txt", "e.txt"], "loaded")
    _, status, reason = read[1]
    assert status == "quarantined" and reason.startswith("resource limit: its reading ended the process reading it")


def test_a_file_whose_reading_never_ends_is_stopped_from_outside(tmp_path, monkeypatch):
    import signal

    import ingest.limits as limits
    import ingest.pipeline as pipeline

    corpus = tmp_path / "in"
    corpus.mkdir()
    names = ("a.txt", "b_hangs.txt", "c.txt", "d.txt")
    for name in names:
        (corpus / name).write_text(SHANXI_2020.read_text(encoding="utf-8") + name, encoding="utf-8")
    real = pipeline.ingest_file

    def hangs(path, *args, **kwargs):  # native code that never hands control back: no alarm reaches it
        if path.name == "b_hangs.txt":
            with open(tmp_path / "begun", "a") as begun:
                begun.write("x")
            signal.pthread_sigmask(signal.SIG_BLOCK, {signal.SIGALRM})
            time.sleep(600)
        return real(path, *args, **kwargs)

    monkeypatch.setattr(pipeline, "ingest_file", hangs)
    monkeypatch.setattr(limits, "SECONDS_PER_FILE", 1.0)
    monkeypatch.setattr(limits, "STOP_GRACE", 1.0)
    read = {name: (status, reason) for name, status, reason in _read_in_workers(corpus)}

    assert (tmp_path / "begun").read_text() == "x"  # stopped once, and not read a second time
    assert read["b_hangs.txt"] == ("quarantined", "resource limit: reading took longer than 1 s (stopped)")
    assert [read[name][0] for name in names if name != "b_hangs.txt"] == ["loaded"] * 3


def test_a_file_beyond_a_workers_memory_is_quarantined(tmp_path):
    import json
    import subprocess
    import sys

    corpus = tmp_path / "in"
    corpus.mkdir()
    for name in ("a.txt", "c.txt", "d.txt"):
        (corpus / name).write_text(SHANXI_2020.read_text(encoding="utf-8") + name, encoding="utf-8")
    (corpus / "b_many.docx").write_bytes(_docx_of(600_000))
    # read by a command of its own, as a run is: workers forked from this test process would find
    # the memory its earlier tests freed already mapped, and take it without reaching their limit.
    # Each of the two workers may take 64 MB for a file; a Word file of 600,000 paragraphs takes more.
    script = (
        "import json, sys\n"
        "import ingest.limits as limits\n"
        "limits.RUN_MEMORY = limits.LOADER_MEMORY + 2 * 64 * 1024**2\n"
        "from tests.reliability.test_limits import _read_in_workers\n"
        "from pathlib import Path\n"
        "print(json.dumps(_read_in_workers(Path(sys.argv[1]))))\n"
    )
    done = subprocess.run([sys.executable, "-c", script, str(corpus)], capture_output=True, text=True, timeout=300,
                          cwd=Path(__file__).resolve().parents[2])
    assert done.returncode == 0, done.stderr[-2000:]
    read = {name: (status, reason) for name, status, reason in json.loads(done.stdout.splitlines()[-1])}

    assert read["b_many.docx"] == ("quarantined", "resource limit: more than 64 MB of memory to read it")
    assert [read[name][0] for name in ("a.txt", "c.txt", "d.txt")] == ["loaded"] * 3


def test_a_run_shares_its_memory_among_its_workers():
    import ingest.limits as limits

    assert limits.memory_per_worker(1) == limits.RUN_MEMORY - limits.LOADER_MEMORY
    assert limits.memory_per_worker(2) * 2 + limits.LOADER_MEMORY <= limits.RUN_MEMORY
    assert limits.memory_per_worker(8) * 8 + limits.LOADER_MEMORY <= limits.RUN_MEMORY


def test_a_file_given_more_time_is_read_to_the_end_in_the_command_and_in_a_worker(tmp_path, monkeypatch):
    """OCR earns a file more time, page by page: its own alarm and the command's watch on its worker
    both wait for it; a file that asks for none is stopped as before, and the extra time has a cap."""
    import signal

    import ingest.limits as limits
    import ingest.pipeline as pipeline

    corpus = tmp_path / "in"
    corpus.mkdir()
    for name in ("a_granted.txt", "b_not.txt", "c_capped.txt"):
        (corpus / name).write_text(SHANXI_2020.read_text(encoding="utf-8") + name, encoding="utf-8")
    real = pipeline.ingest_file

    def slow(path, *args, **kwargs):
        if path.name == "a_granted.txt":
            limits.more_time(3.0)
        if path.name == "c_capped.txt":
            limits.more_time(10.0)  # beyond the cap: given 3 s
        time.sleep(4.5 if path.name == "c_capped.txt" else 2.5)
        return real(path, *args, **kwargs)

    monkeypatch.setattr(pipeline, "ingest_file", slow)
    monkeypatch.setattr(limits, "SECONDS_PER_FILE", 1.0)
    monkeypatch.setattr(limits, "MAX_EXTRA_SECONDS", 3.0)
    found = _statuses(corpus)
    assert found["a_granted.txt"] == ("loaded", None)
    assert found["b_not.txt"] == ("quarantined", "resource limit: reading took longer than 1 s")
    assert found["c_capped.txt"] == ("quarantined", "resource limit: reading took longer than 4 s")

    # in a worker whose alarm cannot reach it, the command waits out the time it was given
    def blocked(path, *args, **kwargs):
        signal.pthread_sigmask(signal.SIG_BLOCK, {signal.SIGALRM})
        if path.name == "a_granted.txt":
            limits.more_time(3.0)
        time.sleep(2.5)
        return real(path, *args, **kwargs)

    monkeypatch.setattr(pipeline, "ingest_file", blocked)
    monkeypatch.setattr(limits, "STOP_GRACE", 0.5)
    read = {name: (status, reason) for name, status, reason in _read_in_workers(corpus)}
    assert read["a_granted.txt"][0] == "loaded"
    assert read["b_not.txt"] == ("quarantined", "resource limit: reading took longer than 1 s (stopped)")
