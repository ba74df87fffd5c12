"""The policy logic on hand-made evidence: each signal, each guard, the preferred window and its deadline.

Every expected value is worked out by hand from the rows given here (no earlier output is reused).
"""

from __future__ import annotations

import datetime as dt
from typing import Any

import pytest

from steward.registry import Model, load_registry
from steward.triggers import Evidence, GridFactorIntensity, decide, decision_id

NIGHT = dt.date(2026, 11, 5)
NOW = dt.datetime(2026, 11, 6, 4, 0, tzinfo=dt.UTC)  # outside lead_scoring's off-peak 22-04


@pytest.fixture(scope="module")
def registry() -> Any:
    return load_registry(check_suites=False)


def _model(registry: Any, name: str, **retraining: Any) -> Model:
    m: Model = registry.model(name)
    if not retraining:
        return m
    doc = m.model_dump()
    for key, value in retraining.items():
        node = doc["retraining"]
        *path, last = key.split("__")
        for p in path:
            node = node[p]
        node[last] = value
    return Model.model_validate(doc)


def _alarm(day: int, series: str, run: str = "mon-1") -> dict[str, Any]:
    return {"window_date": dt.date(2026, 11, day), "series": series, "chart": "ewma", "run_id": run}


def _perf(
    day: int,
    realized: float | None,
    *,
    coverage: float = 1.0,
    estimated: float | None = None,
    error: float | None = None,
    status: str = "ok",
) -> dict[str, Any]:
    return {
        "window_date": dt.date(2026, 11, day),
        "realized_value": realized,
        "realized_status": status,
        "estimated_value": estimated,
        "estimated_status": "ok",
        "estimate_error": error,
        "label_coverage": coverage,
        "baseline": None,
        "run_id": f"mon-{day}",
    }


def test_a_quiet_night_is_no_action_with_every_signal_stated(registry: Any) -> None:
    m = _model(registry, "credit_risk")
    d = decide(m, NIGHT, Evidence(), now=NOW)
    assert (d.action, d.policy, d.guard, d.deferred_until) == ("no_action", "none", None, None)
    assert d.reason.startswith("no action: no signal held.")
    assert [s.name for s in d.signals] == [
        "drift",
        "performance",
        "estimated_performance",
        "fairness",
        "staleness",
        "manual",
    ]
    assert d.decision_id == decision_id(m, NIGHT) == decide(m, NIGHT, Evidence(), now=NOW).decision_id


def test_drift_needs_m_of_n_nights_on_watched_features(registry: Any) -> None:
    m = _model(registry, "credit_risk")  # 2 of 3 nights, 1 feature, all features watched
    one = Evidence(chart_alarms=(_alarm(5, "drift:loan_amount_usd"),))
    assert decide(m, NIGHT, one, now=NOW).action == "no_action"
    # an alarm 3 nights back (11-02) is outside the 3-night window 11-03..11-05
    old = Evidence(chart_alarms=(_alarm(2, "drift:loan_amount_usd"), _alarm(5, "mean:loan_amount_usd")))
    assert decide(m, NIGHT, old, now=NOW).action == "no_action"
    two = Evidence(chart_alarms=(_alarm(3, "mean:loan_amount_usd", "mon-3"), _alarm(5, "drift:income_usd")))
    d = decide(m, NIGHT, two, now=NOW)
    assert (d.action, d.policy) == ("fire", "drift")
    drift = d.signals[0]
    assert drift.evidence["nights"] == ["2026-11-03", "2026-11-05"]
    assert drift.evidence["source_run_ids"] == ["mon-1", "mon-3"]
    assert "income_usd, loan_amount_usd out of control on 2 of the last 3 nights" in d.reason


def test_drift_on_unwatched_features_does_not_count_but_the_score_does(registry: Any) -> None:
    m = _model(registry, "lead_scoring", policies__drift__min_nights=1)  # watches 4 engagement features
    region = Evidence(chart_alarms=(_alarm(5, "drift:region"),))
    assert decide(m, NIGHT, region, now=NOW).action == "no_action"
    score = Evidence(chart_alarms=(_alarm(5, "drift:score"),))
    assert decide(m, NIGHT, score, now=NOW).signals[0].holds
    off = _model(registry, "lead_scoring", policies__drift__min_nights=1, policies__drift__score=False)
    assert not decide(off, NIGHT, score, now=NOW).signals[0].holds


