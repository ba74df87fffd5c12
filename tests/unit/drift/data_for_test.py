"""Deterministic samples for the drift tests (one seeded generator per sample)."""

from __future__ import annotations

import numpy as np

N_LARGE = 50_000


def rng(seed: int) -> np.random.Generator:
    return np.random.default_rng(seed)


def integer_pair() -> tuple[np.ndarray, np.ndarray]:
    """Integer-valued reference and current samples on 0..14 (heavy ties)."""
    a = rng(1).binomial(14, 0.40, size=3_000)
    b = rng(2).binomial(14, 0.43, size=2_500)
    return a.astype(float), b.astype(float)


def integer_edges(values_max: int = 14) -> np.ndarray:
    """Edges giving each integer 0..values_max its own bin: -inf, 0.5, 1.5, ..., inf."""
    return np.concatenate([[-np.inf], np.arange(values_max) + 0.5, [np.inf]])


# name -> (reference, current) continuous samples of N_LARGE each
CONTINUOUS_PAIRS: dict[str, tuple[np.ndarray, np.ndarray]] = {
    "normal_identical": (rng(10).normal(size=N_LARGE), rng(11).normal(size=N_LARGE)),
    "normal_small_shift": (rng(12).normal(size=N_LARGE), rng(13).normal(0.02, 1.0, size=N_LARGE)),
    "normal_shift": (rng(14).normal(size=N_LARGE), rng(15).normal(0.2, 1.0, size=N_LARGE)),
    "normal_shift_and_scale": (rng(16).normal(size=N_LARGE), rng(17).normal(0.2, 1.1, size=N_LARGE)),
    "uniform_shift": (rng(18).uniform(size=N_LARGE), rng(19).uniform(0.05, 1.05, size=N_LARGE)),
}


def zero_inflated(seed: int, n: int = N_LARGE, *, zero_share: float = 0.95, scale: float = 1.0) -> np.ndarray:
    """Amount-like values: ``zero_share`` exact zeros, the rest lognormal times ``scale``."""
    r = rng(seed)
    values = r.lognormal(3.0, 0.6, size=n) * scale
    values[r.random(n) < zero_share] = 0.0
    return values
