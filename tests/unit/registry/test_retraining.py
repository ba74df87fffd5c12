"""The registry's ``retraining:`` key: defaults, the shipped demo values, and bad values named by key path."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest
import yaml

from steward import paths
from steward.registry import RegistryError, RetrainingPolicy, load_registry

GOVERNANCE = paths.include_dir() / "governance.yaml"


@pytest.fixture
def base_doc() -> dict[str, Any]:
    return yaml.safe_load(GOVERNANCE.read_text(encoding="utf-8"))


def _load_with(tmp_path: Path, doc: dict[str, Any], retraining: Any) -> Any:
    doc["models"][0]["retraining"] = retraining
    file = tmp_path / "governance.yaml"
    file.write_text(yaml.safe_dump(doc, sort_keys=False), encoding="utf-8")
    return load_registry(file)


def test_defaults_are_documented_values() -> None:
    p = RetrainingPolicy()
    assert (p.policies.drift.nights, p.policies.drift.min_nights, p.policies.drift.features) == (3, 2, None)
    assert p.policies.performance.urgent and p.policies.fairness.urgent and p.policies.manual.urgent
    assert not p.policies.drift.urgent and not p.policies.estimated_performance.urgent
    assert (p.policies.staleness.max_age_days, p.policies.staleness.cadence_days) == (None, None)
    guards = p.guards
    assert (guards.cooldown_days, guards.monthly_cost_budget, guards.preferred_window) == (7, None, None)
    assert (p.trainer, p.training_window_days, p.holdout_days) == (None, 28, 3)
    assert (p.gates.min_auc_gain, p.gates.alpha) == (0.0, 0.05)


def test_demo_models_declare_interesting_policies() -> None:
    registry = load_registry()
    lead = registry.model("lead_scoring").retraining
    assert lead.guards.preferred_window is not None
    assert lead.guards.preferred_window.off_peak_hours == (22, 4)
    assert "pages_viewed" in (lead.policies.drift.features or [])
    credit = registry.model("credit_risk").retraining
    assert credit.guards.cooldown_days == 4
    assert credit.guards.monthly_carbon_budget_kg == 25


BAD = {
    "unknown key": ({"policies": {"drfit": {}}}, ["retraining.policies.drfit", "unknown key"]),
    "m more than n": (
        {"policies": {"drift": {"nights": 2, "min_nights": 3}}},
        ["retraining.policies.drift", "min_nights (3) is more than nights (2)"],
    ),
    "feature not monitored": (
        {"policies": {"drift": {"features": ["pages_viewed", "shoe_size"]}}},
        ["models[0] (lead_scoring)", "retraining.policies.drift.features lists ['shoe_size']"],
    ),
    "bad trainer": ({"trainer": "train_it"}, ["retraining.trainer", "'package.module:function'"]),
    "bad off-peak": (
        {"guards": {"preferred_window": {"off_peak_utc": "late"}}},
        ["retraining.guards.preferred_window.off_peak_utc", "hour range like '22-06'"],
    ),
    "empty window": (
        {"guards": {"preferred_window": {"deadline_hours": 5}}},
        ["retraining.guards.preferred_window", "needs off_peak_utc, max_intensity_g_per_kwh"],
    ),
    "bad region": (
        {"guards": {"preferred_window": {"max_intensity_g_per_kwh": 100, "regions": ["eu-north-1"]}}},
        ["preferred_window.regions", "'<aws|gcp>:<region>'"],
    ),
    "negative budget": ({"guards": {"monthly_cost_budget": -5}}, ["retraining.guards.monthly_cost_budget"]),
}


@pytest.mark.parametrize("case", list(BAD))
def test_bad_retraining_values_name_the_key(case: str, base_doc: dict[str, Any], tmp_path: Path) -> None:
    value, fragments = BAD[case]
    with pytest.raises(RegistryError) as info:
        _load_with(tmp_path, base_doc, value)
    for fragment in fragments:
        assert fragment in str(info.value), (fragment, str(info.value))


def test_a_model_without_the_key_gets_the_defaults(base_doc: dict[str, Any], tmp_path: Path) -> None:
    del base_doc["models"][0]["retraining"]
    file = tmp_path / "governance.yaml"
    file.write_text(yaml.safe_dump(base_doc, sort_keys=False), encoding="utf-8")
    assert load_registry(file).model("lead_scoring").retraining == RetrainingPolicy()
