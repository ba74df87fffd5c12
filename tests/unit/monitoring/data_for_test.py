"""Deterministic reference and current samples for the monitoring tests, and a small model around them."""

from __future__ import annotations

import datetime as dt
from pathlib import Path

import numpy as np
import pyarrow as pa
import pyarrow.parquet as pq

from steward.registry import Model

DAY = dt.date(2026, 11, 20)

FEATURES = ["amount", "age", "tenure", "channel", "is_member", "constant"]


def sample(
    n: int, *, seed: int, shift: float = 0.0, new_category_share: float = 0.0, null_share: float = 0.0
) -> pa.Table:
    """Rows with numeric, integer, categorical, boolean and constant features, a score and a decision."""
    rng = np.random.default_rng(seed)
    amount = rng.lognormal(3.0 + shift, 0.5, n)
    amount_mask = rng.random(n) < null_share
    age = rng.integers(18, 80, n)
    tenure = rng.exponential(24.0, n).round(1)
    channels = np.array(["web", "app", "branch", "phone"])
    channel = channels[rng.choice(4, n, p=[0.5, 0.3, 0.15, 0.05])].astype(object)
    if new_category_share:
        channel[rng.random(n) < new_category_share] = "partner"
    logit = -1.0 + 0.8 * (np.log(amount) - 3.0) + 0.02 * (age - 50)
    score = 1 / (1 + np.exp(-logit))
    return pa.table(
        {
            "id": [f"r{seed}-{i}" for i in range(n)],
            "scored_at": pa.array([dt.datetime(2026, 11, 20, 12, tzinfo=dt.UTC)] * n),
            "amount": pa.array(np.where(amount_mask, np.nan, amount), mask=amount_mask),
            "age": pa.array(age, type=pa.int64()),
            "tenure": tenure,
            "channel": pa.array(channel.tolist(), type=pa.string()),
            "is_member": pa.array(rng.random(n) < 0.4),
            "constant": np.full(n, 7.0),
            "score": score,
            "predicted_label": (score >= 0.3).astype(np.int64),
        }
    )


def write(table: pa.Table, path: Path) -> Path:
    """Write ``table`` as Parquet at ``path`` (folders created)."""
    path.parent.mkdir(parents=True, exist_ok=True)
    pq.write_table(table, path)
    return path


def model(**monitoring: object) -> Model:
    """A model over :func:`sample`'s columns."""
    return Model.model_validate(
        {
            "name": "test_model",
            "owner": "ml@example.com",
            "business_unit": "lending",
            "risk_tier": "limited",
            "prediction_log": "test_predictions",
            "labels": {"dataset": "test_labels", "join_key": "id", "label_column": "label"},
            "columns": {
                "id": "id",
                "timestamp": "scored_at",
                "score": "score",
                "prediction": "predicted_label",
            },
            "features": FEATURES,
            "thresholds": {"decision": 0.3, "review_band": 0.05, "min_auc": 0.6},
            "monitoring": {"bins": 20, "min_rows": 50, **monitoring},
        }
    )
