"""What a retraining decision rests on, read from the warehouse in one place, as its night knew it.

:func:`read_evidence` runs a handful of small queries (``include/sql/triggers/``) over the nights a
policy looks back on; :func:`steward.triggers.decide` is a pure function of what it returns, so the
policy logic is tested with hand-made evidence and the reader with rows in real tables.

The evidence is what the night knew, whenever the decision is evaluated (right after the night, a
rerun, a backfill): label-dependent measurements (performance, labelled days, fairness breaches) are
read as the last monitoring night up to the decision's night measured them (the per-night history of
DDL 0021), not as later nights re-measured them with labels that arrived after it; costs, training
emissions, requests and versions count up to the decision's clock only. A night before the model's
first recorded night reads the latest-only tables and says so (:attr:`Evidence.asof`).
"""

from __future__ import annotations

import datetime as dt
import hashlib
import json
from collections import defaultdict
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any

from steward._dates import next_month, period_start
from steward.registry import Model
from steward.warehouse import Warehouse, read_sql

__all__ = [
    "Evidence",
    "asof_label",
    "decision_id",
    "lookback_start",
    "policy_fingerprint",
    "read_evidence",
    "read_evidence_many",
    "training_start",
]

Row = Mapping[str, Any]


@dataclass(frozen=True)
class Evidence:
    """Everything one evaluation of a model's retraining policy reads (rows as dicts, oldest first).

    Attributes
    ----------
    chart_alarms
        ``control_chart_points`` out of control (EWMA/CUSUM) of ``drift:`` and ``mean:`` series.
    performance
        ``model_performance`` rows of the policy's metric.
    fairness_breaches
        Fairness gaps judged a breach (``fairness_metrics``), and fairness ``monitoring_breaches``.
    monitoring_runs
        ``monitoring_runs`` of the lookback nights (their run ids are the decision's sources).
    previous_decisions
        The model's decisions of earlier nights, newest first.
    month_cost
        The model's allocated cost this month per currency (``cost_allocated_daily``).
    month_training_co2e_kg
        The model's measured training emissions this month (``carbon_training_runs``).
    latest_version
        The newest registered version (``model_versions``: version, created_at, training_windows_json),
        or None (no registry table or no version yet).
    requests
        Manual requests pending (or consumed by this very decision, on a rerun).
    labelled_days
        The training window's labelled windows (``model_performance`` ``positive_rate`` rows with
        ``n_labelled`` > 0: window_date, n_labelled, positive_rate), oldest first; None when not read
        (the model declares no labels or no score, or a hand-made evidence): the data-sufficiency
        guard is then not applied.
    asof
        What the label-dependent rows are as of: ``"night <date>"`` (as the monitoring nights up to the
        decision's night measured them), or ``"latest (no history before <date>)"`` / ``"latest (no
        history)"`` (the night is before the model's first night recorded per night: the latest-only
        tables, possibly measured with later labels). None for a hand-made evidence.
    """

    chart_alarms: tuple[Row, ...] = ()
    performance: tuple[Row, ...] = ()
    fairness_breaches: tuple[Row, ...] = ()
    monitoring_runs: tuple[Row, ...] = ()
    previous_decisions: tuple[Row, ...] = ()
    month_cost: Mapping[str, float] = field(default_factory=dict)
    month_training_co2e_kg: float = 0.0
    latest_version: Row | None = None
    requests: tuple[Row, ...] = ()
    labelled_days: tuple[Row, ...] | None = None
    asof: str | None = None


def policy_fingerprint(model: Model) -> str:
    """Return a short hash of the model's ``retraining`` settings and the thresholds they default to."""
    payload = {
        "retraining": model.retraining.model_dump(mode="json"),
        "thresholds": model.thresholds.model_dump(),
    }
    return hashlib.sha256(json.dumps(payload, sort_keys=True).encode()).hexdigest()[:12]


def decision_id(model: Model, night: dt.date) -> str:
    """Return the deterministic id of the decision on ``model`` for ``night`` under its current policy."""
    text = f"{model.name}|{night.isoformat()}|{policy_fingerprint(model)}"
    return "rd-" + hashlib.sha256(text.encode()).hexdigest()[:20]


def lookback_start(model: Model, night: dt.date) -> dt.date:
    """Return the first night any signal of the model's policy looks at (errors of the estimate included)."""
    p = model.retraining.policies
    longest = max(p.drift.nights, p.performance.nights, p.estimated_performance.nights, p.fairness.nights)
    longest = max(longest, p.estimated_performance.error_nights)
    return night - dt.timedelta(days=longest - 1)


def training_start(model: Model, night: dt.date) -> dt.date:
    """Return the first day of the training window a retraining on ``night`` reads."""
    return night - dt.timedelta(days=model.retraining.training_window_days - 1)


def _month(night: dt.date) -> tuple[dt.datetime, dt.datetime]:
    return period_start(night), period_start(next_month(night))


def asof_label(night: dt.date, first_night: dt.date | None) -> str:
    """Return what a decision's label-dependent evidence is as of (see :attr:`Evidence.asof`).

    Examples
    --------
    >>> asof_label(dt.date(2026, 11, 5), dt.date(2026, 11, 1))
    'night 2026-11-05'
    >>> asof_label(dt.date(2026, 11, 5), dt.date(2026, 11, 9))
    'latest (no history before 2026-11-09)'
    """
    if first_night is None:
        return "latest (no history)"
    if night < first_night:
        return f"latest (no history before {first_night.isoformat()})"
    return f"night {night.isoformat()}"


