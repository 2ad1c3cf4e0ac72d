"""Figures stated in prose: scores, grades, budgets, spending and its parts, rates, shares, growth,
and the totals a passage lists parts of (areas, counts, amounts).

Each figure becomes a NarrativeFact with the sentence it came from, so the integrity rules can hold
the prose against the tables and against itself.
"""
from __future__ import annotations

import re
from decimal import Decimal
from typing import TYPE_CHECKING

from ingest.model import table_cells
from ingest.normalise import plain, squash, to_yuan
from ingest.records import BudgetLine, EvaluationSummary, NarrativeFact, ProjectReport

if TYPE_CHECKING:
    from ingest.model import Document

PARSER_NAME = "narrative_v1"

_NUM = r"(\d+(?:,\d{3})*(?:\.\d+)?)"
_UNIT = r"(亿元|万元|元)"
_GRADE_WORDS = {"优秀": "优", "优": "优", "良好": "良", "良": "良", "中等": "中", "中": "中", "合格": "中", "差": "差", "较差": "差", "不合格": "差"}


def grade_of(word: str) -> str | None:
    """The grade a word names (优秀 -> 优), or None."""
    return _GRADE_WORDS.get(word)

# (kind, pattern): the number is group "n", a money unit group "u" where there is one.
_PATTERNS = (
    # "得分90分以上" describes a grade band, not a score
    ("total_score", re.compile(r"(?:自评得分|综合得分|总得分|评价得分|最终得分|自评分)(?:为|是)?[:：]?" + _NUM.replace("(", "(?P<n>", 1) + r"分(?!以上|以下|及以上|[-～至(（])")),
    ("execution_rate", re.compile(r"(?:预算执行率|执行率|资金执行率)(?:为|达到|达)?[:：]?" + _NUM.replace("(", "(?P<n>", 1) + r"%")),
    ("completion_rate", re.compile(r"完成(?:年初预算的|预算的)?" + _NUM.replace("(", "(?P<n>", 1) + r"%")),
    ("budget_total", re.compile(r"(?:预算金额|预算资金|预算数|年初预算|项目资金[^,，。;；]{0,30}?)(?:为|共|是)?[:：]?" + _NUM.replace("(", "(?P<n>", 1) + _UNIT.replace("(", "(?P<u>", 1))),
    ("executed_total", re.compile(r"(?:实际支出|实际使用[^,，。;；]{0,30}?|实际执行|执行数|全年支出|决算数)(?:为|共|是)?[:：]?" + _NUM.replace("(", "(?P<n>", 1) + _UNIT.replace("(", "(?P<u>", 1) + r"?")),
)
_PART = re.compile(r"(?P<label>[\u4e00-\u9fff]{2,12}?)" + _NUM.replace("(", "(?P<n>", 1) + _UNIT.replace("(", "(?P<u>", 1))
_GRADE = re.compile(r"(?:评价等级|等级|评价结果|自评结果|结果)(?:为|是|评定为)?[:：]?[“\"']?(?P<g>优秀|良好|中等|合格|不合格|较差|优|良|中|差)")
_SHARE = re.compile(r"(?P<label>[\u4e00-\u9fff]{0,16}?)(?:占比|占|比重为)[^,，。;；%\d]{0,12}?" + _NUM.replace("(", "(?P<n>", 1) + r"%")
# Any other labelled amount: 收入总计1,649.56万元, 基本支出998.51万元, 增加366.75万元.
_AMOUNT = re.compile(r"(?P<label>[\u4e00-\u9fff]{2,16}?(?:\([类款项]\))?)(?:为|共|合计为)?" + _NUM.replace("(", "(?P<n>", 1) + _UNIT.replace("(", "(?P<u>", 1))
_LABEL_NOISE = re.compile(r"^(?:\d{4})?(?:年度|年|本年度|本年|其中|的|共计|共|合计)?")
_PROJECT_COUNT = re.compile(r"涉及(?:二级)?项目(?P<n>\d+)个")
_GRADE_COUNT = re.compile(r"(?P<n>\d+)个项目(?:自评)?(?:等级|结果)为[“\"']?(?P<g>优|良|中|差)")
# a share that names its total (占本年支出合计的100.00%), and the words after a total that list its parts
_SHARE_OF = re.compile(r"[^占]*占(?P<base>[\u4e00-\u9fff]{2,16}?)的[\d.]+%")
_LISTS_PARTS = re.compile(r"其中|主要用于|主要包括|包括")
_CHANGE = re.compile(r"(?P<dir>增长|增加|上升|下降|减少)" + _NUM.replace("(", "(?P<n>", 1) + r"%")


