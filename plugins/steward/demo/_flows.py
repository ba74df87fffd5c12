"""The two modelled flows: raw entities -> prediction log -> late labels, plus a training snapshot.

A flow ties a raw dataset to its model's prediction log, labels and training snapshot, with the
column schemas each is written with.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable
from dataclasses import dataclass

import numpy as np
import pyarrow as pa

from steward.demo import _company as co
from steward.demo._entities import (
    CREDIT_FEATURES,
    LEAD_FEATURES,
    TS,
    Batch,
    date_array,
    day_start_us,
    leads_batch,
    loans_batch,
    timestamp_array,
)

__all__ = ["CREDIT_RISK", "FLOWS", "LEAD_SCORING", "Flow"]

_DAY_US = 86_400_000_000

_TYPES: dict[str, pa.DataType] = {
    "lead_id": pa.int64(),
    "application_id": pa.int64(),
    "created_at": TS,
    "applied_at": TS,
    "scored_at": TS,
    "labeled_at": TS,
    "model_version": pa.string(),
    "channel": pa.string(),
    "region": pa.string(),
    "company_size": pa.string(),
    "device": pa.string(),
    "is_returning_visitor": pa.bool_(),
    "pages_viewed": pa.int64(),
    "time_on_site_s": pa.float64(),
    "email_opens": pa.int64(),
    "form_score": pa.float64(),
    "sex": pa.string(),
    "age_band": pa.string(),
    "income_usd": pa.float64(),
    "loan_amount_usd": pa.float64(),
    "term_months": pa.int64(),
    "credit_history_years": pa.float64(),
    "debt_to_income": pa.float64(),
    "employment_type": pa.string(),
    "home_ownership": pa.string(),
    "loan_purpose": pa.string(),
    "num_open_accounts": pa.int64(),
    "delinquencies_2y": pa.int64(),
    "has_cosigner": pa.bool_(),
    "score": pa.float64(),
    "predicted_label": pa.int64(),
    "converted": pa.int64(),
    "defaulted": pa.int64(),
    "scored_date": pa.date32(),
    "event_date": pa.date32(),
}


def _schema(*columns: str) -> pa.Schema:
    return pa.schema([pa.field(c, _TYPES[c]) for c in columns])


@dataclass(frozen=True)
class Flow:
    """A model's data flow and the schemas of its datasets."""

    model: str
    raw: str
    predictions: str
    labels: str
    training: str
    stream: int
    id_column: str
    time_column: str
    label_column: str
    features: tuple[str, ...]
    protected: tuple[str, ...]
    version: str
    threshold: float
    delay_days: tuple[int, int]
    draw: Callable[[np.random.Generator, int, dt.date, int, int | None], Batch]

    @property
    def raw_schema(self) -> pa.Schema:
        """Schema of the raw dataset."""
        raw_cols = [c for c in self.protected if c not in self.features] + list(self.features)
        return _schema(self.id_column, self.time_column, *raw_cols, "event_date")

    @property
    def predictions_schema(self) -> pa.Schema:
        """Schema of the prediction log."""
        return _schema(
            self.id_column,
            "scored_at",
            "model_version",
            *self.features,
            *self.protected,
            "score",
            "predicted_label",
            "event_date",
        )

    @property
    def labels_schema(self) -> pa.Schema:
        """Schema of the labels, partitioned by arrival day."""
        return _schema(self.id_column, self.label_column, "scored_date", "labeled_at", "event_date")

    @property
    def training_schema(self) -> pa.Schema:
        """Schema of the training snapshot."""
        return _schema(
            self.id_column, self.time_column, *self.features, *self.protected, self.label_column, "event_date"
        )

    def raw_table(self, batch: Batch, day: dt.date) -> pa.Table:
        """Return the raw dataset's rows for ``batch``."""
        n = len(batch.ids)
        cols = {**batch.columns, "event_date": date_array(day, n)}
        return pa.table({f.name: cols[f.name] for f in self.raw_schema}, schema=self.raw_schema)

    def predictions_table(self, rng: np.random.Generator, batch: Batch, day: dt.date) -> pa.Table:
        """Return the prediction log's rows: each entity scored seconds after it arrived, the same day."""
        n = len(batch.ids)
        arrived = batch.columns[self.time_column].cast(pa.int64()).to_numpy()
        latency = (rng.exponential(20.0, size=n) * 1e6).astype(np.int64) + 200_000
        scored = np.minimum(arrived + latency, day_start_us(day) + _DAY_US - 1)
        score = np.round(batch.score, 6)
        cols = {
            **batch.columns,
            "scored_at": timestamp_array(scored),
            "model_version": pa.array([self.version] * n, pa.string()),
            "score": pa.array(score),
            "predicted_label": pa.array((score >= self.threshold).astype(np.int64)),
            "event_date": date_array(day, n),
        }
        return pa.table(
            {f.name: cols[f.name] for f in self.predictions_schema}, schema=self.predictions_schema
        )

    def labels_table(
        self, ids: np.ndarray, outcome: np.ndarray, scored: dt.date, arrival: dt.date, time_of_day: np.ndarray
    ) -> pa.Table:
        """Return the label rows that arrive on ``arrival`` for entities scored on ``scored``."""
        n = len(ids)
        cols = {
            self.id_column: pa.array(ids),
            self.label_column: pa.array(outcome),
            "scored_date": date_array(scored, n),
            "labeled_at": timestamp_array(day_start_us(arrival) + time_of_day),
            "event_date": date_array(arrival, n),
        }
        return pa.table(cols, schema=self.labels_schema)

    def training_table(self, batch: Batch, outcome: np.ndarray, day: dt.date) -> pa.Table:
        """Return training rows: features, protected attributes and the outcome."""
        n = len(batch.ids)
        cols = {**batch.columns, self.label_column: pa.array(outcome), "event_date": date_array(day, n)}
        return pa.table({f.name: cols[f.name] for f in self.training_schema}, schema=self.training_schema)


