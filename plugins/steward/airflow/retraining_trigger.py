"""Tasks of the retraining trigger DAG (``dags/retraining_trigger.py``).

Thin shells around :mod:`steward.triggers`: for every model a monitoring event names, evaluate its
retraining policy for the event's window, record the decision, and start ``model_retraining`` for a
fired one with the evidence in the run's conf. Before firing, the model's earlier retraining runs are
looked up in Airflow: one still queued or running turns the decision into a skip, so a model is
never retrained twice at once.
"""

from __future__ import annotations

import dataclasses
import datetime as dt
import json
import logging
from collections.abc import Mapping, Sequence
from typing import Any

from airflow.sdk import get_current_context, task

from steward.airflow import context as ctx

__all__ = [
    "ACTIVE_STATES",
    "RETRAINING_DAG_ID",
    "decide_retraining",
    "fire_retraining",
    "nights_by_model",
    "retraining_conf",
]

log = logging.getLogger(__name__)

#: The DAG a fired decision starts (owned by the retraining flow).
RETRAINING_DAG_ID = "model_retraining"
#: Run states in which a retraining counts as under way.
ACTIVE_STATES = ["queued", "running"]
_PREFIX = "monitoring_"


def nights_by_model(events: Mapping[str, Sequence[Mapping[str, Any]]]) -> dict[str, dt.date]:
    """Return the latest monitored window per model from ``{asset name: [event extras]}``.

    Examples
    --------
    >>> nights_by_model({"monitoring_churn": [{"window": "2026-11-04"}, {"window": "2026-11-05"}]})
    {'churn': datetime.date(2026, 11, 5)}
    """
    out: dict[str, dt.date] = {}
    for name, extras in events.items():
        if not name.startswith(_PREFIX):
            continue
        model = name.removeprefix(_PREFIX)
        for extra in extras:
            value = extra.get("window")
            if not value:
                continue
            day = dt.date.fromisoformat(str(value)[:10])
            out[model] = max(out.get(model, day), day)
    return out


def retraining_conf(decision: Any) -> dict[str, Any]:
    """Return the ``model_retraining`` conf of a fired decision (JSON-safe)."""
    evidence = {
        **decision.evidence,
        "night": decision.night.isoformat(),
        "policy": decision.policy,
        "signals": [s.as_json() for s in decision.signals if s.holds],
    }
    return {
        "model": decision.model,
        "decision_id": decision.decision_id,
        "reason": decision.reason,
        "evidence": json.loads(json.dumps(evidence, default=str)),
    }


def _evaluated_at(params: Mapping[str, Any]) -> dt.datetime:
    text = params.get("evaluated_at")
    if not text:
        return dt.datetime.now(dt.UTC)
    try:
        value = dt.datetime.fromisoformat(str(text))
    except ValueError:
        raise ValueError(f"param 'evaluated_at' must be YYYY-MM-DDTHH:MM (UTC), got {text!r}") from None
    return value if value.tzinfo else value.replace(tzinfo=dt.UTC)


def _retraining_deployed(ti: Any) -> bool:
    """Return whether Airflow knows the ``model_retraining`` DAG (a fired decision has somewhere to go)."""
    try:
        found = ti.get_dag(RETRAINING_DAG_ID)
    except Exception:  # the lookup raises for an unknown DAG (its error type depends on the runner)
        return False
    return getattr(found, "dag_id", None) == RETRAINING_DAG_ID


def _active_run(ti: Any, candidates: list[str]) -> str | None:
    """Return the first of ``candidates`` that Airflow has queued or running for ``model_retraining``."""
    for run in candidates:
        if ti.get_dr_count(dag_id=RETRAINING_DAG_ID, run_ids=[run], states=ACTIVE_STATES):
            return run
    return None


@task
def decide_retraining() -> list[dict[str, Any]]:
    """Evaluate and record each model's retraining decision; return the runs to start."""
    from steward.registry import load_registry
    from steward.triggers import decision_id, evaluate_all, fired_runs, record_decisions, retraining_run_id

    context = get_current_context()
    params = context.get("params") or {}
    registry = load_registry()
    triggering = context.get("triggering_asset_events") or {}
    events = {
        str(getattr(asset, "name", asset)): [dict(e.extra or {}) for e in triggering[asset]]
        for asset in triggering
    }
    nights = nights_by_model(events)
    if params.get("date") or not nights:
        day = ctx.partition_date(context)
        nights = {m.name: day for m in registry.models}
    if params.get("model"):
        registry.model(str(params["model"]))  # unknown: one line naming the registered models
        nights = {str(params["model"]): nights.get(str(params["model"]), ctx.partition_date(context))}
    now = _evaluated_at(params)
    run_id = ctx.run_id(context)
    ti = context["ti"]
    fires: list[dict[str, Any]] = []
    deployed = _retraining_deployed(ti)
    if not deployed:
        log.warning(
            "DAG %r is not deployed: fired decisions are recorded, no run is started", RETRAINING_DAG_ID
        )
    with ctx.warehouse() as wh:
        for night in sorted(set(nights.values())):
            models = [registry.model(name) for name in sorted(nights) if nights[name] == night]
            active: dict[str, str | None] = {}
            for m in models:
                own = retraining_run_id(decision_id(m, night))  # a rerun of the night finds its own run
                active[m.name] = _active_run(ti, [r for r in fired_runs(wh, m.name) if r != own])
            decisions = [
                _started(d, retraining_run_id(d.decision_id), deployed) if d.action == "fire" else d
                for d in evaluate_all(wh, models, night, now=now, run_id=run_id, active_runs=active)
            ]
            record_decisions(wh, decisions)
            for d in decisions:
                log.info("%s %s: %s (%s): %s", night, d.model, d.action, d.decision_id, d.reason)
                if d.triggered_run_id is not None:
                    fires.append({"trigger_run_id": d.triggered_run_id, "conf": retraining_conf(d)})
    return fires


def _started(decision: Any, run: str, deployed: bool) -> Any:
    """Return a fired decision with the run it starts, or saying that no retraining DAG is deployed."""
    if deployed:
        return dataclasses.replace(decision, triggered_run_id=run)
    end = "" if decision.reason.endswith(".") else "."
    note = f"{end} Not started: DAG {RETRAINING_DAG_ID!r} is not deployed (dags/{RETRAINING_DAG_ID}.py)."
    return dataclasses.replace(decision, reason=decision.reason + note)


def fire_retraining(fires: Any) -> Any:
    """Start one ``model_retraining`` run per fired decision (run id ``retraining__<decision_id>``)."""
    from airflow.providers.standard.operators.trigger_dagrun import TriggerDagRunOperator

    return TriggerDagRunOperator.partial(
        task_id="fire_retraining",
        trigger_dag_id=RETRAINING_DAG_ID,
        wait_for_completion=False,
        skip_when_already_exists=True,  # a rerun of the night does not start a second run
    ).expand_kwargs(fires)
