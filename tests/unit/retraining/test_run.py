"""The retraining flow without Airflow: promoted, rejected, awaiting approval, and every fault recorded.

AUCs and the DeLong test are checked against scikit-learn and the statistics module's own reference
tests; the champion's scores here are the ones it logged (no artifact), so the comparison is
independent of the challenger's pipeline.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterator
from pathlib import Path

import pytest
from sklearn.metrics import roc_auc_score

from steward.lifecycle import (
    ModelVersion,
    champion_version,
    model_history,
    model_state,
    promote,
    register_version,
)
from steward.registry import Registry, load_registry
from steward.retraining import (
    RetrainingError,
    assemble_training_set,
    read_run,
    record_approval,
    retrain,
)
from steward.warehouse import Warehouse, connect
from tests.unit.retraining.data_for_test import TRAINER, day, registry_yaml, retraining_block, write_lake

NIGHT = day(9)


@pytest.fixture
def wh(duckdb_url: str) -> Iterator[Warehouse]:
    with connect(duckdb_url) as w:
        w.migrate()
        yield w


def _registry(
    tmp_path: Path,
    *,
    risk_tier: str = "limited",
    rows: int = 300,
    one_class_days: tuple[int, ...] = (),
    trainer: str = TRAINER,
    min_auc_gain: float = 0.0,
    assessed: bool = True,
    fairness: str = "{}",
) -> Registry:
    root = tmp_path / "lake"
    write_lake(root, nights=10, rows=rows, one_class_days=one_class_days)
    block = retraining_block(trainer, min_auc_gain=min_auc_gain)
    text = registry_yaml(root, risk_tier=risk_tier, retraining=block, assessed=assessed, fairness=fairness)
    (tmp_path / "g.yaml").write_text(text)
    return load_registry(tmp_path / "g.yaml")


def _champion(wh: Warehouse, version: str = "1.0.0", artifact_uri: str | None = None) -> None:
    register_version(
        wh, ModelVersion("toy", version, artifact_uri=artifact_uri), actor="test", reason="served"
    )
    promote(wh, "toy", version, actor="test", reason="initial champion", evidence_run_id=None)


def _run(wh: Warehouse, registry: Registry, tmp_path: Path, run_id: str = "run-1") -> str:
    return retrain(
        wh,
        registry,
        "toy",
        NIGHT,
        run_id=run_id,
        decision_id="dec-1",
        reason="drift",
        artifacts=str(tmp_path / "artifacts"),
        report_dir=tmp_path / "reports",
    )


def test_limited_model_beating_the_logged_champion_is_promoted(wh: Warehouse, tmp_path: Path) -> None:
    registry = _registry(tmp_path)
    _champion(wh)
    assert _run(wh, registry, tmp_path) == "promoted"
    run = read_run(wh, "toy", "run-1")
    assert run is not None and run["status"] == "promoted" and run["decision_id"] == "dec-1"
    assert run["champion_version"] == "1.0.0"
    new = run["challenger_version"]
    assert champion_version(wh, "toy") == new
    assert model_state(wh, "toy").stages["1.0.0"] == "archived"
    c = run["comparison"]
    assert c["champion_source"].startswith("scores the champion logged")
    # independent check of the champion's AUC: the logged scores of the holdout days, by scikit-learn
    holdout = assemble_training_set(wh, registry, "toy", NIGHT).holdout
    assert c["auc_champion"] == pytest.approx(roc_auc_score(holdout["label"], holdout["score"]), abs=1e-12)
    assert c["auc_challenger"] > c["auc_champion"] + 0.05  # x2 and segment carry real signal
    assert c["delong"]["p"] < 0.001 and c["bootstrap"]["low"] > 0
    assert {g["name"]: g["passed"] for g in run["gates"]} == {"performance": True, "fairness": True}
    mv = next(v for v in model_state(wh, "toy").versions if v.version == new)
    assert mv.data_fingerprint and mv.trainer == "steward.demo:train_credit_risk"
    assert mv.holdout_metrics_json["auc"] == pytest.approx(c["auc_challenger"])
    assert mv.energy_kwh is not None and mv.energy_kwh >= 0
    assert Path(c["report_path"]).is_file() and "DeLong" in Path(c["report_path"]).read_text()
    assert Path(c["report_path"]) == tmp_path / "reports" / NIGHT.isoformat() / "toy.html"


def test_gpu_utilization_is_null_on_a_cpu_only_machine(wh: Warehouse, tmp_path: Path) -> None:
    """On this machine NVML finds no NVIDIA GPU, so the version's gpu_utilization is NULL (not 0)."""
    try:
        import pynvml

        pynvml.nvmlInit()
        gpus = pynvml.nvmlDeviceGetCount()
    except Exception:
        gpus = 0
    registry = _registry(tmp_path)
    _run(wh, registry, tmp_path)
    mv = model_state(wh, "toy").versions[-1]
    if gpus == 0:
        assert mv.gpu_utilization is None
    else:  # on a GPU machine: NVML's mean utilization, a percentage
        assert mv.gpu_utilization is not None and 0 <= mv.gpu_utilization <= 100