def _prose(lines: list[str], first_line_no: int):
    """(line number, the line as the patterns read it) of each line of prose; table rows are the
    table parsers' business."""
    for offset, line in enumerate(lines):
        if table_cells(line) is None:
            flat = plain(line)
            if flat:
                yield first_line_no + offset, flat


def _sentences(lines: list[str], first_line_no: int):
    for line_no, flat in _prose(lines, first_line_no):
        for sentence in re.split(r"(?<=[。；;！!])", flat):
            if sentence:
                yield line_no, sentence


def _money(n: str, unit: str | None) -> tuple[Decimal, Decimal | None]:
    value = Decimal(n.replace(",", ""))
    return value, to_yuan(value, unit) if unit else None


def extract_facts(lines: list[str], first_line_no: int = 1) -> tuple[NarrativeFact, ...]:
    # Over 60 lines on purpose: one scan of each sentence, in which each pattern claims its span before
    # the next looks and a total's parts follow it; the claims and the open total are that scan's state.
    facts: list[NarrativeFact] = []
    opener: tuple[int, str] | None = None  # (line, label) of a total whose parts the line goes on to list
    for line_no, sentence in _sentences(lines, first_line_no):
        if opener is not None and opener[0] != line_no:
            opener = None
        snippet = sentence[:120]
        claimed: list[tuple[int, int]] = []
        for kind, pattern in _PATTERNS:
            for match in pattern.finditer(sentence):
                claimed.append(match.span("n"))
                unit = match.groupdict().get("u")
                if kind in ("total_score",):
                    facts.append(NarrativeFact(line_no, kind, None, Decimal(match.group("n")), "分", None, snippet))
                elif kind in ("execution_rate", "completion_rate"):
                    facts.append(NarrativeFact(line_no, kind, None, Decimal(match.group("n")) / 100, "fraction", None, snippet))
                else:
                    if unit is None:
                        unit = _parts_unit(sentence[match.end():])
                    value, yuan = _money(match.group("n"), unit)
                    facts.append(NarrativeFact(line_no, kind, None, value, unit, yuan, snippet))
        labelled: list[tuple[int, str]] = []  # (position, label) of each amount, for the shares and changes after it
        parts_at = sentence.find("其中")
        if parts_at >= 0:
            for match in _PART.finditer(sentence[parts_at + 2:]):
                value, yuan = _money(match.group("n"), match.group("u"))
                label = match.group("label").lstrip("：:")
                facts.append(NarrativeFact(line_no, "part", label, value, match.group("u"), yuan, snippet))
                start = parts_at + 2 + match.start("n")
                claimed.append((start, start + len(match.group("n"))))
                labelled.append((parts_at + 2 + match.end(), label))
        for match in _AMOUNT.finditer(sentence):
            if any(a <= match.start("n") < b for a, b in claimed):
                continue
            value, yuan = _money(match.group("n"), match.group("u"))
            label = _LABEL_NOISE.sub("", match.group("label")) or match.group("label")
            labelled.append((match.end(), label))
            facts.append(NarrativeFact(line_no, "amount", label, value, match.group("u"), yuan, snippet))
        labelled.sort()

        def label_before(position: int) -> str | None:
            before = [label for end, label in labelled if end <= position]
            return before[-1] if before else None

        for match in _GRADE.finditer(sentence):
            facts.append(NarrativeFact(line_no, "grade", _GRADE_WORDS[match.group("g")], None, None, None, snippet))
        lists_at = _LISTS_PARTS.search(sentence)
        if lists_at and labelled and labelled[0][0] <= lists_at.start():
            opener = (line_no, labelled[0][1])
        for match in _SHARE.finditer(sentence):
            label = match.group("label") or label_before(match.start())  # "基本支出998.51万元，占比60.53%"
            named = _SHARE_OF.match(sentence, match.start())
            base = (_LABEL_NOISE.sub("", named.group("base")) or named.group("base")) if named else (opener and opener[1])
            facts.append(NarrativeFact(line_no, "share", label, Decimal(match.group("n")) / 100, "fraction", None, snippet,
                                       base_label=base if base != label else None))
        for match in _PROJECT_COUNT.finditer(sentence):
            facts.append(NarrativeFact(line_no, "project_count", None, Decimal(match.group("n")), "个", None, snippet))
        for match in _GRADE_COUNT.finditer(sentence):
            facts.append(NarrativeFact(line_no, "grade_count", match.group("g"), Decimal(match.group("n")), "个", None, snippet))
        for match in _CHANGE.finditer(sentence):
            sign = Decimal(-1) if match.group("dir") in ("下降", "减少") else Decimal(1)
            last_label = label_before(match.start())
            label = last_label.removesuffix("增加").removesuffix("减少") if last_label else None
            facts.append(NarrativeFact(line_no, "change", label, sign * Decimal(match.group("n")) / 100, "fraction", None, snippet))
    return tuple(facts) + listed_parts(lines, first_line_no)


