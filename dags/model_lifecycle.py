"""
### Model lifecycle (manual)

Changes a model's state in the model registry (`steward.lifecycle`, tables `model_versions` and
`model_events`), the same as the CLI's `steward models rollback` / `steward models decommission`:

- **rollback**: the previous champion goes back into production (the champion alias moves back, the
  current champion is archived). Recorded as a `rollback` event.
- **decommission**: the given version is retired (stage `decommissioned`, its aliases removed). When it
  was the champion the model has no production version any more and `model_monitoring` skips it.
  Its rows and its history stay queryable (`steward models history MODEL`).

Params: `action` (rollback | decommission), `model`, `version` (decommission only) and `reason`
(required). The actor recorded on the event is the user who triggered the run; the run id is the
event's evidence, so a retry never applies the change twice. A bad request (unknown model or version,
no previous champion) fails at once with the reason in the task log.
"""

from __future__ import annotations

import datetime as dt

from airflow.sdk import dag

from steward.airflow.alerts import failure_callbacks
from steward.airflow.lifecycle import apply_lifecycle_action, lifecycle_params
from steward.airflow.pools import warehouse_pool_args

DEFAULT_ARGS = {
    "owner": "ml-platform",
    "retries": 2,
    "retry_delay": dt.timedelta(minutes=1),
    "on_failure_callback": failure_callbacks("model_lifecycle"),  # registry alerts: webhook, e-mail
    **warehouse_pool_args(),  # one-slot pool for a DuckDB warehouse (STEWARD_WAREHOUSE_POOL)
}


@dag(
    dag_id="model_lifecycle",
    schedule=None,  # manual: a person (or the API) asks for it, with a reason
    start_date=dt.datetime(2026, 11, 1, tzinfo=dt.UTC),
    catchup=False,
    max_active_runs=1,
    default_args=DEFAULT_ARGS,
    params=lifecycle_params(),
    tags=["steward", "model-registry", "manual"],
    doc_md=__doc__,
)
def model_lifecycle() -> None:
    apply_lifecycle_action()


model_lifecycle()
