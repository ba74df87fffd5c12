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
from scipy import special

from steward.fairness._counts import ALL, CalibrationBin, GroupCounts, WindowCounts
from steward.fairness._stats import (
    holm,
    katz_ratio_interval,
    min_detectable_gap,
    mover_mean_interval,
    newcombe_interval,
    sidak_combine,
    two_proportion_test,
    wilson_interval,
)
from steward.registry import Model
from steward.reports import format_p

__all__ = [
    "DIFFERENCE_METRICS",
    "RATE_METRICS",
    "FairnessResult",
    "Judgement",
    "compute_fairness",
]

#: Group rates: metric -> (numerator, denominator, what an empty denominator means).
RATE_METRICS: dict[str, tuple[str, str, str]] = {
    "selection_rate": ("predicted_favourable", "n", "no rows"),
    "base_rate": ("label_favourable", "n_labelled", "no labelled rows"),
    "true_positive_rate": ("tp", "positives", "no labelled rows with a favourable true outcome"),
    "false_positive_rate": ("fp", "negatives", "no labelled rows with an unfavourable true outcome"),
    "false_negative_rate": ("fn", "positives", "no labelled rows with a favourable true outcome"),
    "true_negative_rate": ("tn", "negatives", "no labelled rows with an unfavourable true outcome"),
    "precision": ("tp", "predicted_labelled", "no labelled rows with a favourable prediction"),
    "accuracy": ("correct", "n_labelled", "no labelled rows"),
}

#: Disparities against the reference group: metric -> the test (hypothesis) it is judged by.
DIFFERENCE_METRICS: dict[str, str] = {
    "statistical_parity_difference": "selection",
    "disparate_impact_ratio": "selection",
    "equal_opportunity_difference": "tpr",
    "false_positive_rate_difference": "fpr",
    "equalized_odds_difference": "odds",
    "average_odds_difference": "average_odds",
}


def _value(g: GroupCounts, name: str) -> int:
    if name == "positives":
        return g.positives
    if name == "negatives":
        return g.negatives
    if name == "predicted_labelled":
        return g.tp + g.fp
    if name == "correct":
        return g.tp + g.tn
    return int(getattr(g, name))


@dataclass(frozen=True)
class Judgement:
    """The settings a set of counts is judged with (the monitoring policy, or a stricter gate)."""

    alpha: float
    tolerance: float
    four_fifths: float
    min_group_size: int
    confidence: float
    correction: str
    power: float
    metrics: tuple[str, ...]
    direction: str = "both"

    @classmethod
    def for_model(cls, model: Model, *, strict: bool = False) -> Judgement:
        """Return the model's monitoring settings, or (``strict``) its high-risk gate settings."""
        p = model.fairness
        tolerance = model.thresholds.fairness_tolerance
        alpha = p.alpha
        four_fifths = p.four_fifths
        if strict:
            tolerance *= p.high_risk_tolerance_factor
            alpha = max(alpha, p.high_risk_alpha)
            # the ratio band narrows like the difference tolerance: 0.8 -> 0.9 for factor 0.5
            four_fifths = 1 - (1 - four_fifths) * p.high_risk_tolerance_factor
        return cls(
            alpha=alpha,
            tolerance=tolerance,
            four_fifths=four_fifths,
            min_group_size=model.thresholds.min_group_size,
            confidence=p.confidence,
            correction=p.correction,
            power=p.power,
            metrics=tuple(p.metrics),
            direction=p.direction,
        )


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


