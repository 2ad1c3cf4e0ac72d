"""Project self-evaluations read from the document model: text and Markdown become grids, the 总分
row is the total wherever its cells stand, a two-row header labels its columns, and a source adds
its own words without code."""
from decimal import Decimal

from ingest.model import Paragraph, Table
from ingest.reading import ingest_file
from ingest.readers import read
from ingest.registry import load_registry
from tests.ingest import formats


def _read(tmp_path, name, data):
    path = tmp_path / name
    path.write_bytes(data)
    return read(path, data, "0" * 64)


def test_text_and_markdown_tables_are_grids(tmp_path):
    for name, data in (("t.txt", formats.as_text()), ("t.md", formats.as_markdown())):
        document = _read(tmp_path, name, data)
        (table,) = document.tables  # one table, across the header rule and the page number
        assert table.n_rows == len(formats.ROWS), name
        assert table.grid[0][:2] == ["项目名称", "营商环境评估费"], name  # the bold markup dropped
        assert table.grid[-1][:6] == ["总分", "总分", "总分", "总分", "总分", "100"], name
        assert [p.text for p in document.paragraphs()][:2] == formats.TITLE, name
    # a row's cells keep their file line: the Markdown rule and the page number are not rows
    assert document.tables[0].row_lines[:3] == (3, 5, 6)


def test_cells_printed_one_per_line_and_fragment_streams_become_rows(tmp_path):
    cells = "\n".join(["项目名称：问卷调查", "", "\t年初预算数", "\t全年预算数", "\t全年执行数", "",
                       "\t年度资金总额", "\t10", "\t10", "\t9", "", "说明"])
    (table,) = _read(tmp_path, "cells.txt", cells.encode()).tables
    assert table.grid == [["年初预算数", "全年预算数", "全年执行数", ""], ["年度资金总额", "10", "10", "9"]]
    stream = "\n".join(["一级指标", "二级指标", "三级指标", "指标值", "实际值", "分值", "得分",
                        "产出", "指标", "数量指标", "发放数", "≥3000份", "3500份", "20", "20", "总分", "100", "98"])
    (table,) = _read(tmp_path, "stream.txt", stream.encode()).tables
    assert table.grid[1] == ["产出指标", "数量指标", "发放数", "≥3000份", "3500份", "20", "20"]
    assert table.grid[2][:1] == ["总分"] and table.grid[2][-2:] == ["100", "98"]


def _report(tmp_path, rows, name="t.docx", registry=None):
    path = tmp_path / name
    path.write_bytes(formats.as_docx(rows) if name.endswith(".docx") else formats.as_text(rows))
    (parsed,) = ingest_file(path, registry) if registry else ingest_file(path)
    return parsed


def _with_total(row):
    return formats.ROWS[:-1] + [row]


def test_the_total_row_is_the_total_wherever_its_label_and_grade_stand(tmp_path):
    cases = {
        "grade in a cell of its own": ([("总分", 1, 5), ("100", 1, 1), ("98.8", 1, 1), ("优", 1, 1)], "优"),
        "label after a blank cell, grade beside the score": (
            [("", 1, 1), ("总分", 1, 4), ("100", 1, 1), ("98.8分/优秀", 1, 1), ("", 1, 1)], "优"),
        "label with its points, grade in brackets": (
            [("总分（100分）", 1, 5), ("100", 1, 1), ("98.8（良）", 1, 1), ("", 1, 1)], "良"),
    }
    for case, (row, grade) in cases.items():
        parsed = _report(tmp_path, _with_total(row))
        evaluation = parsed.report.evaluation
        assert (evaluation.total_score_reported, evaluation.grade_reported) == (Decimal("98.8"), grade), case
        names = [i.indicator_name for i in parsed.report.indicators]
        assert names == ["企业问卷发放数", "问卷回收率", "科学评价各市营商环境", "评价城市"], case


def test_a_two_row_header_reads_the_adjusted_target_where_one_is_printed(tmp_path):
    header = [[("一级指标", 2, 1), ("二级指标", 2, 1), ("三级指标", 2, 1), ("年度指标值", 1, 2), ("实际完成值", 2, 1),
               ("分值", 2, 1), ("得分", 2, 1)],
              [("年初指标值", 1, 1), ("调整后指标值", 1, 1)]]
    body = [[("产出指标", 1, 1), ("数量指标", 1, 1), ("企业问卷发放数", 1, 1), ("≥3000份", 1, 1), ("≥2800份", 1, 1),
             ("3500份", 1, 1), ("50", 1, 1), ("50", 1, 1)],
            [("满意度指标", 1, 1), ("服务对象满意度指标", 1, 1), ("评价城市", 1, 1), ("≥75%", 1, 1), ("", 1, 1),
             ("72%", 1, 1), ("40", 1, 1), ("38", 1, 1)],
            [("总分", 1, 6), ("100", 1, 1), ("98", 1, 1)]]
    parsed = _report(tmp_path, formats.ROWS[:6] + header + body)
    rows = [(i.indicator_name, i.target_text, i.actual_text, i.weight) for i in parsed.report.indicators]
    assert rows == [("企业问卷发放数", "≥2800份", "3500份", Decimal("50")), ("评价城市", "≥75%", "72%", Decimal("40"))]
    assert parsed.report.indicators[0].target_value == Decimal("2800")


def test_a_source_adds_its_own_fund_source_and_level_words(tmp_path):
    rows = [list(r) for r in formats.ROWS]
    rows[5] = [("单位自筹资金", 1, 1), ("50", 1, 1), ("50", 1, 1), ("40", 1, 1), ("--", 1, 1), ("80", 1, 1), ("--", 1, 1)]
    rows[9] = [("效益指标", 1, 1), ("营商效益", 1, 1)] + rows[9][2:]
    (tmp_path / "in").mkdir()
    plain = _report(tmp_path / "in", rows, "report.txt")
    assert [b.fund_source for b in plain.report.budget_lines] == ["total", "central"]
    assert plain.report.indicators[2].level2 is None
    registry_file = tmp_path / "sources.yml"
    registry_file.write_text(
        "sources:\n"
        "  - name: county\n"
        "    path: 'in/*'\n"
        "    vocabulary:\n"
        "      project_report:\n"
        "        fund_sources: [[自筹, other]]\n"
        "        level2: [[营商效, 社会效益, 效益指标]]\n", encoding="utf-8")
    extended = _report(tmp_path / "in", rows, "report.txt", load_registry(registry_file))
    lines = extended.report.budget_lines
    assert [b.fund_source for b in lines] == ["total", "central", "other"]
    assert (lines[2].fund_source_label, lines[2].executed_yuan) == ("单位自筹资金", Decimal("400000.00"))
    assert (extended.report.indicators[2].indicator_name, extended.report.indicators[2].level2) == (
        "科学评价各市营商环境", "社会效益")


def test_a_markdown_report_keeps_the_lines_of_its_file(tmp_path):
    parsed = _report(tmp_path, formats.ROWS, "t.txt")
    path = tmp_path / "t.md"
    path.write_bytes(formats.as_markdown())
    (markdown,) = ingest_file(path)
    # the Markdown file has a header rule and a page number among its rows: two lines more below them
    plain_lines = [i.line_no for i in parsed.report.indicators]
    assert [i.line_no for i in markdown.report.indicators] == [n + 2 for n in plain_lines]
    assert isinstance(read(path, path.read_bytes(), "0" * 64).blocks().__next__(), Paragraph)
    assert all(isinstance(t, Table) for t in read(path, path.read_bytes(), "0" * 64).tables)
