"""Tables whose cells come one per line with blank lines between, and words broken across lines.

Some PDF-to-text conversions print a table as a stream of fragments: `产出` / `指标` / `(50分)`,
`经济效` / `益指标`, then the indicator, target, actual, points and score, each on its own line.
The stream is regrouped into aligned rows (level 1, level 2, indicator, target, actual, points,
score) that take the place of each row's first line; absorbed lines become blank, so line numbers
still point into the original file.
"""
from __future__ import annotations

from ingest.normalise import squash, try_decimal

def _is_value(token: str) -> bool:
    return try_decimal(token.rstrip("%")) is not None


def rebuild_stream_table(lines: list[str]) -> list[str]:
    from ingest.parsers.project_indicators import _level1, _level2

    joined = "".join(lines)
    if "级" not in joined or "指" not in joined or "一级指标" not in squash(joined):
        return lines  # nothing to rebuild: the stream table starts at its 一级指标 header
    tokens = [(i, token) for i, line in enumerate(lines) if "\t" not in line for token in (squash(line),) if token]
    out = list(lines)
    for start, (line_index, token) in enumerate(tokens):
        if token != "一级指标":
            continue
        window = [t for _, t in tokens[start : start + 6]]
        if "二级指标" not in window or "三级指标" not in window:
            continue
        # the header runs up to the first level-1 heading, where the rows begin
        k = start + 1
        while k < len(tokens) and not any(
            _level1("".join(t for _, t in tokens[k : k + size])) for size in (1, 2, 3)
        ):
            k += 1
        header_tokens = tokens[start:k]
        out[header_tokens[0][0]] = "\t".join(["一级指标", "二级指标", "三级指标", "年度指标值", "实际完成值", "分值", "得分"])
        for index, _ in header_tokens[1:]:
            out[index] = ""
        _regroup(tokens[k:], out, _level1, _level2)
        break
    return out


def _regroup(tokens, out, level1_of, level2_of) -> None:
    level1 = level2 = ""
    i = 0
    while i < len(tokens):
        index, token = tokens[i]
        if token == "总分":
            numbers = [t for _, t in tokens[i + 1 : i + 3] if _is_value(t)]
            out[index] = "\t".join(["总分", "", "", "", ""] + numbers)
            for j, _ in tokens[i + 1 : i + 1 + len(numbers)]:
                out[j] = ""
            return
        matched = False
        for size in (3, 2, 1):
            joined = "".join(t for _, t in tokens[i : i + size])
            nxt = tokens[i + size][1] if i + size < len(tokens) else ""
            if _is_value(nxt):
                continue  # a word right before the values is the indicator's name, not a heading
            if level1_of(joined):
                level1, level2, matched = joined, "", True
            elif size <= 2 and level2_of(joined):
                level2, matched = joined, True
            if matched:
                for j, _ in tokens[i : i + size]:
                    out[j] = ""
                i += size
                break
        if matched:
            continue
        values = [t for _, t in tokens[i + 1 : i + 5]]
        if len(values) == 4 and _is_value(values[2]) and _is_value(values[3]):
            out[index] = "\t".join([level1, level2, token, *values])
            for j, _ in tokens[i + 1 : i + 5]:
                out[j] = ""
            level1 = ""  # printed once, at the block's first row
            level2 = ""
            i += 5
        else:
            i += 1
