"""A run's summary reads back what the run wrote, tells a quarantined window from a failed one."""

from __future__ import annotations

import datetime as dt

from steward.monitoring import run_summary
from steward.warehouse import Warehouse

DAY = dt.date(2026, 11, 3)
NOW = dt.datetime(2026, 11, 4, 2, 0, tzinfo=dt.UTC)


def _run_row(model: str, day: dt.date, run_id: str, message: str) -> dict[str, object]:
    return {
        "model": model,
        "window_date": day,
        "status": "ok",
        "message": message,
        "report_path": f"/reports/{model}.html",
        "run_id": run_id,
        "computed_at": NOW,
    }


def test_lines_in_job_order_skipped_and_missing_apart(warehouse: Warehouse) -> None:
    warehouse.replace_partition(
        "monitoring_runs", {"window_date": DAY}, [_run_row("a", DAY, "run-1", "a tonight: ok")]
    )
    # another run's row for b does not count as b monitored by run-1
    warehouse.replace_partition(
        "monitoring_runs", {"model": "b", "window_date": DAY}, [_run_row("b", DAY, "run-0", "b: ok")]
    )
    warehouse.replace_partition(
        "quarantine",
        {"dataset": "c_log", "partition_date": DAY},
        [{"reason": "failed expectations", "quarantined_at": NOW}],
    )
    jobs = [("c", DAY), ("a", DAY), ("b", DAY)]
    logs = {"a": "a_log", "b": "b_log", "c": "c_log"}

    summary = run_summary(warehouse, jobs, run_id="run-1", prediction_logs=logs)

    assert summary.lines == (
        f"c {DAY}: skipped, c_log is quarantined",
        "a tonight: ok (report /reports/a.html)",
    )
    assert summary.missing == (f"b {DAY}",)
    assert summary.monitored == 2


def test_no_jobs_is_an_empty_summary(warehouse: Warehouse) -> None:
    summary = run_summary(warehouse, [], run_id="run-1", prediction_logs={})
    assert (summary.lines, summary.missing, summary.monitored) == ((), (), 0)
