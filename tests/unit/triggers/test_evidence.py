"""The evidence reader and the decision records on real DuckDB and PostgreSQL warehouses.

Rows are inserted into the real monitoring, cost, carbon and decision tables; the reader must pick out
exactly the ones a policy looks at (the right model, nights, states, month), and a recorded decision
must be rewritten, not duplicated, by a rerun.
"""

from __future__ import annotations

import datetime as dt
import json
from decimal import Decimal
from typing import Any

import pytest

from steward.registry import load_registry
from steward.triggers import (
    evaluate_all,
    evaluate_policies,
    list_decisions,
    read_evidence,
    record_decision,
    record_decisions,
    request_retraining,
)
from steward.warehouse import Warehouse

NIGHT = dt.date(2026, 11, 5)
NOW = dt.datetime(2026, 11, 6, 4, tzinfo=dt.UTC)
T = dt.datetime(2026, 11, 6, 3, tzinfo=dt.UTC)


@pytest.fixture(scope="module")
def registry() -> Any:
    return load_registry(check_suites=False)


def _point(model: str, day: int, series: str, state: str, chart: str = "ewma") -> dict[str, Any]:
    return {
        "model": model,
        "series": series,
        "chart": chart,
        "window_date": dt.date(2026, 11, day),
        "value": 1.0,
        "state": state,
        "run_id": f"mon-{model}-{day}",
        "computed_at": T,
    }