def _float(value: object) -> float:
    return 0.0 if value is None else float(str(value))


def read_evidence(warehouse: Warehouse, model: Model, night: dt.date, *, now: dt.datetime) -> Evidence:
    """Read what the model's retraining policy needs for ``night`` from the warehouse.

    Parameters
    ----------
    warehouse
        A migrated warehouse (DuckDB or PostgreSQL).
    model
        The registered model.
    night
        The monitored window the decision is made on.
    now
        The evaluation's clock: versions registered, requests made, costs charged and training runs
        started after it are ignored.

    Returns
    -------
    Evidence
        Tables that do not exist yet (the model registry before its migration) read as empty.
    """
    return read_evidence_many(warehouse, [model], night, now=now)[model.name]


def read_evidence_many(
    warehouse: Warehouse, models: Sequence[Model], night: dt.date, *, now: dt.datetime
) -> dict[str, Evidence]:
    """Read the evidence of several models for ``night`` in one query per table (see :func:`read_evidence`).

    The nightly trigger evaluates every model at once: a query per table, not per model and table.
    """
    if not models:
        return {}
    one = models[0].name if len(models) == 1 else None
    since = min(lookback_start(m, night) for m in models)
    window = {"model": one, "since": since, "night": night}
    month_start, month_end = _month(night)
    month = {"model": one, "month_start": month_start, "month_end": min(month_end, now)}
    cooldown = max(m.retraining.guards.cooldown_days for m in models)
    decisions_since = night - dt.timedelta(days=max(cooldown, 30) + 30)

    def rows(sql: str, params: Mapping[str, object]) -> dict[str, list[Row]]:
        out: dict[str, list[Row]] = defaultdict(list)
        for r in warehouse.fetch(read_sql(f"triggers/{sql}.sql"), params):
            out[str(r["model"])].append(r)
        return out

    alarms = rows("select_chart_alarms", window)
    performance: dict[str, list[Row]] = defaultdict(list)
    for metric in sorted({m.retraining.policies.performance.metric for m in models}):
        for name, found in rows("select_performance", {**window, "metric": metric}).items():
            performance[name] += found
    fairness = rows("select_fairness_breaches", window)
    runs = rows("select_monitoring_runs", window)
    previous = rows("select_previous_decisions", {"model": one, "since": decisions_since, "night": night})
    costs = rows("sum_month_cost", month)
    carbon = rows("sum_month_training_carbon", month)
    versions = (
        rows("select_latest_version", {"model": one, "now": now})
        if warehouse.table_exists("model_versions")
        else {}
    )
    requests = rows("select_requests", {"model": one, "night": night, "now": now})
    training_since = min(training_start(m, night) for m in models)
    labelled = rows(
        "select_performance",
        {"model": one, "since": training_since, "night": night, "metric": "positive_rate"},
    )
    first_nights = {
        name: day_of(found[0]["first_night"])
        for name, found in rows("select_asof_first_nights", {"model": one}).items()
    }
    out: dict[str, Evidence] = {}
    for m in models:
        start = lookback_start(m, night)
        recent = [r for r in performance[m.name] if day_of(r["window_date"]) >= start]
        out[m.name] = Evidence(
            chart_alarms=tuple(r for r in alarms[m.name] if day_of(r["window_date"]) >= start),
            performance=tuple(recent),
            fairness_breaches=tuple(r for r in fairness[m.name] if day_of(r["window_date"]) >= start),
            monitoring_runs=tuple(r for r in runs[m.name] if day_of(r["window_date"]) >= start),
            previous_decisions=tuple(previous[m.name]),
            month_cost={str(r["currency"]): _float(r["cost"]) for r in costs[m.name]},
            month_training_co2e_kg=sum(_float(r["co2e_kg"]) for r in carbon[m.name]),
            latest_version=versions[m.name][0] if versions.get(m.name) else None,
            requests=tuple(requests[m.name]),
            labelled_days=_labelled(labelled[m.name], training_start(m, night))
            if m.labels is not None and m.columns.score is not None
            else None,
            asof=asof_label(night, first_nights.get(m.name)),
        )
    return out


def _labelled(rows: Sequence[Row], since: dt.date) -> tuple[Row, ...]:
    """Return the labelled windows from ``since`` (``positive_rate`` rows with labels and a value)."""
    return tuple(
        {"model": r["model"], "window_date": r["window_date"], "n_labelled": r["n_labelled"],
         "positive_rate": r["realized_value"], "run_id": r["run_id"]}
        for r in rows
        if day_of(r["window_date"]) >= since
        and (r["n_labelled"] or 0) > 0
        and r["realized_value"] is not None
    )  # fmt: skip


def day_of(value: object) -> dt.date:
    """Return a date from a date, a datetime or ISO text (warehouse drivers differ)."""
    if isinstance(value, dt.datetime):
        return value.date()
    if isinstance(value, dt.date):
        return value
    return dt.date.fromisoformat(str(value)[:10])
