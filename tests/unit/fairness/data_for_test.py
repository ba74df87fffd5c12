"""Deterministic data for the fairness tests: seeded prediction logs and a registered model."""

from __future__ import annotations

from typing import Any

import numpy as np
import pyarrow as pa

from steward.registry import Model

SEXES = ("female", "male", "undisclosed")
AGES = ("18-25", "26-40", "41-60", "61+")


def model(
    *,
    protected: tuple[str, ...] = ("sex", "age_band"),
    risk_tier: str = "limited",
    score: bool = True,
    min_group_size: int = 30,
    tolerance: float = 0.1,
    **fairness: Any,
) -> Model:
    """Return a registered model over ``sex``/``age_band`` with prediction ``pred`` and score ``score``."""
    columns = {"id": "id", "timestamp": "ts", "prediction": "pred"}
    if score:
        columns["score"] = "score"
    return Model.model_validate(
        {
            "name": "test_model",
            "owner": "tests@example.com",
            "business_unit": "lending",
            "risk_tier": risk_tier,
            "prediction_log": "test_log",
            "columns": columns,
            "features": ["x_num", "x_cat"],
            "protected_attributes": list(protected),
            "thresholds": {"min_group_size": min_group_size, "fairness_tolerance": tolerance},
            "fairness": fairness,
        }
    )


def log(
    n: int = 4000,
    *,
    seed: int = 7,
    gap: float = 0.0,
    label_share: float = 1.0,
    null_sex_share: float = 0.0,
) -> pa.Table:
    """A seeded prediction log with ``label``; ``gap`` lowers the selection rate of age_band 18-25.

    Columns: sex, age_band, score, pred (1 = favourable by default), label (NULL for unlabelled rows),
    x_num, x_cat.
    """
    rng = np.random.default_rng(seed)
    sex = rng.choice(SEXES, n, p=[0.48, 0.48, 0.04]).astype(object)
    age = rng.choice(AGES, n, p=[0.2, 0.35, 0.3, 0.15])
    label = (rng.random(n) < 0.6).astype(int)
    score = np.clip(0.35 + 0.3 * label + rng.normal(0, 0.2, n) - gap * (age == "18-25"), 0, 1)
    pred = (score >= 0.5).astype(int)
    labelled = rng.random(n) < label_share
    if null_sex_share:
        sex[rng.random(n) < null_sex_share] = None
    x_num = rng.normal(50, 10, n) + 5 * (sex == "female")
    x_cat = rng.choice(["a", "b", "c"], n)
    return pa.table(
        {
            "sex": pa.array(sex, type=pa.string()),
            "age_band": pa.array(age, type=pa.string()),
            "score": pa.array(score),
            "pred": pa.array(pred),
            "label": pa.array(np.where(labelled, label, 0), mask=~labelled, type=pa.int64()),
            "x_num": pa.array(x_num),
            "x_cat": pa.array(x_cat),
        }
    )


def rows(result_rows: list[dict[str, Any]], **match: Any) -> list[dict[str, Any]]:
    """Return the rows whose fields equal ``match``."""
    return [r for r in result_rows if all(r.get(k) == v for k, v in match.items())]


def one(result_rows: list[dict[str, Any]], **match: Any) -> dict[str, Any]:
    """Return the single row matching ``match`` (fails loudly otherwise)."""
    found = rows(result_rows, **match)
    assert len(found) == 1, (match, found)
    return found[0]