# ---------------------------------------------------------------- helpers
def _row(
    result: FairnessResult,
    *,
    attribute: str,
    group_value: str,
    reference_group: str | None,
    metric: str,
    n: int | None,
    n_labelled: int | None,
    denominator: int | None,
    reference_n: int | None = None,
    value: float | None = None,
    ci: tuple[float, float] | None = None,
    p_value: float | None = None,
    test: str | None = None,
    tolerance: float | None = None,
    mdg: float | None = None,
    status: str = "info",
    note: str = "",
) -> dict[str, Any]:
    def clean(v: float | None) -> float | None:
        return None if v is None or not np.isfinite(v) else float(v)

    row = {
        "model": result.model,
        "window_date": result.window,
        "attribute": attribute,
        "group_value": group_value,
        "reference_group": reference_group,
        "metric": metric,
        "value": clean(value),
        "ci_low": clean(ci[0]) if ci else None,
        "ci_high": clean(ci[1]) if ci else None,
        "p_value": clean(p_value),
        "p_adjusted": None,
        "test": test,
        "n": n,
        "n_labelled": n_labelled,
        "denominator": denominator,
        "reference_n": reference_n,
        "tolerance": tolerance,
        "min_detectable_gap": clean(mdg),
        "status": status,
        "note": note,
        "run_id": result.run_id,
    }
    result.rows.append(row)
    return row


def _rate(x: int, n: int) -> float:
    return x / n if n > 0 else float("nan")


def _pick_reference(groups: list[GroupCounts], attribute: str, model: Model) -> tuple[GroupCounts, str]:
    """Return the configured reference group, else the largest (ties: alphabetical), and a note."""
    wanted = _configured_reference(attribute, model)
    largest = groups[0]
    if wanted is None:
        return largest, f"reference: largest group {largest.group_value!r}"
    for g in groups:
        if g.group_value == wanted:
            return g, f"reference: configured group {wanted!r}"
    return largest, (
        f"configured reference group {wanted!r} is absent from this window: "
        f"compared with the largest group {largest.group_value!r}"
    )


