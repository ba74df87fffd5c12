"""Alerting at the stated false-alarm rate (issue 17): control charts' in-control ARL and detection delay,
and the drift verdict's null false-alarm rate and power, by simulation.

Charts: i.i.d. normal nights through :func:`steward.spc.control_chart` with the project's defaults
(ARL0 370 calibration, 60-night horizon, EWMA lambda 0.2, CUSUM k 0.5, moving-range sigma, both
directions), with known parameters (a feature mean against its reference) and with a 20-night Phase I.
Run lengths are counted from the first judged night and truncated at ``MAX_RUN`` nights (so the ARL0
shown is a lower bound when some runs never signal).

Drift verdict: :func:`steward.monitoring.judge_column` + Benjamini-Hochberg on a 20-quantile-bin
reference profile of 200,000 rows (lognormal), nights of 5,000 and 200,000 rows: unchanged (null
false-alarm rate), shifted by 0.2 sigma (power), and a zero-inflated column (30% zeros) whose zeros
turn positive for 10% of rows.
"""

from __future__ import annotations

import resource
import time
from typing import Any

import numpy as np

MAX_RUN = 2_000
PHASE_I = 20


def _peak_mib() -> float:
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024


def plan(*, quick: bool) -> list[dict[str, Any]]:
    """The alerting cases ``make bench`` runs."""
    reps = 60 if quick else 400
    nights = 40 if quick else 300
    return [
        *(
            {
                "title": f"alerting: {method.upper()} ARL0 and 1-sigma delay, {what} limits, {reps} runs",
                "fn": "alerting.chart_run_lengths",
                "args": {"method": method, "known": what == "known", "replicates": reps},
                "repeat": 1,
            }
            for method in ("ewma", "cusum", "shewhart")
            for what in ("known", "estimated (20-night Phase I)")
        ),
        *(
            {
                "title": f"alerting: drift verdict, {case}, {rows:,} rows/night, {nights} nights",
                "fn": "alerting.drift_verdict",
                "args": {"case": case, "rows": rows, "nights": nights},
                "repeat": 1,
            }
            for case in ("null", "shift 0.2 sigma", "zero-inflated: 10% of zeros turn positive")
            for rows in (5_000, 200_000)
        ),
    ]


def _first_signal(points: list[Any], start: int) -> int | None:
    return next((p.index - start + 1 for p in points[start:] if p.state == "out_of_control"), None)


def chart_run_lengths(method: str, known: bool, replicates: int) -> dict[str, Any]:
    """In-control run lengths and the delay to detect a sustained 1-sigma shift."""
    from steward.spc import control_chart, false_signal_target

    rng = np.random.default_rng(17)
    start = 0 if known else PHASE_I
    options: dict[str, Any] = {"center": 0.0, "sigma": 1.0} if known else {"baseline": PHASE_I}
    started = time.perf_counter()
    runs, delays = [], []
    for _ in range(replicates):
        x = rng.standard_normal(start + MAX_RUN)
        rl = _first_signal(control_chart(x.tolist(), method=method, arl0=370.0, **options), start)  # type: ignore[arg-type]
        runs.append(MAX_RUN if rl is None else rl)
        y = rng.standard_normal(start + 300)
        y[start:] += 1.0
        d = _first_signal(control_chart(y.tolist(), method=method, arl0=370.0, **options), start)  # type: ignore[arg-type]
        delays.append(300 if d is None else d)
    seconds = time.perf_counter() - started
    r, d = np.array(runs), np.array(delays)
    return {
        "seconds": seconds,
        "peak_rss_mib": _peak_mib(),
        "note": (
            f"ARL0 >= {r.mean():.0f} nights (median {np.median(r):.0f}; {np.mean(r >= MAX_RUN):.0%} "
            f"no signal in {MAX_RUN:,}); P(false signal within 60) = {np.mean(r <= 60):.1%} "
            f"(nominal {false_signal_target(370, 60):.1%}); 1-sigma shift: median delay {np.median(d):.0f}, "
            f"mean {d.mean():.1f}, 90th percentile {np.percentile(d, 90):.0f} nights"
        ),
    }


def _profile(values: np.ndarray) -> Any:
    from steward.drift import numeric_profile
    from steward.monitoring._aggregate import ColumnProfile

    p = numeric_profile(values, bins=20)
    return ColumnProfile("x", "feature", "numeric", len(values), len(np.unique(values)), p)


def _night(case: str, rng: np.random.Generator, n: int, shift: bool) -> np.ndarray:
    if case.startswith("zero"):
        zero = rng.random(n) < (0.3 - 0.1 if shift else 0.3)
        return np.where(zero, 0.0, rng.lognormal(3.0, 0.5, n))
    x = rng.lognormal(3.0, 0.5, n)
    if shift:
        x = x + 0.2 * float(np.exp(3.0 + 0.125) * np.sqrt(np.exp(0.25) - 1))  # 0.2 sigma of the lognormal
    return x


def drift_verdict(case: str, rows: int, nights: int) -> dict[str, Any]:
    """Share of nights the drift verdict flags, and the effect sizes it sees."""
    from scipy import stats

    from steward.drift import bin_counts
    from steward.monitoring import apply_fdr, judge_column
    from steward.monitoring._aggregate import ColumnCounts
    from steward.registry import MonitoringPolicy

    rng = np.random.default_rng(23)
    policy = MonitoringPolicy()
    reference = _night(case, rng, 200_000, shift=False)
    profile = _profile(reference)
    shifted = case != "null"
    started = time.perf_counter()
    flagged, significant, effects, raw = 0, 0, [], []
    raw_check = case.startswith("zero")
    for _ in range(nights):
        x = _night(case, rng, rows, shift=shifted)
        counts = np.asarray(bin_counts(profile.profile, x))
        current = ColumnCounts("x", "numeric", counts, np.zeros_like(counts), 0, 0, float(x.sum()))
        (verdict,) = apply_fdr(
            [judge_column(profile, current, n_rows=rows, policy=policy)], alpha=policy.alpha
        )
        flagged += bool(verdict.drifted)
        significant += bool(verdict.significant)
        effects.append(verdict.effect_size or 0.0)
        if raw_check:  # the same distance on the raw values (scipy), to see what the bins lose
            raw.append(stats.wasserstein_distance(reference, x) / reference.std())
    seconds = time.perf_counter() - started
    e = np.array(effects)
    bins = len(profile.profile.counts)
    return {
        "seconds": seconds,
        "peak_rss_mib": _peak_mib(),
        "note": (
            f"drifted {flagged / nights:.1%} of nights (significance alone {significant / nights:.1%}); "
            f"{verdict.effect_method} median {np.median(e):.3f} (threshold {verdict.effect_threshold:g}); "
            f"{bins} reference bins"
            + (f"; raw-value wasserstein_normed (scipy) median {np.median(raw):.3f}" if raw else "")
        ),
    }
