import shutil

import duckdb
import pytest

from ingest.load import SCHEMAS, load
from ingest.discovery import IGNORED_NAMES
from ingest.pipeline import ingest_paths
from ingest.reading import fiscal_year, ingest_file
from ingest.regions import gazetteer

from tests.conftest import SAMPLES, SHANXI_2020, XIAOYI


def test_xiaoyi_projects_get_region_year_and_department():
    parsed = ingest_file(XIAOYI)
    projects = [p for p in parsed if p.document.section > 0]
    assert len(projects) == 16
    for p in projects:
        d = p.document
        assert (d.status, d.fiscal_year, d.region.adcode, d.region.county) == ("loaded", 2024, "141181", "孝义市")
        assert (d.region.province, d.region.city) == ("山西省", "吕梁市")
        assert d.department == "孝义市行政审批服务管理局"
    assert len({p.document.document_id for p in parsed}) == 17


def test_provincial_department_resolves_to_the_province():
    docs = [p.document for p in ingest_file(SHANXI_2020)]
    assert [(d.region.adcode, d.region.county, d.fiscal_year) for d in docs] == [("14", None, 2020)] * 2


def test_year_comes_from_the_title_not_the_publication_date():
    assert fiscal_year("项目名称：X\n2024年12月") is None
    assert fiscal_year("（2020 年度）") == 2020


def test_ambiguous_county_names_are_not_guessed():
    # 朝阳区 exists in Beijing and in Changchun
    assert gazetteer().resolve("朝阳区财政局").adcode is None
    assert gazetteer().resolve("北京市朝阳区财政局").adcode == "110105"


def test_a_name_inside_a_longer_name_is_not_a_second_place():
    # 高县 (Sichuan) is the tail of 阳高县 (Shanxi): naming 阳高县 names one county, not two
    assert gazetteer().resolve("阳高县政务服务管理局").adcode == "140221"
    assert gazetteer().resolve("宜宾市高县财政局").adcode == "511525"
    # standing apart, both are mentions, and the text stays ambiguous
    assert gazetteer().resolve("阳高县与高县").adcode is None


def test_gbk_text_parses_like_its_utf8_twin(tmp_path):
    gbk = tmp_path / "xiaoyi_gbk.txt"
    gbk.write_bytes(XIAOYI.read_text(encoding="utf-8").encode("gb18030"))
    utf8 = [(p.document.project_name, p.report) for p in ingest_file(XIAOYI)]
    assert [(p.document.project_name, p.report) for p in ingest_file(gbk)] == utf8
    assert ingest_file(gbk)[0].document.encoding == "gb18030"


@pytest.mark.parametrize(
    ("name", "content", "reason"),
    [
        ("empty.txt", b"", "empty file"),
        ("blank.txt", b"  \n\n ", "empty file"),
        ("binary.txt", bytes(range(256)) * 4, "binary content, not text"),
        ("table.dbf", b"\x03\x7e\x01\x01", "unsupported file type '.dbf'"),
    ],
)
def test_unreadable_files_are_quarantined_with_their_reason(tmp_path, name, content, reason):
    path = tmp_path / name
    path.write_bytes(content)
    (doc,) = [p.document for p in ingest_file(path)]
    assert (doc.status, doc.reason) == ("quarantined", reason)


def test_a_bad_file_does_not_stop_the_batch_and_duplicates_load_once(tmp_path):
    shutil.copy(SHANXI_2020, tmp_path / "a.txt")
    shutil.copy(SHANXI_2020, tmp_path / "b_copy.txt")
    (tmp_path / "empty.txt").write_bytes(b"")
    result = ingest_paths([tmp_path])
    statuses = sorted((p.document.source_file.rsplit("/", 1)[-1], p.document.status) for p in result.documents)
    assert statuses == [("a.txt", "loaded"), ("a.txt", "loaded"), ("empty.txt", "quarantined")]
    assert any("b_copy.txt: same content" in m for m in result.messages)
    assert any(m.endswith("empty.txt: quarantined: empty file") for m in result.messages)


def test_corpus_notes_are_not_documents():
    files = {p.document.source_file.rsplit("/", 1)[-1] for p in ingest_paths([SAMPLES]).documents}
    assert not {"MANIFEST.md", "expected.json", "expected.md"} & files and len(files) == 10


