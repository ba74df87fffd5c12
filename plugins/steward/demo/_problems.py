"""The problems injected into the demo data on known days, with the effect each should have."""

from __future__ import annotations

import datetime as dt
from dataclasses import asdict, dataclass
from typing import Any

from steward.demo import _company as co

__all__ = ["INJECTED_PROBLEMS", "InjectedProblem", "injected_problems"]


@dataclass(frozen=True)
class InjectedProblem:
    """A problem planted in the demo data, and what Steward is expected to make of it.

    Attributes
    ----------
    dataset
        Registry name of the dataset whose partitions carry the problem.
    day, last_day
        First and last partition date affected (inclusive).
    kind
        ``nulls``, ``out_of_range``, ``drift``, ``creep``, ``performance_decay`` or ``unfair_segment``.
    column
        The column affected, if one.
    detail
        What was done to the data.
    expected_effect
        What the pipelines should report.
    """

    dataset: str
    day: dt.date
    last_day: dt.date
    kind: str
    column: str | None
    detail: str
    expected_effect: str

    def covers(self, day: dt.date) -> bool:
        """Return whether partition ``day`` carries the problem."""
        return self.day <= day <= self.last_day

    def to_dict(self) -> dict[str, Any]:
        """Return a JSON-ready mapping (dates as ISO strings)."""
        out = asdict(self)
        out["day"] = self.day.isoformat()
        out["last_day"] = self.last_day.isoformat()
        return out


def injected_problems(
    start: dt.date = co.DEMO_START, days: int = co.DEMO_DAYS
) -> tuple[InjectedProblem, ...]:
    """Return the problems injected into a window of ``days`` days from ``start``.

    A problem scheduled after the window's last day is left out; one that starts inside the
    window but would end after it is cut at the last day.

    Parameters
    ----------
    start
        First day of the window.
    days
        Number of days in the window.

    Returns
    -------
    tuple of InjectedProblem
        In schedule order.

    Examples
    --------
    >>> [p.kind for p in injected_problems(days=4)]
    ['creep', 'creep', 'nulls']
    """
    last = start + dt.timedelta(days=days - 1)

    def at(offset: int) -> dt.date:
        return start + dt.timedelta(days=offset)

    threshold = co.LEAD_SCORING_THRESHOLD
    planned = [
        InjectedProblem(
            "leads",
            start,
            last,
            "creep",
            "pages_viewed",
            f"mean pages viewed grows {co.CREEP_PER_DAY:.1%} of its baseline a day (about 1.3 pages "
            "over 14 days), too little to see day to day",
            "no expectation fails; a control chart (CUSUM/EWMA) on the daily mean signals a sustained shift "
            "in the second week; drift against the training snapshot grows slowly",
        ),
        InjectedProblem(
            "lead_scoring_predictions",
            start,
            last,
            "creep",
            "pages_viewed",
            "the prediction log logs the same leads' features, so it carries the same creep",
            "a control chart on the daily mean of pages_viewed signals in the second week",
        ),
        InjectedProblem(
            "leads",
            at(co.NULLS_OFFSET),
            at(co.NULLS_OFFSET),
            "nulls",
            "form_score",
            f"{co.NULLS_SHARE:.0%} of form_score values are null (a broken form-tracking export in "
            "the raw feed; the scoring service was not affected)",
            "the critical not-null expectation on form_score fails: the partition is quarantined",
        ),
        InjectedProblem(
            "loan_applications",
            at(co.OUT_OF_RANGE_OFFSET),
            at(co.OUT_OF_RANGE_OFFSET),
            "out_of_range",
            "debt_to_income",
            "a few debt_to_income values (0.2% of rows, at least 5) are between 3.5 and 9, as when "
            "monthly income is keyed as annual income; the suite allows 0-3",
            "only the warning expectation on debt_to_income fails: the run is not failed",
        ),
        InjectedProblem(
            "leads",
            at(co.DRIFT_OFFSET),
            last,
            "drift",
            "time_on_site_s",
            "a new web tracker also counts time in background tabs: time_on_site_s jumps to about 4x "
            "its former mean and stops reflecting engagement",
            "drift tests (PSI, KS) on time_on_site_s flag the partition against the training snapshot "
            "from this day on",
        ),
        InjectedProblem(
            "lead_scoring_predictions",
            at(co.DRIFT_OFFSET),
            last,
            "drift",
            "time_on_site_s",
            "the scored leads carry the drifted time_on_site_s, so the scores rise (mean score and the "
            f"share above the {threshold} threshold go up)",
            "feature drift on time_on_site_s and prediction drift on score from this day on",
        ),
        InjectedProblem(
            "lead_scoring_predictions",
            at(co.DRIFT_OFFSET),
            last,
            "performance_decay",
            "score",
            "the conversion relationship changes too (social and referral leads convert more, paid "
            "search less), and the score no longer sees true engagement",
            "AUC against lead_scoring_labels falls from about 0.83 to about 0.7 for leads scored from "
            "this day, visible once their labels arrive (2 to 9 days later); converted leads per lead in "
            "business_outcomes fall (a quarter fewer conversions once every cohort is post-drift)",
        ),
        InjectedProblem(
            "credit_risk_predictions",
            at(co.UNFAIR_OFFSETS[0]),
            at(co.UNFAIR_OFFSETS[1]),
            "unfair_segment",
            "score",
            f"applicants with age_band '{co.UNFAIR_AGE_BAND}' get inflated default scores (log-odds "
            "+1.2) at equal true risk: more of them are declined",
            f"the decline-rate disparity for age_band (selection rate of '{co.UNFAIR_AGE_BAND}' vs the "
            "others) exceeds the fairness tolerance on these days only; their defaults do not rise",
        ),
    ]
    kept = []
    for p in planned:
        if p.day > last:
            continue
        kept.append(p if p.last_day <= last else InjectedProblem(**{**asdict(p), "last_day": last}))
    return tuple(sorted(kept, key=lambda p: (p.day, p.dataset, p.kind)))


#: The problems in the default window (``DEMO_START``, ``DEMO_DAYS``).
INJECTED_PROBLEMS: tuple[InjectedProblem, ...] = injected_problems()
