"""Readers and parsers on arbitrary input: they return records or a quarantine, never crash."""
import string

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from ingest.layout import FINAL_ACCOUNTS, NARRATIVE, PROJECT_TABLE, REPORT_WITH_INDICATORS, UNKNOWN, classify, split_sections
from ingest.parsers.cells import rebuild_cell_rows
from ingest.forms.final_accounts import parse_lines as parse_final_accounts
from ingest.parsers.stream import rebuild_stream_table
from ingest.parsers.narrative import parse_narrative_report
from ingest.parsers.project_report import parse_lines as parse_project_report
from ingest.reading import ingest_file

SUFFIXES = [".txt", ".md", ".html", ".docx", ".xlsx", ".xls", ".pdf", ".doc", ".csv"]

# Text that looks like the documents: their words, digits, tabs and the odd markup.
WORDS = ["资金来源", "合计", "年初预算数", "全年预算数", "全年执行数", "执行率", "得分", "一级指标", "二级指标", "三级指标",
         "产出指标", "数量指标", "≥", "≤", "=", "%", "万元", "元", "总分", "优", "公开01表", "栏次", "科目代码", "本表无数据",
         "<b>", "</b>", "|", "---", "（2020年度）", "项目名称：", "主管部门：", "其中：", "占比", "增长", "1,515,000", "47.9"]
document_text = st.lists(
    st.one_of(st.sampled_from(WORDS), st.text(alphabet=string.digits + ".,-", max_size=8), st.just("\t"), st.just("\n")),
    max_size=120,
).map("".join)


@settings(max_examples=60, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(data=st.binary(max_size=4096), suffix=st.sampled_from(SUFFIXES))
def test_any_bytes_read_or_quarantine(tmp_path, data, suffix):
    path = tmp_path / f"fuzz{suffix}"
    path.write_bytes(data)
    parsed = ingest_file(path)
    assert parsed
    for p in parsed:
        assert p.document.status in ("loaded", "partial", "quarantined")
        if p.document.status == "quarantined":
            assert p.document.reason and "\n" not in p.document.reason


@settings(max_examples=150, deadline=None)
@given(text=document_text)
def test_parsers_take_any_text(text):
    lines = rebuild_stream_table(rebuild_cell_rows(text.splitlines()))
    for section in split_sections(lines):
        assert classify(section.text) in (PROJECT_TABLE, REPORT_WITH_INDICATORS, FINAL_ACCOUNTS, NARRATIVE, UNKNOWN)
    report = parse_project_report(lines)
    assert all(i.weight is None or i.weight >= 0 for i in report.indicators)
    accounts = parse_final_accounts(lines)
    assert all(line.table_code for line in accounts.lines)
    narrative = parse_narrative_report(lines)
    assert isinstance(narrative.facts, tuple)


@settings(max_examples=40, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(text=document_text, encoding=st.sampled_from(["utf-8", "gb18030", "utf-16", "utf-8-sig"]))
def test_text_in_any_common_encoding(tmp_path, text, encoding):
    path = tmp_path / "doc.txt"
    path.write_bytes(text.encode(encoding))
    for p in ingest_file(path):
        assert p.document.status in ("loaded", "partial", "quarantined")
