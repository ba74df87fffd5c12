"""The model registry on both warehouses: versions, events, derived state, promotion, rollback."""

from __future__ import annotations

import datetime as dt

import pytest

from steward import paths
from steward.lifecycle import (
    LifecycleError,
    ModelVersion,
    champion_version,
    decommission,
    latest_version,
    model_card,
    model_history,
    model_state,
    promote,
    record_event,
    register_version,
    remove_alias,
    rollback,
    set_alias,
    set_stage,
)
from steward.registry import load_registry
from steward.warehouse import Warehouse

T0 = dt.datetime(2026, 11, 1, 2, 0, tzinfo=dt.UTC)


def _version(version: str, **extra: object) -> ModelVersion:
    return ModelVersion(
        "lead_scoring",
        version,
        created_at=T0,
        run_id=f"train-{version}",
        training_windows_json={"leads": {"start": "2026-10-01", "end": "2026-10-28"}},
        params_json={"C": 1.0},
        holdout_metrics_json={"auc": 0.81},
        card_json={"intended_use": "rank inbound leads"},
        energy_kwh=0.002,
        **extra,  # type: ignore[arg-type]
    )


def _register(wh: Warehouse, *versions: str) -> None:
    for v in versions:
        register_version(wh, _version(v), actor="ci", reason="trained")


def _three_champions(wh: Warehouse) -> None:
    """Register 1.0, 2.0 and 3.0 and promote them in turn (3.0 is the champion)."""
    _register(wh, "1.0", "2.0", "3.0")
    for run, v in enumerate(["1.0", "2.0", "3.0"]):
        promote(wh, "lead_scoring", v, actor="ci", reason="better", evidence_run_id=f"r{run}")


def _count(wh: Warehouse, table: str) -> int:
    return int(str(wh.fetch(f"select count(*) as n from {table}")[0]["n"]))


def test_register_writes_the_row_and_a_candidate_event_once(warehouse: Warehouse) -> None:
    _register(warehouse, "2.3.0")
    _register(warehouse, "2.3.0")  # a rerun: same rows, no duplicate event
    assert _count(warehouse, "model_versions") == 1
    assert [(e.kind, e.stage, e.seq) for e in model_history(warehouse, "lead_scoring")] == [
        ("registered", "candidate", 1)
    ]
    stored = latest_version(warehouse, "lead_scoring")
    assert stored == _version("2.3.0")  # JSON fields come back as the dicts that went in
    assert model_state(warehouse, "lead_scoring").stages == {"2.3.0": "candidate"}
    assert champion_version(warehouse, "lead_scoring") is None  # registered is not promoted


def test_a_version_never_changes(warehouse: Warehouse) -> None:
    _register(warehouse, "2.3.0")
    changed = _version("2.3.0", data_fingerprint="abc")
    with pytest.raises(
        LifecycleError, match=r"'lead_scoring' version '2.3.0' is already registered.*data_fingerprint"
    ):
        register_version(warehouse, changed, actor="ci", reason="again")
    assert latest_version(warehouse, "lead_scoring") == _version("2.3.0")


def test_promote_moves_champion_and_archives_the_previous_one(warehouse: Warehouse) -> None:
    _register(warehouse, "2.3.0", "2.4.0")
    promote(warehouse, "lead_scoring", "2.3.0", actor="steward-demo", reason="first", evidence_run_id="r1")
    set_alias(warehouse, "lead_scoring", "2.4.0", "challenger", actor="airflow", reason="trained")
    promote(warehouse, "lead_scoring", "2.4.0", actor="airflow", reason="gates passed", evidence_run_id="r2")
    promote(warehouse, "lead_scoring", "2.4.0", actor="airflow", reason="gates passed", evidence_run_id="r2")
    state = model_state(warehouse, "lead_scoring")
    assert state.aliases == {"champion": "2.4.0"}  # the challenger alias went with the promotion
    assert state.stages == {"2.3.0": "archived", "2.4.0": "production"}
    kinds = [(e.kind, e.version, e.alias, e.stage) for e in model_history(warehouse, "lead_scoring")]
    assert kinds[-4:] == [
        ("alias_set", "2.4.0", "champion", None),
        ("stage_changed", "2.4.0", None, "production"),
        ("stage_changed", "2.3.0", None, "archived"),
        ("alias_removed", "2.4.0", "challenger", None),
    ]
    assert len(kinds) == 9  # 2 registered, 2 first promotion, 1 challenger, 4 second promotion: no duplicates
    row = warehouse.fetch("select actor, set_at from model_aliases_current where alias = 'champion'")[0]
    assert row["actor"] == "airflow"


