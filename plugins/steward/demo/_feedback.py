"""The demo's user feedback: a few reports a day from sales reps and loan officers on predictions.

Each row names the model, the prediction (a lead or application id of the same day's log), the
reported issue, when it was reported and the reporter's work e-mail address: personal data that
the registry does not declare, so the nightly PII scan flags it.
"""

from __future__ import annotations

import datetime as dt

import numpy as np
import pyarrow as pa

from steward.demo._entities import day_start_us, timestamp_array

__all__ = ["FEEDBACK_SCHEMA", "feedback_rows"]

FEEDBACK_SCHEMA = pa.schema(
    [
        ("feedback_id", pa.string()),
        ("model", pa.string()),
        ("prediction_id", pa.string()),
        ("issue", pa.string()),
        ("reported_at", pa.timestamp("us", tz="UTC")),
        ("reporter_email", pa.string()),
        ("event_date", pa.date32()),
    ]
)

_ISSUES = {
    "lead_scoring": (
        "scored cold but the lead booked a demo the same day",
        "scored hot but the company is a competitor",
        "score changed after the visitor came back from a newsletter",
    ),
    "credit_risk": (
        "declined although the applicant has a co-signer",
        "risk looks too high for a first-time applicant aged 18-25",
    ),
}
_REPORTERS = ("maria.lopez", "tom.becker", "aisha.khan", "li.wei", "sam.oconnor", "nina.petrova")


def feedback_rows(rng: np.random.Generator, day: dt.date, *, rows_per_day: int) -> pa.Table:
    """Return the day's feedback: 3 reports on lead scores and 2 on credit decisions.

    Prediction ids point at rows of the same day's prediction logs (``yyyymmdd`` + row number, as
    the logs write them), so the reports join the logs and the review queue.
    """
    models = ["lead_scoring"] * 3 + ["credit_risk"] * 2
    rows = rng.choice(rows_per_day, size=len(models), replace=rows_per_day < len(models))
    base = int(day.strftime("%Y%m%d")) * 100_000_000
    issues = [_ISSUES[m][int(rng.integers(len(_ISSUES[m])))] for m in models]
    reporters = [f"{_REPORTERS[int(rng.integers(len(_REPORTERS)))]}@northwind.example" for _ in models]
    seconds = np.sort(rng.integers(8 * 3600, 18 * 3600, size=len(models)))
    return pa.table(
        {
            "feedback_id": [f"FB-{day:%Y%m%d}-{i}" for i in range(len(models))],
            "model": models,
            "prediction_id": [str(base + int(r)) for r in rows],
            "issue": issues,
            "reported_at": timestamp_array(day_start_us(day) + seconds * 1_000_000),
            "reporter_email": reporters,
            "event_date": pa.array([day] * len(models), pa.date32()),
        },
        schema=FEEDBACK_SCHEMA,
    )
