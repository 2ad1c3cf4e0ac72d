"""Normalisers for the text that extraction leaves behind: full-width forms, numbers, units."""
from __future__ import annotations

import re
from decimal import Decimal, InvalidOperation
from functools import lru_cache

# Full-width ASCII forms (U+FF01–FF5E) and the ideographic space; the Chinese full stop and list
# comma stay as they are, since prose needs them and numbers never use them.
_WIDE = re.compile("[\uff01-\uff5e\u3000]")

NULL_MARKERS = frozenset({"", "-", "--", "—", "——", "－", "/", "无", "nan", "None"})

UNIT_FACTORS = {
    "元": Decimal(1),
    "万元": Decimal(10000),
    "亿元": Decimal(100000000),
    "千元": Decimal(1000),
}

_NUMBER = re.compile(r"^[+-]?(\d{1,3}(,\d{3})+|\d+)(\.\d+)?$")


def halfwidth(text: str) -> str:
    """Full-width ASCII forms (（）：，０-９) to their ASCII twins; ideographic space to space."""
    # replacing the matches only: `str.translate` with a table looks up every character of a long
    # Chinese text, three times slower on these documents
    return _WIDE.sub(_narrow, text)


def _narrow(match: re.Match) -> str:
    char = match.group()
    return " " if char == "\u3000" else chr(ord(char) - 0xFEE0)


def squash(text: str) -> str:
    """Drop every whitespace character: extraction breaks words inside table cells."""
    # cells and labels repeat across documents and are cached (a plain dict: this is called some
    # three hundred times per document); long texts are not kept, and the cache stops growing
    flat = _squashed.get(text)
    if flat is None:
        flat = _squash(text)
        if len(text) <= 80 and len(_squashed) < _SQUASHED_MAX:
            _squashed[text] = flat
    return flat


_squashed: dict[str, str] = {}
_SQUASHED_MAX = 1 << 17

_MARKUP = re.compile(r"[#*]|</?b>")


def plain(text: str) -> str:
    """`squash` of the text without its Markdown and HTML emphasis (`#`, `*`, `<b>`): a heading or
    label as the parsers compare it."""
    return squash(_MARKUP.sub("", text))


def _squash(text: str) -> str:
    if _WIDE.search(text):
        text = halfwidth(text)
    return "".join(text.split())


def parse_decimal(text: str | None) -> Decimal | None:
    """An exact decimal from a printed number (`1,515,000`, `１２.５`, `-3.2`); None if blank or `--`.

    Raises ValueError for text that is not a number at all.
    """
    if text is None:
        return None
    cleaned = squash(text).replace("<b>", "").replace("</b>", "")
    if cleaned in NULL_MARKERS:
        return None
    if not _NUMBER.match(cleaned):
        raise ValueError(f"not a number: {text!r}")
    try:
        return Decimal(cleaned.replace(",", ""))
    except InvalidOperation as exc:  # pragma: no cover - the regex already guards this
        raise ValueError(f"not a number: {text!r}") from exc


@lru_cache(maxsize=1 << 16)
def try_decimal(text: str | None) -> Decimal | None:
    try:
        return parse_decimal(text)
    except ValueError:
        return None


def to_yuan(amount: Decimal | None, unit: str) -> Decimal | None:
    """Convert an amount printed in `unit` (元/万元/亿元) to exact yuan, kept to the fen."""
    if amount is None:
        return None
    factor = UNIT_FACTORS[unit]
    return (amount * factor).quantize(Decimal("0.01"))


def percent_to_fraction(text: str | None) -> tuple[Decimal | None, int | None]:
    """`100` / `98.5%` / `47.9` (a percentage) -> (fraction, decimals printed in percent points)."""
    if text is None:
        return None, None
    cleaned = squash(text).rstrip("%")
    value = try_decimal(cleaned)
    if value is None:
        return None, None
    decimals = len(cleaned.split(".", 1)[1]) if "." in cleaned else 0
    return value / Decimal(100), decimals


def unit_from_header(text: str) -> str | None:
    """The money unit a header or caption names: `金额单位：万元`, `(元)`, `项目资金（万元）`."""
    flat = squash(text)
    for unit in ("亿元", "万元", "千元"):
        if unit in flat:
            return unit
    if re.search(r"[(（]元[)）]|单位:元|单位：元", flat):
        return "元"
    return None


# a classification code: 类 3 digits, 款 5, 项 7 (functional), or 类 3, 款 5 (economic)
SUBJECT_CODE = re.compile(r"^\d{3}(\d{2}){0,2}$")


def is_column_numbers(row) -> bool:
    """A table row of column numbers under the header: 栏次, or 1 2 3 …; or, as a scan's OCR may
    give it back, numbered from 1 or 2 with a number or one cell misread (1 2 3 5 6, 一 2 3 4 5)."""
    filled = [c for c in row if c]
    if filled and filled[0] == "栏次":
        return True
    numbers = [try_decimal(c) for c in filled]
    if len(numbers) >= 3 and None not in numbers and all(b == a + 1 for a, b in zip(numbers, numbers[1:])):
        return True
    whole = [n for n in numbers if n is not None and n == n.to_integral_value()]
    return (len(whole) >= 5 and len(numbers) - len(whole) <= 1 and whole[0] <= 2
            and all(0 < b - a <= 2 for a, b in zip(whole, whole[1:])))
