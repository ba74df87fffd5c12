"""Group rates (selection rate, TPR, FPR, ...) with Wilson intervals, and group sizes."""

from __future__ import annotations

import numpy as np

from steward.fairness._counts import GroupCounts
from steward.fairness._rows import Judgement, MetricRow
from steward.fairness._stats import wilson_interval

__all__ = ["RATE_METRICS", "count_of", "rate", "rate_rows"]

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


def count_of(g: GroupCounts, name: str) -> int:
    """Return the count ``name`` of group ``g`` (a field, or ``positives``, ``negatives``, ...)."""
    if name == "positives":
        return g.positives
    if name == "negatives":
        return g.negatives
    if name == "predicted_labelled":
        return g.tp + g.fp
    if name == "correct":
        return g.tp + g.tn
    return int(getattr(g, name))


def rate(x: int, n: int) -> float:
    """Return ``x / n``, NaN when ``n`` is 0."""
    return x / n if n > 0 else float("nan")


def rate_rows(attribute: str, groups: list[GroupCounts], j: Judgement) -> list[MetricRow]:
    """Return each group's size row, then every rate of :data:`RATE_METRICS` with its Wilson interval.

    Examples
    --------
    >>> rows = rate_rows("sex", counts.for_attribute("sex"), judgement)  # doctest: +SKIP
    >>> rows[0].metric, rows[-1].metric  # doctest: +SKIP
    ('group_size', 'accuracy')
    """
    total = sum(g.n for g in groups)
    rows: list[MetricRow] = []
    for g in groups:
        share = g.n / total if total else float("nan")
        small = g.n < j.min_group_size
        rows.append(
            MetricRow.of(
                attribute=attribute,
                group_value=g.group_value,
                reference_group=None,
                metric="group_size",
                n=g.n,
                n_labelled=g.n_labelled,
                denominator=total,
                value=float(g.n),
                status="insufficient_data" if small else "info",
                note=f"{share:.1%} of rows"
                + (f"; below the minimum group size {j.min_group_size}" if small else ""),
            )
        )
    for metric, (num, den, empty) in RATE_METRICS.items():
        x = np.array([count_of(g, num) for g in groups])
        n = np.array([count_of(g, den) for g in groups])
        low, high = wilson_interval(x, n, confidence=j.confidence)
        for g, xi, ni, lo, hi in zip(groups, x, n, low, high, strict=True):
            if ni == 0:
                status, note = "undefined", f"{metric} undefined: {empty}"
            elif ni < j.min_group_size:
                status, note = "insufficient_data", f"{ni} rows in the denominator, below {j.min_group_size}"
            else:
                status, note = "info", ""
            rows.append(
                MetricRow.of(
                    attribute=attribute,
                    group_value=g.group_value,
                    reference_group=None,
                    metric=metric,
                    n=g.n,
                    n_labelled=g.n_labelled,
                    denominator=int(ni),
                    value=rate(int(xi), int(ni)),
                    ci=(float(lo), float(hi)),
                    status=status,
                    note=note,
                )
            )
    return rows
