import shutil

import duckdb
import pytest

from ingest.load import SCHEMAS, load
from ingest.pipeline import fiscal_year, ingest_file, ingest_paths
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
    assert "MANIFEST.md" not in files and len(files) == 5


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
    assert first.new_documents == 22 and first.rows["indicator_lines"] == 190 and first.rows["final_account_lines"] == 209
    assert second.new_documents == 0 and second.unchanged_documents == 22
