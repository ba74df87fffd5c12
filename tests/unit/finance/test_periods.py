import datetime as dt

import pytest

from steward.finance import parse_period


def test_month_and_quarter_bounds() -> None:
    nov = parse_period("2026-11")
    assert (nov.kind, nov.start, nov.end, nov.days, nov.mid) == (
        "month",
        dt.date(2026, 11, 1),
        dt.date(2026, 12, 1),
        30,
        dt.date(2026, 11, 16),
    )
    q4 = parse_period("2026-q4")
    assert (q4.label, q4.start, q4.end) == ("2026-Q4", dt.date(2026, 10, 1), dt.date(2027, 1, 1))
    assert [m.label for m in q4.months] == ["2026-10", "2026-11", "2026-12"]
    assert parse_period("2026-12").end == dt.date(2027, 1, 1)


@pytest.mark.parametrize("bad", ["2026-13", "2026-Q5", "Nov 2026", "2026-11-01", ""])
def test_bad_period_is_one_clear_error(bad: str) -> None:
    with pytest.raises(ValueError, match=r"is not a month \(2026-11\) or a quarter \(2026-Q4\)"):
        parse_period(bad)


def test_closed_after_the_grace_days() -> None:
    nov = parse_period("2026-11")
    assert not nov.is_closed(dt.date(2026, 12, 5), close_after_days=5)
    assert nov.is_closed(dt.date(2026, 12, 6), close_after_days=5)
    assert nov.is_closed(dt.date(2026, 12, 1), close_after_days=0)
