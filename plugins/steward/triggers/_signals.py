"""The signals of a retraining policy, each a pure function of the model, the night and the evidence."""

from __future__ import annotations

import datetime as dt
import json
from collections import defaultdict
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any

from steward.registry import Model, SignalName
from steward.triggers._evidence import Evidence
from steward.triggers._evidence import day_of as _date

__all__ = ["SIGNALS", "SignalResult", "evaluate_signals"]


@dataclass(frozen=True)
class SignalResult:
    """One signal's verdict: whether it holds, whether it is urgent, a sentence, and its own evidence."""

    name: SignalName
    holds: bool
    urgent: bool
    summary: str
    evidence: Mapping[str, Any] = field(default_factory=dict)

    def as_json(self) -> dict[str, Any]:
        """Return the verdict as a JSON-ready dict (``signals_json``)."""
        return {
            "name": self.name,
            "holds": self.holds,
            "urgent": self.urgent,
            "summary": self.summary,
            **self.evidence,
        }


def _days(night: dt.date, nights: int) -> list[dt.date]:
    return [night - dt.timedelta(days=i) for i in range(nights - 1, -1, -1)]


def _list(days: Sequence[dt.date]) -> str:
    return ", ".join(d.isoformat() for d in days) or "none"


def _drift(model: Model, night: dt.date, ev: Evidence) -> SignalResult:
    cfg = model.retraining.policies.drift
    days = _days(night, cfg.nights)
    features = set(cfg.features or model.features)
    score = model.columns.score if cfg.score else None
    out: dict[dt.date, set[str]] = defaultdict(set)
    score_out: set[dt.date] = set()
    run_ids: set[str] = set()
    for r in ev.chart_alarms:
        day = _date(r["window_date"])
        if day not in days:
            continue
        column = str(r["series"]).split(":", 1)[1]
        if column in features:
            out[day].add(column)
        elif score is not None and column == score:
            score_out.add(day)
        else:
            continue
        run_ids.add(str(r["run_id"]))
    hits = [d for d in days if len(out[d]) >= cfg.min_features or d in score_out]
    holds = cfg.enabled and len(hits) >= cfg.min_nights
    columns = sorted(
        set().union(*(out[d] for d in hits)) | ({str(score)} if score_out & set(hits) else set())
    )
    what = ", ".join(columns) if columns else "no watched column"
    summary = (
        f"drift: {what} out of control on {len(hits)} of the last {cfg.nights} nights "
        f"({_list(hits)}; needs {cfg.min_nights})"
    )
    if not cfg.enabled:
        summary = "drift: signal off"
    return SignalResult(
        "drift",
        holds,
        cfg.urgent,
        summary,
        {
            "nights": [d.isoformat() for d in hits],
            "window": [days[0].isoformat(), night.isoformat()],
            "min_nights": cfg.min_nights,
            "min_features": cfg.min_features,
            "features_out": {d.isoformat(): sorted(out[d]) for d in days if out[d]},
            "score_out": sorted(d.isoformat() for d in score_out),
            "source_run_ids": sorted(run_ids),
        },
    )


def _num(value: Any) -> float | None:
    return None if value is None else float(value)