def _seed(wh: Warehouse) -> None:
    wh.replace_partition(
        "control_chart_points",
        {"model": "credit_risk"},
        [
            _point("credit_risk", 3, "drift:loan_amount_usd", "out_of_control"),
            _point("credit_risk", 4, "mean:loan_amount_usd", "out_of_control", "cusum"),
            _point("credit_risk", 4, "mean:income_usd", "warning"),  # not out of control
            _point("credit_risk", 5, "mean:income_usd", "out_of_control", "shewhart"),  # not EWMA/CUSUM
            _point("credit_risk", 5, "performance:auc", "out_of_control"),  # not a drift series
            _point("credit_risk", 6, "drift:loan_amount_usd", "out_of_control"),  # after the night
        ],
    )
    wh.replace_partition(
        "control_chart_points",
        {"model": "lead_scoring"},
        [
            _point("lead_scoring", 5, "drift:pages_viewed", "out_of_control"),
        ],
    )
    perf = [
        {
            "model": "credit_risk",
            "window_date": dt.date(2026, 11, d),
            "metric": m,
            "realized_value": v,
            "realized_status": "ok",
            "estimated_value": v,
            "estimated_status": "ok",
            "estimate_error": 0.0,
            "n": 500,
            "n_labelled": 400,
            "label_coverage": 0.8,
            "breach": False,
            "run_id": f"p{d}",
            "computed_at": T,
        }
        for d, m, v in [(2, "auc", 0.75), (5, "auc", 0.66), (5, "accuracy", 0.9)]
    ]
    # The labelled days the data guard counts: positive_rate rows with labels, in the 28-day training
    # window 10-09..11-05 (its first day and the night count; the day before and after, and a day
    # without labels, do not): 5 days, as many as the policy needs (2 + a 3-day holdout).
    labelled = [(dt.date(2026, 10, 8), 300, 0.1), (dt.date(2026, 10, 9), 120, 0.25), (NIGHT, 80, 0.5)]
    labelled += [(dt.date(2026, 11, d), 100, 0.2) for d in (1, 2, 4)] + [(dt.date(2026, 11, 6), 90, 0.5)]
    perf += [
        {**perf[0], "window_date": d, "metric": "positive_rate", "realized_value": v, "n_labelled": n}
        for d, n, v in labelled
    ]
    perf += [{**perf[0], "window_date": dt.date(2026, 11, 3), "metric": "positive_rate", "n_labelled": 0,
              "realized_value": None, "realized_status": "no_labels"}]  # fmt: skip
    wh.replace_partition("model_performance", {"model": "credit_risk"}, perf)
    wh.replace_partition(
        "monitoring_breaches",
        {"model": "credit_risk"},
        [
            {
                "model": "credit_risk",
                "window_date": NIGHT,
                "kind": k,
                "subject": s,
                "value": 0.7,
                "threshold": 0.8,
                "message": "gap",
                "run_id": "mon-5",
                "detected_at": T,
            }
            for k, s in [("fairness", "sex:female:disparate_impact_ratio"), ("drift", "loan_amount_usd")]
        ],
    )
    fair = {"model": "credit_risk", "window_date": NIGHT, "run_id": "mon-5", "computed_at": T}
    wh.replace_partition(
        "fairness_metrics",
        {"model": "credit_risk"},
        [
            {**fair, "attribute": "age_band", "group_value": "18-25", "metric": "disparate_impact_ratio",
             "value": 0.51, "tolerance": 0.8, "status": "breach"},
            {**fair, "attribute": "age_band", "group_value": "26-35", "metric": "disparate_impact_ratio",
             "value": 0.95, "tolerance": 0.8, "status": "ok"},
        ],
    )  # fmt: skip
    wh.replace_partition(
        "monitoring_runs",
        {"model": "credit_risk"},
        [
            {
                "model": "credit_risk",
                "window_date": dt.date(2026, 11, d),
                "status": "breach",
                "run_id": f"mon-{d}",
                "computed_at": T,
            }
            for d in (4, 5)
        ],
    )
    cost = [
        {
            "ChargePeriodStart": dt.datetime(2026, m, 3, tzinfo=dt.UTC),
            "BillingPeriodStart": dt.datetime(2026, m, 1, tzinfo=dt.UTC),
            "BillingAccountId": "a",
            "BillingCurrency": "USD",
            "BilledCost": Decimal(c),
            "EffectiveCost": Decimal(c),
            "x_BusinessUnit": "lending",
            "x_ModelId": model,
            "x_AllocationMethod": "DIRECT",
            "x_AllocationShare": 1.0,
            "x_PipelineRunId": "c",
            "x_AllocatedAt": T,
        }
        for m, c, model in [
            (11, "120.50", "credit_risk"),
            (11, "30.25", "credit_risk"),
            (10, "999", "credit_risk"),
            (11, "77", "lead_scoring"),
        ]
    ]
    wh.replace_partition("cost_allocated_daily", {"BillingAccountId": "a"}, cost)
    runs = [
        {
            "run_id": f"t{i}",
            "model": "credit_risk",
            "status": "succeeded",
            "started_at": s,
            "ended_at": s + dt.timedelta(hours=1),
            "energy_kwh": 2.0,
            "co2e_kg": kg,
            "recorded_at": T,
        }
        for i, (s, kg) in enumerate(
            [
                (dt.datetime(2026, 11, 2, tzinfo=dt.UTC), 1.5),
                (dt.datetime(2026, 11, 4, tzinfo=dt.UTC), 2.25),
                (dt.datetime(2026, 10, 31, 23, tzinfo=dt.UTC), 9.0),  # October
            ]
        )
    ]
    wh.replace_partition("carbon_training_runs", {"model": "credit_risk"}, runs)


def _labelled_days(wh: Warehouse, model: str, days: int) -> None:
    """Give ``model`` labelled windows on the ``days`` days up to NIGHT (half of each window positive)."""
    rows = [
        {"model": model, "window_date": NIGHT - dt.timedelta(d), "metric": "positive_rate",
         "realized_value": 0.5, "realized_status": "ok", "estimated_status": "undefined", "n": 100,
         "n_labelled": 100, "label_coverage": 1.0, "breach": False, "run_id": f"p{d}", "computed_at": T}
        for d in range(days)
    ]  # fmt: skip
    wh.replace_partition("model_performance", {"model": model}, rows)