def test_min_features_counts_distinct_features_per_night(registry: Any) -> None:
    m = _model(registry, "credit_risk", policies__drift__min_features=2, policies__drift__min_nights=1)
    same = Evidence(chart_alarms=(_alarm(5, "drift:income_usd"), _alarm(5, "mean:income_usd")))
    assert not decide(m, NIGHT, same, now=NOW).signals[0].holds
    two = Evidence(chart_alarms=(_alarm(5, "drift:income_usd"), _alarm(5, "mean:term_months")))
    assert decide(m, NIGHT, two, now=NOW).signals[0].holds


def test_performance_below_floor_is_urgent_and_judged_only_with_enough_labels(registry: Any) -> None:
    m = _model(registry, "lead_scoring")  # floor 0.72, baseline 0.83, decay 10% -> 0.747
    few = Evidence(performance=(_perf(5, 0.65, coverage=0.4),))  # below min_label_coverage 0.5
    assert not decide(m, NIGHT, few, now=NOW).signals[1].holds
    low = Evidence(performance=(_perf(4, 0.70, coverage=0.8),))
    d = decide(m, NIGHT, low, now=NOW)
    assert (d.action, d.policy) == ("fire", "performance")
    assert "realized AUC 0.700 on 2026-11-04 below the floor" in d.reason
    assert "urgent signal(s) performance are not deferred" in d.reason  # lead_scoring has a window


def test_performance_decay_from_the_baseline(registry: Any) -> None:
    m = _model(registry, "lead_scoring")
    decayed = Evidence(performance=(_perf(5, 0.74),))  # above 0.72 but below 0.83 x 0.9 = 0.747
    sig = decide(m, NIGHT, decayed, now=NOW).signals[1]
    assert (
        sig.holds
        and sig.evidence["breaches"][0]["decayed"]
        and not sig.evidence["breaches"][0]["below_floor"]
    )
    fine = Evidence(performance=(_perf(5, 0.75),))
    assert not decide(m, NIGHT, fine, now=NOW).signals[1].holds


def test_estimated_performance_states_its_measured_error(registry: Any) -> None:
    m = _model(registry, "credit_risk")  # floor 0.7; 2 of 3 nights; max_error 0.05
    # measured error: mean(|0.02|, |-0.04|) = 0.03; lagging windows 11-04 and 11-05 estimate 0.66, 0.65
    rows = (
        _perf(1, 0.76, estimated=0.78, error=0.02),
        _perf(2, 0.77, estimated=0.73, error=-0.04),
        _perf(4, None, status="no_labels", coverage=0.0, estimated=0.66),
        _perf(5, 0.60, coverage=0.2, estimated=0.65),
    )
    sig = decide(m, NIGHT, Evidence(performance=rows), now=NOW).signals[2]
    assert sig.evidence["measured_error"] == pytest.approx(0.03)
    assert sig.holds  # 0.66 and 0.65 < 0.70 - 0.03
    assert "measured error is 0.030 over 2 windows" in sig.summary
    # floor 0.69: only 0.65 is below 0.69 - 0.03 = 0.66 (0.66 is not): 1 night, 2 needed
    stricter = _model(
        registry,
        "credit_risk",
        policies__estimated_performance__trust_margin=1.0,
        policies__estimated_performance__floor=0.69,
    )
    assert not decide(stricter, NIGHT, Evidence(performance=rows), now=NOW).signals[2].holds
    noisy = (_perf(1, 0.70, estimated=0.80, error=0.10), *rows[2:])
    sig = decide(m, NIGHT, Evidence(performance=noisy), now=NOW).signals[2]
    assert not sig.holds and "exceeds max_error 0.05" in sig.summary
    unmeasured = decide(m, NIGHT, Evidence(performance=rows[2:3]), now=NOW).signals[2]
    assert not unmeasured.holds and "not measured yet" in unmeasured.summary


def test_fairness_breach_fires_at_once(registry: Any) -> None:
    m = _model(registry, "credit_risk")
    breach = {
        "window_date": NIGHT,
        "subject": "sex:female:disparate_impact_ratio",
        "value": 0.7,
        "threshold": 0.8,
        "message": "",
        "run_id": "mon-5",
    }
    d = decide(m, NIGHT, Evidence(fairness_breaches=(breach,)), now=NOW)
    assert (d.action, d.policy) == ("fire", "fairness")
    assert d.signals[3].evidence["breaches"][0]["subject"] == "sex:female:disparate_impact_ratio"


