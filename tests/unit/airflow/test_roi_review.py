import datetime as dt
from types import SimpleNamespace

import pytest

from steward.airflow.roi_review import _periods, scheduled_periods


@pytest.mark.parametrize(
    ("day", "expected"),
    [
        (dt.date(2026, 12, 6), ["2026-11"]),
        (dt.date(2027, 1, 6), ["2026-12", "2026-Q4"]),
        (dt.date(2026, 4, 6), ["2026-03", "2026-Q1"]),
        (dt.date(2026, 7, 1), ["2026-06", "2026-Q2"]),
        (dt.date(2026, 10, 31), ["2026-09", "2026-Q3"]),
    ],
)
def test_scheduled_periods(day: dt.date, expected: list[str]) -> None:
    assert scheduled_periods(day) == expected


def test_the_period_param_wins_and_is_checked() -> None:
    run = SimpleNamespace(run_after=dt.datetime(2027, 1, 6, 6, tzinfo=dt.UTC))
    assert _periods({"params": {"period": "2026-q4"}, "dag_run": run}) == ["2026-Q4"]
    assert _periods({"params": {"period": None}, "dag_run": run}) == ["2026-12", "2026-Q4"]
    with pytest.raises(ValueError, match="period '2026-13' is not a month"):
        _periods({"params": {"period": "2026-13"}, "dag_run": run})
