"""The dates Steward accepts: one sane range, checked before anything is read or written.

A typo such as ``0001-11-20`` or ``9999-01-01`` would otherwise write year-1 rows to the warehouse
and fail later in the reports' plots. Every entry point that takes a date (CLI options, the DAGs'
``date`` param, data quality, monitoring, fairness, costs and carbon) calls :func:`check_date`.

Billing periods are months: :func:`month_start`, :func:`next_month`, :func:`period_start` (the
``BillingPeriodStart`` timestamp of a day's month) and :func:`billing_months` are the one place that
turns a day into its month, for costs, carbon and the retraining evidence alike.
"""

from __future__ import annotations

import datetime as dt
import os
from collections.abc import Iterable

__all__ = [
    "DATE_RANGE_ENV",
    "DEFAULT_DATE_RANGE",
    "billing_months",
    "check_date",
    "check_dates",
    "date_range",
    "month_start",
    "next_month",
    "period_start",
]

#: Environment variable that sets the accepted range: ``FIRST..LAST`` (ISO dates, both included).
DATE_RANGE_ENV = "STEWARD_DATE_RANGE"
#: The accepted range when ``STEWARD_DATE_RANGE`` is not set.
DEFAULT_DATE_RANGE = (dt.date(1970, 1, 1), dt.date(2100, 12, 31))


def date_range() -> tuple[dt.date, dt.date]:
    """Return the first and last date Steward accepts (``STEWARD_DATE_RANGE``, else 1970-01-01..2100-12-31).

    Raises
    ------
    ValueError
        ``STEWARD_DATE_RANGE`` is not ``YYYY-MM-DD..YYYY-MM-DD`` with the first date not after the last.

    Examples
    --------
    >>> date_range()  # doctest: +SKIP
    (datetime.date(1970, 1, 1), datetime.date(2100, 12, 31))
    """
    raw = os.environ.get(DATE_RANGE_ENV, "").strip()
    if not raw:
        return DEFAULT_DATE_RANGE
    first, sep, last = raw.partition("..")
    try:
        if not sep:
            raise ValueError
        bounds = dt.date.fromisoformat(first.strip()), dt.date.fromisoformat(last.strip())
    except ValueError:
        raise ValueError(
            f"{DATE_RANGE_ENV}={raw!r} is not a date range: write FIRST..LAST as ISO dates, "
            "e.g. 1970-01-01..2100-12-31"
        ) from None
    if bounds[0] > bounds[1]:
        raise ValueError(f"{DATE_RANGE_ENV}={raw!r} ends before it starts: write FIRST..LAST")
    return bounds


def check_date(value: dt.date, *, what: str) -> dt.date:
    """Return ``value`` if it lies in :func:`date_range`, else raise a ``ValueError`` naming ``what``.

    Parameters
    ----------
    value
        A date (a datetime counts by its date).
    what
        What the date is, for the message: ``"dataset 'leads': partition date"``, ``"--date"``.

    Examples
    --------
    >>> check_date(dt.date(2026, 11, 20), what="--date")
    datetime.date(2026, 11, 20)
    >>> check_date(dt.date(1, 11, 20), what="--date")  # doctest: +ELLIPSIS
    Traceback (most recent call last):
    ...
    ValueError: --date 0001-11-20 is outside the dates Steward accepts (1970-01-01..2100-12-31): ...
    """
    if not isinstance(value, dt.date):
        raise TypeError(f"{what}: expected a date, got {type(value).__name__} {value!r}")
    day = value.date() if isinstance(value, dt.datetime) else value
    first, last = date_range()
    if not first <= day <= last:
        raise ValueError(
            f"{what} {day.isoformat()} is outside the dates Steward accepts ({first}..{last}): "
            f"check the date for a typo, or widen {DATE_RANGE_ENV}"
        )
    return value


def check_dates(values: Iterable[dt.date], *, what: str) -> list[dt.date]:
    """Return ``values`` as a list once each passed :func:`check_date` (nothing is checked lazily)."""
    return [check_date(v, what=what) for v in values]


def month_start(day: dt.date) -> dt.date:
    """Return the first day of ``day``'s month (a datetime counts by its date).

    Examples
    --------
    >>> month_start(dt.date(2026, 11, 20))
    datetime.date(2026, 11, 1)
    """
    return dt.date(day.year, day.month, 1)


def next_month(day: dt.date) -> dt.date:
    """Return the first day of the month after ``day``'s.

    Examples
    --------
    >>> next_month(dt.date(2026, 12, 31))
    datetime.date(2027, 1, 1)
    """
    return dt.date(day.year + (day.month == 12), day.month % 12 + 1, 1)


def period_start(day: dt.date) -> dt.datetime:
    """Return the ``BillingPeriodStart`` of ``day``'s month: midnight UTC of its first day.

    Examples
    --------
    >>> period_start(dt.date(2026, 11, 20))
    datetime.datetime(2026, 11, 1, 0, 0, tzinfo=datetime.timezone.utc)
    """
    return dt.datetime(day.year, day.month, 1, tzinfo=dt.UTC)


def billing_months(day: dt.date, *, months_back: int) -> list[dt.date]:
    """Return the first days of ``day``'s month and the ``months_back`` months before it, oldest first.

    Raises
    ------
    ValueError
        ``months_back`` is negative.

    Examples
    --------
    >>> billing_months(dt.date(2026, 1, 3), months_back=1)
    [datetime.date(2025, 12, 1), datetime.date(2026, 1, 1)]
    """
    if months_back < 0:
        raise ValueError(f"months_back must be >= 0, got {months_back}")
    index = day.year * 12 + day.month - 1
    return [dt.date(i // 12, i % 12 + 1, 1) for i in range(index - months_back, index + 1)]
