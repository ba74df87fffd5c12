"""From signals to one decision: fire, defer (until when), skip (which guard) or no action."""

from __future__ import annotations

import datetime as dt
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any, Literal

from steward._runs import new_run_id
from steward.registry import Model, PreferredWindow, Registry
from steward.triggers._evidence import (
    Evidence,
    decision_id,
    lookback_start,
    policy_fingerprint,
    read_evidence_many,
    training_start,
)
from steward.triggers._intensity import GridFactorIntensity, IntensitySource
from steward.triggers._signals import SignalResult, evaluate_signals
from steward.warehouse import Warehouse

__all__ = ["Action", "Decision", "decide", "evaluate_all", "evaluate_policies", "retraining_run_id"]

Action = Literal["fire", "defer", "skip", "no_action"]
Guard = Literal["cooldown", "cost_budget", "carbon_budget", "training_data", "retraining_running"]


@dataclass(frozen=True)
class Decision:
    """One evaluation of a model's retraining policy: a row of ``retraining_decisions``."""

    decision_id: str
    model: str
    night: dt.date
    evaluated_at: dt.datetime
    run_id: str
    action: Action
    policy: str
    signals: tuple[SignalResult, ...]
    evidence: Mapping[str, Any]
    reason: str
    guard: Guard | None = None
    deferred_until: dt.datetime | None = None
    triggered_run_id: str | None = None
    #: Manual requests this decision acts on (fire): marked consumed when it is recorded.
    consumed_requests: tuple[str, ...] = ()
    #: Every manual request it read (pending, or consumed by this decision on an earlier run).
    read_requests: tuple[Mapping[str, Any], ...] = field(default=(), repr=False)


def retraining_run_id(decision: str) -> str:
    """Return the ``model_retraining`` run id a fired decision starts (one run per decision)."""
    return new_run_id("retraining", decision)


def _aware(value: Any) -> dt.datetime:
    if isinstance(value, dt.datetime):
        return value if value.tzinfo else value.replace(tzinfo=dt.UTC)
    return dt.datetime.combine(value, dt.time(), tzinfo=dt.UTC)


def _last_retraining(evidence: Evidence, now: dt.datetime) -> tuple[dt.datetime, str] | None:
    candidates = [
        (_aware(r["evaluated_at"]), f"decision {r['decision_id']} fired on night {r['night']}")
        for r in evidence.previous_decisions
        if r["action"] == "fire"
    ]
    if evidence.latest_version is not None:
        v = evidence.latest_version
        candidates.append((_aware(v["created_at"]), f"version {v['version']} registered"))
    candidates = [c for c in candidates if c[0] <= now]
    return max(candidates, key=lambda c: c[0]) if candidates else None


def _open_deferral(evidence: Evidence) -> tuple[dt.datetime, dt.datetime | None, str] | None:
    """Return (first deferred at, due at, policy) of the deferral the newest decisions left open."""
    chain = []
    for r in evidence.previous_decisions:
        if r["action"] != "defer":
            break
        chain.append(r)
    if not chain:
        return None
    due = chain[0]["deferred_until"]
    return (
        _aware(chain[-1]["evaluated_at"]),
        _aware(due) if due is not None else None,
        str(chain[0]["policy"]),
    )


def _in_off_peak(window: PreferredWindow, at: dt.datetime) -> bool:
    hours = window.off_peak_hours
    if hours is None:
        return True
    start, end = hours
    h = at.astimezone(dt.UTC).hour
    return start <= h < end if start < end else h >= start or h < end


def _clean_region(
    window: PreferredWindow, at: dt.datetime, source: IntensitySource
) -> tuple[str | None, dict[str, float | None]]:
    """Return the first region within the intensity limit at ``at``, and every region's reading."""
    readings = {r: source.intensity(r, at) for r in [window.training_region, *window.regions]}
    if window.max_intensity_g_per_kwh is None:
        return window.training_region, readings
    for region, value in readings.items():
        if value is not None and value <= window.max_intensity_g_per_kwh:
            return region, readings
    return None, readings