def _draw_leads(rng: np.random.Generator, n: int, day: dt.date, first_row: int, offset: int | None) -> Batch:
    return leads_batch(
        rng,
        n,
        day=day,
        first_row=first_row,
        creep_days=max(offset or 0, 0),
        drifted=offset is not None and offset >= co.DRIFT_OFFSET,
    )


def _draw_loans(rng: np.random.Generator, n: int, day: dt.date, first_row: int, offset: int | None) -> Batch:
    low, high = co.UNFAIR_OFFSETS
    return loans_batch(
        rng, n, day=day, first_row=first_row, unfair=offset is not None and low <= offset <= high
    )


LEAD_SCORING = Flow(
    model="lead_scoring",
    raw="leads",
    predictions="lead_scoring_predictions",
    labels="lead_scoring_labels",
    training="lead_scoring_training",
    stream=co.LEAD_STREAM,
    id_column="lead_id",
    time_column="created_at",
    label_column="converted",
    features=LEAD_FEATURES,
    protected=(),
    version=co.LEAD_SCORING_VERSION,
    threshold=co.LEAD_SCORING_THRESHOLD,
    delay_days=co.LEAD_LABEL_DELAY_DAYS,
    draw=_draw_leads,
)
CREDIT_RISK = Flow(
    model="credit_risk",
    raw="loan_applications",
    predictions="credit_risk_predictions",
    labels="credit_risk_labels",
    training="credit_risk_training",
    stream=co.LOAN_STREAM,
    id_column="application_id",
    time_column="applied_at",
    label_column="defaulted",
    features=CREDIT_FEATURES,
    protected=("sex", "age_band"),
    version=co.CREDIT_RISK_VERSION,
    threshold=co.CREDIT_RISK_THRESHOLD,
    delay_days=co.LOAN_LABEL_DELAY_DAYS,
    draw=_draw_loans,
)
FLOWS = (LEAD_SCORING, CREDIT_RISK)