def test_staleness_by_age_and_by_data_lag(registry: Any) -> None:
    m = _model(
        registry,
        "credit_risk",
        policies__staleness__max_age_days=30,
        policies__staleness__cadence_days=20,
        guards__cooldown_days=0,
    )
    young = {
        "version": "1.8.2",
        "created_at": NOW - dt.timedelta(days=10),
        "training_windows_json": '[{"start": "2026-10-01", "end": "2026-10-20"}]',
    }
    sig = decide(m, NIGHT, Evidence(latest_version=young), now=NOW).signals[4]
    # 10 days old; data 11-05 is 16 days after the training window's end 10-20
    assert (sig.holds, sig.evidence["age_days"], sig.evidence["data_lag_days"]) == (False, 10, 16)
    lagging = {**young, "training_windows_json": '[{"start": "2026-09-01", "end": "2026-10-10"}]'}
    assert decide(m, NIGHT, Evidence(latest_version=lagging), now=NOW).signals[4].holds  # 26 > 20
    old = {**young, "created_at": NOW - dt.timedelta(days=31)}
    assert decide(m, NIGHT, Evidence(latest_version=old), now=NOW).signals[4].evidence["age_days"] == 31


def test_manual_request_fires_and_is_consumed(registry: Any) -> None:
    m = _model(registry, "lead_scoring")
    req = {
        "request_id": "rq-1",
        "model": "lead_scoring",
        "requested_at": NOW,
        "requested_by": "ana",
        "reason": "new campaign",
    }
    d = decide(m, NIGHT, Evidence(requests=(req,)), now=NOW)
    assert (d.action, d.policy, d.consumed_requests) == ("fire", "manual", ("rq-1",))
    assert "ana: new campaign" in d.reason


def _fired(days_ago: float) -> dict[str, Any]:
    return {
        "decision_id": "rd-x",
        "night": NIGHT - dt.timedelta(days=2),
        "action": "fire",
        "evaluated_at": NOW - dt.timedelta(days=days_ago),
        "policy": "drift",
        "deferred_until": None,
    }


URGENT = {
    "window_date": NIGHT,
    "subject": "sex:female:spd",
    "value": 0.2,
    "threshold": 0.1,
    "message": "",
    "run_id": "m",
}


def test_cooldown_skips_and_names_when_it_ends(registry: Any) -> None:
    m = _model(registry, "credit_risk", guards__cooldown_days=5)
    d = decide(m, NIGHT, Evidence(fairness_breaches=(URGENT,), previous_decisions=(_fired(3),)), now=NOW)
    assert (d.action, d.guard) == ("skip", "cooldown")
    assert "cool-down, which ends 2026-11-08 04:00 UTC" in d.reason  # fired 11-03 04:00 + 5 days
    later = decide(m, NIGHT, Evidence(fairness_breaches=(URGENT,), previous_decisions=(_fired(5),)), now=NOW)
    assert later.action == "fire"  # exactly 5 days later: the cool-down is over
    version = {"version": "1.9.0", "created_at": NOW - dt.timedelta(days=1), "training_windows_json": None}
    by_version = decide(m, NIGHT, Evidence(fairness_breaches=(URGENT,), latest_version=version), now=NOW)
    assert by_version.guard == "cooldown" and "version 1.9.0 registered" in by_version.reason


def test_cost_and_carbon_budgets_skip(registry: Any) -> None:
    m = _model(registry, "credit_risk", guards__monthly_cost_budget=1000.0)
    ev = Evidence(fairness_breaches=(URGENT,), month_cost={"USD": 999.99})
    assert decide(m, NIGHT, ev, now=NOW).action == "fire"
    ev = Evidence(fairness_breaches=(URGENT,), month_cost={"USD": 1000.0})
    d = decide(m, NIGHT, ev, now=NOW)
    assert (d.action, d.guard) == ("skip", "cost_budget") and "1,000.00" in d.reason
    ev = Evidence(fairness_breaches=(URGENT,), month_training_co2e_kg=25.0)  # credit_risk's budget: 25 kg
    assert decide(m, NIGHT, ev, now=NOW).guard == "carbon_budget"


def _labelled(day: int, n: int, rate: float) -> dict[str, Any]:
    return {"window_date": dt.date(2026, 11, day), "n_labelled": n, "positive_rate": rate, "run_id": "m"}


