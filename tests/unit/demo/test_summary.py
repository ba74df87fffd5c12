"""The demo summary's retraining line: gates with their outcome, the final status, who approved."""

from __future__ import annotations

import datetime as dt
import json
from pathlib import Path

from steward.demo import DEMO_APPROVER, retraining_line
from steward.warehouse import connect

CAVEAT = "fairness NOT demonstrated: 3 comparison(s) lack data (3) or have intervals reaching beyond -0.05"


def _run_row(reason: str, gates: list[dict[str, object]]) -> dict[str, object]:
    comparison = {"auc_challenger": 0.8061, "auc_champion": 0.8042, "delong": {"p": 0.801}}
    when = dt.datetime(2026, 11, 15, 5, tzinfo=dt.UTC)
    return {
        "decision_id": "rd-1",
        "challenger_version": "2026-11-14-abcd",
        "champion_version": "1.8.2",
        "started_at": when,
        "finished_at": when,
        "status": "promoted",
        "reason": reason,
        "comparison_json": json.dumps(comparison),
        "gates_json": json.dumps(gates),
    }


def test_a_demo_approval_with_a_caveat_says_so(steward_home: Path) -> None:
    gates = [
        {"name": "performance", "passed": True, "outcome": "passed", "reasons": ["gain +0.0019"]},
        {"name": "fairness", "passed": False, "outcome": "not_demonstrated", "caveat": CAVEAT, "reasons": []},
    ]
    reason = f"approved by {DEMO_APPROVER}; accepted with the caveat {CAVEAT}"
    with connect() as wh:
        wh.migrate()
        wh.replace_partition(
            "retraining_runs", {"run_id": "r1", "model": "credit_risk"}, [_run_row(reason, gates)]
        )
    assert retraining_line("credit_risk", "r1") == (
        "credit_risk 2026-11-14-abcd: AUC 0.806 vs 0.804 (champion 1.8.2), DeLong p 0.8; "
        "gates performance ok, fairness NOT DEMONSTRATED -> promoted (approved by demo-risk-officer "
        f"through Airflow's HITL API: demo auto-approval): {reason}"
    )


def test_a_failed_gate_of_an_older_row_reads_failed(steward_home: Path) -> None:
    gates = [{"name": "performance", "passed": False, "reasons": ["worse"]}]  # stored before outcomes
    with connect() as wh:
        wh.migrate()
        row = {**_run_row("gates failed: performance: worse", gates), "status": "rejected"}
        wh.replace_partition("retraining_runs", {"run_id": "r2", "model": "credit_risk"}, [row])
    line = retraining_line("credit_risk", "r2")
    assert "gates performance FAILED -> rejected: gates failed" in line and DEMO_APPROVER not in line


def test_a_long_reason_is_cut_with_an_ellipsis(steward_home: Path) -> None:
    gates = [{"name": "performance", "passed": True, "outcome": "passed", "reasons": []}]
    with connect() as wh:
        wh.migrate()
        row = _run_row("x" * 1000, gates)
        wh.replace_partition("retraining_runs", {"run_id": "r3", "model": "credit_risk"}, [row])
    line = retraining_line("credit_risk", "r3")
    assert len(line) == 640 and line.endswith("x…")
