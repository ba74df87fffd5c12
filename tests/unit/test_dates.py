"""The dates Steward accepts: 1970-01-01..2100-12-31 unless STEWARD_DATE_RANGE says otherwise."""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable
from types import SimpleNamespace

import numpy as np
import pytest
from hypothesis import given
from hypothesis import strategies as st

from steward import DATE_RANGE_ENV, check_date, check_dates, date_range
from steward._dates import billing_months, month_start, next_month, period_start
from steward.airflow.context import resolve_partition_date
from steward.carbon import estimate_days, usage_days
from steward.costs import allocate_days, billing_periods_to_reload, ingest
from steward.fairness import evaluate_window, write_fairness
from steward.monitoring import monitor_relation, monitor_window
from steward.quality import validate_partition


@pytest.fixture(autouse=True)
def _default_range(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.delenv(DATE_RANGE_ENV, raising=False)


@pytest.mark.parametrize("day", [dt.date(1970, 1, 1), dt.date(2026, 11, 20), dt.date(2100, 12, 31)])
def test_dates_inside_the_default_range_pass(day: dt.date) -> None:
    assert check_date(day, what="--date") is day


@pytest.mark.parametrize(
    "day", [dt.date(1, 1, 1), dt.date(1969, 12, 31), dt.date(2101, 1, 1), dt.date(9999, 12, 31)]
)
def test_dates_outside_the_default_range_are_refused(day: dt.date) -> None:
    with pytest.raises(ValueError) as info:
        check_date(day, what="dataset 'leads': partition date")
    message = str(info.value)
    assert message.startswith(f"dataset 'leads': partition date {day.isoformat()} is outside")
    assert "(1970-01-01..2100-12-31)" in message
    assert DATE_RANGE_ENV in message
    assert "\n" not in message


def test_a_datetime_counts_by_its_date() -> None:
    assert check_date(dt.datetime(2100, 12, 31, 23, 59, tzinfo=dt.UTC), what="x").year == 2100
    with pytest.raises(ValueError, match="2101-01-01 is outside"):
        check_date(dt.datetime(2101, 1, 1, 0, 0, tzinfo=dt.UTC), what="x")


def test_check_dates_checks_every_date_of_an_iterator() -> None:
    assert check_dates(iter([dt.date(2026, 1, 1), dt.date(2026, 2, 1)]), what="x") == [
        dt.date(2026, 1, 1),
        dt.date(2026, 2, 1),
    ]
    with pytest.raises(ValueError, match="0001-01-01"):
        check_dates(iter([dt.date(2026, 1, 1), dt.date(1, 1, 1)]), what="x")


def test_range_from_the_environment(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv(DATE_RANGE_ENV, " 1900-01-01 .. 2026-12-31 ")
    assert date_range() == (dt.date(1900, 1, 1), dt.date(2026, 12, 31))
    assert check_date(dt.date(1950, 6, 1), what="x") == dt.date(1950, 6, 1)
    with pytest.raises(ValueError, match=r"2027-01-01 is outside .*\(1900-01-01\.\.2026-12-31\)"):
        check_date(dt.date(2027, 1, 1), what="x")


@pytest.mark.parametrize("raw", ["1970-01-01", "1970..2100", "2100-12-31..1970-01-01", "a..b"])
def test_bad_range_in_the_environment_is_explained(monkeypatch: pytest.MonkeyPatch, raw: str) -> None:
    monkeypatch.setenv(DATE_RANGE_ENV, raw)
    with pytest.raises(ValueError, match=f"{DATE_RANGE_ENV}=") as info:
        check_date(dt.date(2026, 1, 1), what="x")
    assert "FIRST..LAST" in str(info.value)


YEAR_ONE = dt.date(1, 11, 20)
MODEL = SimpleNamespace(name="credit_risk")


# Each entry point refuses the date first: every other argument is None, so doing anything else first
# would fail differently (AttributeError, TypeError) or write.
ENTRY_POINTS: dict[str, Callable[[], object]] = {
    "validate_partition": lambda: validate_partition(None, "leads", YEAR_ONE, warehouse=None, run_id="r"),  # type: ignore[arg-type]
    "monitor_window": lambda: monitor_window(MODEL, YEAR_ONE, registry=None, warehouse=None, run_id="r"),  # type: ignore[arg-type]
    "monitor_relation": lambda: monitor_relation(
        MODEL,  # type: ignore[arg-type]
        YEAR_ONE,
        window=None,  # type: ignore[arg-type]
        reference=None,  # type: ignore[arg-type]
        reference_source="",
        warehouse=None,  # type: ignore[arg-type]
        run_id="r",
    ),
    "evaluate_window": lambda: evaluate_window(None, MODEL, source_sql="", window=YEAR_ONE, run_id="r"),  # type: ignore[arg-type]
    "write_fairness": lambda: write_fairness(None, MODEL, YEAR_ONE, None),  # type: ignore[arg-type]
    "billing_periods_to_reload": lambda: billing_periods_to_reload(YEAR_ONE),
    "ingest": lambda: ingest(
        SimpleNamespace(name="aws"), warehouse=None, billing_periods=[YEAR_ONE], run_id="r"
    ),  # type: ignore[arg-type]
    "allocate_days": lambda: allocate_days(None, None, days=[dt.date(2026, 11, 1), YEAR_ONE]),  # type: ignore[arg-type]
    "estimate_days": lambda: estimate_days(None, days=[YEAR_ONE], coefficients=SimpleNamespace(version="v")),  # type: ignore[arg-type]
    "usage_days": lambda: usage_days(None, [YEAR_ONE]),  # type: ignore[arg-type]
    "resolve_partition_date": lambda: resolve_partition_date("0001-11-20", None, None),
}


@pytest.mark.parametrize("entry_point", sorted(ENTRY_POINTS))
def test_entry_points_refuse_the_date_before_anything_else(entry_point: str) -> None:
    with pytest.raises(ValueError, match=r"0001-11-20 is outside the dates Steward accepts"):
        ENTRY_POINTS[entry_point]()


def _numpy_month(day: dt.date, shift: int = 0) -> dt.date:
    """The first day of ``day``'s month shifted by ``shift`` months, by numpy's month arithmetic."""
    month = np.datetime64(day.isoformat(), "M") + shift
    return dt.date.fromisoformat(str(month.astype("datetime64[D]")))


@given(st.dates(min_value=dt.date(1970, 1, 1), max_value=dt.date(2100, 12, 31)))
def test_month_helpers_agree_with_numpy_month_arithmetic(day: dt.date) -> None:
    assert month_start(day) == _numpy_month(day)
    assert next_month(day) == _numpy_month(day, 1)
    start = period_start(day)
    assert start == dt.datetime.combine(_numpy_month(day), dt.time(), tzinfo=dt.UTC)
    assert start.utcoffset() == dt.timedelta(0)


@given(
    st.dates(min_value=dt.date(1970, 1, 1), max_value=dt.date(2100, 12, 31)),
    st.integers(min_value=0, max_value=30),
)
def test_billing_months_are_the_months_ending_with_the_day(day: dt.date, back: int) -> None:
    assert billing_months(day, months_back=back) == [_numpy_month(day, -k) for k in range(back, -1, -1)]


def test_billing_months_refuse_a_negative_lookback() -> None:
    with pytest.raises(ValueError, match="months_back must be >= 0, got -1"):
        billing_months(dt.date(2026, 11, 3), months_back=-1)