def test_first_version_is_promoted_on_its_own_gates(wh: Warehouse, tmp_path: Path) -> None:
    registry = _registry(tmp_path)
    assert _run(wh, registry, tmp_path) == "promoted"
    run = read_run(wh, "toy", "run-1")
    assert run is not None and run["champion_version"] is None
    assert run["comparison"]["champion_source"] == "no champion: first version"
    assert champion_version(wh, "toy") == run["challenger_version"]


def test_gain_below_the_margin_is_rejected_and_the_champion_stays(wh: Warehouse, tmp_path: Path) -> None:
    registry = _registry(tmp_path, min_auc_gain=0.5)
    _champion(wh)
    assert _run(wh, registry, tmp_path) == "rejected"
    run = read_run(wh, "toy", "run-1")
    assert run is not None and "below the declared margin" in run["reason"]
    assert champion_version(wh, "toy") == "1.0.0"
    assert [e.kind for e in model_history(wh, "toy") if e.version == run["challenger_version"]][
        -1
    ] == "rejected"


def test_high_risk_waits_for_approval_then_promotes(wh: Warehouse, tmp_path: Path) -> None:
    # high risk: the fairness gate must demonstrate every gap within 0.05 (sex has no effect in the
    # toy data): 3 x 3000 holdout rows make the intervals narrow enough
    registry = _registry(tmp_path, risk_tier="high", rows=3000)
    _champion(wh)
    status = _run(wh, registry, tmp_path)
    run = read_run(wh, "toy", "run-1")
    assert run is not None
    assert status == "awaiting_approval", run["reason"]
    assert champion_version(wh, "toy") == "1.0.0"
    kinds = [e.kind for e in model_history(wh, "toy")]
    assert kinds[-1] == "approval_requested"
    assert (
        record_approval(wh, registry, "toy", run_id="run-1", approved=True, responder="risk.officer@x")
        == "promoted"
    )
    assert champion_version(wh, "toy") == run["challenger_version"]
    approved = [e for e in model_history(wh, "toy") if e.kind == "approved"]
    assert approved and approved[0].actor == "risk.officer@x"
    with pytest.raises(RetrainingError, match="not awaiting approval"):
        record_approval(wh, registry, "toy", run_id="run-1", approved=True, responder="x")


