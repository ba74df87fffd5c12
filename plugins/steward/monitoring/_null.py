"""The null distribution of a drift distance, from the reference alone: known limits of ``drift:`` series.

A distance between a night's counts and the reference's is biased and skewed, and its size depends on
the number of rows, so its in-control behaviour is not learned from the first nights of production:
it follows from the reference. Two samples are drawn from the reference's bin (or category)
proportions, one the reference's size ``N`` and one the night's size ``n``
(``numpy.random.Generator.multinomial``), and the same distance is computed between them, ``draws``
times: the distance's distribution when nothing has changed, reference noise included. A night's
distance ``d`` becomes the normal score ``u = Phi^-1(F0(d))`` (mid-rank, ``(rank + 1/2) / (draws + 1)``),
standard normal in control, which the chart judges with centre 0 and sigma 1.

To stay cheap, a null is drawn per series, reference and size bucket ``n0`` (the night's ``n`` rounded
to two significant digits: nights of similar size share it, and a later night never changes an
earlier score); a night with ``n`` rows rescales its distance to ``n0`` with the distance's sampling
scale (at most 2.5% here),
``sqrt((1/n0 + 1/N) / (1/n + 1/N))`` (squared for PSI, which grows like a chi-square over ``n``).
Seeded by model, column, method and the reference's counts (their content, not the files or ids they
came from): the same nights against the same reference always give the same scores, on any machine,
however often the reference files are rewritten.
"""

from __future__ import annotations

import hashlib
import json
import zlib
from collections.abc import Sequence
from dataclasses import dataclass

import numpy as np
from scipy import stats

from steward.drift import NumericProfile, batch_statistics, get_method
from steward.monitoring._aggregate import ColumnProfile

__all__ = ["DRAWS", "NullScores", "chart_distance", "counts_digest", "distance_scores"]


def _context(profile: ColumnProfile) -> dict[str, object]:
    """Return the distance's context for charts: the reference's bins and within-bin means, both sides.

    The nightly verdict places each sample's mass at its own within-bin mean (more accurate against raw
    values); a chart compares a night with the null drawn from the reference's bin proportions, which
    cannot know a night's within-bin means, so both the chart's distance and the null's use the
    reference's: the null is then exact for the statistic charted.
    """
    ref = profile.profile
    if not isinstance(ref, NumericProfile):
        return {}
    ctx: dict[str, object] = {
        "edges": ref.edges,
        "reference_std": ref.std,
        "minimum": ref.minimum,
        "maximum": ref.maximum,
    }
    if ref.means is not None:
        ctx |= {"reference_means": ref.means, "current_means": ref.means}
    return ctx


def chart_distance(profile: ColumnProfile, method: str, current_counts: object) -> float | None:
    """Return the charted distance of a night's counts (``drift_metrics.current_counts_json``, parsed).

    See :func:`_context`: counts only, with the reference's within-bin positions on both sides.
    """
    ref = profile.profile
    if current_counts is None:
        return None
    if isinstance(ref.counts, dict):
        if not isinstance(current_counts, dict):
            return None
        seen = {k: int(v) for k, v in current_counts.items() if k in ref.counts}
        if not sum(seen.values()):
            return None
        return float(get_method(method).compute(ref.counts, seen).statistic)
    cur = np.asarray(current_counts, dtype=float)
    if cur.shape != np.asarray(ref.counts).shape or not cur.sum():
        return None
    return float(get_method(method).compute(ref.counts, cur, **_context(profile)).statistic)


def counts_digest(profile: ColumnProfile) -> str:
    """Return a digest of the reference's counts (bin counts, or categories and counts): the null's seed.

    Only the counts define the null's proportions; integers and category names hash the same on every
    machine, unlike floats from a parallel aggregation or file paths and modification times.
    """
    counts = profile.profile.counts
    content = sorted(counts.items()) if isinstance(counts, dict) else [int(c) for c in counts]
    return hashlib.sha256(json.dumps(content).encode()).hexdigest()[:16]


def _bucket(n: int) -> int:
    """``n`` rounded to two significant digits (within 2.5%): nights of similar size share one null."""
    digits = max(len(str(int(n))) - 2, 0)
    return max(int(round(n, -digits)), 1)


#: Resampled distances per series and reference (normal scores reach about +/-2.9).
DRAWS = 400


@dataclass(frozen=True)
class NullScores:
    """Normal scores of a series' distances, and the null's mean and std at each night's rows (display)."""

    scores: list[float | None]
    centers: list[float | None]
    sigmas: list[float | None]


def distance_scores(
    profile: ColumnProfile,
    method: str,
    distances: Sequence[float | None],
    ns: Sequence[int | None],
    *,
    seed_key: str,
    draws: int = DRAWS,
) -> NullScores:
    """Return the normal score of each distance under the reference's null at that night's rows.

    Parameters
    ----------
    profile
        The reference profile the distances were measured against.
    method
        The drift method of the distances (``psi``, ``jensenshannon``, ``hellinger``, ``wasserstein_normed``).
    distances, ns
        Each night's distance and non-missing row count (``None``: no score that night).
    seed_key
        Seeds the draws with the reference's :func:`counts_digest` (e.g. ``"model/column/method"``).
    """
    ref = profile.profile
    if isinstance(ref.counts, dict):  # categories in sorted order, as compute() aligns mappings
        counts = np.array([ref.counts[k] for k in sorted(ref.counts)], dtype=float)
    else:
        counts = np.asarray(ref.counts, dtype=float)
    big_n = int(counts.sum())
    usable = [n for d, n in zip(distances, ns, strict=True) if d is not None and n]
    empty = [None] * len(distances)
    if big_n == 0 or not usable or (counts > 0).sum() < 2:
        return NullScores(list(empty), list(empty), list(empty))
    p = counts / big_n
    ctx = _context(profile)
    seed = f"{seed_key}/{counts_digest(profile)}"

    def null_at(n0: int) -> np.ndarray:
        rng = np.random.default_rng(zlib.crc32(f"{seed}/{n0}".encode()))
        ref_draws = rng.multinomial(big_n, p, size=draws)
        cur_draws = rng.multinomial(n0, p, size=draws)
        return np.sort(batch_statistics(method, ref_draws, cur_draws, **ctx))

    nulls: dict[int, np.ndarray] = {}
    power = 2.0 if method == "psi" else 1.0
    scores: list[float | None] = []
    centers: list[float | None] = []
    sigmas: list[float | None] = []
    for d, n in zip(distances, ns, strict=True):
        if d is None or not n:
            scores.append(None)
            centers.append(None)
            sigmas.append(None)
            continue
        n0 = _bucket(n)
        if n0 not in nulls:
            nulls[n0] = null_at(n0)
        sample = nulls[n0]
        scale = ((1 / n0 + 1 / big_n) / (1 / n + 1 / big_n)) ** (power / 2)  # distance at n -> at n0
        at_n0 = d * scale
        below = np.searchsorted(sample, at_n0, side="left")
        ties = np.searchsorted(sample, at_n0, side="right") - below
        rank = (below + ties / 2 + 0.5) / (draws + 1)
        scores.append(float(stats.norm.ppf(rank)))
        centers.append(float(sample.mean()) / scale)
        std0 = float(sample.std(ddof=1))
        sigmas.append(std0 / scale if std0 > 0 else None)
    return NullScores(scores, centers, sigmas)