def test_too_little_labelled_data_skips_with_the_numbers(registry: Any) -> None:
    m = _model(registry, "credit_risk")  # training window 28 days, holdout 3, min_training_days 2 (default)
    three = (_labelled(1, 100, 0.1), _labelled(2, 200, 0.05), _labelled(3, 50, 0.2))
    d = decide(m, NIGHT, Evidence(fairness_breaches=(URGENT,), labelled_days=three), now=NOW)
    assert (d.action, d.guard) == ("skip", "training_data")
    # 3 days, 100 + 200 + 50 = 350 rows; needs 2 + 3 = 5; the window is 28 days ending 11-05
    assert (
        "too little training data: 3 labelled day(s) in 2026-10-09..2026-11-05 (350 labelled rows), "
        "the policy needs 5 (retraining.min_training_days 2 + holdout_days 3)"
    ) in d.reason
    assert d.reason.startswith("skip (training_data): ") and "fairness" in d.reason
    five = (*three, _labelled(4, 100, 0.1), _labelled(5, 100, 0.3))
    ok = decide(m, NIGHT, Evidence(fairness_breaches=(URGENT,), labelled_days=five), now=NOW)
    assert ok.action == "fire"
    # holdout = 11-03..11-05: 50 + 100 + 100 = 250 rows, 10 + 10 + 30 = 50 positive
    assert ok.evidence["training_data"] == {
        "window": ["2026-10-09", "2026-11-05"],
        "labelled_days": 5,
        "labelled_rows": 550,
        "needed_days": 5,
        "min_training_days": 2,
        "holdout_days": 3,
        "holdout": ["2026-11-03", "2026-11-04", "2026-11-05"],
        "holdout_rows": 250,
        "holdout_positives": 50,
        "holdout_negatives": 200,
    }
    stricter = _model(registry, "credit_risk", min_training_days=3)
    strict = decide(stricter, NIGHT, Evidence(fairness_breaches=(URGENT,), labelled_days=five), now=NOW)
    assert strict.guard == "training_data" and "5 labelled day(s)" in strict.reason
    assert "the policy needs 6 (retraining.min_training_days 3 + holdout_days 3)" in strict.reason


def test_a_holdout_without_both_classes_skips(registry: Any) -> None:
    m = _model(registry, "credit_risk")
    days = (_labelled(1, 100, 0.1), _labelled(2, 100, 0.1), *(_labelled(d, 40, 0.0) for d in (3, 4, 5)))
    d = decide(m, NIGHT, Evidence(fairness_breaches=(URGENT,), labelled_days=days), now=NOW)
    assert (d.action, d.guard) == ("skip", "training_data")
    assert "the holdout (2026-11-03..2026-11-05, 120 labelled rows) has no positive label" in d.reason
    ones = (*days[:2], *(_labelled(d, 40, 1.0) for d in (3, 4, 5)))
    assert (
        "has no negative label"
        in decide(m, NIGHT, Evidence(fairness_breaches=(URGENT,), labelled_days=ones), now=NOW).reason
    )
    # one positive among 120 is enough: 0.025 x 40 = 1 on 11-05
    one = (*days[:4], _labelled(5, 40, 0.025))
    enough = decide(m, NIGHT, Evidence(fairness_breaches=(URGENT,), labelled_days=one), now=NOW)
    assert enough.action == "fire"


def test_the_data_guard_is_not_applied_when_labels_were_not_read(registry: Any) -> None:
    m = _model(registry, "credit_risk")
    assert decide(m, NIGHT, Evidence(fairness_breaches=(URGENT,)), now=NOW).action == "fire"
    empty = decide(m, NIGHT, Evidence(fairness_breaches=(URGENT,), labelled_days=()), now=NOW)
    assert (empty.guard, "0 labelled day(s)" in empty.reason) == ("training_data", True)


def test_a_running_retraining_is_never_fired_twice(registry: Any) -> None:
    m = _model(registry, "credit_risk")
    d = decide(m, NIGHT, Evidence(fairness_breaches=(URGENT,)), now=NOW, active_run="retraining__rd-1")
    assert (d.action, d.guard) == ("skip", "retraining_running")
    assert "retraining__rd-1" in d.reason


DRIFT = Evidence(chart_alarms=(_alarm(4, "mean:pages_viewed"), _alarm(5, "mean:pages_viewed")))


