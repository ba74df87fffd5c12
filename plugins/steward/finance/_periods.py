"""Review periods: a month (``2026-11``) or a quarter (``2026-Q4``), and whether one is closed."""

from __future__ import annotations

import datetime as dt
import re
from dataclasses import dataclass
from typing import Literal

__all__ = ["Period", "parse_period"]

_MONTH = re.compile(r"^(?P<year>\d{4})-(?P<month>\d{2})$")
_QUARTER = re.compile(r"^(?P<year>\d{4})-[Qq](?P<quarter>[1-4])$")


def _add_months(day: dt.date, months: int) -> dt.date:
    index = day.year * 12 + day.month - 1 + months
    return dt.date(index // 12, index % 12 + 1, 1)


@dataclass(frozen=True)
class Period:
    """A review period: ``label``, ``kind`` and the days ``start`` <= day < ``end``."""

    label: str
    kind: Literal["month", "quarter"]
    start: dt.date
    end: dt.date

    @property
    def last_day(self) -> dt.date:
        """The period's last day."""
        return self.end - dt.timedelta(days=1)

    @property
    def months(self) -> list[Period]:
        """The months of the period, in order (a month is its own only month)."""
        if self.kind == "month":
            return [self]
        return [parse_period(_add_months(self.start, i).strftime("%Y-%m")) for i in range(3)]

    @property
    def days(self) -> int:
        """Number of days."""
        return (self.end - self.start).days

    @property
    def mid(self) -> dt.date:
        """First day of the period's second half (days before it are the first half)."""
        return self.start + dt.timedelta(days=self.days // 2)

    def closes_on(self, close_after_days: int) -> dt.date:
        """Return the first day the period counts as closed (``close_after_days`` after its end)."""
        return self.end + dt.timedelta(days=close_after_days)

    def is_closed(self, today: dt.date, *, close_after_days: int) -> bool:
        """Whether the period is closed on ``today`` (late billing and outcomes have had time to land)."""
        return today >= self.closes_on(close_after_days)


def parse_period(text: str) -> Period:
    """Parse ``2026-11`` (a month) or ``2026-Q4`` (a quarter).

    Raises
    ------
    ValueError
        Anything else, with the accepted forms.

    Examples
    --------
    >>> p = parse_period("2026-Q4")
    >>> (p.start, p.end, [m.label for m in p.months])
    (datetime.date(2026, 10, 1), datetime.date(2027, 1, 1), ['2026-10', '2026-11', '2026-12'])
    """
    value = str(text).strip()
    month = _MONTH.match(value)
    if month and 1 <= int(month["month"]) <= 12:
        start = dt.date(int(month["year"]), int(month["month"]), 1)
        return Period(value, "month", start, _add_months(start, 1))
    quarter = _QUARTER.match(value)
    if quarter:
        start = dt.date(int(quarter["year"]), 3 * (int(quarter["quarter"]) - 1) + 1, 1)
        return Period(f"{quarter['year']}-Q{quarter['quarter']}", "quarter", start, _add_months(start, 3))
    raise ValueError(f"period {text!r} is not a month (2026-11) or a quarter (2026-Q4): give one of those")