def test_high_risk_with_fairness_not_demonstrated_goes_to_the_approver_with_the_caveat(
    wh: Warehouse, tmp_path: Path
) -> None:
    # 3 x 300 holdout rows: no breach (sex has no effect), but the female-male intervals are wider
    # than the high-risk tolerance 0.05: not demonstrated, and ask_approver (the default) asks
    registry = _registry(tmp_path, risk_tier="high")
    _champion(wh)
    assert _run(wh, registry, tmp_path) == "awaiting_approval"
    run = read_run(wh, "toy", "run-1")
    assert run is not None
    fairness = next(g for g in run["gates"] if g["name"] == "fairness")
    assert (fairness["passed"], fairness["outcome"]) == (False, "not_demonstrated")
    assert fairness["caveat"].startswith("fairness NOT demonstrated: ")
    assert "the approver takes this risk knowingly" in fairness["caveat"]
    assert any("not shown within tolerance" in r for r in fairness["reasons"])
    report = Path(run["comparison"]["report_path"]).read_text()
    assert '<span class="badge warning">not demonstrated</span>' in report
    assert "Caveat for the approver (fairness gate):</b> fairness NOT demonstrated" in report
    assert str(run["reason"]).startswith(
        "risk tier high: no gate rejects, but fairness: fairness NOT demonstrated"
    )
    requested = model_history(wh, "toy")[-1]
    assert requested.kind == "approval_requested"
    assert requested.details["caveats"] == [f"fairness: {fairness['caveat']}"]
    assert champion_version(wh, "toy") == "1.0.0"
    status = record_approval(wh, registry, "toy", run_id="run-1", approved=True, responder="risk.officer@x")
    assert status == "promoted" and champion_version(wh, "toy") == run["challenger_version"]
    approved = next(e for e in model_history(wh, "toy") if e.kind == "approved")
    assert approved.actor == "risk.officer@x"
    assert approved.reason == f"approved by risk.officer@x; accepted with the caveat {fairness['caveat']}"


def test_high_risk_with_fairness_not_demonstrated_is_rejected_when_the_policy_says_reject(
    wh: Warehouse, tmp_path: Path
) -> None:
    registry = _registry(tmp_path, risk_tier="high", fairness="{high_risk_undemonstrated: reject}")
    _champion(wh)
    assert _run(wh, registry, tmp_path) == "rejected"
    run = read_run(wh, "toy", "run-1")
    assert run is not None
    fairness = next(g for g in run["gates"] if g["name"] == "fairness")
    assert fairness["outcome"] == "not_demonstrated" and "caveat" not in fairness
    assert "rejected (fairness.high_risk_undemonstrated: reject)" in str(run["reason"])
    assert champion_version(wh, "toy") == "1.0.0"
    assert [e.kind for e in model_history(wh, "toy")][-1] == "rejected"


def test_approval_timeout_is_a_recorded_rejection(wh: Warehouse, tmp_path: Path) -> None:
    registry = _registry(tmp_path, risk_tier="high", rows=3000)
    _champion(wh)
    assert _run(wh, registry, tmp_path) == "awaiting_approval"
    status = record_approval(
        wh, registry, "toy", run_id="run-1", approved=False, responder="airflow", timed_out=True
    )
    assert status == "rejected" and champion_version(wh, "toy") == "1.0.0"
    run = read_run(wh, "toy", "run-1")
    assert run is not None and "timeout" in run["reason"] and run["finished_at"] is not None
    last = model_history(wh, "toy")[-1]
    assert last.kind == "rejected" and last.details["timed_out"] is True


def test_high_risk_without_a_current_impact_assessment_is_rejected_not_sent_for_approval(
    wh: Warehouse, tmp_path: Path
) -> None:
    # the same run that waits for approval above, but the registry declares no impact assessment
    registry = _registry(tmp_path, risk_tier="high", rows=3000, assessed=False)
    _champion(wh)
    assert _run(wh, registry, tmp_path) == "rejected"
    run = read_run(wh, "toy", "run-1")
    assert run is not None
    assert "impact_assessment: model 'toy' is risk tier high and no impact assessment is declared" in str(
        run["reason"]
    )
    assert champion_version(wh, "toy") == "1.0.0"
    assert [e.kind for e in model_history(wh, "toy")][-1] == "rejected"


def model_state_versions(wh: Warehouse) -> list[str]:
    return [r["version"] for r in wh.fetch("select version from model_versions where model = 'toy'")]


def _assert_failed(wh: Warehouse, match: str) -> dict[str, object]:
    run = read_run(wh, "toy", "run-1")
    assert run is not None and run["status"] == "failed", run
    assert match in str(run["reason"]), run["reason"]
    return run