def _parts_unit(rest: str) -> str | None:
    """An amount printed without a unit takes the unit of the parts listed right after it."""
    match = re.match(r"[,，]?其中[:：]?[\u4e00-\u9fff]{2,12}?" + _NUM + _UNIT, rest)
    return match.group(2) if match else None


def _first(facts, kind):
    return next((f for f in facts if f.kind == kind), None)


def funds_from_facts(facts: tuple[NarrativeFact, ...]) -> BudgetLine | None:
    """The funds block a narrative report states in words, as one total line."""
    budget = _first(facts, "budget_total")
    executed = _first(facts, "executed_total")
    rate = _first(facts, "execution_rate") or _first(facts, "completion_rate")
    if not (budget or executed):
        return None
    unit = (executed or budget).unit or "元"
    decimals = None
    if rate:
        printed = re.search(r"(\d+(?:\.(\d+))?)%", rate.text[rate.text.find("率") if "率" in rate.text else 0:])
        decimals = len(printed.group(2) or "") if printed else None
    return BudgetLine(
        line_no=(executed or budget).line_no,
        fund_source="total",
        fund_source_label="（文字说明）",
        unit=unit,
        budget_declared_yuan=None,
        budget_initial_yuan=None,
        budget_adjusted_yuan=budget.value_yuan if budget else None,
        executed_yuan=executed.value_yuan if executed else None,
        balance_yuan=None,
        execution_rate=rate.value if rate else None,
        execution_rate_decimals=decimals,
        weight=None,
        score_reported=None,
        note="stated in prose",
    )


def evaluation_from_facts(facts: tuple[NarrativeFact, ...]) -> EvaluationSummary | None:
    score = _first(facts, "total_score")
    grade = _first(facts, "grade")
    if not (score or grade):
        return None
    return EvaluationSummary(
        line_no=(score or grade).line_no,
        total_score_reported=score.value if score else None,
        grade_reported=grade.label if grade else None,
        execution_score_reported=None,
        indicator_score_reported=None,
    )


def parse_document(document: "Document", line_offset: int = 0, unit_hint: str | None = None) -> ProjectReport:
    """A self-evaluation written as prose, read from its document's paragraphs (its lines, plus
    `line_offset`, the report's place in its file)."""
    return parse_narrative_report(document.lines, line_offset + 1, unit_hint)


