from decimal import Decimal

import pytest
from hypothesis import given
from hypothesis import strategies as st

from ingest.normalise import halfwidth, parse_decimal, percent_to_fraction, to_yuan, unit_from_header


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("1,515,000", Decimal("1515000")),
        ("１２.５", Decimal("12.5")),
        (" 790.35 ", Decimal("790.35")),
        ("-3.2", Decimal("-3.2")),
        ("<b>1649.56</b>", Decimal("1649.56")),
    ],
)
def test_parse_decimal_reads_printed_numbers_exactly(text, expected):
    assert parse_decimal(text) == expected


@pytest.mark.parametrize("text", ["", "--", "—", "-", None])
def test_not_applicable_markers_are_null(text):
    assert parse_decimal(text) is None


def test_text_that_is_not_a_number_is_an_error():
    with pytest.raises(ValueError):
        parse_decimal("达成预期指标")


def test_units_convert_to_exact_yuan():
    assert to_yuan(Decimal("790.35"), "万元") == Decimal("7903500.00")
    assert to_yuan(Decimal("0.01"), "万元") == Decimal("100.00")
    assert to_yuan(Decimal("119936"), "元") == Decimal("119936.00")


def test_percent_keeps_printed_precision():
    assert percent_to_fraction("47.9") == (Decimal("0.479"), 1)
    assert percent_to_fraction("100") == (Decimal("1"), 0)
    assert percent_to_fraction("98.55%") == (Decimal("0.9855"), 2)
    assert percent_to_fraction("达成") == (None, None)


@pytest.mark.parametrize(
    ("header", "unit"),
    [("金额单位：万元", "万元"), ("全年预算数 (元)", "元"), ("项目资金（万元）", "万元"), ("资金来源", None)],
)
def test_unit_from_header(header, unit):
    assert unit_from_header(header) == unit


def test_halfwidth_folds_fullwidth_punctuation():
    assert halfwidth("（２０２０年度）：") == "(2020年度):"


@given(st.integers(min_value=0, max_value=10**12), st.integers(min_value=0, max_value=99))
def test_thousands_separators_never_change_the_value(whole, cents):
    grouped = f"{whole:,}.{cents:02d}"
    assert parse_decimal(grouped) == Decimal(f"{whole}.{cents:02d}")
    fullwidth = grouped.translate(str.maketrans("0123456789,.", "０１２３４５６７８９，．"))
    assert parse_decimal(fullwidth) == Decimal(f"{whole}.{cents:02d}")
