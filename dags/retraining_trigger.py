"""
### Retraining trigger

Turns each night's monitoring evidence into one recorded retraining decision per model, and starts
`model_retraining` for the decisions that fire. Policies live in the governance registry
(`include/governance.yaml`, each model's `retraining:` key; docs/retraining.md).

- **Schedule**: on every model's monitoring asset (`monitoring_<model>`, emitted by `model_monitoring`
  for each model-window): a run evaluates the models its events name, for the window each event names.
  A manual run takes `date` (every model, or the `model` param) and `evaluated_at` (the clock the guards
  and the preferred window read; default now).
- **Decide** (`decide_retraining`): signals (drift out of control on M of N nights, realized or
  estimated performance below the floor, fairness breaches, staleness, manual requests), guards
  (cool-down, monthly cost and carbon budgets, a retraining already queued or running) and the
  preferred window (urgent signals never wait) give `fire`, `defer`, `skip` or `no_action`, written to
  `retraining_decisions` with the evidence, the source run ids and the reason in words.
- **Fire** (`fire_retraining`): one `model_retraining` run per fired decision, run id
  `retraining__<decision_id>`, conf `{"model", "decision_id", "reason", "evidence"}`.

Reruns rewrite the same decision rows and start no second run for the same decision.
"""

from __future__ import annotations

import datetime as dt

from airflow.sdk import Param, dag

from steward.airflow.alerts import failure_callbacks
from steward.airflow.assets import monitoring_assets
from steward.airflow.context import date_param
from steward.airflow.pools import warehouse_pool_args
from steward.airflow.retraining_trigger import decide_retraining, fire_retraining

DEFAULT_ARGS = {
    "owner": "ml-platform",
    "retries": 2,
    "retry_delay": dt.timedelta(minutes=5),
    "on_failure_callback": failure_callbacks("retraining_trigger"),
    **warehouse_pool_args(),
}


@dag(
    dag_id="retraining_trigger",
    schedule=monitoring_assets(),
    start_date=dt.datetime(2026, 11, 1, tzinfo=dt.UTC),
    catchup=False,
    max_active_runs=1,
    default_args=DEFAULT_ARGS,
    params={
        "date": date_param(
            "Monitored night to decide on (YYYY-MM-DD). Empty: the triggering events' windows."
        ),
        "model": Param(None, type=["null", "string"], description="Only this model. Empty: every model."),
        "evaluated_at": Param(
            None,
            type=["null", "string"],
            description="The decision's clock, UTC (YYYY-MM-DDTHH:MM). Empty: now.",
        ),
    },
    tags=["steward", "retraining", "nightly"],
    doc_md=__doc__,
)
def retraining_trigger() -> None:
    fire_retraining(decide_retraining())


retraining_trigger()