def _configured_reference(attribute: str, model: Model) -> str | None:
    refs = model.fairness.reference_groups
    parts = attribute.split("*")
    if all(p in refs for p in parts):
        return "*".join(refs[p] for p in parts)
    return None


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
    overall = counts.for_attribute(ALL)
    if overall:
        _rate_rows(result, ALL, overall, j)
    for attribute in counts.attributes:
        groups = counts.for_attribute(attribute)
        if not groups:
            continue
        _rate_rows(result, attribute, groups, j)
        if len(groups) == 1:
            for metric in ("demographic_parity_difference", "equalized_odds_difference"):
                _row(
                    result,
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
            continue
        _reference_rows(result, attribute, groups, model, j)
        _between_rows(result, attribute, groups, j)
    _adjust_and_judge(result, j)
    return result


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


def _rate_rows(result: FairnessResult, attribute: str, groups: list[GroupCounts], j: Judgement) -> None:
    total = sum(g.n for g in groups)
    for g in groups:
        share = g.n / total if total else float("nan")
        _row(
            result,
            attribute=attribute,
            group_value=g.group_value,
            reference_group=None,
            metric="group_size",
            n=g.n,
            n_labelled=g.n_labelled,
            denominator=total,
            value=float(g.n),
            status="insufficient_data" if g.n < j.min_group_size else "info",
            note=f"{share:.1%} of rows"
            + (f"; below the minimum group size {j.min_group_size}" if g.n < j.min_group_size else ""),
        )
    for metric, (num, den, empty) in RATE_METRICS.items():
        x = np.array([_value(g, num) for g in groups])
        n = np.array([_value(g, den) for g in groups])
        low, high = wilson_interval(x, n, confidence=j.confidence)
        for g, xi, ni, lo, hi in zip(groups, x, n, low, high, strict=True):
            if ni == 0:
                status, note = "undefined", f"{metric} undefined: {empty}"
            elif ni < j.min_group_size:
                status, note = "insufficient_data", f"{ni} rows in the denominator, below {j.min_group_size}"
            else:
                status, note = "info", ""
            _row(
                result,
                attribute=attribute,
                group_value=g.group_value,
                reference_group=None,
                metric=metric,
                n=g.n,
                n_labelled=g.n_labelled,
                denominator=int(ni),
                value=_rate(int(xi), int(ni)),
                ci=(float(lo), float(hi)),
                status=status,
                note=note,
            )


def _abs_interval(low: float, high: float) -> tuple[float, float]:
    """Interval of |d| from an interval of d."""
    if low <= 0 <= high:
        return 0.0, max(-low, high)
    return min(abs(low), abs(high)), max(abs(low), abs(high))


def _reference_rows(
    result: FairnessResult, attribute: str, groups: list[GroupCounts], model: Model, j: Judgement
) -> None:
    ref, ref_note = _pick_reference(groups, attribute, model)
    c = j.confidence
    c_pair = 1 - (1 - c) / 2  # Bonferroni: both odds intervals hold together with probability >= c
    for g in groups:
        if g is ref:
            continue
        base = {
            "attribute": attribute,
            "group_value": g.group_value,
            "reference_group": ref.group_value,
            "n": g.n,
            "n_labelled": g.n_labelled,
        }
        sel = _diff(g.predicted_favourable, g.n, ref.predicted_favourable, ref.n, c)
        tpr = _diff(g.tp, g.positives, ref.tp, ref.positives, c)
        fpr = _diff(g.fp, g.negatives, ref.fp, ref.negatives, c)
        tpr2 = _diff(g.tp, g.positives, ref.tp, ref.positives, c_pair)
        fpr2 = _diff(g.fp, g.negatives, ref.fp, ref.negatives, c_pair)
        tol = j.tolerance

        # selection: statistical parity difference and disparate impact
        check = _eligibility(
            [(g.n, ref.n, "rows")], j, rate=_rate(ref.predicted_favourable, ref.n), ref_note=ref_note
        )
        _comparison(result, base, "statistical_parity_difference", sel, check, tol, ref.n, g.n)
        ratio, rlo, rhi = katz_ratio_interval(
            [g.predicted_favourable], [g.n], [ref.predicted_favourable], [ref.n], confidence=c
        )
        if check.status is None and ref.predicted_favourable == 0:
            check = _Check(
                "undefined",
                "disparate impact undefined: the reference group has no favourable predictions",
                None,
            )
        _comparison(
            result,
            base,
            "disparate_impact_ratio",
            _Diff(float(ratio[0]), float(rlo[0]), float(rhi[0]), sel.p, sel.test),
            check,
            j.four_fifths,
            ref.n,
            g.n,
        )
        # true positive rate: equal opportunity
        check_t = _eligibility(
            [(g.positives, ref.positives, "labelled rows with a favourable true outcome")],
            j,
            rate=_rate(ref.tp, ref.positives),
            ref_note=ref_note,
        )
        _comparison(
            result, base, "equal_opportunity_difference", tpr, check_t, tol, ref.positives, g.positives
        )
        check_f = _eligibility(
            [(g.negatives, ref.negatives, "labelled rows with an unfavourable true outcome")],
            j,
            rate=_rate(ref.fp, ref.negatives),
            ref_note=ref_note,
        )
        _comparison(
            result, base, "false_positive_rate_difference", fpr, check_f, tol, ref.negatives, g.negatives
        )
        # both: equalized odds and average odds
        check_o = _worst(check_t, check_f)
        t_abs = _abs_interval(tpr2.low, tpr2.high)
        f_abs = _abs_interval(fpr2.low, fpr2.high)
        eo = _Diff(
            max(abs(tpr.value), abs(fpr.value)),
            max(t_abs[0], f_abs[0]),
            max(t_abs[1], f_abs[1]),
            float(sidak_combine([tpr.p], [fpr.p])[0]),
            f"sidak({tpr.test},{fpr.test})",
            tpr.value if abs(tpr.value) >= abs(fpr.value) else fpr.value,
        )
        _comparison(
            result,
            base,
            "equalized_odds_difference",
            eo,
            check_o,
            tol,
            min(ref.positives, ref.negatives),
            min(g.positives, g.negatives),
        )
        lo, hi = mover_mean_interval([fpr.value], [fpr.low], [fpr.high], [tpr.value], [tpr.low], [tpr.high])
        aod_value = (fpr.value + tpr.value) / 2
        _comparison(
            result,
            base,
            "average_odds_difference",
            _Diff(aod_value, float(lo[0]), float(hi[0]), _aod_p(g, ref), "z_pooled"),
            check_o,
            tol,
            min(ref.positives, ref.negatives),
            min(g.positives, g.negatives),
        )


@dataclass(frozen=True)
class _Diff:
    value: float
    low: float
    high: float
    p: float
    test: str
    signed: float | None = None  # direction of an unsigned gap (equalized odds): its larger component


@dataclass(frozen=True)
class _Check:
    status: str | None  # None: eligible for a verdict
    note: str
    mdg: float | None


def _diff(x1: int, n1: int, x2: int, n2: int, confidence: float) -> _Diff:
    low, high = newcombe_interval([x1], [n1], [x2], [n2], confidence=confidence)
    p, tests = two_proportion_test([x1], [n1], [x2], [n2])
    return _Diff(_rate(x1, n1) - _rate(x2, n2), float(low[0]), float(high[0]), float(p[0]), tests[0])


def _aod_p(g: GroupCounts, ref: GroupCounts) -> float:
    """Two-sided z-test of average odds difference = 0 with pooled variances under the null."""
    d = 0.0
    var = 0.0
    for x1, n1, x2, n2 in (
        (g.fp, g.negatives, ref.fp, ref.negatives),
        (g.tp, g.positives, ref.tp, ref.positives),
    ):
        if min(n1, n2) == 0:
            return float("nan")
        pooled = (x1 + x2) / (n1 + n2)
        d += x1 / n1 - x2 / n2
        var += pooled * (1 - pooled) * (1 / n1 + 1 / n2)
    if var == 0:
        return 1.0 if d == 0 else 0.0
    return float(2 * special.ndtr(-abs(d) / np.sqrt(var)))


def _eligibility(sizes: list[tuple[int, int, str]], j: Judgement, *, rate: float, ref_note: str) -> _Check:
    for n_g, n_r, what in sizes:
        if n_g == 0 or n_r == 0:
            side = "the group" if n_g == 0 else "the reference group"
            return _Check("undefined", f"undefined: {side} has no {what}; {ref_note}", None)
    for n_g, n_r, what in sizes:
        if min(n_g, n_r) < j.min_group_size:
            mdg = float(min_detectable_gap([n_g], [n_r], [rate], alpha=j.alpha, power=j.power)[0])
            return _Check(
                "insufficient_data",
                f"{min(n_g, n_r)} {what} (minimum {j.min_group_size}): at this size only gaps above "
                f"{mdg:.3f} could be detected (power {j.power:g}); {ref_note}",
                mdg,
            )
    return _Check(None, ref_note, None)


def _worst(a: _Check, b: _Check) -> _Check:
    for status in ("undefined", "insufficient_data"):
        for c in (a, b):
            if c.status == status:
                return c
    return a


def _comparison(
    result: FairnessResult,
    base: dict[str, Any],
    metric: str,
    d: _Diff,
    check: _Check,
    tolerance: float,
    reference_n: int,
    denominator: int,
) -> None:
    judged = metric in result.judgement.metrics
    if check.status is not None:
        _row(
            result,
            **base,
            metric=metric,
            denominator=denominator,
            reference_n=reference_n,
            value=d.value if check.status != "undefined" else None,
            ci=(d.low, d.high) if check.status != "undefined" else None,
            tolerance=tolerance,
            mdg=check.mdg,
            status=check.status,
            note=check.note,
        )
        return
    row = _row(
        result,
        **base,
        metric=metric,
        denominator=denominator,
        reference_n=reference_n,
        value=d.value,
        ci=(d.low, d.high),
        p_value=d.p,
        test=d.test,
        tolerance=tolerance,
        status="pending" if judged else "info",
        note=check.note,
    )
    row["_family"] = (base["attribute"], base["group_value"], DIFFERENCE_METRICS[metric])
    row["_signed"] = d.value if d.signed is None else d.signed


def _between_rows(result: FairnessResult, attribute: str, groups: list[GroupCounts], j: Judgement) -> None:
    """Fairlearn's between-groups summaries over the groups large enough to be judged."""

    def summarise(num: str, den: str) -> tuple[list[GroupCounts], np.ndarray]:
        eligible = [g for g in groups if _value(g, den) >= max(j.min_group_size, 1)]
        rates = np.array([_value(g, num) / _value(g, den) for g in eligible])
        return eligible, rates

    def homogeneity_p(eligible: list[GroupCounts], num: str, den: str) -> float:
        table = np.array([[_value(g, num), _value(g, den) - _value(g, num)] for g in eligible], dtype=float)
        if (table.sum(axis=0) == 0).any():
            return 1.0
        expected = np.outer(table.sum(axis=1), table.sum(axis=0)) / table.sum()
        chi2 = float(((table - expected) ** 2 / expected).sum())
        return float(special.chdtrc(table.shape[0] - 1, chi2))

    common: dict[str, Any] = {
        "attribute": attribute,
        "group_value": ALL,
        "reference_group": None,
        "n": sum(g.n for g in groups),
        "n_labelled": sum(g.n_labelled for g in groups),
    }
    sel_groups, sel = summarise("predicted_favourable", "n")
    if len(sel_groups) < 2:
        for metric in ("demographic_parity_difference", "demographic_parity_ratio"):
            _row(
                result,
                **common,
                metric=metric,
                denominator=None,
                status="insufficient_data",
                note=f"fewer than two groups with at least {j.min_group_size} rows",
            )
    else:
        hi_g, lo_g = sel_groups[int(np.argmax(sel))], sel_groups[int(np.argmin(sel))]
        p = homogeneity_p(sel_groups, "predicted_favourable", "n")
        d = _diff(hi_g.predicted_favourable, hi_g.n, lo_g.predicted_favourable, lo_g.n, j.confidence)
        pair = (
            f"max {hi_g.group_value!r}, min {lo_g.group_value!r} over {len(sel_groups)} groups; "
            "interval of that pair's difference (not adjusted for picking the extremes); "
            "p: chi-square test of equal rates across the groups"
        )
        _row(
            result,
            **common,
            metric="demographic_parity_difference",
            denominator=len(sel_groups),
            value=float(sel.max() - sel.min()),
            ci=(d.low, d.high),
            p_value=p,
            test="chi_square_k",
            note=pair,
        )
        _, rlo, rhi = katz_ratio_interval(
            [lo_g.predicted_favourable],
            [lo_g.n],
            [hi_g.predicted_favourable],
            [hi_g.n],
            confidence=j.confidence,
        )
        _row(
            result,
            **common,
            metric="demographic_parity_ratio",
            denominator=len(sel_groups),
            value=float(sel.min() / sel.max()) if sel.max() > 0 else None,
            ci=(float(rlo[0]), float(rhi[0])),
            p_value=p,
            test="chi_square_k",
            note=pair,
        )
    tpr_groups, tpr = summarise("tp", "positives")
    fpr_groups, fpr = summarise("fp", "negatives")
    if len(tpr_groups) < 2 or len(fpr_groups) < 2:
        for metric in ("equalized_odds_difference", "equalized_odds_ratio"):
            _row(
                result,
                **common,
                metric=metric,
                denominator=None,
                status="insufficient_data",
                note=f"fewer than two groups with at least {j.min_group_size} labelled positives and "
                "negatives",
            )
        return
    c_pair = 1 - (1 - j.confidence) / 2
    ends = []
    for eligible, rates, num, den in (
        (tpr_groups, tpr, "tp", "positives"),
        (fpr_groups, fpr, "fp", "negatives"),
    ):
        a, b = eligible[int(np.argmax(rates))], eligible[int(np.argmin(rates))]
        ends.append(_diff(_value(a, num), _value(a, den), _value(b, num), _value(b, den), c_pair))
    p = float(
        sidak_combine(
            [homogeneity_p(tpr_groups, "tp", "positives")], [homogeneity_p(fpr_groups, "fp", "negatives")]
        )[0]
    )
    note = "larger of the TPR and FPR max - min; interval from the two extreme pairs at Bonferroni level"
    _row(
        result,
        **common,
        metric="equalized_odds_difference",
        denominator=min(len(tpr_groups), len(fpr_groups)),
        value=float(max(tpr.max() - tpr.min(), fpr.max() - fpr.min())),
        ci=(max(e.low for e in ends), max(e.high for e in ends)),
        p_value=p,
        test="sidak(chi_square_k)",
        note=note,
    )
    ratios = [r.min() / r.max() if r.max() > 0 else float("nan") for r in (tpr, fpr)]
    _row(
        result,
        **common,
        metric="equalized_odds_ratio",
        denominator=min(len(tpr_groups), len(fpr_groups)),
        value=float(np.nanmin(ratios)) if not np.all(np.isnan(ratios)) else None,
        p_value=p,
        test="sidak(chi_square_k)",
        note="smaller of the TPR and FPR min / max (no interval)",
    )


def _adjust_and_judge(result: FairnessResult, j: Judgement) -> None:
    pending = [r for r in result.rows if r["status"] == "pending"]
    family: dict[tuple[str, str, str], float] = {}
    for r in pending:
        family.setdefault(r["_family"], r["p_value"] if r["p_value"] is not None else float("nan"))
    keys = list(family)
    p = np.array([family[k] for k in keys], dtype=float)
    if j.correction == "holm":
        _, adjusted = holm(p, alpha=j.alpha)
    else:
        from steward.drift import benjamini_hochberg  # imports scipy.stats: only when asked for

        _, adjusted = benjamini_hochberg(p, alpha=j.alpha)
    adj = dict(zip(keys, adjusted.tolist(), strict=True))
    for r in result.rows:
        key = r.pop("_family", None)
        signed = r.pop("_signed", None)
        if key is None or r["status"] != "pending":
            continue
        q = adj[key]
        r["p_adjusted"] = None if np.isnan(q) else float(q)
        value = r["value"]
        one_sided = j.direction == "disadvantage"
        if r["metric"] == "disparate_impact_ratio":
            low_side = value is not None and value < j.four_fifths
            high_side = value is not None and value > 1 / j.four_fifths
            beyond = low_side or (high_side and not one_sided)
            if beyond:
                band = f"[{j.four_fifths:g}, {1 / j.four_fifths:.3g}]"
                what = f"four-fifths rule fails ({value:.3f} outside {band})"
            elif high_side:
                what = "above the four-fifths band, in the group's favour (judged: disadvantage only)"
            else:
                what = "four-fifths rule holds"
        else:
            large = value is not None and abs(value) > j.tolerance
            favoured = signed is not None and signed > 0
            beyond = large and not (one_sided and favoured)
            what = f"|gap| {'>' if large else '<='} tolerance {j.tolerance:g}" + (
                " in the group's favour (judged: disadvantage only)" if large and not beyond else ""
            )
        significant = r["p_adjusted"] is not None and r["p_adjusted"] < j.alpha
        if beyond and significant:
            r["status"] = "breach"
            ci = f"[{r['ci_low']:.3f}, {r['ci_high']:.3f}]" if r["ci_low"] is not None else "[n/a]"
            result.breaches.append(
                f"{r['attribute']}={r['group_value']!r} vs {r['reference_group']!r}: {r['metric']} "
                f"{value:+.3f} {ci}, p_adj {format_p(r['p_adjusted'])} ({what}; n={r['n']})"
            )
        else:
            r["status"] = "ok"
        sig = (
            f"adjusted p {format_p(r['p_adjusted'])} {'<' if significant else '>='} alpha {j.alpha:g}"
            if r["p_adjusted"] is not None
            else "no p-value"
        )
        r["note"] = f"{what}; {sig}; {r['note']}".rstrip("; ")