def parse_narrative_report(lines: list[str], first_line_no: int = 1, unit_hint: str | None = None) -> ProjectReport:
    """A self-evaluation written as prose: the project, its funds and its result from the sentences."""
    facts = extract_facts(lines, first_line_no)
    title = next((squash(l) for l in lines[:15] if re.search(r"年度.*(自评|评价)报告", l)), "")
    project = re.search(r"[(（]([^()（）]+?)[)）]$", title)
    department = re.match(r"(.+?)(?:19|20)\d{2}年度", title)
    funds = funds_from_facts(facts)
    evaluation = evaluation_from_facts(facts)
    missed = []
    if funds is None:
        missed.append("no funds stated")
    if evaluation is None:
        missed.append("no score or grade stated")
    return ProjectReport(
        project_name=project.group(1) if project else None,
        department=department.group(1) if department else None,
        implementing_unit=None,
        budget_lines=(funds,) if funds else (),
        indicators=(),
        evaluation=evaluation,
        missed=tuple(missed),
        facts=facts,
    )


# 比上年增加 X, 增长 Y%: an amount, then (in the same sentence or the next) its change on last
# year, and the rate the text gives for it. No other amount stands between the amount and its change.
_NOT_AN_AMOUNT = r"(?:(?![\d.,]+(?:亿元|万元|元))[^;；])"
_CHANGE_OF = re.compile(
    r"(?P<label>[\u4e00-\u9fff()“”、]{2,40}?)(?:为|是|共|合计为)?" + _NUM.replace("(", "(?P<a>", 1) + _UNIT.replace("(", "(?P<au>", 1)
    + _NOT_AN_AMOUNT + r"{0,40}?(?:比|与|较)" + _NOT_AN_AMOUNT + r"{0,16}?(?P<dir>增加|减少|增长|下降|上升)了?"
    + _NUM.replace("(", "(?P<x>", 1) + _UNIT.replace("(", "(?P<xu>", 1)
    + r"(?:[,，、]?(?:增长|下降|减少|增加|上升)(?:了)?" + _NUM.replace("(", "(?P<y>", 1) + r"%)?"
)
_FALLS = ("减少", "下降")


def change_facts(lines: list[str], first_line_no: int = 1) -> tuple[NarrativeFact, ...]:
    """Each amount the text gives with its change on last year (`支出3894.09万元，与上年相比增加
    878.93万元，增长30%`): a `growth` fact with this year's amount, the change in yuan, and the
    stated rate as a fraction (None where no rate is stated), so that the rate can be recomputed
    as change ÷ (this year − change)."""
    facts = []
    for line_no, flat in _prose(lines, first_line_no):
        for match in _CHANGE_OF.finditer(flat):
            sign = Decimal(-1) if match.group("dir") in _FALLS else Decimal(1)
            _, current = _money(match.group("a"), match.group("au"))
            _, change = _money(match.group("x"), match.group("xu"))
            rate = sign * Decimal(match.group("y")) / 100 if match.group("y") else None
            label = _subject_label(match.group("label"))
            facts.append(NarrativeFact(
                line_no, "growth", label, rate, "fraction" if rate is not None else None, None,
                flat[match.start():match.end()][:200], current_yuan=current, change_yuan=sign * change,
            ))
    return tuple(facts)


def _subject_label(text: str) -> str:
    """A label as the prose leads into its amount: list numbers, quotes and the year's words off."""
    text = re.sub(r"^.*?[:：，,。]", "", text) if re.search(r"[:：，,。]", text) else text
    text = text.strip("“”\"、)）")
    text = re.sub(r"^(?:[(（]?[一二三四五六七八九十\d]+[)）.、]+)+", "", text)
    return _LABEL_NOISE.sub("", text) or text


# “一般公共服务支出（类）财政事务（款）行政运行（项）”1,623.18万元 / 住房改革支出（款）住房公积金（项）支出965.87万元
_SUBJECT_PATH = re.compile(
    r"(?P<path>(?:[\u4e00-\u9fff、]+(?:\([\u4e00-\u9fff]{1,3}\)[\u4e00-\u9fff、]*)*?\((?:类|款|项)\))+)”?"
    r"(?:支出)?(?:预算)?(?:数)?(?:为)?" + _NUM.replace("(", "(?P<n>", 1) + _UNIT.replace("(", "(?P<u>", 1)
)
_LEVEL = re.compile(r"\((类|款|项)\)")