def test_reader_picks_exactly_the_rows_a_policy_looks_at(warehouse: Warehouse, registry: Any) -> None:
    _seed(warehouse)
    ev = read_evidence(warehouse, registry.model("credit_risk"), NIGHT, now=NOW)
    assert [(r["window_date"], r["series"], r["chart"]) for r in ev.chart_alarms] == [
        (dt.date(2026, 11, 3), "drift:loan_amount_usd", "ewma"),
        (dt.date(2026, 11, 4), "mean:loan_amount_usd", "cusum"),
    ]
    assert [(r["window_date"], r["realized_value"]) for r in ev.performance] == [
        (dt.date(2026, 11, 2), 0.75),
        (dt.date(2026, 11, 5), 0.66),
    ]
    assert [(r["subject"], r["threshold"]) for r in ev.fairness_breaches] == [
        ("age_band:18-25:disparate_impact_ratio", 0.8),  # fairness_metrics, status breach only
        ("sex:female:disparate_impact_ratio", 0.8),  # monitoring_breaches, kind fairness only
    ]
    assert [r["run_id"] for r in ev.monitoring_runs] == ["mon-4", "mon-5"]
    assert ev.month_cost == {"USD": pytest.approx(150.75)}  # November, credit_risk only
    assert ev.month_training_co2e_kg == pytest.approx(3.75)  # 1.5 + 2.25, October's run left out
    assert ev.latest_version is None and ev.requests == () and ev.previous_decisions == ()
    assert [(r["window_date"], r["n_labelled"], r["positive_rate"]) for r in ev.labelled_days or ()] == [
        (dt.date(2026, 10, 9), 120, 0.25),
        *((dt.date(2026, 11, d), 100, 0.2) for d in (1, 2, 4)),
        (NIGHT, 80, 0.5),
    ]


def test_decision_is_recorded_once_per_night_and_rerun_rewrites_it(
    warehouse: Warehouse, registry: Any
) -> None:
    _seed(warehouse)
    d = evaluate_policies(warehouse, registry, "credit_risk", NIGHT, now=NOW, run_id="r1")
    assert (d.action, d.policy) == ("fire", "drift+performance+fairness")
    evidence = d.evidence["source_run_ids"]["monitoring_runs"]
    assert [r["run_id"] for r in evidence] == ["mon-4", "mon-5"]
    record_decision(warehouse, d)
    record_decision(
        warehouse, evaluate_policies(warehouse, registry, "credit_risk", NIGHT, now=NOW, run_id="r1")
    )
    rows = warehouse.fetch("select * from retraining_decisions")
    assert len(rows) == 1
    row = rows[0]
    assert (row["decision_id"], row["action"], row["night"]) == (d.decision_id, "fire", NIGHT)
    signals = json.loads(str(row["signals_json"]))
    assert [s["name"] for s in signals if s["holds"]] == ["drift", "performance", "fairness"]
    assert json.loads(str(row["evidence_json"]))["guards"]["month_cost"] == {"USD": pytest.approx(150.75)}
    assert [r["action"] for r in list_decisions(warehouse, model="credit_risk")] == ["fire"]
    assert list_decisions(warehouse, model="lead_scoring") == []


def test_the_next_night_sees_the_fire_and_keeps_the_cooldown(warehouse: Warehouse, registry: Any) -> None:
    _seed(warehouse)
    record_decision(warehouse, evaluate_policies(warehouse, registry, "credit_risk", NIGHT, now=NOW))
    nxt = evaluate_policies(
        warehouse, registry, "credit_risk", NIGHT + dt.timedelta(days=1), now=NOW + dt.timedelta(days=1)
    )
    assert (nxt.action, nxt.guard) == ("skip", "cooldown")


def test_a_manual_request_is_consumed_by_the_decision_that_fires(warehouse: Warehouse, registry: Any) -> None:
    _labelled_days(warehouse, "lead_scoring", 12)  # lead_scoring needs min_training_days 9 + holdout 3
    rid = request_retraining(
        warehouse, "lead_scoring", reason="new campaign", requested_by="ana", requested_at=T
    )
    d = evaluate_policies(warehouse, registry, "lead_scoring", NIGHT, now=NOW)
    assert (d.action, d.consumed_requests) == ("fire", (rid,))
    record_decision(warehouse, d)
    assert warehouse.fetch("select consumed_by from retraining_requests") == [{"consumed_by": d.decision_id}]
    # a rerun of the same night still sees the request it consumed, and writes the same row
    again = evaluate_policies(warehouse, registry, "lead_scoring", NIGHT, now=NOW)
    assert (again.action, again.decision_id) == ("fire", d.decision_id)
    # the next night has no pending request any more
    later = evaluate_policies(warehouse, registry, "lead_scoring", NIGHT + dt.timedelta(days=8), now=NOW)
    assert later.signals[-1].holds is False
    with pytest.raises(ValueError, match="give a reason"):
        request_retraining(warehouse, "lead_scoring", reason=" ", requested_by="ana", requested_at=T)