def test_non_urgent_drift_is_deferred_to_the_off_peak_window(registry: Any) -> None:
    m = _model(registry, "lead_scoring")  # off-peak 22-04 UTC, deadline 36 h
    d = decide(m, NIGHT, DRIFT, now=NOW)
    assert (d.action, d.deferred_until) == ("defer", dt.datetime(2026, 11, 6, 22, tzinfo=dt.UTC))
    assert d.reason.startswith("defer until 2026-11-06 22:00 UTC: into the preferred window")
    inside = decide(m, NIGHT, DRIFT, now=dt.datetime(2026, 11, 6, 23, 30, tzinfo=dt.UTC))
    assert inside.action == "fire" and "in the preferred window" in inside.reason


def test_an_open_deferral_fires_when_due_or_after_its_deadline(registry: Any) -> None:
    m = _model(registry, "lead_scoring")
    deferred = {
        "decision_id": "rd-d",
        "night": NIGHT,
        "action": "defer",
        "evaluated_at": NOW,
        "policy": "drift",
        "deferred_until": dt.datetime(2026, 11, 6, 22, tzinfo=dt.UTC),
    }
    next_night = NIGHT + dt.timedelta(days=1)
    morning = NOW + dt.timedelta(days=1)  # 11-07 04:00: past 22:00, the window closed again
    # the drift signal has lapsed, but the open deferral carries the retraining
    d = decide(m, next_night, Evidence(previous_decisions=(deferred,)), now=morning)
    assert (d.action, d.policy) == ("fire", "drift")
    assert "deferred until 2026-11-06 22:00 UTC, now due" in d.reason
    # a window that never opens: deferred to the deadline (first deferral + 36 h), then run anyway
    never = _model(registry, "lead_scoring", guards__preferred_window__max_intensity_g_per_kwh=1.0)
    first = decide(never, NIGHT, DRIFT, now=NOW)
    assert first.deferred_until == NOW + dt.timedelta(hours=36)
    assert "no preferred window" in first.reason
    still = {**deferred, "deferred_until": first.deferred_until}
    late = decide(never, next_night, Evidence(previous_decisions=(still,)), now=NOW + dt.timedelta(hours=37))
    assert late.action == "fire" and "deadline 2026-11-07 16:00 UTC has passed" in late.reason


class HourlyIntensity:
    """A pluggable source whose grid is clean (50 g/kWh) only from 02:00 UTC in eu-north-1."""

    def intensity(self, region: str, at: dt.datetime) -> float | None:
        if region == "aws:eu-north-1":
            return 50.0 if at.hour >= 2 and at.hour < 6 else 400.0
        return 380.0


def test_a_pluggable_intensity_source_picks_the_cleaner_time_and_region(registry: Any) -> None:
    m = _model(
        registry,
        "lead_scoring",
        guards__preferred_window={
            "max_intensity_g_per_kwh": 100,
            "regions": ["aws:eu-north-1"],
            "deadline_hours": 48,
        },
    )
    d = decide(m, NIGHT, DRIFT, now=NOW, intensity=HourlyIntensity())  # 04:00: clean now
    assert d.action == "fire" and "region aws:eu-north-1" in d.reason
    evening = dt.datetime(2026, 11, 6, 18, tzinfo=dt.UTC)
    d = decide(m, NIGHT, DRIFT, now=evening, intensity=HourlyIntensity())
    assert d.deferred_until == dt.datetime(2026, 11, 7, 2, tzinfo=dt.UTC)
    assert d.evidence["preferred_window"]["intensity_g_per_kwh"] == {
        "aws:us-east-1": 380.0,
        "aws:eu-north-1": 400.0,
    }


def test_the_default_intensity_source_reads_steward_grid_factors() -> None:
    src = GridFactorIntensity()
    at = dt.datetime(2026, 11, 6, tzinfo=dt.UTC)
    # include/carbon/ccf_coefficients_2026.11.yaml: aws eu-north-1 8.8e-06 t/kWh, us-east-1 0.000379069 t/kWh
    assert src.intensity("aws:us-east-1", at) == pytest.approx(379.069, abs=0.01)
    assert src.intensity("aws:nowhere-1", at) is None
    assert src.intensity("azure:westeurope", at) is None


def test_now_must_be_timezone_aware(registry: Any) -> None:
    with pytest.raises(ValueError, match="timezone-aware"):
        decide(registry.model("credit_risk"), NIGHT, Evidence(), now=dt.datetime(2026, 11, 6))