def _table_contents(con):
    return {
        t: con.execute(f"select * exclude (loaded_at) from raw.{t} order by all" if t == "documents" else f"select * from raw.{t} order by all").fetchall()
        for t in SCHEMAS
    }


def test_loading_the_same_input_twice_changes_nothing(tmp_path):
    result = ingest_paths([SAMPLES])
    with duckdb.connect(str(tmp_path / "w.duckdb")) as con:
        first = load(con, result)
        before = _table_contents(con)
        stamps = con.execute("select document_id, loaded_at from raw.documents order by 1").fetchall()
        second = load(con, ingest_paths([SAMPLES]))
        assert _table_contents(con) == before
        assert con.execute("select document_id, loaded_at from raw.documents order by 1").fetchall() == stamps
    # the text samples' 22 reports, the real final accounts (195 amounts) and the four real budget files
    assert first.new_documents == 27 and first.rows["indicator_lines"] == 190 and first.rows["final_account_lines"] == 404
    assert first.rows["budget_table_lines"] == 241 + 168 + 166 and first.rows["budget_tables"] == 9 + 12 + 12
    assert first.statuses == {"loaded": 26, "partial": 1, "quarantined": 0}
    assert second.new_documents == 0 and second.unchanged_documents == 27


def _corpus_with_a_repeat(tmp_path):
    from demo.generator import generate

    corpus = tmp_path / "corpus"
    generate(corpus, 2, (2024, 2024), seed=5, error_rate=0.3)
    for sample in SAMPLES.iterdir():
        if sample.is_file():
            shutil.copy(sample, corpus / sample.name)
    shutil.copy(SHANXI_2020, corpus / "zz_repeat_of_shanxi_2020.txt")  # sorts last: a later batch
    return corpus


def test_streamed_batches_load_exactly_what_the_records_load(tmp_path, monkeypatch):
    """Workers building Arrow batches, loaded a few documents at a time, give the same raw tables
    (and the same messages) as one process loading the parsed records at once."""
    from datetime import datetime, timezone

    import ingest.load as load_module
    from ingest.pipeline import IngestStream

    corpus = _corpus_with_a_repeat(tmp_path)
    records = ingest_paths([corpus], workers=1)
    with duckdb.connect(str(tmp_path / "records.duckdb")) as con:
        by_records = load(con, records)
        expected = _table_contents(con)

    monkeypatch.setattr(load_module, "FLUSH_DOCUMENTS", 3)
    stream = IngestStream([corpus], workers=2, loaded_at=datetime.now(timezone.utc))
    assert stream._pool is not None  # the worker pool is really used
    with duckdb.connect(str(tmp_path / "streamed.duckdb")) as con:
        streamed = load_module.load_batches(con, stream)
        assert _table_contents(con) == expected
    assert streamed.new_documents == by_records.new_documents > 40
    assert streamed.rows == by_records.rows and streamed.fiscal_years == by_records.fiscal_years
    assert streamed.statuses == by_records.statuses and streamed.statuses["partial"] > 0
    assert sorted(stream.result.messages) == sorted(records.messages)
    assert any("zz_repeat_of_shanxi_2020.txt: same content" in m for m in stream.result.messages)