def test_a_registered_version_starts_the_cooldown(warehouse: Warehouse, registry: Any) -> None:
    _seed(warehouse)
    version = {
        "model": "credit_risk", "created_at": dt.datetime(2026, 11, 4, 12, tzinfo=dt.UTC), "run_id": "t1",
        "training_windows_json": '[{"dataset": "credit_risk_training", "end": "2026-10-28"}]',
        "params_json": "{}", "holdout_metrics_json": "{}", "holdout_fairness_json": "{}", "card_json": "{}",
    }  # fmt: skip
    later = {**version, "created_at": dt.datetime(2026, 11, 7, tzinfo=dt.UTC)}  # after the clock: ignored
    warehouse.replace_partition("model_versions", {"model": "credit_risk", "version": "1.9.0"}, [version])
    warehouse.replace_partition("model_versions", {"model": "credit_risk", "version": "2.0.0"}, [later])
    ev = read_evidence(warehouse, registry.model("credit_risk"), NIGHT, now=NOW)
    assert ev.latest_version is not None and ev.latest_version["version"] == "1.9.0"
    d = evaluate_policies(warehouse, registry, "credit_risk", NIGHT, now=NOW)
    assert (d.action, d.guard) == ("skip", "cooldown")
    assert "version 1.9.0 registered, 2026-11-04 12:00 UTC" in d.reason


def test_one_batch_for_every_model_decides_as_one_model_at_a_time(
    warehouse: Warehouse, registry: Any
) -> None:
    _seed(warehouse)
    _labelled_days(warehouse, "lead_scoring", 12)  # lead_scoring needs min_training_days 9 + holdout 3
    request_retraining(warehouse, "lead_scoring", reason="campaign", requested_by="ana", requested_at=T)
    batch = evaluate_all(warehouse, registry.models, NIGHT, now=NOW, run_id="r")
    alone = [
        evaluate_policies(warehouse, registry, m.name, NIGHT, now=NOW, run_id="r") for m in registry.models
    ]
    assert [(d.model, d.action, d.policy, d.reason) for d in batch] == [
        (d.model, d.action, d.policy, d.reason) for d in alone
    ]
    assert [d.action for d in batch] == ["fire", "fire"]  # lead_scoring: the manual request (urgent)
    record_decisions(warehouse, batch)
    assert len(warehouse.fetch("select * from retraining_decisions")) == 2


def test_too_little_labelled_data_in_the_warehouse_skips_and_the_request_stays_pending(
    warehouse: Warehouse, registry: Any
) -> None:
    _labelled_days(warehouse, "lead_scoring", 11)  # 11 labelled days: one short of 9 + 3
    rid = request_retraining(warehouse, "lead_scoring", reason="campaign", requested_by="ana", requested_at=T)
    d = evaluate_policies(warehouse, registry, "lead_scoring", NIGHT, now=NOW)
    assert (d.action, d.guard, d.consumed_requests) == ("skip", "training_data", ())
    assert (
        "11 labelled day(s) in 2026-10-09..2026-11-05 (1,100 labelled rows), the policy needs 12" in d.reason
    )
    record_decision(warehouse, d)
    assert warehouse.fetch("select request_id, consumed_by from retraining_requests") == [
        {"request_id": rid, "consumed_by": None}
    ]
    _labelled_days(warehouse, "lead_scoring", 12)  # the labels of 10-25 arrive
    assert evaluate_policies(warehouse, registry, "lead_scoring", NIGHT, now=NOW).action == "fire"