def _performance(model: Model, night: dt.date, ev: Evidence) -> SignalResult:
    cfg = model.retraining.policies.performance
    floor = cfg.floor if cfg.floor is not None else model.thresholds.min_auc
    decay = cfg.max_relative_decay or model.thresholds.max_relative_decay
    baseline = model.monitoring.baseline_metrics.get(cfg.metric)
    coverage = model.monitoring.min_label_coverage
    days = set(_days(night, cfg.nights))
    judged, bad = [], []
    for r in ev.performance:
        value = _num(r["realized_value"])
        if _date(r["window_date"]) not in days or r["realized_status"] != "ok" or value is None:
            continue
        if float(r["label_coverage"]) < coverage:
            continue
        base = baseline if baseline is not None else _num(r["baseline"])
        point = {
            "window": _date(r["window_date"]).isoformat(),
            "value": value,
            "label_coverage": float(r["label_coverage"]),
            "run_id": r["run_id"],
        }
        judged.append(point)
        below = floor is not None and value < floor
        decayed = base is not None and value < base * (1 - decay)
        if below or decayed:
            bad.append({**point, "below_floor": below, "decayed": decayed, "baseline": base})
    holds = cfg.enabled and len(bad) >= cfg.min_nights
    if bad:
        worst = min(bad, key=lambda p: p["value"])
        why = "below the floor" if worst["below_floor"] else "decayed"
        summary = (
            f"performance: realized {cfg.metric.upper()} {worst['value']:.3f} on {worst['window']} {why} "
            f"(floor {floor}, max decay {decay:.0%} from {worst['baseline']}; labels "
            f"{worst['label_coverage']:.0%}); {len(bad)} of {len(judged)} judged windows in "
            f"{cfg.nights} nights"
        )
    else:
        summary = (
            f"performance: {len(judged)} judged windows in the last {cfg.nights} nights, none below "
            f"the floor {floor} or decayed by more than {decay:.0%}"
        )
    if not cfg.enabled:
        summary = "performance: signal off"
    return SignalResult(
        "performance",
        holds,
        cfg.urgent,
        summary,
        {
            "floor": floor,
            "max_relative_decay": decay,
            "baseline": baseline,
            "judged": judged,
            "breaches": bad,
        },
    )


def _estimated(model: Model, night: dt.date, ev: Evidence) -> SignalResult:
    cfg = model.retraining.policies.estimated_performance
    floor = cfg.floor if cfg.floor is not None else model.thresholds.min_auc
    coverage = model.monitoring.min_label_coverage
    error_days = set(_days(night, cfg.error_nights))
    errors = [
        abs(float(r["estimate_error"]))
        for r in ev.performance
        if r["estimate_error"] is not None and _date(r["window_date"]) in error_days
    ]
    error = sum(errors) / len(errors) if errors else None
    days = set(_days(night, cfg.nights))
    lagging = [
        r
        for r in ev.performance
        if _date(r["window_date"]) in days
        and r["estimated_value"] is not None
        and (r["realized_status"] != "ok" or float(r["label_coverage"]) < coverage)
    ]
    margin = cfg.trust_margin * (error or 0.0)
    low = [
        {
            "window": _date(r["window_date"]).isoformat(),
            "estimate": float(r["estimated_value"]),
            "run_id": r["run_id"],
        }
        for r in lagging
        if floor is not None and float(r["estimated_value"]) < floor - margin
    ]
    evidence = {
        "floor": floor,
        "measured_error": error,
        "error_windows": len(errors),
        "max_error": cfg.max_error,
        "trust_margin": cfg.trust_margin,
        "low": low,
        "lagging_windows": len(lagging),
    }
    if not cfg.enabled or floor is None:
        reason = "signal off" if not cfg.enabled else "no floor (thresholds.min_auc) to compare with"
        return SignalResult(
            "estimated_performance", False, cfg.urgent, f"estimated performance: {reason}", evidence
        )
    if error is None:
        return SignalResult(
            "estimated_performance",
            False,
            cfg.urgent,
            "estimated performance: the estimate's error is not measured yet (no window with both values in "
            f"the last {cfg.error_nights} nights): not acted on",
            evidence,
        )
    if error > cfg.max_error:
        return SignalResult(
            "estimated_performance",
            False,
            cfg.urgent,
            f"estimated performance: the estimate's measured error {error:.3f} (mean |estimated - "
            f"realized| over {len(errors)} windows) exceeds max_error {cfg.max_error}: not acted on",
            evidence,
        )
    holds = len(low) >= cfg.min_nights
    lowest = min((p["estimate"] for p in low), default=None)
    summary = (
        f"estimated performance: {len(low)} of {len(lagging)} unlabelled windows in the last "
        f"{cfg.nights} nights estimate {cfg.metric.upper()} below {floor} - {margin:.3f}"
        + (f" (lowest {lowest:.3f})" if lowest is not None else "")
        + f"; the estimate's measured error is {error:.3f} over {len(errors)} windows "
        f"(needs {cfg.min_nights})"
    )
    return SignalResult("estimated_performance", holds, cfg.urgent, summary, evidence)