def test_trainer_that_raises_is_recorded_and_nothing_is_registered(wh: Warehouse, tmp_path: Path) -> None:
    registry = _registry(tmp_path, trainer="tests.unit.retraining.data_for_test:failing_trainer")
    _champion(wh)
    with pytest.raises(
        RetrainingError, match=r"train: model 'toy': trainer .* raised RuntimeError: out of memory"
    ):
        _run(wh, registry, tmp_path)
    _assert_failed(wh, "out of memory")
    assert [v.version for v in model_state(wh, "toy").versions] == ["1.0.0"]
    assert champion_version(wh, "toy") == "1.0.0"


def test_one_class_holdout_cannot_be_evaluated(wh: Warehouse, tmp_path: Path) -> None:
    registry = _registry(tmp_path, one_class_days=(6, 7, 8))
    _champion(wh)
    with pytest.raises(RetrainingError, match="has only class 0"):
        _run(wh, registry, tmp_path)
    run = _assert_failed(wh, "train: ")  # checked before training: nothing is registered
    assert champion_version(wh, "toy") == "1.0.0" and run["challenger_version"] is None
    assert [v.version for v in model_state(wh, "toy").versions] == ["1.0.0"]


def test_missing_champion_artifact_fails_the_run(wh: Warehouse, tmp_path: Path) -> None:
    registry = _registry(tmp_path)
    (tmp_path / "artifacts").mkdir()
    _champion(wh, artifact_uri=str(tmp_path / "artifacts" / "toy" / "1.0.0" / "model.pkl"))
    with pytest.raises(RetrainingError, match=r"artifact .* is missing"):
        _run(wh, registry, tmp_path)
    _assert_failed(wh, "champion 1.0.0's artifact")
    assert champion_version(wh, "toy") == "1.0.0"


def test_champion_alias_on_an_unregistered_version_fails_the_run(wh: Warehouse, tmp_path: Path) -> None:
    registry = _registry(tmp_path)
    _champion(wh)
    # an alias event written by hand (e.g. a botched manual edit) naming a version that was never registered
    wh.execute(
        "insert into model_events (event_id, seq, model, version, kind, alias, stage, actor, reason, "
        "evidence_run_id, occurred_at, details_json) values ('manual-1', 100, 'toy', '9.9.9', 'alias_set', "
        "'champion', null, 'someone', 'by hand', null, :t, '{}')",
        {"t": dt.datetime(2026, 11, 9, tzinfo=dt.UTC)},
    )
    with pytest.raises(RetrainingError, match=r"points at version '9\.9\.9', which is not in model_versions"):
        _run(wh, registry, tmp_path)
    run = _assert_failed(wh, "train: ")
    assert run["challenger_version"] is None and len(model_state_versions(wh)) == 1


def test_unreachable_artifact_store_fails_before_registration(wh: Warehouse, tmp_path: Path) -> None:
    registry = _registry(tmp_path)
    blocker = tmp_path / "not-a-folder"
    blocker.write_text("a file where the store should be")
    with pytest.raises(RetrainingError, match="cannot write the artifact"):
        retrain(wh, registry, "toy", NIGHT, run_id="run-1", artifacts=str(blocker))
    _assert_failed(wh, "train: ")
    assert model_state(wh, "toy").versions == ()


def test_rerun_with_the_same_run_id_writes_the_same_rows(wh: Warehouse, tmp_path: Path) -> None:
    registry = _registry(tmp_path)
    _champion(wh)
    _run(wh, registry, tmp_path)
    tables = ("retraining_runs", "model_versions", "model_events")
    before = {t: wh.fetch(f"select count(*) as n from {t}")[0]["n"] for t in tables}
    first = read_run(wh, "toy", "run-1")
    assert _run(wh, registry, tmp_path) == "promoted"
    after = {t: wh.fetch(f"select count(*) as n from {t}")[0]["n"] for t in tables}
    assert after == before and before["retraining_runs"] == 1 and before["model_versions"] == 2
    again = read_run(wh, "toy", "run-1")
    assert first is not None and again is not None
    assert again["challenger_version"] == first["challenger_version"]
    assert again["comparison"]["auc_challenger"] == first["comparison"]["auc_challenger"]
