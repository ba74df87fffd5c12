"""Asset-triggered runs take their day from the producer's event (no data interval exists then)."""

from __future__ import annotations

import datetime as dt
from types import SimpleNamespace

from steward.airflow.context import triggering_date


def _event(**extra: object) -> SimpleNamespace:
    return SimpleNamespace(extra=extra)


def test_the_latest_event_date_wins_and_bad_values_are_ignored() -> None:
    context = {
        "triggering_asset_events": {
            "cost_allocated_daily": [_event(date="2026-11-03"), _event(date="2026-11-05"), _event(date="x")],
            "other": [_event(rows=3)],
        }
    }
    assert triggering_date(context) == dt.date(2026, 11, 5)


def test_no_events_means_no_date() -> None:
    assert triggering_date({}) is None
    assert triggering_date({"triggering_asset_events": {"a": [_event()]}}) is None
