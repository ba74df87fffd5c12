"""Control limits calibrated by simulation to a target in-control false-alarm rate.

With limits estimated from a short Phase I, the textbook widths (EWMA ``L = 3``, CUSUM ``h = 5``,
Shewhart ``L = 3``) alarm far more often than their nominal rate: the estimated centre is off by
about ``sigma / sqrt(m)``, exactly the shift EWMA and CUSUM are built to detect, and a sigma from
``m - 1`` moving ranges is often too small (Jones, Champ & Rigdon 2001, *Technometrics* 43(2),
156-167; Gandy & Kvaløy 2013, *Scand. J. Statist.* 40(4), 647-668). Following the bootstrap /
simulation approach of Gandy & Kvaløy, the width is calibrated here so that the *unconditional*
probability of a false signal within ``horizon`` judged nights, Phase I estimation included, equals
the value a reader expects from an in-control average run length ``arl0``:
``1 - (1 - 1 / arl0) ** horizon`` (15.0 % within 60 nights for ARL0 = 370).

The simulation replays exactly what :func:`steward.spc.control_chart` does with i.i.d. normal
in-control data: estimate the centre (mean) and sigma (moving range or std) from the first
``phase_i`` points, run the recursion from the first point with those estimates, and take, for every
replicate, the largest standardized statistic over the ``horizon`` judged points; the calibrated
width is the ``1 - target`` quantile of that maximum. Charts and standardization are invariant to
location and scale, so one calibration serves every series with the same options. Seeded and cached:
the same options always give the same width. The default options' widths are tabulated
(:mod:`steward.spc._table`), so a fresh process, such as every Airflow task, does not simulate them.
"""

from __future__ import annotations

import math
from functools import lru_cache
from pathlib import Path
from typing import Literal

import numpy as np

__all__ = ["REPLICATES", "calibrated_width", "false_signal_target"]

#: Simulated in-control series per calibration (quantile error about 0.01 sigma at the 85th percentile).
REPLICATES = 20_000
_SEED = 20261129


def false_signal_target(arl0: float, horizon: int) -> float:
    """Probability of at least one false signal within ``horizon`` nights for a geometric run length.

    Examples
    --------
    >>> round(false_signal_target(370, 60), 4)
    0.1499
    """
    if not arl0 > 1:
        raise ValueError(f"arl0 must be above 1 night, got {arl0}")
    if horizon < 1:
        raise ValueError(f"horizon must be at least 1 night, got {horizon}")
    return 1.0 - (1.0 - 1.0 / arl0) ** horizon


def calibrated_width(
    method: Literal["ewma", "cusum", "shewhart"],
    *,
    phase_i: int | None,
    arl0: float = 370.0,
    horizon: int = 60,
    lam: float = 0.2,
    k: float = 0.5,
    direction: Literal["both", "up", "down"] = "both",
    sigma_method: Literal["moving_range", "std"] = "moving_range",
) -> float:
    """Width (EWMA/Shewhart ``L``, CUSUM ``h``, in sigmas) giving the target false-signal probability.

    Parameters
    ----------
    method : {"ewma", "cusum", "shewhart"}
        The chart.
    phase_i : int or None
        Points the centre and sigma are estimated from; ``None`` for known parameters.
    arl0, horizon
        The target: ``false_signal_target(arl0, horizon)`` within ``horizon`` judged points.
    lam, k, direction, sigma_method
        As in :func:`steward.spc.control_chart`.

    Examples
    --------
    >>> known = calibrated_width("shewhart", phase_i=None)
    >>> 2.9 < known < 3.1  # the textbook 3 sigma of ARL0 = 370
    True
    >>> calibrated_width("shewhart", phase_i=20) > known  # wider when estimated from 20 nights
    True
    """
    if phase_i is not None and phase_i < 2:
        raise ValueError(f"phase_i must be at least 2 points (sigma needs two), got {phase_i}")
    key = (method, phase_i, float(arl0), int(horizon), float(lam), float(k), direction, sigma_method)
    return _width(key)


#: ``(method, phase_i, arl0, horizon, lam, k, direction, sigma_method)``: one calibration's options.
Options = tuple[str, int | None, float, int, float, float, str, str]


@lru_cache(maxsize=256)
def _width(key: Options) -> float:
    from steward.spc._table import WIDTHS

    tabulated = WIDTHS.get(key)
    return tabulated if tabulated is not None else _simulate(key)


def _simulate(key: Options) -> float:
    """Simulate the width (see the module's docstring); about 25 ms with the default options."""
    method, phase_i, arl0, horizon, lam, k, direction, sigma_method = key
    target = false_signal_target(arl0, horizon)
    m = phase_i or 0
    rng = np.random.default_rng([_SEED, m, horizon, int(lam * 1e6), int(k * 1e6)])
    x = rng.standard_normal((REPLICATES, m + horizon))
    if phase_i is None:
        mu = np.zeros(REPLICATES)
        s = np.ones(REPLICATES)
    else:
        base = x[:, :m]
        mu = base.mean(axis=1)
        if sigma_method == "moving_range":
            s = np.abs(np.diff(base, axis=1)).mean(axis=1) / 1.128
        else:
            s = base.std(axis=1, ddof=1)
        s = np.maximum(s, 1e-12)
    u = (x - mu[:, None]) / s[:, None]  # the series in estimated-sigma units around the estimated centre
    up, down = direction in ("both", "up"), direction in ("both", "down")
    worst = np.full(REPLICATES, -np.inf)
    z = np.zeros(REPLICATES)
    c_plus = np.zeros(REPLICATES)
    c_minus = np.zeros(REPLICATES)
    for t in range(1, m + horizon + 1):
        ut = u[:, t - 1]
        if method == "ewma":
            z = lam * ut + (1.0 - lam) * z
            w = math.sqrt(lam / (2.0 - lam) * (1.0 - (1.0 - lam) ** (2 * t)))
            stat = np.maximum(z if up else -np.inf, -z if down else -np.inf) / w
        elif method == "cusum":
            c_plus = np.maximum(0.0, ut - k + c_plus)
            c_minus = np.maximum(0.0, -k - ut + c_minus)
            stat = np.maximum(c_plus if up else -np.inf, c_minus if down else -np.inf)
        else:
            stat = np.maximum(ut if up else -np.inf, -ut if down else -np.inf)
        if t > m:
            worst = np.maximum(worst, stat)
    return float(np.quantile(worst, 1.0 - target))


#: The options :mod:`steward.spc._table` holds: every chart, known or a 20-night Phase I, both
#: one-sided directions and two-sided, at the defaults of ``monitoring.control_chart``.
def _default_keys() -> list[Options]:
    keys: list[Options] = []
    for method in ("ewma", "cusum", "shewhart"):
        for phase_i in (None, 20):
            for direction in ("both", "up", "down"):
                for sigma_method in ("moving_range",) if phase_i is None else ("moving_range", "std"):
                    keys.append((method, phase_i, 370.0, 60, 0.2, 0.5, direction, sigma_method))
    return keys


def _write_table(path: Path) -> None:  # pragma: no cover - run by hand when the simulation changes
    lines = [f"    {key!r}: {_simulate(key)!r}," for key in _default_keys()]
    text = path.read_text(encoding="utf-8")
    path.write_text(text[: text.index("= {\n") + 4] + "\n".join(lines) + "\n}\n", encoding="utf-8")


if __name__ == "__main__":  # pragma: no cover - python -m steward.spc._calibrate
    from steward.spc import _table

    _write_table(Path(_table.__file__))
