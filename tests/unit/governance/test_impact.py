"""Declared impact assessments are recorded in the warehouse with their expiry, on both backends."""

from __future__ import annotations

import datetime as dt
from typing import Any

from steward.governance import record_impact_assessments
from steward.registry import Registry, parse_registry
from steward.warehouse import Warehouse

#: A minimal model card (required for the high risk tier).
CARD = {"intended_use": "tests", "limitations": ["x"], "assumptions": ["x"], "failure_modes": ["x"]}


def _registry(*assessments: dict[str, Any]) -> Registry:
    def model(name: str, tier: str) -> dict[str, Any]:
        return {
            "name": name,
            "owner": "o@example.com",
            "business_unit": "bu",
            "risk_tier": tier,
            "card": CARD,  # a high-risk model needs one
            "prediction_log": "log",
            "columns": {"id": "id", "timestamp": "ts", "prediction": "p"},
            "features": ["x"],
        }

    return parse_registry(
        {
            "datasets": [{"name": "log", "source": {"path": "/l/{date}.parquet"}, "owner": "o@example.com"}],
            "models": [model("credit", "high"), model("leads", "limited")],
            "privacy": {"impact_assessments": list(assessments)},
        }
    )


def _assessment(on: str, days: int = 30) -> dict[str, Any]:
    return {
        "model": "credit",
        "harms": ["qualified applicants refused"],
        "mitigations": ["human review of refusals"],
        "reviewer": "Model Risk Committee",
        "assessed_on": on,
        "valid_days": days,
    }


def test_declared_assessments_are_recorded_with_their_expiry(warehouse: Warehouse) -> None:
    reg = _registry(_assessment("2026-10-01", days=30))
    assert record_impact_assessments(reg, warehouse=warehouse) == 1
    assert record_impact_assessments(reg, warehouse=warehouse) == 1
    rows = warehouse.fetch(
        "select model, assessed_on, valid_until, reviewer, harms_json from impact_assessments"
    )
    assert rows == [
        {
            "model": "credit",
            "assessed_on": dt.date(2026, 10, 1),
            "valid_until": dt.date(2026, 10, 31),
            "reviewer": "Model Risk Committee",
            "harms_json": '["qualified applicants refused"]',
        }
    ]