def subject_facts(lines: list[str], first_line_no: int = 1) -> tuple[NarrativeFact, ...]:
    """Each amount the text gives a functional subject by its 类/款/项 names: a `subject_amount` fact
    labelled with the most specific name and its level (`行政运行(项)`), its parent's name as the
    base label where the text gives it (`财政事务(款)`)."""
    facts = []
    for line_no, flat in _prose(lines, first_line_no):
        for match in _SUBJECT_PATH.finditer(flat):
            path = match.group("path")
            names = _split_levels(path)
            if not names:
                continue
            value, yuan = _money(match.group("n"), match.group("u"))
            facts.append(NarrativeFact(
                line_no, "subject_amount", names[-1], value, match.group("u"), yuan,
                flat[max(0, match.start() - 4):match.end()][:200], base_label=names[-2] if len(names) > 1 else None,
            ))
    return tuple(facts)


def _split_levels(path: str) -> list[str]:
    """`一般公共服务支出(类)财政事务(款)行政运行(项)` as [一般公共服务支出(类), 财政事务(款), 行政运行(项)]."""
    out, start = [], 0
    for marker in _LEVEL.finditer(path):
        name = path[start:marker.start()].lstrip("、“")
        name = re.sub(r"^(?:[一二三四五六七八九十\d]+[.、])+", "", name)
        if name:
            out.append(f"{name}({marker.group(1)})")
        start = marker.end()
    return out


# A total and the parts a passage lists for it, in one unit: 总建筑面积为15415.38平方米，分别是：第一层
# 3295.03平方米；… The list runs from its opener to the end of the sentence.
_MEASURE = r"(平方米|平方公里|亿元|万元|元|公里|个|人|台|辆|件|间|家|项)"
_LISTED_TOTAL = re.compile(
    r"(?P<label>[\u4e00-\u9fff]{0,12}?(?:总计|合计|共计|总)[\u4e00-\u9fff]{0,8}?)(?:为|是|约|达)?"
    + _NUM.replace("(", "(?P<n>", 1) + _MEASURE.replace("(", "(?P<u>", 1)
    + r"[^。；;]{0,12}?(?P<opener>分别是|分别为|其中)[:：,，]?"
)
_LISTED_PART = re.compile(r"(?P<label>[\u4e00-\u9fff]{0,12})(?:为|是|约)?" + _NUM.replace("(", "(?P<n>", 1)
                          + _MEASURE.replace("(", "(?P<u>", 1))
_NOT_A_PART = ("增加", "减少", "增长", "下降", "上升", "比", "占", "较")


def listed_parts(lines: list[str], first_line_no: int = 1) -> tuple[NarrativeFact, ...]:
    """A total a passage states and the parts it then lists in the same unit (two or more): a
    `listed_total` fact and a `listed_part` fact per part, labelled by the words before each and
    given the total's label as their base, so that Σ parts can be held against the total. A change
    on last year (增加 X) or a share is not a part."""
    facts: list[NarrativeFact] = []
    for line_no, flat in _prose(lines, first_line_no):
        for total in _LISTED_TOTAL.finditer(flat):
            unit = total.group("u")
            end = flat.find("。", total.end())
            listing = flat[total.end():end if end >= 0 else len(flat)]
            parts = [m for m in _LISTED_PART.finditer(listing) if m.group("u") == unit
                     and not any(w in listing[max(0, m.start("n") - 6):m.start("n")] for w in _NOT_A_PART)]
            if len(parts) < 2:
                continue
            label = _subject_label(total.group("label"))
            text = flat[total.start():total.end() + len(listing)][:300]
            value, yuan = _money(total.group("n"), unit if unit in ("亿元", "万元", "元") else None)
            facts.append(NarrativeFact(line_no, "listed_total", label, value, unit, yuan, text))
            for part in parts:
                value, yuan = _money(part.group("n"), unit if unit in ("亿元", "万元", "元") else None)
                facts.append(NarrativeFact(line_no, "listed_part", part.group("label") or None, value, unit, yuan, text,
                                           base_label=label))
    return tuple(facts)
