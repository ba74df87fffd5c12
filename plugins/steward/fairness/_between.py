"""Between-group summaries (Fairlearn's ``group_value = '*'`` rows) over the groups large enough to judge."""

from __future__ import annotations

from typing import Any

import numpy as np
from scipy import stats

from steward.fairness._counts import ALL, GroupCounts
from steward.fairness._disparities import gap
from steward.fairness._rates import count_of
from steward.fairness._rows import Judgement, MetricRow
from steward.fairness._stats import katz_ratio_interval, sidak_combine

__all__ = ["between_rows", "homogeneity_p"]


def homogeneity_p(groups: list[GroupCounts], num: str, den: str) -> float:
    """P-value of "every group has the same rate ``num / den``": Pearson's chi-square on the k x 2 table.

    ``scipy.stats.chi2_contingency`` without Yates' correction (as ``steward.drift`` does), k - 1
    degrees of freedom; 1.0 when no group has a success (or a failure) at all.

    Examples
    --------
    >>> homogeneity_p(counts.for_attribute("age_band"), "predicted_favourable", "n")  # doctest: +SKIP
    0.0031
    """
    table = np.array([[count_of(g, num), count_of(g, den) - count_of(g, num)] for g in groups], dtype=float)
    if (table.sum(axis=0) == 0).any():
        return 1.0
    return float(stats.chi2_contingency(table, correction=False).pvalue)


def _eligible(groups: list[GroupCounts], num: str, den: str, j: Judgement) -> tuple[list[GroupCounts], Any]:
    eligible = [g for g in groups if count_of(g, den) >= max(j.min_group_size, 1)]
    return eligible, np.array([count_of(g, num) / count_of(g, den) for g in eligible])


def between_rows(attribute: str, groups: list[GroupCounts], j: Judgement) -> list[MetricRow]:
    """Return demographic parity and equalized odds (difference and ratio) between the groups.

    Examples
    --------
    >>> [r.metric for r in between_rows("sex", counts.for_attribute("sex"), judgement)]  # doctest: +SKIP
    ['demographic_parity_difference', 'demographic_parity_ratio', 'equalized_odds_difference', ...]
    """
    common: dict[str, Any] = {
        "attribute": attribute,
        "group_value": ALL,
        "reference_group": None,
        "n": sum(g.n for g in groups),
        "n_labelled": sum(g.n_labelled for g in groups),
    }
    return [*_parity_rows(common, groups, j), *_odds_rows(common, groups, j)]


def _too_few(common: dict[str, Any], metrics: tuple[str, str], note: str) -> list[MetricRow]:
    return [
        MetricRow.of(**common, metric=m, denominator=None, status="insufficient_data", note=note)
        for m in metrics
    ]


def _parity_rows(common: dict[str, Any], groups: list[GroupCounts], j: Judgement) -> list[MetricRow]:
    eligible, sel = _eligible(groups, "predicted_favourable", "n", j)
    if len(eligible) < 2:
        return _too_few(
            common,
            ("demographic_parity_difference", "demographic_parity_ratio"),
            f"fewer than two groups with at least {j.min_group_size} rows",
        )
    hi_g, lo_g = eligible[int(np.argmax(sel))], eligible[int(np.argmin(sel))]
    p = homogeneity_p(eligible, "predicted_favourable", "n")
    d = gap(hi_g.predicted_favourable, hi_g.n, lo_g.predicted_favourable, lo_g.n, j.confidence)
    _, rlo, rhi = katz_ratio_interval(
        [lo_g.predicted_favourable], [lo_g.n], [hi_g.predicted_favourable], [hi_g.n], confidence=j.confidence
    )
    pair = (
        f"max {hi_g.group_value!r}, min {lo_g.group_value!r} over {len(eligible)} groups; "
        "interval of that pair's difference (not adjusted for picking the extremes); "
        "p: chi-square test of equal rates across the groups"
    )
    shared: dict[str, Any] = {
        **common,
        "denominator": len(eligible),
        "p_value": p,
        "test": "chi_square_k",
        "note": pair,
    }
    return [
        MetricRow.of(
            **shared,
            metric="demographic_parity_difference",
            value=float(sel.max() - sel.min()),
            ci=(d.low, d.high),
        ),
        MetricRow.of(
            **shared,
            metric="demographic_parity_ratio",
            value=float(sel.min() / sel.max()) if sel.max() > 0 else None,
            ci=(float(rlo[0]), float(rhi[0])),
        ),
    ]


def _odds_rows(common: dict[str, Any], groups: list[GroupCounts], j: Judgement) -> list[MetricRow]:
    tpr_groups, tpr = _eligible(groups, "tp", "positives", j)
    fpr_groups, fpr = _eligible(groups, "fp", "negatives", j)
    if len(tpr_groups) < 2 or len(fpr_groups) < 2:
        return _too_few(
            common,
            ("equalized_odds_difference", "equalized_odds_ratio"),
            f"fewer than two groups with at least {j.min_group_size} labelled positives and negatives",
        )
    c_pair = 1 - (1 - j.confidence) / 2
    ends = []
    for eligible, rates, num, den in (
        (tpr_groups, tpr, "tp", "positives"),
        (fpr_groups, fpr, "fp", "negatives"),
    ):
        a, b = eligible[int(np.argmax(rates))], eligible[int(np.argmin(rates))]
        ends.append(gap(count_of(a, num), count_of(a, den), count_of(b, num), count_of(b, den), c_pair))
    p = float(
        sidak_combine(
            [homogeneity_p(tpr_groups, "tp", "positives")], [homogeneity_p(fpr_groups, "fp", "negatives")]
        )[0]
    )
    ratios = [r.min() / r.max() if r.max() > 0 else float("nan") for r in (tpr, fpr)]
    shared: dict[str, Any] = {
        **common,
        "denominator": min(len(tpr_groups), len(fpr_groups)),
        "p_value": p,
        "test": "sidak(chi_square_k)",
    }
    return [
        MetricRow.of(
            **shared,
            metric="equalized_odds_difference",
            value=float(max(tpr.max() - tpr.min(), fpr.max() - fpr.min())),
            ci=(max(e.low for e in ends), max(e.high for e in ends)),
            note="larger of the TPR and FPR max - min; "
            "interval from the two extreme pairs at Bonferroni level",
        ),
        MetricRow.of(
            **shared,
            metric="equalized_odds_ratio",
            value=float(np.nanmin(ratios)) if not np.all(np.isnan(ratios)) else None,
            note="smaller of the TPR and FPR min / max (no interval)",
        ),
    ]
