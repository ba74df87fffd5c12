"""Feedback ingest and its join to the review queue, on both backends."""

from __future__ import annotations

import datetime as dt
import json
from pathlib import Path

import pyarrow as pa
import pyarrow.parquet as pq
import pytest

from steward.governance import FeedbackError, ingest_feedback, review_feedback
from steward.registry import Registry, parse_registry
from steward.warehouse import Warehouse

DAY = dt.date(2026, 11, 4)


def _registry(tmp_path: Path, **source: str) -> Registry:
    return parse_registry(
        {
            "datasets": [
                {"name": "log", "source": {"path": "/l/{date}.parquet"}, "owner": "o@example.com"},
                {
                    "name": "complaints",
                    "source": {"path": str(tmp_path / "complaints" / "{date}.parquet")},
                    "owner": "o@example.com",
                },
            ],
            "models": [
                {
                    "name": "leads",
                    "owner": "o@example.com",
                    "business_unit": "bu",
                    "risk_tier": "limited",
                    "prediction_log": "log",
                    "columns": {"id": "id", "timestamp": "ts", "prediction": "p"},
                    "features": ["x"],
                }
            ],
            "privacy": {"feedback": [{"dataset": "complaints", "issue_column": "complaint", **source}]},
        }
    )


def _write(tmp_path: Path, models: list[str]) -> None:
    path = tmp_path / "complaints" / f"{DAY}.parquet"
    path.parent.mkdir(parents=True, exist_ok=True)
    n = len(models)
    pq.write_table(
        pa.table(
            {
                "model": models,
                "prediction_id": [f"L-{i}" for i in range(n)],
                "complaint": [f"wrong score {i}" for i in range(n)],
            }
        ),
        path,
    )


def test_feedback_is_ingested_once_and_joined_to_the_queued_segment(
    warehouse: Warehouse, tmp_path: Path
) -> None:
    _write(tmp_path, ["leads", "leads", "leads"])
    registry = _registry(tmp_path)
    assert ingest_feedback(registry, DAY, warehouse=warehouse, run_id="r1") == {"complaints": 3}
    assert ingest_feedback(registry, DAY, warehouse=warehouse, run_id="r1") == {"complaints": 3}
    warehouse.replace_partition(
        "review_queue",
        {"model": "leads", "window_date": DAY},
        [
            {"segment_feature": "channel", "segment_value": "web", "n": 50, "n_low_confidence": 20,
             "low_confidence_share": 0.4, "overall_share": 0.1,
             "example_ids_json": json.dumps(["L-1", "L-10"]),
             "run_id": "r", "computed_at": dt.datetime(2026, 11, 5, tzinfo=dt.UTC)},
        ],
    )  # fmt: skip
    rows = review_feedback(warehouse, model="leads")
    assert [(r["prediction_id"], r["in_review_queue"], r["segment_value"]) for r in rows] == [
        ("L-0", False, None),
        ("L-1", True, "web"),
        ("L-2", False, None),
    ]  # fmt: skip  # L-1 is listed; L-0 and L-2 are not (L-10 does not match L-1: quotes delimit ids)
    assert rows[1]["issue"] == "wrong score 1"


def test_bad_feedback_is_refused_and_nothing_is_written(warehouse: Warehouse, tmp_path: Path) -> None:
    _write(tmp_path, ["leads", "churn"])
    with pytest.raises(FeedbackError, match=r"model\(s\) \['churn'\] are not registered"):
        ingest_feedback(_registry(tmp_path), DAY, warehouse=warehouse, run_id="r1")
    with pytest.raises(FeedbackError, match=r"no column\(s\) \['ticket'\]"):
        ingest_feedback(
            _registry(tmp_path, prediction_id_column="ticket"), DAY, warehouse=warehouse, run_id="r1"
        )
    assert warehouse.fetch("select * from prediction_feedback") == []
