"""Fairness metrics, intervals, tests and verdicts: arithmetic on group counts only.

Definitions follow Fairlearn and AIF360 with "favourable" as the positive class:

- selection rate ``P(yhat = fav)``; base rate ``P(y = fav)`` among labelled rows;
  TPR ``P(yhat = fav | y = fav)``; FPR ``P(yhat = fav | y = unfav)``; FNR, TNR, precision, accuracy.
- Against the reference group ``r`` (AIF360, group ``g`` = "unprivileged"):
  ``statistical_parity_difference = sel_g - sel_r``; ``disparate_impact_ratio = sel_g / sel_r``;
  ``equal_opportunity_difference = TPR_g - TPR_r``; ``false_positive_rate_difference = FPR_g - FPR_r``;
  ``average_odds_difference = ((FPR_g - FPR_r) + (TPR_g - TPR_r)) / 2``;
  ``equalized_odds_difference = max(|TPR_g - TPR_r|, |FPR_g - FPR_r|)``.
- Between groups (Fairlearn, ``group_value = '*'``): ``demographic_parity_difference`` (max - min of
  selection rates), ``demographic_parity_ratio`` (min / max), ``equalized_odds_difference`` (the larger
  of the TPR and FPR max - min), ``equalized_odds_ratio`` (the smaller of the TPR and FPR min / max).

Uncertainty: Wilson intervals for rates; Newcombe (method 10) for differences; Katz log intervals
for ratios; MOVER for the average odds difference; for equalized odds, the two Newcombe intervals at
level ``1 - (1 - c) / 2`` each (Bonferroni, so both hold together with probability >= c) mapped
through ``max(|.|, |.|)``, and the p-value of "TPR and FPR both equal" by Sidak combination of the two
independent tests. P-values of differences: Fisher's exact test on the 2x2 counts (chi-square once
every expected cell reaches 1000). Holm or Benjamini-Hochberg across the judged tests of the night.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Sequence
from dataclasses import dataclass, field
from typing import Any

import numpy as np

from steward.fairness._between import between_rows
from steward.fairness._counts import ALL, CalibrationBin, WindowCounts
from steward.fairness._disparities import DIFFERENCE_METRICS, reference_rows
from steward.fairness._rates import RATE_METRICS, rate_rows
from steward.fairness._rows import Judgement, MetricRow
from steward.fairness._stats import wilson_interval
from steward.fairness._verdicts import Shortfall, judge, shortfalls
from steward.registry import Model

__all__ = [
    "DIFFERENCE_METRICS",
    "RATE_METRICS",
    "FairnessResult",
    "Judgement",
    "compute_fairness",
]


@dataclass
class FairnessResult:
    """One model x window: metric rows (``fairness_metrics``), counts, calibration bins and breaches.

    Attributes
    ----------
    rows
        Dicts with the columns of ``fairness_metrics`` (without ``computed_at``, set when written).
    counts
        Dicts with the columns of ``fairness_group_counts``.
    calibration
        Dicts with the columns of ``fairness_calibration``.
    breaches
        One readable line per breached (attribute, group, metric).
    versions
        ``window_date``, ``version``, ``n``, ``last`` per model version of the window, when the counts
        pass counted them (see :func:`steward.fairness.evaluate_windows`); else empty.
    shortfalls
        The judged comparisons not demonstrated within tolerance (too little data, or an interval
        reaching beyond it on a judged side): what the high-risk gate asks for (not stored).
    """

    model: str
    window: dt.date
    run_id: str
    judgement: Judgement
    rows: list[dict[str, Any]] = field(default_factory=list)
    counts: list[dict[str, Any]] = field(default_factory=list)
    calibration: list[dict[str, Any]] = field(default_factory=list)
    breaches: list[str] = field(default_factory=list)
    note: str = ""
    versions: list[dict[str, Any]] = field(default_factory=list)
    shortfalls: list[Shortfall] = field(default_factory=list)

    @property
    def breach(self) -> bool:
        """Whether any judged disparity breached (significant and beyond tolerance)."""
        return bool(self.breaches)

    def status_counts(self) -> dict[str, int]:
        """Return how many disparity rows have each status."""
        out: dict[str, int] = {}
        for r in self.rows:
            if r["metric"] in DIFFERENCE_METRICS:
                out[r["status"]] = out.get(r["status"], 0) + 1
        return out

    def summary(self) -> str:
        """Return a one-paragraph, human-readable summary (for logs, the CLI and asset metadata)."""
        head = f"fairness of {self.model!r} on {self.window}: "
        if self.note and not self.rows:
            return head + self.note
        counts = ", ".join(f"{v} {k}" for k, v in sorted(self.status_counts().items()))
        j = self.judgement
        text = (
            f"{head}{'BREACH' if self.breach else 'no breach'} "
            f"({counts}; tolerance {j.tolerance:g}, {j.correction} alpha {j.alpha:g})"
        )
        if self.breaches:
            text += "\n  " + "\n  ".join(self.breaches)
        return text


# ---------------------------------------------------------------- main
def compute_fairness(
    counts: WindowCounts,
    model: Model,
    *,
    window: dt.date,
    run_id: str,
    judgement: Judgement | None = None,
) -> FairnessResult:
    """Compute every rate, disparity, interval, test and verdict of one window from its counts.

    Parameters
    ----------
    counts
        The window's group counts (see :func:`steward.fairness.count_groups`).
    model
        The registered model (policy, tolerance, minimum group size).
    window
        The window's date (the partition of ``fairness_metrics``).
    run_id
        The run that computes it (stored with each row).
    judgement
        Settings to judge with; default the model's monitoring settings.

    Returns
    -------
    FairnessResult

    Examples
    --------
    >>> result = compute_fairness(counts, model, window=day, run_id="r1")  # doctest: +SKIP
    >>> result.breach, result.breaches[:1]  # doctest: +SKIP
    (True, ["age_band='18-25' vs '36-45': statistical_parity_difference -0.21 ..."])
    """
    j = judgement or Judgement.for_model(model)
    result = FairnessResult(model=model.name, window=window, run_id=run_id, judgement=j)
    _count_rows(result, counts)
    _calibration_rows(result, counts)
    rows, breaches = judge(metric_rows(counts, model, j), j)
    result.rows.extend(r.as_dict(model=model.name, window=window, run_id=run_id) for r in rows)
    result.breaches.extend(breaches)
    result.shortfalls.extend(shortfalls(rows, j))
    result.versions.extend(
        {"window_date": window, "version": v.version, "n": v.n, "last": v.last} for v in counts.versions
    )
    return result


def metric_rows(counts: WindowCounts, model: Model, j: Judgement) -> list[MetricRow]:
    """Return every rate, disparity and between-group row of one window, disparities not yet judged."""
    rows: list[MetricRow] = []
    overall = counts.for_attribute(ALL)
    if overall:
        rows += rate_rows(ALL, overall, j)
    for attribute in counts.attributes:
        groups = counts.for_attribute(attribute)
        if not groups:
            continue
        rows += rate_rows(attribute, groups, j)
        if len(groups) == 1:
            rows += [
                MetricRow(
                    attribute=attribute,
                    group_value=ALL,
                    reference_group=None,
                    metric=metric,
                    n=groups[0].n,
                    n_labelled=groups[0].n_labelled,
                    denominator=None,
                    status="single_group",
                    note=f"only group {groups[0].group_value!r} is present: nothing to compare",
                )
                for metric in ("demographic_parity_difference", "equalized_odds_difference")
            ]
            continue
        rows += reference_rows(attribute, groups, model, j)
        rows += between_rows(attribute, groups, j)
    return rows


def _count_rows(result: FairnessResult, counts: WindowCounts) -> None:
    for g in counts.groups:
        result.counts.append(
            {
                "model": result.model,
                "window_date": result.window,
                "attribute": g.attribute,
                "group_value": g.group_value,
                "n": g.n,
                "n_labelled": g.n_labelled,
                "predicted_favourable": g.predicted_favourable,
                "label_favourable": g.label_favourable,
                "tp": g.tp,
                "fp": g.fp,
                "tn": g.tn,
                "fn": g.fn,
                "n_scored": g.n_scored,
                "score_sum": g.score_sum,
                "run_id": result.run_id,
            }
        )


def _calibration_rows(result: FairnessResult, counts: WindowCounts) -> None:
    bins: Sequence[CalibrationBin] = counts.calibration
    if not bins:
        return
    x = np.array([b.label_one for b in bins])
    n = np.array([b.n_labelled for b in bins])
    low, high = wilson_interval(x, n, confidence=result.judgement.confidence)
    for b, lo, hi in zip(bins, low, high, strict=True):
        labelled = b.n_labelled > 0
        result.calibration.append(
            {
                "model": result.model,
                "window_date": result.window,
                "attribute": b.attribute,
                "group_value": b.group_value,
                "score_bin": b.score_bin,
                "bin_low": b.score_bin / counts.bins,
                "bin_high": (b.score_bin + 1) / counts.bins,
                "n_scored": b.n_scored,
                "n_labelled": b.n_labelled,
                "mean_score": b.score_sum_labelled / b.n_labelled if labelled else None,
                "observed_rate": b.label_one / b.n_labelled if labelled else None,
                "ci_low": float(lo) if labelled else None,
                "ci_high": float(hi) if labelled else None,
                "run_id": result.run_id,
            }
        )
