"""The task of the manual model-lifecycle DAG (``dags/model_lifecycle.py``): rollback or decommission.

A thin shell around :mod:`steward.lifecycle`. The actor is the user who triggered the run (Airflow's
``triggering_user_name``), else ``airflow``; the run id is the event's evidence, so a retried task
writes nothing twice (a rollback is not applied twice). A bad request (unknown model or version, no
previous champion, a missing reason) fails at once without retries, with the one-line reason.
"""

from __future__ import annotations

import logging
from collections.abc import Mapping
from typing import Any

from airflow.sdk import Param, get_current_context, task
from airflow.sdk.exceptions import AirflowFailException

from steward.airflow import context as ctx

__all__ = ["ACTIONS", "apply_lifecycle_action", "lifecycle_params", "triggering_actor"]

log = logging.getLogger(__name__)

#: What the DAG can do.
ACTIONS = ("rollback", "decommission")


def lifecycle_params() -> dict[str, Any]:
    """Return the DAG's params: action, model, version (decommission only) and reason."""
    return {
        "action": Param("rollback", enum=list(ACTIONS), description="rollback or decommission"),
        "model": Param("", type="string", description="registered model name, e.g. lead_scoring"),
        "version": Param(
            None,
            type=["null", "string"],
            description="decommission: the version to retire (rollback: unused)",
        ),
        "reason": Param("", type="string", description="why (stored on the registry event; required)"),
    }


def triggering_actor(context: Mapping[str, Any]) -> str:
    """Return who triggered the run (``dag_run.triggering_user_name``), else ``airflow``."""
    user = getattr(context.get("dag_run"), "triggering_user_name", None)
    return str(user) if user else "airflow"


@task
def apply_lifecycle_action() -> dict[str, Any]:
    """Roll the model back to its previous champion, or decommission one version; log the result."""
    from steward.lifecycle import LifecycleError, decommission, model_state, rollback

    context = get_current_context()
    params = context["params"]
    action, model = str(params.get("action") or ""), str(params.get("model") or "").strip()
    version, reason = params.get("version"), str(params.get("reason") or "").strip()
    if not model or not reason:
        raise AirflowFailException(
            "model_lifecycle: give the params 'model' and 'reason' (both are required)"
        )
    if action == "decommission" and not version:
        raise AirflowFailException(f"model_lifecycle: decommissioning {model!r} needs the param 'version'")
    actor, run_id = triggering_actor(context), ctx.run_id(context)
    result: dict[str, Any]
    try:
        with ctx.warehouse() as wh:
            if action == "rollback":
                result = {"champion": rollback(wh, model, actor=actor, reason=reason, evidence_run_id=run_id)}
            else:
                event = decommission(
                    wh, model, str(version), actor=actor, reason=reason, evidence_run_id=run_id
                )
                result = {"event_id": event, "model_retired": model_state(wh, model).decommissioned}
    except LifecycleError as exc:  # the request is wrong: retrying cannot fix it
        raise AirflowFailException(str(exc)) from exc
    summary = {"action": action, "model": model, "version": version, "actor": actor, **result}
    log.info("model_lifecycle: %s", summary)
    return summary