def _next_opening(
    window: PreferredWindow, now: dt.datetime, deadline: dt.datetime, source: IntensitySource
) -> tuple[dt.datetime, str | None] | None:
    at = now.replace(minute=0, second=0, microsecond=0) + dt.timedelta(hours=1)
    while at < deadline:
        if _in_off_peak(window, at):
            region, _ = _clean_region(window, at, source)
            if region is not None:
                return at, region
        at += dt.timedelta(hours=1)
    return None


def _training_data(model: Model, night: dt.date, evidence: Evidence) -> tuple[dict[str, Any], str | None]:
    """Return the training window's labelled data (evidence) and why it is too little, or None.

    The retraining it would fire reads the labelled days of ``training_window_days`` ending on the
    night and keeps the last ``holdout_days`` of them as the holdout: it needs
    ``min_training_days + holdout_days`` labelled days, and both classes in the holdout.
    """
    policy = model.retraining
    days = evidence.labelled_days or ()
    needed = policy.min_training_days + policy.holdout_days
    holdout = days[-policy.holdout_days :] if days else ()
    positives = sum(round(float(r["n_labelled"]) * float(r["positive_rate"])) for r in holdout)
    holdout_rows = sum(int(r["n_labelled"]) for r in holdout)
    start = training_start(model, night)
    found: dict[str, Any] = {
        "window": [start.isoformat(), night.isoformat()],
        "labelled_days": len(days),
        "labelled_rows": sum(int(r["n_labelled"]) for r in days),
        "needed_days": needed,
        "min_training_days": policy.min_training_days,
        "holdout_days": policy.holdout_days,
        "holdout": [str(r["window_date"])[:10] for r in holdout],
        "holdout_rows": holdout_rows,
        "holdout_positives": positives,
        "holdout_negatives": holdout_rows - positives,
    }
    where = f"in {start.isoformat()}..{night.isoformat()} ({found['labelled_rows']:,} labelled rows)"
    if len(days) < needed:
        return found, (
            f"too little training data: {len(days)} labelled day(s) {where}, the policy needs "
            f"{needed} (retraining.min_training_days {policy.min_training_days} + holdout_days "
            f"{policy.holdout_days})"
        )
    missing = [c for c, n in (("positive", positives), ("negative", holdout_rows - positives)) if n == 0]
    if missing:
        return found, (
            f"too little training data: the holdout ({found['holdout'][0]}..{found['holdout'][-1]}, "
            f"{holdout_rows:,} labelled rows) has no {missing[0]} label, so a challenger could not be "
            "judged on it"
        )
    return found, None


def _signal_start(model: Model, night: dt.date) -> dt.date:
    """Return the first night the signals themselves look at (the estimate's error window aside)."""
    p = model.retraining.policies
    nights = max(p.drift.nights, p.performance.nights, p.estimated_performance.nights, p.fairness.nights)
    return night - dt.timedelta(days=nights - 1)


def _when(at: dt.datetime) -> str:
    return at.astimezone(dt.UTC).strftime("%Y-%m-%d %H:%M UTC")


def _window_words(window: PreferredWindow) -> str:
    parts = []
    if window.off_peak_utc:
        parts.append(f"off-peak {window.off_peak_utc} UTC")
    if window.max_intensity_g_per_kwh is not None:
        parts.append(f"grid intensity <= {window.max_intensity_g_per_kwh:g} g/kWh")
    return " and ".join(parts)


