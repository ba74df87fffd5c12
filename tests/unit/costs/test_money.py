"""Display rounding: cents by largest remainder, so the shown rows add up to the shown total."""

from __future__ import annotations

from decimal import ROUND_HALF_UP, Decimal

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from steward.costs import round_to_total

D = Decimal


def test_three_thirds_of_ten_hand_computed() -> None:
    # 3.3333333333 each: floors 3.33 x 3 = 9.99, total 10.00: one cent to the first of the tied remainders
    third = D("3.3333333333")
    assert round_to_total([third, third, D("3.3333333334")]) == [D("3.33"), D("3.33"), D("3.34")]


def test_rounding_each_row_would_not_add_up() -> None:
    rows = [D("0.005"), D("0.005"), D("0.005")]  # total 0.015 -> 0.02
    assert [r.quantize(D("0.01"), ROUND_HALF_UP) for r in rows] == [D("0.01")] * 3  # 0.03 shown: wrong
    assert round_to_total(rows) == [D("0.01"), D("0.01"), D("0.00")]


def test_credits_and_other_places() -> None:
    # total -0.01 (half away from zero); floors -0.01, -0.01; one cent back to the first remainder
    assert round_to_total([D("-0.005"), D("-0.005")]) == [D("0.00"), D("-0.01")]
    assert round_to_total([D("1.2345"), D("2.0004")], places=3) == [D("1.235"), D("2.000")]
    assert round_to_total([]) == []
    with pytest.raises(ValueError, match="places=-1"):
        round_to_total([D(1)], places=-1)


@settings(max_examples=200, deadline=None)
@given(
    st.lists(st.decimals(min_value=-10_000, max_value=10_000, places=10, allow_nan=False), max_size=20),
    st.integers(min_value=0, max_value=4),
)
def test_rows_add_up_to_the_rounded_total_and_move_less_than_a_unit(
    amounts: list[Decimal], places: int
) -> None:
    unit = D(1).scaleb(-places)
    shown = round_to_total(amounts, places=places)
    assert sum(shown, D(0)) == sum(amounts, D(0)).quantize(unit, ROUND_HALF_UP)
    assert all(s % unit == 0 and abs(s - a) < unit for s, a in zip(shown, amounts, strict=True))
