"""Monitoring jobs: the triggering events plus the catch-up from the warehouse, in date order."""

from __future__ import annotations

import datetime as dt

import pytest

from steward.airflow.monitoring import _without_retired, add_catch_up, jobs_from_events

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


@pytest.mark.usefixtures("steward_home")
def test_jobs_of_decommissioned_models_are_dropped_with_a_logged_reason(
    caplog: pytest.LogCaptureFixture,
) -> None:
    from steward.lifecycle import ModelVersion, decommission, register_version
    from steward.warehouse import connect

    with connect() as wh:  # the default warehouse, the one the tasks use
        wh.migrate()
        register_version(wh, ModelVersion("credit_risk", "1.8.2"), actor="ci", reason="imported")
        decommission(wh, "credit_risk", "1.8.2", actor="risk-board", reason="withdrawn")
    jobs = [{"model": "credit_risk", "date": "2026-11-05"}, {"model": "lead_scoring", "date": "2026-11-05"}]
    with caplog.at_level("WARNING"):
        assert _without_retired(jobs) == [{"model": "lead_scoring", "date": "2026-11-05"}]
    assert "credit_risk: not monitored, decommissioned (version 1.8.2" in caplog.text
