from decimal import Decimal

import pytest
from hypothesis import given
from hypothesis import strategies as st

from ingest.targets import parse_actual, parse_target


@pytest.mark.parametrize(
    ("text", "operator", "value", "unit"),
    [
        ("≥98%", ">=", Decimal("98"), "%"),
        ("= 58 条", "=", Decimal("58"), "条"),
        ("≤0.84万元", "<=", Decimal("0.84"), "万元"),
        ("不低于95%", ">=", Decimal("95"), "%"),
        ("不少于30份", ">=", Decimal("30"), "份"),
        ("30个以上", ">=", Decimal("30"), "个"),
        ("15 个工 作日 内", "<=", Decimal("15"), "个工作日"),
        ("30 余类 证照", ">=", Decimal("30"), "类证照"),
        ("75%", "=", Decimal("75"), "%"),
        ("≤1560元/户", "<=", Decimal("1560"), "元/户"),
    ],
)
def test_quantitative_targets(text, operator, value, unit):
    target = parse_target(text)
    assert (target.operator, target.value, target.unit) == (operator, value, unit)


def test_range_target():
    target = parse_target("80%-90%")
    assert (target.operator, target.value, target.value_high, target.unit) == ("between", Decimal("80"), Decimal("90"), "%")


@pytest.mark.parametrize("text", ["及时", "明显", "达成预期指标", "", None])
def test_qualitative_targets_have_no_value(text):
    target = parse_target(text)
    assert target.operator is None and target.value is None


def test_actual_values():
    assert parse_actual("1416.7") == (Decimal("1416.7"), None)
    assert parse_actual("72%") == (Decimal("72"), "%")
    assert parse_actual("达成预期指标") == (None, None)


@given(
    st.sampled_from([("≥", ">="), ("≤", "<="), ("=", "="), ("不低于", ">="), ("不超过", "<=")]),
    st.decimals(min_value=0, max_value=10**6, places=2, allow_nan=False, allow_infinity=False),
    st.sampled_from(["%", "万元", "个", "元/户", ""]),
    st.sampled_from(["", " "]),
)
def test_operator_value_and_unit_survive_spacing(op, value, unit, space):
    token, operator = op
    target = parse_target(f"{token}{space}{value}{space}{unit}")
    assert target.operator == operator
    assert target.value == value
    assert target.unit == (unit or None)