def test_an_interrupted_load_keeps_whole_documents_with_their_marks_and_a_rerun_loads_the_rest(tmp_path, monkeypatch):
    from datetime import datetime, timezone

    import ingest.load as load_module

    monkeypatch.setattr(load_module, "FLUSH_DOCUMENTS", 5)
    parsed = ingest_paths([SAMPLES]).documents
    assert len(parsed) > 12
    now = datetime.now(timezone.utc)
    with duckdb.connect(str(tmp_path / "whole.duckdb")) as con:
        load_module.load_batches(con, [load_module.to_arrow(parsed, now)])
        whole = _table_contents(con)

    calls = []

    def mark(con, years):
        # what the caller records of each flush, in its transaction; the second flush's fails
        calls.append(sorted(years))
        con.execute("insert into marks select unnest(?)", [sorted(years)])
        if len(calls) == 2:
            raise OSError("disk went away")

    def batches():
        yield load_module.to_arrow(parsed[:5], now)  # a flush of its own, committed
        yield load_module.to_arrow(parsed[5:10], now)  # the flush whose commit fails
        yield load_module.to_arrow(parsed[10:], now)

    with duckdb.connect(str(tmp_path / "w.duckdb")) as con:
        con.execute("create table marks (fiscal_year integer)")
        with pytest.raises(OSError):
            load_module.load_batches(con, batches(), mark)
        first = {p.document.document_id for p in parsed[:5]}
        # the first flush's documents are in, every row of each; nothing of the second is
        assert {r[0] for r in con.execute("select document_id from raw.documents").fetchall()} == first
        kept = _table_contents(con)
        for table in SCHEMAS:
            columns = [c[0] for c in con.execute(f"describe raw.{table}").fetchall()]
            at = [c for c in columns if table != "documents" or c != "loaded_at"].index("document_id")
            assert kept[table] == [row for row in whole[table] if row[at] in first], table
        assert sorted(r[0] for r in con.execute("select fiscal_year from marks").fetchall()) == calls[0]
        assert calls[0] == sorted({p.document.fiscal_year for p in parsed[:5] if p.document.fiscal_year})

        again = load_module.load_batches(con, [load_module.to_arrow(parsed, now)])
        assert (again.new_documents, again.unchanged_documents) == (len(parsed) - 5, 5)
        assert _table_contents(con) == whole


def _reads_counted(monkeypatch) -> list[str]:
    """Every file whose bytes are read from now on (in this process: the stream runs without workers)."""
    from pathlib import Path

    read: list[str] = []
    original = Path.read_bytes

    def counting(self):
        read.append(self.name)
        return original(self)

    monkeypatch.setattr(Path, "read_bytes", counting)
    return read


def _load_stream(db, corpus, known):
    from datetime import datetime, timezone

    from ingest.load import load_batches
    from ingest.pipeline import IngestStream

    stream = IngestStream([corpus], workers=1, known=known, loaded_at=datetime.now(timezone.utc))
    with duckdb.connect(str(db)) as con:
        summary = load_batches(con, stream)
    return stream.result, summary


def _known(db):
    from ingest.load import known_files

    with duckdb.connect(str(db)) as con:
        return known_files(con)


def test_files_unchanged_since_the_last_run_are_not_read_again(tmp_path, monkeypatch):
    import os

    corpus = tmp_path / "corpus"
    shutil.copytree(SAMPLES, corpus)
    db = tmp_path / "w.duckdb"
    first, loaded = _load_stream(db, corpus, _known(db))
    assert loaded.new_documents == 27 and first.files_read == 10

    read = _reads_counted(monkeypatch)
    again, summary = _load_stream(db, corpus, _known(db))
    assert read == [] and again.files_known == 10 and summary.new_documents == 0

    # same bytes, newer modification time: read and hashed, recognised, not parsed or loaded again
    touched = corpus / XIAOYI.name
    os.utime(touched, (touched.stat().st_atime, touched.stat().st_mtime + 60))
    again, summary = _load_stream(db, corpus, _known(db))
    assert read == [XIAOYI.name] and again.files_read == 0 and again.files_known == 10
    assert summary.new_documents == 0

    # new content at a known path: read, parsed and loaded
    read.clear()
    shanxi = corpus / SHANXI_2020.name
    shanxi.write_text(shanxi.read_text(encoding="utf-8") + "\n附注：本表已更正。\n", encoding="utf-8")
    again, summary = _load_stream(db, corpus, _known(db))
    assert shanxi.name in read and again.files_read == 1 and summary.new_documents == 1


def test_a_warehouse_without_file_sizes_knows_its_files_by_content(tmp_path, monkeypatch):
    db = tmp_path / "w.duckdb"
    _load_stream(db, SAMPLES, _known(db))
    with duckdb.connect(str(db)) as con:  # as an earlier version wrote it
        con.execute("alter table raw.documents drop column file_size")
    known = _known(db)
    assert not known.stats and len(known.hashes) == 10
    read = _reads_counted(monkeypatch)
    again, summary = _load_stream(db, SAMPLES, known)
    assert sorted(read) == sorted(p.name for p in SAMPLES.rglob("*") if p.is_file() and p.name not in IGNORED_NAMES)
    assert again.files_known == 10 and summary.new_documents == 0
