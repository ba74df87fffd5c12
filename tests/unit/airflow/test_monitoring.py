"""Monitoring jobs: the triggering events plus the catch-up from the warehouse, in date order."""

from __future__ import annotations

import datetime as dt

from steward.airflow.monitoring import add_catch_up, jobs_from_events

D = [dt.date(2026, 11, 1) + dt.timedelta(days=i) for i in range(6)]


def test_caught_up_windows_join_the_event_jobs_oldest_first() -> None:
    events = {"dq_p": [{"partition_date": D[4].isoformat()}]}
    jobs = jobs_from_events(events, {"p": ["m", "n"]})
    assert jobs == [{"model": "m", "date": "2026-11-05"}, {"model": "n", "date": "2026-11-05"}]
    # D[4] of m is both an event and unmonitored: one job, not two
    all_jobs, added = add_catch_up(jobs, {"m": [D[1], D[4], D[5]], "n": [D[2]]})
    assert all_jobs == [
        {"model": "m", "date": "2026-11-02"},
        {"model": "n", "date": "2026-11-03"},
        {"model": "m", "date": "2026-11-05"},
        {"model": "n", "date": "2026-11-05"},
        {"model": "m", "date": "2026-11-06"},
    ]
    assert added == ["m@2026-11-02", "m@2026-11-06", "n@2026-11-03"]


def test_nothing_to_catch_up_leaves_the_jobs_as_they_are() -> None:
    jobs = [{"model": "m", "date": "2026-11-05"}]
    assert add_catch_up(jobs, {"m": [], "n": []}) == (jobs, [])
    assert add_catch_up([], {}) == ([], [])