def decide(
    model: Model,
    night: dt.date,
    evidence: Evidence,
    *,
    now: dt.datetime,
    run_id: str = "manual",
    intensity: IntensitySource | None = None,
    active_run: str | None = None,
) -> Decision:
    """Decide what to do about ``model`` on ``night`` from ``evidence`` (pure: no I/O besides ``intensity``).

    Rules, in order: with no signal holding (and no deferral open) the decision is ``no_action``. A
    holding signal is then held back by the guards - cool-down since the last retraining (a fired
    decision or a registered version), the monthly cost budget, the monthly carbon budget, too little
    labelled data in the training window (``evidence.labelled_days``: fewer than ``min_training_days +
    holdout_days`` days, or a holdout without both classes), a ``model_retraining`` run already queued
    or running (``active_run``) - as ``skip`` naming the guard.
    Urgent signals fire at once; others are deferred into the preferred window (``defer`` with
    ``deferred_until``) unless the window is open now, the deferral is due, or the deadline (counted from
    the first deferral) has passed. An open deferral is carried to later nights until it fires.

    Parameters
    ----------
    model
        The registered model and its ``retraining`` policy.
    night
        The monitored window decided on.
    evidence
        What :func:`read_evidence` read (or a hand-made one in tests).
    now
        The evaluation's clock (timezone-aware).
    run_id
        The run that evaluates (stored on the row).
    intensity
        Carbon intensities for a preferred window with ``max_intensity_g_per_kwh`` (default: Steward's
        own grid factors per region).
    active_run
        The ``model_retraining`` run of this model that is queued or running, if any.

    Returns
    -------
    Decision

    Examples
    --------
    >>> from steward.registry import load_registry
    >>> m = load_registry(check_suites=False).model("credit_risk")
    >>> now = dt.datetime(2026, 11, 6, 4, tzinfo=dt.UTC)
    >>> decide(m, dt.date(2026, 11, 5), Evidence(), now=now).action
    'no_action'
    """
    if now.tzinfo is None:
        raise ValueError("now must be timezone-aware (UTC)")
    policy = model.retraining
    signals = tuple(evaluate_signals(model, night, evidence, now=now))
    holding = [s for s in signals if s.holds]
    open_deferral = _open_deferral(evidence)
    did = decision_id(model, night)
    base_evidence: dict[str, Any] = {
        **({"evidence_asof": evidence.asof} if evidence.asof is not None else {}),
        "policy_fingerprint": policy_fingerprint(model),
        "window": [lookback_start(model, night).isoformat(), night.isoformat()],
        "now": now.isoformat(),
        "source_run_ids": {
            "monitoring_runs": [
                {"window": str(r["window_date"]), "run_id": r["run_id"], "status": r["status"]}
                for r in evidence.monitoring_runs
                if str(r["window_date"]) >= _signal_start(model, night).isoformat()
            ],
        },
    }
    common: dict[str, Any] = {
        "decision_id": did,
        "model": model.name,
        "night": night,
        "evaluated_at": now,
        "run_id": run_id,
        "signals": signals,
        "read_requests": evidence.requests,
    }
    if not holding and open_deferral is None:
        return Decision(
            action="no_action",
            policy="none",
            evidence=base_evidence,
            reason="no action: no signal held. " + "; ".join(s.summary for s in signals),
            **common,
        )
    names = [s.name for s in holding]
    label = "+".join(names) if names else open_deferral[2] if open_deferral else "none"
    because = "; ".join(s.summary for s in holding) or (
        f"deferred retraining ({label}) still open since {_when(open_deferral[0])}" if open_deferral else ""
    )
    urgent = [s.name for s in holding if s.urgent]
    guards = policy.guards
    guard_evidence: dict[str, Any] = {
        "cooldown_days": guards.cooldown_days,
        "month_cost": dict(evidence.month_cost),
        "monthly_cost_budget": guards.monthly_cost_budget,
        "month_training_co2e_kg": evidence.month_training_co2e_kg,
        "monthly_carbon_budget_kg": guards.monthly_carbon_budget_kg,
        "active_run": active_run,
    }
    last = _last_retraining(evidence, now)
    if last is not None:
        guard_evidence["last_retraining"] = {"at": last[0].isoformat(), "what": last[1]}
    full_evidence = {**base_evidence, "guards": guard_evidence, "urgent_signals": urgent}

    def skip(guard: Guard, words: str) -> Decision:
        return Decision(
            action="skip",
            policy=label,
            evidence=full_evidence,
            guard=guard,
            reason=f"skip ({guard}): {words}. Signals: {because}",
            **common,
        )

    if active_run is not None:
        return skip("retraining_running", f"model_retraining run {active_run} is already queued or running")
    if last is not None and now < last[0] + dt.timedelta(days=guards.cooldown_days):
        until = last[0] + dt.timedelta(days=guards.cooldown_days)
        return skip(
            "cooldown",
            f"the last retraining ({last[1]}, {_when(last[0])}) is within the {guards.cooldown_days}-day "
            f"cool-down, which ends {_when(until)}",
        )
    cost = sum(evidence.month_cost.values())
    if guards.monthly_cost_budget is not None and cost >= guards.monthly_cost_budget:
        return skip(
            "cost_budget",
            f"the model's cost this month ({cost:,.2f}) has reached its monthly budget "
            f"({guards.monthly_cost_budget:,.2f})",
        )
    co2 = evidence.month_training_co2e_kg
    if guards.monthly_carbon_budget_kg is not None and co2 >= guards.monthly_carbon_budget_kg:
        return skip(
            "carbon_budget",
            f"the model's training emissions this month ({co2:.3f} kg CO2e) have reached its monthly "
            f"carbon budget ({guards.monthly_carbon_budget_kg:g} kg)",
        )
    if evidence.labelled_days is not None:
        full_evidence["training_data"], short = _training_data(model, night, evidence)
        if short is not None:
            return skip("training_data", short)
    window = guards.preferred_window
    when = "now"
    if window is not None:
        source = intensity or GridFactorIntensity()
        region, readings = _clean_region(window, now, source)
        first = open_deferral[0] if open_deferral else now
        deadline = first + dt.timedelta(hours=window.deadline_hours)
        full_evidence["preferred_window"] = {
            "window": _window_words(window),
            "deadline": deadline.isoformat(),
            "intensity_g_per_kwh": readings,
            "region": region,
        }
        if urgent:
            when = f"at once: urgent signal(s) {', '.join(urgent)} are not deferred into the preferred window"
        elif now >= deadline:
            when = f"the deferral's deadline {_when(deadline)} has passed: it runs anyway"
        elif open_deferral is not None and open_deferral[1] is not None and open_deferral[1] <= now:
            when = f"deferred until {_when(open_deferral[1])}, now due"
        elif _in_off_peak(window, now) and region is not None:
            when = f"in the preferred window ({_window_words(window)}, region {region})"
        else:
            opening = _next_opening(window, now, deadline, source)
            until, where = opening if opening else (deadline, None)
            words = (
                f"into the preferred window ({_window_words(window)}) opening {_when(until)}"
                + (f" in {where}" if where else "")
                if opening
                else f"no preferred window ({_window_words(window)}) opens before the deadline "
                f"{_when(deadline)}"
            )
            return Decision(
                action="defer",
                policy=label,
                evidence=full_evidence,
                deferred_until=until,
                reason=f"defer until {_when(until)}: {words}. Signals: {because}",
                **common,
            )
    manual = next((s for s in holding if s.name == "manual"), None)
    consumed = tuple(manual.evidence.get("request_ids", ())) if manual else ()
    return Decision(
        action="fire",
        policy=label,
        evidence=full_evidence,
        reason=f"fire ({when}): {because}",
        consumed_requests=consumed,
        **common,
    )


