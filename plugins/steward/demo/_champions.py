"""The demo company's models in production before the window starts: registered and promoted champions."""

from __future__ import annotations

import datetime as dt

from steward.demo import _company as co
from steward.lifecycle import ModelVersion, champion_version, model_card, promote, register_version
from steward.registry import Registry
from steward.warehouse import Warehouse

__all__ = ["DEMO_ACTOR", "DEMO_CHAMPIONS", "register_champions"]

#: Who the demo's registry events name.
DEMO_ACTOR = "steward-demo"
#: Model -> the version serving (and writing the prediction log) when the demo window starts.
DEMO_CHAMPIONS = {"lead_scoring": co.LEAD_SCORING_VERSION, "credit_risk": co.CREDIT_RISK_VERSION}
#: The run id the setup's events carry: a rerun of the setup writes nothing twice.
SETUP_RUN_ID = "steward-demo-setup"


def register_champions(warehouse: Warehouse, registry: Registry) -> dict[str, str]:
    """Register each demo model's serving version with its model card and promote it to champion.

    Deterministic (fixed times, run id and fields): a rerun leaves the same rows and events, and a
    champion that a later retraining promoted is not put back. Returns model -> current champion.
    """
    trained = dt.datetime.combine(
        co.DEMO_START - dt.timedelta(days=co.TRAINING_LAST_DAY_BEFORE - 7), dt.time(3), tzinfo=dt.UTC
    )
    promoted = dt.datetime.combine(co.DEMO_START - dt.timedelta(days=1), dt.time(12), tzinfo=dt.UTC)
    champions: dict[str, str] = {}
    for name, version in DEMO_CHAMPIONS.items():
        model = registry.model(name)
        training = registry.dataset(model.training_data) if model.training_data else None
        mv = ModelVersion(
            model=name,
            version=version,
            created_at=trained,
            run_id=SETUP_RUN_ID,
            training_windows_json={
                "dataset": training.name if training else None,
                "snapshot": co.SNAPSHOT_VERSION,
                "days_before_start": [co.TRAINING_FIRST_DAY_BEFORE, co.TRAINING_LAST_DAY_BEFORE],
            },
            holdout_metrics_json=dict(model.monitoring.baseline_metrics),
            card_json=model_card(model),
        )
        register_version(warehouse, mv, actor=DEMO_ACTOR, reason="in production before the demo window")
        current = champion_version(warehouse, name)
        if current is None:  # a rerun after a retraining keeps the newer champion
            reason = "the serving model when the demo window starts"
            promote(
                warehouse, name, version, actor=DEMO_ACTOR, reason=reason,
                evidence_run_id=SETUP_RUN_ID, occurred_at=promoted,
            )  # fmt: skip
        champions[name] = current or version
    return champions