def _fairness(model: Model, night: dt.date, ev: Evidence) -> SignalResult:
    cfg = model.retraining.policies.fairness
    days = _days(night, cfg.nights)
    breaches = [r for r in ev.fairness_breaches if _date(r["window_date"]) in days]
    hit = sorted({_date(r["window_date"]) for r in breaches})
    holds = cfg.enabled and len(hit) >= cfg.min_nights
    subjects = sorted({str(r["subject"]) for r in breaches})
    summary = (
        f"fairness: breaches on {len(hit)} of the last {cfg.nights} nights ({_list(hit)}"
        + (f": {', '.join(subjects[:4])}" + (" ..." if len(subjects) > 4 else "") if subjects else "")
        + f"; needs {cfg.min_nights})"
    )
    if not cfg.enabled:
        summary = "fairness: signal off"
    return SignalResult(
        "fairness",
        holds,
        cfg.urgent,
        summary,
        {
            "nights": [d.isoformat() for d in hit],
            "breaches": [
                {
                    "window": _date(r["window_date"]).isoformat(),
                    "subject": r["subject"],
                    "value": _num(r["value"]),
                    "threshold": _num(r["threshold"]),
                    "run_id": r["run_id"],
                }
                for r in breaches
            ],
        },
    )


def _training_end(windows_json: Any) -> dt.date | None:
    """Return the last day of a version's training windows (``[{"start", "end"}]`` or ``{"end"}``)."""
    if not windows_json:
        return None
    try:
        data = json.loads(str(windows_json))
    except ValueError:
        return None
    items = data if isinstance(data, list) else [data]
    ends = [_date(i["end"]) for i in items if isinstance(i, dict) and i.get("end")]
    return max(ends) if ends else None


def _staleness(model: Model, night: dt.date, ev: Evidence, now: dt.datetime) -> SignalResult:
    cfg = model.retraining.policies.staleness
    if cfg.max_age_days is None and cfg.cadence_days is None:
        return SignalResult("staleness", False, cfg.urgent, "staleness: signal off")
    version = ev.latest_version
    if version is None:
        return SignalResult(
            "staleness", False, cfg.urgent, "staleness: no registered version of the model: age not known"
        )
    created = version["created_at"]
    age = (now - created).days if isinstance(created, dt.datetime) else (now.date() - _date(created)).days
    data_end = _training_end(version.get("training_windows_json")) or _date(created)
    lag = (night - data_end).days
    old = cfg.max_age_days is not None and age > cfg.max_age_days
    behind = cfg.cadence_days is not None and lag > cfg.cadence_days
    summary = (
        f"staleness: version {version['version']} is {age} days old (max {cfg.max_age_days}); monitored data "
        f"is {lag} days newer than its training data (cadence {cfg.cadence_days})"
    )
    return SignalResult(
        "staleness",
        old or behind,
        cfg.urgent,
        summary,
        {"version": version["version"], "age_days": age, "data_lag_days": lag},
    )


def _manual(model: Model, night: dt.date, ev: Evidence) -> SignalResult:
    cfg = model.retraining.policies.manual
    requests = ev.requests if cfg.enabled else ()
    if not requests:
        return SignalResult("manual", False, cfg.urgent, "manual: no pending request")
    words = "; ".join(f"{r['requested_by']}: {r['reason']}" for r in requests)
    return SignalResult(
        "manual",
        True,
        cfg.urgent,
        f"manual: {len(requests)} request(s) ({words})",
        {"request_ids": [str(r["request_id"]) for r in requests]},
    )


#: The signals in evaluation order (each takes the model, the night, the evidence and the clock).
SIGNALS: dict[SignalName, Callable[[Model, dt.date, Evidence, dt.datetime], SignalResult]] = {
    "drift": lambda m, n, e, now: _drift(m, n, e),
    "performance": lambda m, n, e, now: _performance(m, n, e),
    "estimated_performance": lambda m, n, e, now: _estimated(m, n, e),
    "fairness": lambda m, n, e, now: _fairness(m, n, e),
    "staleness": _staleness,
    "manual": lambda m, n, e, now: _manual(m, n, e),
}


def evaluate_signals(
    model: Model, night: dt.date, evidence: Evidence, *, now: dt.datetime
) -> list[SignalResult]:
    """Return every signal's verdict for ``night``, in :data:`SIGNALS` order."""
    return [fn(model, night, evidence, now) for fn in SIGNALS.values()]
