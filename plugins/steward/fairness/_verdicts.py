"""Verdicts: adjust the night's p-values across test families, judge each pending disparity.

Then say which judged gaps are not demonstrated within tolerance (the high-risk gate's third outcome).
"""

from __future__ import annotations

import dataclasses
import math
from typing import Literal

import numpy as np

from steward.fairness._rows import Judgement, MetricRow
from steward.fairness._stats import holm
from steward.reports import format_p

__all__ = ["Shortfall", "adjust", "judge", "rows_needed", "shortfalls"]


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


# ---------------------------------------------------------------- demonstration
@dataclasses.dataclass(frozen=True)
class Shortfall:
    """A judged comparison whose gap is not demonstrated within tolerance (the gate's "not demonstrated").

    Attributes
    ----------
    text
        One readable line: the groups, the metric, and why.
    kind
        ``data``: too little data for a verdict (``insufficient_data`` or ``undefined``);
        ``interval``: judged, but its interval reaches beyond the tolerance on a judged side.
    scale
        ``data`` only: about how many times more rows (at the same group shares) would give its
        smallest count ``min_group_size``; else None.
    lower_bound
        The scale is only a lower bound (that count is 0: taken as 1).
    """

    text: str
    kind: Literal["data", "interval"]
    scale: float | None = None
    lower_bound: bool = False


def shortfalls(rows: list[MetricRow], j: Judgement) -> list[Shortfall]:
    """Return the judged comparisons (group vs reference) not demonstrated within the tolerance.

    A comparison is demonstrated when it has the data for a verdict and its interval lies within
    the tolerance (inside ``[four_fifths, 1 / four_fifths]`` for the disparate impact ratio). Under
    ``direction: disadvantage`` only the side against the group counts, as for breaches: an interval
    reaching far in the group's favour is not a failure to demonstrate.

    Examples
    --------
    >>> judged, _ = judge(rows, judgement)  # doctest: +SKIP
    >>> [s.text for s in shortfalls(judged, judgement)][:1]  # doctest: +SKIP
    ["sex='undisclosed' vs 'male': statistical_parity_difference cannot be demonstrated (...)"]
    """
    out = []
    for r in rows:
        if r.metric not in j.metrics or r.reference_group is None or r.group_value == "*":
            continue
        where = f"{r.attribute}={r.group_value!r} vs {r.reference_group!r}: {r.metric}"
        if r.status in ("insufficient_data", "undefined"):
            smallest = min(r.denominator or 0, r.reference_n or 0)
            text = f"{where} cannot be demonstrated ({r.status}: {r.note})"
            out.append(Shortfall(text, "data", j.min_group_size / max(smallest, 1), smallest == 0))
        elif r.status in ("ok", "breach") and r.ci_low is not None and r.ci_high is not None:
            bound = _reaches_beyond(r, j)
            if bound is not None:
                text = (
                    f"{where} {r.value:+.3f} not shown within tolerance: interval "
                    f"[{r.ci_low:.3f}, {r.ci_high:.3f}] reaches beyond {bound}"
                )
                out.append(Shortfall(text, "interval"))
    return out


def _reaches_beyond(r: MetricRow, j: Judgement) -> str | None:
    """Return the bound a judged row's interval reaches beyond on a judged side, or None."""
    assert r.ci_low is not None and r.ci_high is not None
    one_sided = j.direction == "disadvantage"
    if r.metric == "disparate_impact_ratio":
        if r.ci_low < j.four_fifths:
            return f"{j.four_fifths:g}" + (" against the group" if one_sided else "")
        if r.ci_high > 1 / j.four_fifths and not one_sided:
            return f"{1 / j.four_fifths:.3g}"
        return None
    against = -r.ci_low if r.against is None else r.against
    if against > j.tolerance:
        return f"-{j.tolerance:g} against the group" if one_sided else f"±{j.tolerance:g}"
    if r.ci_high > j.tolerance and not one_sided:
        return f"±{j.tolerance:g}"
    return None


def rows_needed(found: list[Shortfall], rows: int) -> tuple[int, bool] | None:
    """Return about how many rows would give every ``data`` shortfall ``min_group_size`` (None: none).

    At the same group shares: ``rows`` times the largest :attr:`Shortfall.scale`, and whether that is
    only a lower bound (the largest scale's count was 0). Narrow enough intervals may need more still.
    """
    sized = [s for s in found if s.scale is not None]
    if not sized:
        return None
    top = max(sized, key=lambda s: (s.scale or 0.0, s.lower_bound))
    assert top.scale is not None
    return math.ceil(rows * max(top.scale, 1.0)), top.lower_bound
