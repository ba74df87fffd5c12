"""The night's history rows (DDL 0021) are exactly the night's own writes, keyed by the night."""

from __future__ import annotations

import datetime as dt
from typing import Any

import pyarrow as pa

from steward.monitoring._asof import asof_writes

NIGHT = dt.date(2026, 11, 5)
NOW = dt.datetime(2026, 11, 6, 3, tzinfo=dt.UTC)


def _key(day: int) -> dict[str, Any]:
    return {"model": "credit_risk", "window_date": dt.date(2026, 11, day)}


def _gaps(*statuses: str) -> pa.Table:
    """fairness_metrics rows as monitoring hands them over: an Arrow table."""
    return pa.table(
        {
            "attribute": ["age_band"] * len(statuses),
            "group_value": [f"g{i}" for i in range(len(statuses))],
            "metric": ["disparate_impact_ratio"] * len(statuses),
            "value": [0.5] * len(statuses),
            "tolerance": [0.8] * len(statuses),
            "status": list(statuses),
            "note": [None] * len(statuses),
            "run_id": ["r"] * len(statuses),
        }
    )


WRITES: list[Any] = [
    ("drift_metrics", _key(5), [{"feature": "x"}]),  # not label-dependent: no history
    (
        "model_performance",
        _key(3),
        [{"metric": "auc", "realized_value": 0.7}, {"metric": "f1", "realized_value": 0.5}],
    ),
    ("model_performance", _key(5), [{"metric": "auc", "realized_value": 0.8}]),
    ("fairness_metrics", _key(3), _gaps("breach", "ok", "breach")),
    ("fairness_metrics", _key(5), _gaps("ok")),
]


def test_every_performance_row_and_each_breach_is_kept_with_its_window_and_night() -> None:
    out = {
        table: (key, rows)
        for table, key, rows in asof_writes("credit_risk", NIGHT, WRITES, run_id="r", now=NOW)
    }
    assert set(out) == {
        "model_performance_asof",
        "fairness_windows_asof",
        "fairness_breaches_asof",
        "evidence_asof_nights",
    }
    assert all(key == {"model": "credit_risk", "measured_night": NIGHT} for key, _ in out.values())
    perf = out["model_performance_asof"][1]
    assert [(r["window_date"].day, r["metric"], r["realized_value"]) for r in perf] == [
        (3, "auc", 0.7), (3, "f1", 0.5), (5, "auc", 0.8)
    ]  # fmt: skip
    assert [(r["window_date"].day, r["breaches"]) for r in out["fairness_windows_asof"][1]] == [
        (3, 2),
        (5, 0),
    ]
    assert [(r["window_date"].day, r["group_value"]) for r in out["fairness_breaches_asof"][1]] == [
        (3, "g0"),
        (3, "g2"),
    ]
    assert out["evidence_asof_nights"][1] == [{"run_id": "r", "computed_at": NOW}]


def test_a_night_without_rows_still_replaces_its_history_with_nothing() -> None:
    out = asof_writes("credit_risk", NIGHT, [], run_id="r", now=NOW)
    assert [(table, rows) for table, _, rows in out[:3]] == [
        ("model_performance_asof", []), ("fairness_windows_asof", []), ("fairness_breaches_asof", [])
    ]  # fmt: skip
    assert out[3][0] == "evidence_asof_nights"


def test_fairness_alone_replaces_only_the_fairness_history_and_marks_no_night() -> None:
    fairness = [w for w in WRITES if w[0] == "fairness_metrics"]
    out = asof_writes("credit_risk", NIGHT, fairness, run_id="r", now=NOW, whole_night=False)
    assert [table for table, _, _ in out] == ["fairness_windows_asof", "fairness_breaches_asof"]
