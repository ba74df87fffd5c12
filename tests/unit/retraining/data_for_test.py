"""One deterministic synthetic model for the retraining tests: a lake of daily logs and late labels.

``toy`` (risk tier configurable) logs ``rows`` applications a day from D0 with features ``x1``, ``x2``
(numeric), ``segment`` (categorical), the protected attribute ``sex``, the served ``score`` (a
deliberately weak champion: it uses ``x1`` only) and ``predicted_label``. The label of a day's rows
arrives the next day (labels partitioned by arrival). True model: logit = 1.2 x1 + 1.0 x2 + segment.
"""

from __future__ import annotations

import datetime as dt
import textwrap
from pathlib import Path

import numpy as np
import pyarrow as pa
import pyarrow.parquet as pq

D0 = dt.date(2026, 11, 1)
FEATURES = ["x1", "x2", "segment"]


def day(i: int) -> dt.date:
    return D0 + dt.timedelta(days=i)


def log_and_labels(i: int, rows: int, *, seed: int = 0, one_class: bool = False) -> tuple[pa.Table, pa.Table]:
    rng = np.random.default_rng(seed * 1000 + i)
    x1, x2 = rng.normal(size=rows), rng.normal(size=rows)
    segment = rng.choice(["a", "b", "c"], size=rows)
    sex = rng.choice(["female", "male"], size=rows)
    logit = 1.2 * x1 + 1.0 * x2 + np.select([segment == "a", segment == "b"], [0.8, -0.4], 0.0) - 0.3
    label = (rng.random(rows) < 1 / (1 + np.exp(-logit))).astype(np.int64)
    if one_class:
        label[:] = 0
    score = 1 / (1 + np.exp(-(1.2 * x1 - 0.3)))  # the champion as served: x1 only
    ids = [f"d{i:02d}-{k:04d}" for k in range(rows)]
    when = dt.datetime.combine(day(i), dt.time(12))
    log = pa.table(
        {
            "id": ids,
            "scored_at": [when] * rows,
            "event_date": [day(i)] * rows,
            "x1": x1,
            "x2": x2,
            "segment": segment,
            "sex": sex,
            "score": score,
            "predicted_label": (score >= 0.5).astype(np.int64),
            "model_version": ["1.0.0"] * rows,
        }
    )
    labels = pa.table({"id": ids, "label": label, "event_date": [day(i + 1)] * rows})
    return log, labels


def write_lake(root: Path, nights: int, rows: int = 300, *, one_class_days: tuple[int, ...] = ()) -> None:
    """Write ``nights`` days of log (D0..) and their labels (arriving one day later)."""
    for i in range(nights):
        log, labels = log_and_labels(i, rows, one_class=i in one_class_days)
        _write(log, root / "preds" / f"date={day(i)}" / "part-0.parquet")
        _write(labels, root / "labels" / f"date={day(i + 1)}" / "part-0.parquet")


def _write(table: pa.Table, path: Path) -> None:
    path.parent.mkdir(parents=True, exist_ok=True)
    pq.write_table(table, path)


#: A current impact assessment of the toy model (a high-risk model needs one to be promoted).
ASSESSMENT = """
privacy:
  impact_assessments:
    - model: toy
      harms: [qualified applicants declined]
      mitigations: [fairness gate, human approval]
      reviewer: Model Risk Committee
      assessed_on: 2026-01-15
"""


def registry_yaml(
    root: Path,
    *,
    risk_tier: str = "limited",
    retraining: str = "",
    assessed: bool = True,
    fairness: str = "{}",
) -> str:
    text = textwrap.dedent(
        f"""
        version: 1
        datasets:
          - name: toy_predictions
            owner: me@example.com
            kind: predictions
            source: {{path: "{root}/preds/date={{date}}/*.parquet"}}
            partition_column: event_date
          - name: toy_labels
            owner: me@example.com
            kind: labels
            source: {{path: "{root}/labels/date={{date}}/*.parquet"}}
            partition_column: event_date
        models:
          - name: toy
            owner: me@example.com
            business_unit: lending
            risk_tier: {risk_tier}
            prediction_log: toy_predictions
            labels: {{dataset: toy_labels, join_key: id, label_column: label}}
            columns: {{id: id, timestamp: scored_at, score: score, prediction: predicted_label}}
            features: {FEATURES}
            protected_attributes: [sex]
            thresholds: {{decision: 0.5, min_auc: 0.6}}
            fairness: {fairness}
            card:
              intended_use: test model
              limitations: [synthetic data]
              assumptions: [labels arrive one day late]
              failure_modes: [none known]
        """
    )
    text = text + textwrap.indent(textwrap.dedent(retraining), "    ") if retraining else text
    return text + ASSESSMENT if assessed else text


def failing_trainer(features: object, labels: object) -> object:
    """A trainer that raises (the fault the flow must record)."""
    raise RuntimeError("out of memory while fitting (simulated)")


TRAINER = "steward.demo:train_credit_risk"


def retraining_block(
    trainer: str = TRAINER, *, min_auc_gain: float = 0.0, window: int = 10, holdout: int = 3
) -> str:
    return f"""
    retraining:
      trainer: "{trainer}"
      training_window_days: {window}
      holdout_days: {holdout}
      gates: {{min_auc_gain: {min_auc_gain}, bootstrap_samples: 200}}
    """
