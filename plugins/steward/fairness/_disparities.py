"""Disparities of each group against the reference group, with intervals, p-values and eligibility."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

import numpy as np
from scipy import special

from steward.fairness._counts import GroupCounts
from steward.fairness._rates import rate
from steward.fairness._rows import Judgement, MetricRow
from steward.fairness._stats import (
    katz_ratio_interval,
    min_detectable_gap,
    mover_mean_interval,
    newcombe_interval,
    sidak_combine,
    two_proportion_test,
)
from steward.registry import Model

__all__ = ["DIFFERENCE_METRICS", "Gap", "gap", "pick_reference", "reference_rows"]

#: Disparities against the reference group: metric -> the test (hypothesis) it is judged by.
DIFFERENCE_METRICS: dict[str, str] = {
    "statistical_parity_difference": "selection",
    "disparate_impact_ratio": "selection",
    "equal_opportunity_difference": "tpr",
    "false_positive_rate_difference": "fpr",
    "equalized_odds_difference": "odds",
    "average_odds_difference": "average_odds",
}


@dataclass(frozen=True)
class Gap:
    """A gap between two groups: value, interval, p-value and the test that gave it."""

    value: float
    low: float
    high: float
    p: float
    test: str
    signed: float | None = None  # direction of an unsigned gap (equalized odds): its larger component
    #: how far the interval reaches against the group (default ``-low``); for the unsigned equalized
    #: odds difference, the larger of its TPR and FPR components' (their joint intervals' low ends)
    against: float | None = None


@dataclass(frozen=True)
class _Check:
    status: str | None  # None: eligible for a verdict
    note: str
    mdg: float | None


def gap(x1: int, n1: int, x2: int, n2: int, confidence: float) -> Gap:
    """Return ``x1/n1 - x2/n2`` with its Newcombe interval and two-proportion p-value."""
    low, high = newcombe_interval([x1], [n1], [x2], [n2], confidence=confidence)
    p, tests = two_proportion_test([x1], [n1], [x2], [n2])
    return Gap(rate(x1, n1) - rate(x2, n2), float(low[0]), float(high[0]), float(p[0]), tests[0])


def pick_reference(groups: list[GroupCounts], attribute: str, model: Model) -> tuple[GroupCounts, str]:
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


def _abs_interval(low: float, high: float) -> tuple[float, float]:
    """Interval of |d| from an interval of d."""
    if low <= 0 <= high:
        return 0.0, max(-low, high)
    return min(abs(low), abs(high)), max(abs(low), abs(high))


def reference_rows(attribute: str, groups: list[GroupCounts], model: Model, j: Judgement) -> list[MetricRow]:
    """Return the six disparities of every group against the reference group (AIF360 definitions).

    Eligible judged rows are ``pending`` (with their test family) until
    :func:`steward.fairness._verdicts.judge` adjusts the p-values and gives the verdict.

    Examples
    --------
    >>> rows = reference_rows("sex", counts.for_attribute("sex"), model, judgement)  # doctest: +SKIP
    >>> sorted({r.metric for r in rows}) == sorted(DIFFERENCE_METRICS)  # doctest: +SKIP
    True
    """
    ref, ref_note = pick_reference(groups, attribute, model)
    rows: list[MetricRow] = []
    for g in groups:
        if g is not ref:
            rows += _group_rows(attribute, g, ref, ref_note, j)
    return rows


def _group_rows(
    attribute: str, g: GroupCounts, ref: GroupCounts, ref_note: str, j: Judgement
) -> list[MetricRow]:
    c = j.confidence
    c_pair = 1 - (1 - c) / 2  # Bonferroni: both odds intervals hold together with probability >= c
    base: dict[str, Any] = {
        "attribute": attribute,
        "group_value": g.group_value,
        "reference_group": ref.group_value,
        "n": g.n,
        "n_labelled": g.n_labelled,
    }
    sel = gap(g.predicted_favourable, g.n, ref.predicted_favourable, ref.n, c)
    tpr = gap(g.tp, g.positives, ref.tp, ref.positives, c)
    fpr = gap(g.fp, g.negatives, ref.fp, ref.negatives, c)
    tpr2 = gap(g.tp, g.positives, ref.tp, ref.positives, c_pair)
    fpr2 = gap(g.fp, g.negatives, ref.fp, ref.negatives, c_pair)
    tol = j.tolerance

    def row(metric: str, d: Gap, check: _Check, tolerance: float, ref_n: int, n: int) -> MetricRow:
        return _comparison(base, metric, d, check, j, tolerance=tolerance, reference_n=ref_n, denominator=n)

    rows: list[MetricRow] = []
    # selection: statistical parity difference and disparate impact
    check = _eligibility(
        [(g.n, ref.n, "rows")], j, rate=rate(ref.predicted_favourable, ref.n), ref_note=ref_note
    )
    rows.append(row("statistical_parity_difference", sel, check, tol, ref.n, g.n))
    ratio, rlo, rhi = katz_ratio_interval(
        [g.predicted_favourable], [g.n], [ref.predicted_favourable], [ref.n], confidence=c
    )
    if check.status is None and ref.predicted_favourable == 0:
        check = _Check(
            "undefined", "disparate impact undefined: the reference group has no favourable predictions", None
        )
    di = Gap(float(ratio[0]), float(rlo[0]), float(rhi[0]), sel.p, sel.test)
    rows.append(row("disparate_impact_ratio", di, check, j.four_fifths, ref.n, g.n))
    # true positive rate: equal opportunity; false positive rate
    check_t = _eligibility(
        [(g.positives, ref.positives, "labelled rows with a favourable true outcome")],
        j,
        rate=rate(ref.tp, ref.positives),
        ref_note=ref_note,
    )
    rows.append(row("equal_opportunity_difference", tpr, check_t, tol, ref.positives, g.positives))
    check_f = _eligibility(
        [(g.negatives, ref.negatives, "labelled rows with an unfavourable true outcome")],
        j,
        rate=rate(ref.fp, ref.negatives),
        ref_note=ref_note,
    )
    rows.append(row("false_positive_rate_difference", fpr, check_f, tol, ref.negatives, g.negatives))
    # both: equalized odds and average odds
    check_o = _worst(check_t, check_f)
    t_abs = _abs_interval(tpr2.low, tpr2.high)
    f_abs = _abs_interval(fpr2.low, fpr2.high)
    eo = Gap(
        max(abs(tpr.value), abs(fpr.value)),
        max(t_abs[0], f_abs[0]),
        max(t_abs[1], f_abs[1]),
        float(sidak_combine([tpr.p], [fpr.p])[0]),
        f"sidak({tpr.test},{fpr.test})",
        tpr.value if abs(tpr.value) >= abs(fpr.value) else fpr.value,
        max(-tpr2.low, -fpr2.low),
    )
    ref_both, g_both = min(ref.positives, ref.negatives), min(g.positives, g.negatives)
    rows.append(row("equalized_odds_difference", eo, check_o, tol, ref_both, g_both))
    lo, hi = mover_mean_interval([fpr.value], [fpr.low], [fpr.high], [tpr.value], [tpr.low], [tpr.high])
    aod = Gap((fpr.value + tpr.value) / 2, float(lo[0]), float(hi[0]), _aod_p(g, ref), "z_pooled")
    rows.append(row("average_odds_difference", aod, check_o, tol, ref_both, g_both))
    return rows


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
    base: dict[str, Any],
    metric: str,
    d: Gap,
    check: _Check,
    j: Judgement,
    *,
    tolerance: float,
    reference_n: int,
    denominator: int,
) -> MetricRow:
    if check.status is not None:
        defined = check.status != "undefined"
        return MetricRow.of(
            **base,
            metric=metric,
            denominator=denominator,
            reference_n=reference_n,
            value=d.value if defined else None,
            ci=(d.low, d.high) if defined else None,
            tolerance=tolerance,
            mdg=check.mdg,
            status=check.status,
            note=check.note,
        )
    return MetricRow.of(
        **base,
        metric=metric,
        denominator=denominator,
        reference_n=reference_n,
        value=d.value,
        ci=(d.low, d.high),
        p_value=d.p,
        test=d.test,
        tolerance=tolerance,
        status="pending" if metric in j.metrics else "info",
        note=check.note,
        family=(base["attribute"], base["group_value"], DIFFERENCE_METRICS[metric]),
        signed=d.value if d.signed is None else d.signed,
        against=None if metric == "disparate_impact_ratio" else (-d.low if d.against is None else d.against),
    )
