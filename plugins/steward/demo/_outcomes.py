"""Daily business outcomes per business unit: what finance's ROI review reads.

Counts scale with ``rows_per_day`` so that they agree in expectation with the leads and loan
application data (not row for row): every lead received is one row of ``leads``, every
application one row of ``loan_applications``. Marketing's conversions fall after the lead-scoring
drift (worse prioritisation), and lending approves fewer applications on the unfair-segment days.
"""

from __future__ import annotations

import datetime as dt

import numpy as np
import pyarrow as pa

from steward.demo import _company as co

__all__ = ["OUTCOMES_SCHEMA", "outcomes_rows"]

OUTCOMES_SCHEMA = pa.schema(
    [
        ("event_date", pa.date32()),
        ("business_unit", pa.string()),
        ("leads_received", pa.int64()),
        ("leads_converted", pa.int64()),
        ("marketing_spend_usd", pa.float64()),
        ("applications_received", pa.int64()),
        ("applications_approved", pa.int64()),
        ("loans_issued", pa.int64()),
        ("loan_volume_usd", pa.float64()),
        ("defaults_observed", pa.int64()),
        ("revenue_usd", pa.float64()),
    ]
)

_CONVERSION_RATE = 0.145
_CONVERSION_DROP = 0.25
_SPEND_PER_LEAD_USD = 38.0
_REVENUE_PER_CONVERSION_USD = 1_250.0
_DECLINE_RATE = 0.114
_DECLINE_RATE_UNFAIR = 0.164
_TAKE_UP = 0.72
_MEAN_LOAN_USD = 14_500.0
_DEFAULT_RATE = 0.076
_FEE_AND_INTEREST_SHARE = 0.035


def outcomes_rows(rng: np.random.Generator, day: dt.date, *, offset: int, rows_per_day: int) -> pa.Table:
    """Return the day's outcome rows, one per business unit.

    Parameters
    ----------
    rng
        The day's generator.
    day
        The day.
    offset
        Days since the window start (drives the drift and unfair-segment effects).
    rows_per_day
        Leads and applications received a day.

    Returns
    -------
    pyarrow.Table
        Two rows (marketing, lending) in :data:`OUTCOMES_SCHEMA`; counts that do not apply to a
        unit are 0.
    """
    low, high = co.LEAD_LABEL_DELAY_DAYS
    # Conversions on a day come from leads 2-9 days old: the share of those cohorts scored after
    # the drift day sets how much of the drop shows.
    drifted_share = np.mean([offset - d >= co.DRIFT_OFFSET for d in range(low, high + 1)])
    rate = _CONVERSION_RATE * (1.0 - _CONVERSION_DROP * drifted_share)
    weekend = day.weekday() >= 5
    leads = rows_per_day
    converted = int(rng.binomial(leads, rate))
    spend = round(leads * _SPEND_PER_LEAD_USD * (0.6 if weekend else 1.0) * rng.normal(1.0, 0.04), 2)
    unfair = co.UNFAIR_OFFSETS[0] <= offset <= co.UNFAIR_OFFSETS[1]
    applications = rows_per_day
    approved = int(rng.binomial(applications, 1.0 - (_DECLINE_RATE_UNFAIR if unfair else _DECLINE_RATE)))
    issued = int(rng.binomial(approved, _TAKE_UP))
    volume = round(issued * _MEAN_LOAN_USD * rng.normal(1.0, 0.03), 2)
    defaults = int(rng.binomial(issued, _DEFAULT_RATE / 8))
    return pa.table(
        {
            "event_date": pa.array([day, day], pa.date32()),
            "business_unit": ["marketing", "lending"],
            "leads_received": [leads, 0],
            "leads_converted": [converted, 0],
            "marketing_spend_usd": [spend, 0.0],
            "applications_received": [0, applications],
            "applications_approved": [0, approved],
            "loans_issued": [0, issued],
            "loan_volume_usd": [0.0, volume],
            "defaults_observed": [0, defaults],
            "revenue_usd": [
                round(converted * _REVENUE_PER_CONVERSION_USD, 2),
                round(volume * _FEE_AND_INTEREST_SHARE, 2),
            ],
        },
        schema=OUTCOMES_SCHEMA,
    )