def test_promote_is_one_transaction(warehouse: Warehouse) -> None:
    _register(warehouse, "2.3.0", "2.4.0")
    promote(warehouse, "lead_scoring", "2.3.0", actor="ci", reason="first", evidence_run_id="r1")
    # the third write of the promotion (archiving 2.3.0, a second stage_changed of it) breaks this index
    warehouse.execute("create unique index one_kind_per_version on model_events (model, version, kind)")
    with pytest.raises(Exception, match="replace_partition"):
        promote(warehouse, "lead_scoring", "2.4.0", actor="ci", reason="second", evidence_run_id="r2")
    assert model_state(warehouse, "lead_scoring").aliases == {"champion": "2.3.0"}  # no half promotion
    assert _count(warehouse, "model_events") == 4


def test_rollback_goes_back_through_the_champion_history(warehouse: Warehouse) -> None:
    _three_champions(warehouse)
    assert rollback(warehouse, "lead_scoring", actor="alice", reason="3.0 misbehaves") == "2.0"
    assert rollback(warehouse, "lead_scoring", actor="alice", reason="2.0 too") == "1.0"
    state = model_state(warehouse, "lead_scoring")
    assert state.champion == "1.0"
    assert state.stages == {"1.0": "production", "2.0": "archived", "3.0": "archived"}
    with pytest.raises(LifecycleError, match="'lead_scoring' has no previous champion to roll back to"):
        rollback(warehouse, "lead_scoring", actor="alice", reason="again")
    last = model_history(warehouse, "lead_scoring")[-2]
    assert (last.kind, last.version, last.actor, last.reason, last.details) == (
        "rollback",
        "1.0",
        "alice",
        "2.0 too",
        {"from_version": "2.0"},
    )


def test_a_retried_rollback_under_one_run_rolls_back_once(warehouse: Warehouse) -> None:
    _three_champions(warehouse)
    for _ in range(2):
        assert (
            rollback(warehouse, "lead_scoring", actor="a", reason="r", evidence_run_id="dag-run-7") == "2.0"
        )
    assert champion_version(warehouse, "lead_scoring") == "2.0"


def test_rollback_skips_decommissioned_versions(warehouse: Warehouse) -> None:
    _three_champions(warehouse)
    decommission(warehouse, "lead_scoring", "2.0", actor="risk", reason="biased")
    assert rollback(warehouse, "lead_scoring", actor="a", reason="r") == "1.0"


def test_rollback_without_a_champion_is_a_clear_error(warehouse: Warehouse) -> None:
    _register(warehouse, "1.0")
    with pytest.raises(LifecycleError, match="'lead_scoring' has no champion to roll back from"):
        rollback(warehouse, "lead_scoring", actor="a", reason="r")


def test_decommission_retires_the_model_and_keeps_its_history(warehouse: Warehouse) -> None:
    _register(warehouse, "1.0")
    promote(warehouse, "lead_scoring", "1.0", actor="ci", reason="first", evidence_run_id="r1")
    assert not model_state(warehouse, "lead_scoring").decommissioned
    assert decommission(warehouse, "lead_scoring", "1.0", actor="risk", reason="product retired") is not None
    assert decommission(warehouse, "lead_scoring", "1.0", actor="risk", reason="again") is None
    state = model_state(warehouse, "lead_scoring")
    assert state.decommissioned and state.champion is None
    assert state.stages == {"1.0": "decommissioned"}
    assert [e.kind for e in model_history(warehouse, "lead_scoring")][-2:] == [
        "decommissioned",
        "alias_removed",
    ]
    assert latest_version(warehouse, "lead_scoring") is not None  # the version row stays
    with pytest.raises(LifecycleError, match=r"'1\.0' is decommissioned and cannot be promoted"):
        promote(warehouse, "lead_scoring", "1.0", actor="ci", reason="x", evidence_run_id="r2")


