"""Verdicts: adjust the night's p-values across test families, then judge each pending disparity."""

from __future__ import annotations

import dataclasses

import numpy as np

from steward.fairness._rows import Judgement, MetricRow
from steward.fairness._stats import holm
from steward.reports import format_p

__all__ = ["adjust", "judge"]


def adjust(rows: list[MetricRow], j: Judgement) -> dict[tuple[str, str, str], float]:
    """Return the adjusted p-value of each test family among the ``pending`` rows (Holm or BH).

    One family per (attribute, group, hypothesis): the statistical parity difference and the
    disparate impact ratio share the selection test, so they count once.
    """
    family: dict[tuple[str, str, str], float] = {}
    for r in rows:
        if r.status == "pending" and r.family is not None:
            family.setdefault(r.family, r.p_value if r.p_value is not None else float("nan"))
    keys = list(family)
    p = np.array([family[k] for k in keys], dtype=float)
    if j.correction == "holm":
        _, adjusted = holm(p, alpha=j.alpha)
    else:
        from steward.drift import benjamini_hochberg  # imports scipy.stats: only when asked for

        _, adjusted = benjamini_hochberg(p, alpha=j.alpha)
    return dict(zip(keys, adjusted.tolist(), strict=True))


def judge(rows: list[MetricRow], j: Judgement) -> tuple[list[MetricRow], list[str]]:
    """Return the rows with every ``pending`` disparity judged (``breach`` or ``ok``), and the breaches.

    A breach needs the adjusted p-value below alpha AND a gap beyond tolerance (outside the
    four-fifths band for the disparate impact ratio), against the group unless ``direction`` is both.

    Examples
    --------
    >>> judged, breaches = judge(rows, judgement)  # doctest: +SKIP
    >>> breaches[:1]  # doctest: +SKIP
    ["age_band='18-25' vs '36-45': statistical_parity_difference -0.210 [...], p_adj 0.0001 (...)"]
    """
    adjusted = adjust(rows, j)
    out: list[MetricRow] = []
    breaches: list[str] = []
    for r in rows:
        if r.status != "pending" or r.family is None:
            # rows without a family are final as they are (a copy per row costs more than the judging)
            out.append(
                r
                if r.family is None and r.signed is None
                else dataclasses.replace(r, family=None, signed=None)
            )
            continue
        q = adjusted[r.family]
        judged, breach = _verdict(r, None if np.isnan(q) else float(q), j)
        out.append(judged)
        if breach:
            breaches.append(breach)
    return out, breaches


def _verdict(r: MetricRow, p_adjusted: float | None, j: Judgement) -> tuple[MetricRow, str | None]:
    value = r.value
    one_sided = j.direction == "disadvantage"
    if r.metric == "disparate_impact_ratio":
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
        favoured = r.signed is not None and r.signed > 0
        beyond = large and not (one_sided and favoured)
        what = f"|gap| {'>' if large else '<='} tolerance {j.tolerance:g}" + (
            " in the group's favour (judged: disadvantage only)" if large and not beyond else ""
        )
    significant = p_adjusted is not None and p_adjusted < j.alpha
    breach = None
    if beyond and significant:
        ci = f"[{r.ci_low:.3f}, {r.ci_high:.3f}]" if r.ci_low is not None else "[n/a]"
        breach = (
            f"{r.attribute}={r.group_value!r} vs {r.reference_group!r}: {r.metric} "
            f"{value:+.3f} {ci}, p_adj {format_p(p_adjusted)} ({what}; n={r.n})"
        )
    sig = (
        f"adjusted p {format_p(p_adjusted)} {'<' if significant else '>='} alpha {j.alpha:g}"
        if p_adjusted is not None
        else "no p-value"
    )
    judged = dataclasses.replace(
        r,
        p_adjusted=p_adjusted,
        status="breach" if breach else "ok",
        note=f"{what}; {sig}; {r.note}".rstrip("; "),
        family=None,
        signed=None,
    )
    return judged, breach
