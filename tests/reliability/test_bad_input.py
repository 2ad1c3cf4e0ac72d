"""Bad input classes: each ends in a clear reason, the rest of the batch loads."""
import time

from ingest.pipeline import ingest_paths
from ingest.reading import ingest_file
from tests.conftest import SHANXI_2020


def test_utf16_with_and_without_bom_is_decoded(tmp_path):
    text = SHANXI_2020.read_text(encoding="utf-8")
    for name, data in (("bom.txt", text.encode("utf-16")), ("le.txt", text.encode("utf-16-le")), ("be.txt", text.encode("utf-16-be"))):
        path = tmp_path / name
        path.write_bytes(data)
        docs = [p.document for p in ingest_file(path)]
        assert [d.status for d in docs] == ["loaded", "loaded"], name
        assert docs[0].project_name == "营商环境评估费"


def test_single_multi_megabyte_line(tmp_path):
    path = tmp_path / "one_line.txt"
    path.write_text("政务服务" * 800_000, encoding="utf-8")  # 9.6 MB, no line break
    started = time.monotonic()
    (parsed,) = ingest_file(path)
    assert time.monotonic() - started < 30
    assert (parsed.document.status, parsed.document.reason) == ("quarantined", "layout 'unknown': no parser for it yet")


def test_truncated_table_is_partial(tmp_path):
    lines = SHANXI_2020.read_text(encoding="utf-8").splitlines()
    cut = next(i for i, line in enumerate(lines) if "质量指标" in line)
    path = tmp_path / "truncated.txt"
    path.write_text("\n".join(lines[: cut + 1]), encoding="utf-8")
    (parsed,) = ingest_file(path)
    assert parsed.document.status == "partial"
    assert parsed.document.reason == "total score not stated"
    assert len(parsed.report.indicators) == 2 and parsed.report.budget_lines


def test_news_article_among_reports(tmp_path):
    (tmp_path / "news.html").write_text("<html><body><h1>县里召开春季植树动员大会</h1><p>会议要求各乡镇做好植树工作。</p></body></html>",
                                        encoding="utf-8")
    (tmp_path / "report.txt").write_bytes(SHANXI_2020.read_bytes())
    result = ingest_paths([tmp_path])
    statuses = sorted((p.document.source_file.rsplit("/", 1)[-1], p.document.status) for p in result.documents)
    assert statuses == [("news.html", "quarantined"), ("report.txt", "loaded"), ("report.txt", "loaded")]