def test_events_about_unknown_versions_and_bad_values_are_refused(warehouse: Warehouse) -> None:
    _register(warehouse, "1.0")
    with pytest.raises(
        LifecycleError, match=r"'lead_scoring' has no registered version '9.9' \(registered: 1.0\)"
    ):
        promote(warehouse, "lead_scoring", "9.9", actor="ci", reason="x", evidence_run_id=None)
    with pytest.raises(LifecycleError, match="unknown event kind 'approve'"):
        record_event(warehouse, "lead_scoring", "1.0", "approve", actor="a", reason="r")
    with pytest.raises(LifecycleError, match="unknown stage 'live'"):
        set_stage(warehouse, "lead_scoring", "1.0", "live", actor="a", reason="r")
    with pytest.raises(LifecycleError, match=r"with steward\.lifecycle\.promote"):
        set_stage(warehouse, "lead_scoring", "1.0", "production", actor="a", reason="r")
    with pytest.raises(LifecycleError, match="version 'a b' is not a valid version"):
        register_version(warehouse, ModelVersion("lead_scoring", "a b"), actor="a", reason="r")
    assert _count(warehouse, "model_events") == 1


def test_record_event_is_idempotent_under_a_run_id(warehouse: Warehouse) -> None:
    _register(warehouse, "1.0")
    ids = {
        record_event(
            warehouse, "lead_scoring", "1.0", "approval_requested", actor="airflow", reason="high risk",
            evidence_run_id="run-1", details={"auc_diff": 0.02},
        )
        for _ in range(2)  # a retried task
    }  # fmt: skip
    assert len(ids) == 1
    approvals = [e for e in model_history(warehouse, "lead_scoring") if e.kind == "approval_requested"]
    assert len(approvals) == 1 and approvals[0].details == {"auc_diff": 0.02}


def test_aliases_and_stages_come_from_events_only(warehouse: Warehouse) -> None:
    _register(warehouse, "1.0", "2.0")
    set_alias(warehouse, "lead_scoring", "2.0", "shadow", actor="a", reason="try it")
    assert set_alias(warehouse, "lead_scoring", "2.0", "shadow", actor="a", reason="again") is None
    set_stage(warehouse, "lead_scoring", "2.0", "staging", actor="a", reason="qa")
    assert model_state(warehouse, "lead_scoring").aliases == {"shadow": "2.0"}
    remove_alias(warehouse, "lead_scoring", "shadow", actor="a", reason="done")
    state = model_state(warehouse, "lead_scoring")
    assert state.aliases == {}
    assert state.stages == {"1.0": "candidate", "2.0": "staging"}


def test_an_alias_pointing_at_a_missing_version_is_a_clear_error(warehouse: Warehouse) -> None:
    _register(warehouse, "1.0")
    set_alias(warehouse, "lead_scoring", "1.0", "champion", actor="a", reason="r")
    warehouse.execute("delete from model_versions where version = '1.0'")  # a broken registry
    with pytest.raises(
        LifecycleError, match=r"alias 'champion' points at version '1\.0', which is not in model_versions"
    ):
        champion_version(warehouse, "lead_scoring")


def test_a_version_keeps_the_card_it_was_registered_with(warehouse: Warehouse) -> None:
    credit = load_registry(paths.registry_path()).model("credit_risk")
    card = model_card(credit)
    assert set(card) >= {"intended_use", "limitations", "assumptions", "failure_modes", "contact"}
    register_version(
        warehouse, ModelVersion("credit_risk", "1.8.2", created_at=T0, card_json=card), actor="ci", reason="r"
    )
    stored = latest_version(warehouse, "credit_risk")
    assert stored is not None
    assert stored.card_json["failure_modes"] == list(credit.card.failure_modes)  # type: ignore[union-attr]
    assert (
        model_card(
            load_registry(paths.registry_path()).model("credit_risk").model_copy(update={"card": None})
        )
        == {}
    )
