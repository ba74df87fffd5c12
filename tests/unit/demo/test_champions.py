"""The demo's serving models start as registered, promoted champions with their model cards."""

from __future__ import annotations

import datetime as dt

from steward import paths
from steward.demo import DEMO_CHAMPIONS, register_champions
from steward.lifecycle import ModelVersion, model_history, model_state, promote, register_version
from steward.registry import load_registry
from steward.warehouse import Warehouse


def test_champions_are_registered_with_cards_once(warehouse: Warehouse) -> None:
    registry = load_registry(paths.registry_path())
    assert register_champions(warehouse, registry) == {"lead_scoring": "2.3.0", "credit_risk": "1.8.2"}
    assert register_champions(warehouse, registry) == DEMO_CHAMPIONS  # a rerun writes nothing new
    state = model_state(warehouse, "credit_risk")
    assert state.champion == "1.8.2" and state.stages == {"1.8.2": "production"}
    (version,) = state.versions
    assert version.card_json["contact"] == "ml-lending@northwind.example"
    assert version.holdout_metrics_json == {"auc": 0.78}  # the registry's baseline
    events = model_history(warehouse, "credit_risk")
    assert [(e.kind, e.actor) for e in events] == [
        ("registered", "steward-demo"),
        ("alias_set", "steward-demo"),
        ("stage_changed", "steward-demo"),
    ]
    assert events[1].occurred_at == dt.datetime(2026, 10, 31, 12, tzinfo=dt.UTC)


def test_a_rerun_after_a_retraining_keeps_the_newer_champion(warehouse: Warehouse) -> None:
    registry = load_registry(paths.registry_path())
    register_champions(warehouse, registry)
    register_version(warehouse, ModelVersion("lead_scoring", "2.4.0"), actor="airflow", reason="retrained")
    promote(warehouse, "lead_scoring", "2.4.0", actor="airflow", reason="gates passed", evidence_run_id="r9")
    assert register_champions(warehouse, registry)["lead_scoring"] == "2.4.0"
    assert model_state(warehouse, "lead_scoring").stages == {"2.3.0": "archived", "2.4.0": "production"}
