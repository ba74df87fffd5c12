"""model_retraining task helpers: the night a run is for, and the approval request's body."""

from __future__ import annotations

import datetime as dt
from types import SimpleNamespace

from steward.airflow.retraining import approval_body, approval_subject, retraining_night

RUN = {
    "model": "credit_risk",
    "challenger_version": "2026-11-14-abcd1234",
    "champion_version": "1.8.2",
    "comparison": {
        "holdout_days": ["2026-11-10", "2026-11-11"],
        "rows": 700,
        "positives": 90,
        "champion_source": "scores the champion logged for the holdout rows",
        "auc_challenger": 0.8123,
        "auc_champion": 0.7801,
        "auc_difference": 0.0322,
        "delong": {"z": 2.5, "p": 0.0124, "var": 1.6e-4},
        "mcnemar": {"p": 0.31},
        "bootstrap": {"confidence": 0.95, "low": 0.007, "high": 0.058},
    },
    "gates": [
        {"name": "performance", "passed": True, "reasons": ["gain +0.0322 >= margin"]},
        {"name": "fairness", "passed": True, "reasons": ["no breach on 700 holdout rows"]},
    ],
}


def test_the_body_carries_the_evidence_the_gates_and_the_link() -> None:
    body = approval_body(RUN, report_url="/steward/retraining/2026-11-14/credit_risk.html")
    assert "promote challenger `2026-11-14-abcd1234` over champion `1.8.2`" in body
    assert "AUC challenger 0.8123 vs champion 0.7801 (difference +0.0322, 95% bootstrap interval" in body
    assert "[+0.0070, +0.0580]" in body and "DeLong z 2.50, p 0.0124; McNemar p 0.31" in body
    assert "- fairness gate passed: no breach on 700 holdout rows" in body
    assert body.rstrip().endswith("No answer before the timeout counts as a rejection.")
    assert "Report: /steward/retraining/2026-11-14/credit_risk.html" in body


def test_the_night_comes_from_the_param_then_the_decision_then_the_run() -> None:
    run = SimpleNamespace(conf={}, run_after=dt.datetime(2026, 11, 15, 4, tzinfo=dt.UTC))
    assert retraining_night({"params": {"date": "2026-11-12"}, "dag_run": run}) == dt.date(2026, 11, 12)
    fired = SimpleNamespace(conf={"evidence": {"night": "2026-11-14"}}, run_after=run.run_after)
    assert retraining_night({"params": {"date": ""}, "dag_run": fired}) == dt.date(2026, 11, 14)
    assert retraining_night({"params": {}, "dag_run": run}) == dt.date(2026, 11, 15)


def test_the_approval_task_turns_a_timeout_into_a_recorded_rejection_not_a_failure() -> None:
    from steward.airflow.retraining import PromotionApproval

    op = PromotionApproval(task_id="approval")
    assert op.options == ["Approve", "Reject"] and op.defaults == ["Reject"]
    now = dt.datetime(2026, 11, 15, 4, tzinfo=dt.UTC)
    # the scheduler's sweep with defaults: the default answer, flagged timedout, no responder
    swept = {"chosen_options": ["Reject"], "params_input": {}, "responded_at": now, "responded_by_user": None}
    assert op.execute_complete({}, {**swept, "timedout": True})["timed_out"] is True
    # without defaults the sweep sends an error event instead
    error = {"error": "The Human-in-the-loop response timeout has passed", "error_type": "timeout"}
    assert op.execute_complete({}, error)["timed_out"] is True
    person = {
        **swept,
        "chosen_options": ["Approve"],
        "responded_by_user": {"id": "7", "name": "risk.officer"},
    }
    answer = op.execute_complete({}, {**person, "timedout": False})
    assert answer["chosen_options"] == ["Approve"] and answer["responded_by_user"]["name"] == "risk.officer"


CAVEAT = (
    "fairness NOT demonstrated: 79 comparison(s) lack data (45) or have intervals reaching beyond -0.05 "
    "against the group (34); no breach - the approver takes this risk knowingly"
)


def test_a_caveat_is_in_the_subject_and_first_in_the_body() -> None:
    reasons = [CAVEAT, *(f"comparison {i} not shown within tolerance" for i in range(20))]
    fairness = {
        "name": "fairness",
        "passed": False,
        "outcome": "not_demonstrated",
        "caveat": CAVEAT,
        "reasons": reasons,
    }
    run = {**RUN, "gates": [RUN["gates"][0], fairness]}
    subject = approval_subject(run, risk_tier="high")
    assert subject == "Promote credit_risk 2026-11-14-abcd1234? (risk tier high) - fairness NOT demonstrated"
    body = approval_body(run, report_url="/r.html")
    lines = body.splitlines()
    assert lines[2] == f"**Caveat: {CAVEAT}.** Approving accepts this risk; the report lists each comparison."
    gate_line = next(line for line in lines if line.startswith("- fairness gate"))
    assert gate_line.startswith(f"- fairness gate NOT DEMONSTRATED: {CAVEAT} / comparison 0 ")
    assert gate_line.endswith("comparison 10 not shown within tolerance / ... (9 more in the report)")
    assert (
        approval_subject(RUN, risk_tier="high") == "Promote credit_risk 2026-11-14-abcd1234? (risk tier high)"
    )