def evaluate_policies(
    warehouse: Warehouse,
    registry: Registry,
    model: str | Model,
    night: dt.date,
    *,
    now: dt.datetime,
    run_id: str = "manual",
    intensity: IntensitySource | None = None,
    active_run: str | None = None,
) -> Decision:
    """Read the evidence for ``model`` on ``night`` and decide (see :func:`decide`); nothing is written.

    Raises
    ------
    KeyError
        The model is not registered (the message lists the registered ones).
    """
    m = registry.model(model) if isinstance(model, str) else model
    active = {m.name: active_run} if active_run else None
    return evaluate_all(
        warehouse, [m], night, now=now, run_id=run_id, intensity=intensity, active_runs=active
    )[0]


def evaluate_all(
    warehouse: Warehouse,
    models: Sequence[Model],
    night: dt.date,
    *,
    now: dt.datetime,
    run_id: str = "manual",
    intensity: IntensitySource | None = None,
    active_runs: Mapping[str, str | None] | None = None,
) -> list[Decision]:
    """Decide for several models on the same night, reading the evidence in one query per table.

    ``active_runs`` maps a model to its ``model_retraining`` run that is queued or running.
    """
    evidence = read_evidence_many(warehouse, models, night, now=now)
    source = intensity or (
        GridFactorIntensity() if any(m.retraining.guards.preferred_window for m in models) else None
    )
    return [
        decide(
            m,
            night,
            evidence[m.name],
            now=now,
            run_id=run_id,
            intensity=source,
            active_run=(active_runs or {}).get(m.name),
        )
        for m in models
    ]
