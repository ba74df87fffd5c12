"""
### Model retraining

Trains a challenger for one model, compares it with the champion on the same holdout and promotes it,
rejects it, or waits for a person. Fired by `retraining_trigger` with the decision's evidence in the
run conf (`model`, `decision_id`, `reason`, `evidence`), or by hand with the params below.

- **train**: the training set from the registry's windows (`retraining.training_window_days`, holdout =
  the last `holdout_days` labelled days; quarantined partitions left out; data fingerprint recorded),
  the model's trainer (`retraining.trainer`) measured by codecarbon offline (GPU utilization from NVML
  where a GPU exists), the artifact stored and the challenger registered in `model_versions`.
- **evaluate**: champion (its artifact, else the scores it logged) vs challenger on the same rows: AUCs
  with a paired DeLong test, McNemar on the decisions, a bootstrap interval of the AUC difference; the
  performance gate (not significantly worse, better by `retraining.gates.min_auc_gain`) and the fairness
  gate (stricter for high risk). Report: `reports/retraining/<date>/<model>.html`.
- **gate**: a failed gate rejects; limited/minimal risk with both gates passed is promoted (one
  transaction: champion alias, production stage, previous champion archived). A high-risk fairness gate
  that is `not_demonstrated` (no breach, but not every gap shown within tolerance) goes to the approval
  with that caveat (`fairness.high_risk_undemonstrated: ask_approver`, the default) or rejects (`reject`).
- **approval** (high risk only): Airflow's human-in-the-loop task waits in `awaiting_input` (UI:
  Required Actions; REST: `PATCH .../hitlDetails`); **record_approval** records the answer and the
  responder as `model_events` and promotes on Approve. No answer within
  `retraining.gates.approval_timeout_hours` is a recorded rejection.

Every run leaves one `retraining_runs` row: promoted, rejected, awaiting_approval or failed with the reason.
"""

from __future__ import annotations

import datetime as dt

from airflow.sdk import Param, dag

from steward.airflow.alerts import failure_callbacks
from steward.airflow.context import date_param
from steward.airflow.pools import warehouse_pool_args
from steward.airflow.retraining import PromotionApproval, evaluate, gate, record_approval, train

DEFAULT_ARGS = {
    "owner": "ml-platform",
    "retries": 2,
    "retry_delay": dt.timedelta(minutes=5),
    "on_failure_callback": failure_callbacks("model_retraining"),
    **warehouse_pool_args(),  # one-slot pool for a DuckDB warehouse (STEWARD_WAREHOUSE_POOL)
}


@dag(
    dag_id="model_retraining",
    schedule=None,  # fired by retraining_trigger (TriggerDagRun with the decision's conf) or by hand
    start_date=dt.datetime(2026, 11, 1, tzinfo=dt.UTC),
    catchup=False,
    max_active_runs=4,
    default_args=DEFAULT_ARGS,
    params={
        "model": Param(
            "", type="string", description="Registered model to retrain (include/governance.yaml)."
        ),
        "decision_id": Param(
            "", type="string", description="retraining_decisions.decision_id that fired it."
        ),
        "reason": Param("", type="string", description="Why, in words (from the decision, or yours)."),
        "date": date_param("Night whose windows are used (YYYY-MM-DD). Empty: the day the run was created."),
    },
    tags=["steward", "retraining", "lifecycle"],
    doc_md=__doc__,
)
def model_retraining() -> None:
    trained = train()
    evaluated = evaluate(trained)
    approval = PromotionApproval(task_id="approval", pool="default_pool")  # a wait holds no warehouse slot
    gate(evaluated) >> approval
    record_approval(evaluated, approval.output)


model_retraining()
