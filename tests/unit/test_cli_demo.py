"""`steward demo` is the demo: its own registry, suites and warehouse; a summary of its own nights only."""

from __future__ import annotations

import datetime as dt
import os
from pathlib import Path

import pytest

from steward import paths
from steward.cli import main
from steward.demo import DEMO_START
from steward.warehouse import connect

DAY = DEMO_START


def _seed(status: str) -> None:
    with connect() as wh:
        wh.migrate()
        for dataset, st in (("leads", status), ("user_dataset", "passed")):
            wh.execute(
                "insert into dq_runs (dataset, partition_date, suite, status, run_id, validated_at) "
                "values (:d, :p, :d, :s, 'r', current_timestamp)",
                {"d": dataset, "p": DAY, "s": st},
            )
        for model in ("lead_scoring", "adhoc-user_file"):
            wh.execute(
                "insert into monitoring_runs (model, window_date, status, message, run_id, computed_at) "
                "values (:m, :p, 'drift', :msg, 'r', current_timestamp)",
                {"m": model, "p": DAY, "msg": f"{model} night"},
            )
        for night, action in ((DAY, "defer"), (DAY + dt.timedelta(days=30), "fire")):  # the second: not shown
            wh.execute(
                "insert into retraining_decisions (decision_id, model, night, evaluated_at, run_id, action, "
                "policy, signals_json, evidence_json, reason) values (:i, 'lead_scoring', :n, "
                "current_timestamp, 'r', :a, 'drift', '[]', '{}', :reason)",
                {"i": f"rd-{action}", "n": night, "a": action, "reason": f"{action} because drift"},
            )


@pytest.fixture
def fake_nights(steward_home: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> dict[str, object]:
    seen: dict[str, object] = {}

    def run_demo(days: list[dt.date], *, runner: str | None = None) -> dict[str, dict[str, str]]:
        seen["runner"] = runner
        seen["env"] = {k: os.environ.get(k) for k in ("STEWARD_REGISTRY", "STEWARD_WAREHOUSE_URL")}
        seen["registry"] = paths.registry_path()
        _seed(str(seen["status"]))
        return {}

    monkeypatch.setattr("steward.airflow.demo.run_demo", run_demo)
    manifest = type("Manifest", (), {"lake": "lake", "reused": True})()
    monkeypatch.setattr("steward.demo.generate", lambda **_: manifest)
    mine = tmp_path / "mine.yaml"
    mine.write_text("datasets: []\n")
    monkeypatch.setenv("STEWARD_REGISTRY", str(mine))
    monkeypatch.setenv("STEWARD_WAREHOUSE_URL", "postgresql://ana:s3cret@db.example:5432/prod")
    return seen


def test_the_demo_ignores_the_users_setup_and_shows_only_its_nights(
    fake_nights: dict[str, object], capsys: pytest.CaptureFixture[str]
) -> None:
    fake_nights["status"] = "passed"
    assert main(["demo", "--days", "1"]) == 0
    out = capsys.readouterr().out
    assert fake_nights["runner"] == "scheduler"  # Airflow's scheduler unless told otherwise
    assert fake_nights["env"] == {"STEWARD_REGISTRY": None, "STEWARD_WAREHOUSE_URL": None}
    assert fake_nights["registry"] == paths.include_dir() / "governance.yaml"
    assert "note: STEWARD_REGISTRY=" in out and "is ignored" in out
    assert "s3cret" not in out and "note: STEWARD_WAREHOUSE_URL=" in out
    assert "lead_scoring night" in out and "  leads" in out
    assert "adhoc-user_file" not in out and "user_dataset" not in out
    # the November review from include/finance/ledger/2026-11.yaml (13,300 USD); no lake here, so no KPI
    assert "ROI review 2026-11 (" in out and "+ ledger 13,300.00" in out
    assert "not computable for 2026-11: no observations" in out
    assert "model registry: champions lead_scoring 2.3.0, credit_risk 1.8.2" in out
    assert "credit_risk    champion 1.8.2 (since 2026-10-31 12:00 UTC, set by steward-demo)" in out
    assert f"  {DAY}  lead_scoring   defer              defer because drift" in out
    assert "fire because drift" not in out


def test_a_demo_whose_every_dataset_errored_exits_non_zero(
    fake_nights: dict[str, object], capsys: pytest.CaptureFixture[str]
) -> None:
    fake_nights["status"] = "error"
    assert main(["demo", "--days", "1", "--runner", "test"]) == 1
    assert fake_nights["runner"] == "test"
    assert "every dataset of the demo ended in an error" in capsys.readouterr().err
