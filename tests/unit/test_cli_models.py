"""``steward models``: list, show, history, rollback and decommission on a real DuckDB warehouse."""

from __future__ import annotations

import datetime as dt
import getpass

import pytest

from steward.cli import main
from steward.lifecycle import ModelVersion, model_history, model_state, promote, register_version
from steward.warehouse import connect

T0 = dt.datetime(2026, 11, 1, tzinfo=dt.UTC)


@pytest.fixture
def url(duckdb_url: str) -> str:
    with connect(duckdb_url) as wh:
        wh.migrate()
        for run, version in enumerate(["2.3.0", "2.4.0"]):
            mv = ModelVersion(
                "lead_scoring", version, created_at=T0 + dt.timedelta(days=run), run_id=f"train-{run}",
                holdout_metrics_json={"auc": 0.8 + run / 100},
                card_json={"intended_use": "rank leads", "limitations": ["web leads only", "late labels"]},
            )  # fmt: skip
            register_version(wh, mv, actor="ci", reason="trained")
            promote(wh, "lead_scoring", version, actor="ci", reason="better", evidence_run_id=f"r{run}")
    return duckdb_url


def test_list_show_and_history(url: str, capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["models", "list", "--url", url]) == 0
    listed = capsys.readouterr().out.splitlines()
    assert listed[0].split() == ["model", "champion", "latest", "versions", "status", "other", "aliases"]
    assert listed[2].split() == ["lead_scoring", "2.4.0", "2.4.0", "2", "active"]

    assert main(["models", "show", "lead_scoring", "--url", url]) == 0
    shown = capsys.readouterr().out
    assert "aliases: champion -> 2.4.0" in shown
    assert any(line.split()[:2] == ["2.3.0", "archived"] for line in shown.splitlines())
    assert "model card (version 2.4.0):" in shown and "late labels" in shown

    assert main(["models", "history", "lead_scoring", "--url", url]) == 0
    history = capsys.readouterr().out.splitlines()
    assert len(history) == 2 + 7  # header, rule, 2 registered + 2 + 3 promotion events
    assert history[-1].split()[3:6] == ["stage_changed", "2.3.0", "archived"]


def test_rollback_and_decommission_record_the_actor(url: str, capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["models", "rollback", "lead_scoring", "--reason", "2.4.0 mis-scores", "--url", url]) == 0
    assert "rolled back from 2.4.0 to 2.3.0" in capsys.readouterr().out
    argv = ["models", "decommission", "lead_scoring", "2.3.0", "--reason", "retired", "--actor", "risk-board"]
    assert main([*argv, "--url", url]) == 0
    assert "monitoring skips it from now on" in capsys.readouterr().out
    with connect(url) as wh:
        events = model_history(wh, "lead_scoring")
        assert model_state(wh, "lead_scoring").decommissioned
    rollback_event = next(e for e in events if e.kind == "rollback")
    assert (rollback_event.actor, rollback_event.reason) == (getpass.getuser(), "2.4.0 mis-scores")
    assert events[-1].actor == "risk-board" and events[-2].kind == "decommissioned"


def test_mistakes_are_one_line_with_exit_code_2(url: str, capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["models", "show", "lead_scorin", "--url", url]) == 2
    err = capsys.readouterr().err
    assert (
        err.startswith("steward: error: model 'lead_scorin' has no registered version")
        and err.count("\n") == 1
    )
    assert main(["models", "decommission", "lead_scoring", "9.9", "--reason", "x", "--url", url]) == 2
    assert "has no registered version '9.9' (registered: 2.3.0, 2.4.0)" in capsys.readouterr().err
    main(["models", "rollback", "lead_scoring", "--reason", "r", "--url", url])
    assert main(["models", "rollback", "lead_scoring", "--reason", "again", "--url", url]) == 2
    assert "has no previous champion to roll back to" in capsys.readouterr().err
