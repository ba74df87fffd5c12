"""Northwind Lending & Growth: the fictitious company behind the demo.

Everything the generator and the registry must agree on lives here: business units, models,
dataset names and codes, decision thresholds, label delays and the schedule of injected problems
(as day offsets from the start of the window).
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from typing import Literal

COMPANY = "Northwind Lending & Growth"

DEMO_START: dt.date = dt.date(2026, 11, 1)
DEMO_DAYS: int = 14
#: Erasure requests the demo files before its retention nights (identifier kind, subject): a lead that
#: exists (scored and labelled on 2026-11-05, row 17) and one that never did (recorded as unknown).
DEMO_ERASURE_REQUESTS: tuple[tuple[str, str], ...] = (
    ("lead_id", "2026110500000017"),
    ("lead_id", "2026119900000000"),
)

#: Business units that own models; the platform team owns shared infrastructure.
BUSINESS_UNITS = ("marketing", "lending")
PLATFORM_TEAM = "platform"

#: Version of the data layout; part of the manifest so that a layout change regenerates.
FORMAT_VERSION = 1
SNAPSHOT_VERSION = "v1"

# --- models --------------------------------------------------------------------------------------
LEAD_SCORING_VERSION = "2.3.0"
CREDIT_RISK_VERSION = "1.8.2"
#: Decision thresholds: ``predicted_label = score >= threshold``. governance.yaml repeats them.
LEAD_SCORING_THRESHOLD = 0.3
CREDIT_RISK_THRESHOLD = 0.15
#: Label delays in days after scoring, inclusive (lead conversions; early payment defaults).
LEAD_LABEL_DELAY_DAYS = (2, 9)
LOAN_LABEL_DELAY_DAYS = (5, 20)
#: Training snapshots hold this many times ``rows_per_day`` rows, drawn from days
#: ``start - TRAINING_FIRST_DAY_BEFORE`` to ``start - TRAINING_LAST_DAY_BEFORE`` (pre-drift, and
#: older than any scoring day whose labels arrive in the window, so ids never collide).
TRAINING_MULTIPLIER = 5
TRAINING_FIRST_DAY_BEFORE = 90
TRAINING_LAST_DAY_BEFORE = 21

# --- injected problems (day offsets from the window start) ----------------------------------------
NULLS_OFFSET = 3
NULLS_SHARE = 0.08
OUT_OF_RANGE_OFFSET = 5
DRIFT_OFFSET = 7
UNFAIR_OFFSETS = (9, 11)
UNFAIR_AGE_BAND = "18-25"
#: Relative growth of the mean pages viewed per day since the window start.
CREEP_PER_DAY = 0.025

# --- categorical levels ----------------------------------------------------------------------------
CHANNELS = ("organic_search", "paid_search", "social", "email", "referral", "display")
REGIONS = ("northeast", "southeast", "midwest", "southwest", "west")
COMPANY_SIZES = ("1-10", "11-50", "51-200", "201-1000", "1000+")
DEVICES = ("desktop", "mobile", "tablet")
SEXES = ("female", "male", "undisclosed")
AGE_BANDS = ("18-25", "26-35", "36-45", "46-55", "56-65", "66+")
EMPLOYMENT_TYPES = ("salaried", "self_employed", "contractor", "retired", "unemployed")
HOME_OWNERSHIP = ("rent", "mortgage", "own")
LOAN_PURPOSES = ("debt_consolidation", "home_improvement", "business", "auto", "medical", "other")
TERMS_MONTHS = (12, 24, 36, 48, 60)

Kind = Literal["raw", "training", "predictions", "labels", "billing", "outcomes", "other"]


@dataclass(frozen=True)
class DatasetSpec:
    """A dataset the demo writes: registry name, seed code, kind and cadence."""

    name: str
    code: int
    kind: Kind
    cadence: Literal["daily", "snapshot"] = "daily"


DATASETS: tuple[DatasetSpec, ...] = (
    DatasetSpec("leads", 1, "raw"),
    DatasetSpec("loan_applications", 2, "raw"),
    DatasetSpec("lead_scoring_training", 3, "training", "snapshot"),
    DatasetSpec("credit_risk_training", 4, "training", "snapshot"),
    DatasetSpec("lead_scoring_predictions", 5, "predictions"),
    DatasetSpec("credit_risk_predictions", 6, "predictions"),
    DatasetSpec("lead_scoring_labels", 7, "labels"),
    DatasetSpec("credit_risk_labels", 8, "labels"),
    DatasetSpec("billing_aws", 9, "billing"),
    DatasetSpec("billing_gcp", 10, "billing"),
    DatasetSpec("business_outcomes", 11, "outcomes"),
    DatasetSpec("user_feedback", 12, "other"),
)
DATASET_NAMES: tuple[str, ...] = tuple(d.name for d in DATASETS)
#: Seed codes of the entity streams shared by a raw dataset, its predictions and its labels.
LEAD_STREAM = 101
LOAN_STREAM = 102


def spec(name: str) -> DatasetSpec:
    """Return the spec of dataset ``name``."""
    for d in DATASETS:
        if d.name == name:
            return d
    raise KeyError(name)
