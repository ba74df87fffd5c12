"""Control charts for nightly metric series: EWMA, tabular CUSUM and Shewhart individuals.

A chart learns its centre and sigma from an in-control window (the first ``baseline`` usable points
of the series), then judges every later point against limits derived from them. The learning is
causal and out-of-sample: a point preceded by ``j`` usable points (missing values not counted) is
judged with the centre and sigma of the first ``min(j, baseline)`` of them, never with itself, and
its statistic is the recursion run from the start of the series with those parameters. Points
therefore never change state when later nights arrive (a nightly rerun over the whole series
reproduces the stored history), and the limits are frozen once the baseline window is full. The
first ``min_baseline`` usable points are ``"learning"``; the points after them and up to the
``baseline``-th are judged against provisional limits from the points before them (their note says
so).

Sigma:

* ``"moving_range"`` (default): ``MR-bar / 1.128``, the mean absolute difference of consecutive
  usable baseline values divided by ``d2 = 1.128`` (Montgomery, individuals chart). A slow creep
  inside the baseline barely inflates it, unlike the standard deviation.
* ``"std"``: the sample standard deviation (``ddof=1``) of the baseline values.

A constant baseline gives sigma 0. Limits would collapse onto the centre and the CUSUM would divide
nothing but flag everything, so sigma is floored at ``min_sigma`` when given, else at
``1e-9 * max(|centre|, 1)`` (:data:`SIGMA_REL_FLOOR`); every point judged with a floored sigma says
so in :attr:`ChartPoint.note`. Series with a natural resolution (a share, a PSI) should pass a
meaningful ``min_sigma``, otherwise any change from a perfectly constant baseline is out of control.

Missing values (``None`` or NaN) are ``"no_data"`` points: skipped by the statistic (EWMA time ``t``
and the CUSUM sums do not advance) and carrying the previous point's statistic and limits.
Infinite values are rejected. A chart does not reset by itself: a persistent shift stays
``"out_of_control"`` until the statistic comes back inside the limits, or until the caller restarts
it (``restarts``: a handled signal, a new reference, a retraining), which starts the statistic, and
estimated limits, anew from that point.

Honest limits (``arl0``): limits estimated from a short Phase I alarm far more often than the
textbook widths promise. With ``arl0`` set the width is calibrated by simulation
(:mod:`steward.spc._calibrate`) to the false-signal probability of that in-control ARL, estimation
error included, and the Phase I points stay silent (``"learning"``). Every point records where its
limits came from (``limits_source``, the Phase I positions, the adjustment).
"""

from __future__ import annotations

import math
from collections.abc import Collection, Iterable, Sequence
from dataclasses import dataclass, replace
from itertools import pairwise
from typing import Any, Literal, NamedTuple

import numpy as np

__all__ = [
    "D2",
    "SIGMA_REL_FLOOR",
    "STATES",
    "ChartPoint",
    "Direction",
    "LimitsSource",
    "Method",
    "SigmaMethod",
    "State",
    "control_chart",
    "to_rows",
    "worst_state",
]

Method = Literal["ewma", "cusum", "shewhart"]
SigmaMethod = Literal["moving_range", "std"]
Direction = Literal["both", "up", "down"]
State = Literal["learning", "in_control", "warning", "out_of_control", "no_data"]
LimitsSource = Literal["known", "phase_i", "provisional"]

STATES: tuple[State, ...] = ("no_data", "learning", "in_control", "warning", "out_of_control")
"""All states, from least to most severe (the order :func:`worst_state` uses)."""

D2 = 1.128
"""Bias constant d2 for moving ranges of two consecutive points: sigma = MR-bar / d2."""

SIGMA_REL_FLOOR = 1e-9
"""Default sigma floor relative to ``max(|centre|, 1)``, used when the baseline is (nearly) constant."""

_SEVERITY = {state: rank for rank, state in enumerate(STATES)}


@dataclass(frozen=True, slots=True)
class ChartPoint:
    """One point of a control chart.

    Attributes
    ----------
    index : int
        Position in the input series (missing values included).
    value : float or None
        The observed value (``None`` for a missing one).
    center, sigma : float or None
        Centre line and sigma the point was judged with (``None`` while learning).
    statistic : float or None
        Shewhart: the value. EWMA: ``z_t``. CUSUM: ``C+`` (``direction="up"``), ``C-`` (``"down"``)
        or the larger of the two (``"both"``), in the series' units.
    lcl, ucl, warn_low, warn_high : float or None
        Control and warning limits for ``statistic``; ``None`` on a side that does not alarm.
        For CUSUM, ``ucl = h * sigma`` and ``warn_high = warn_h * sigma`` (the decision intervals
        both sums are compared with) and the lower limits are ``None``.
    state : {"learning", "in_control", "warning", "out_of_control", "no_data"}
        The verdict: beyond the control limit, beyond the warning limit, inside, not yet judged,
        or missing.
    cusum_upper, cusum_lower : float or None
        CUSUM only: both one-sided sums ``C+`` and ``C-`` (non-negative), whatever the direction.
    note : str
        Why a point is learning, provisional, floored or missing; empty otherwise.
    limits_source : {"known", "phase_i", "provisional"} or None
        Where the limits came from: given in-control parameters, the completed Phase I (the first
        ``baseline`` usable points of the segment), or the Phase I points so far; ``None`` while
        there are no limits yet.
    phase_i_from, phase_i_to, phase_i_n : int or None
        Positions (in the input series) of the first and last Phase I point the limits were
        estimated from, and how many usable points that was.
    adjustment : str
        How the width was set: ``"L=3"``-style when configured, or the calibrated width and its
        target (``"calibrated L=3.52: P(false signal in 60) = 15.0% (ARL0 370), 20 Phase I points"``).
    segment : int
        How many restarts precede the point (0 before the first one).
    """

    index: int
    value: float | None
    center: float | None
    sigma: float | None
    statistic: float | None
    lcl: float | None
    ucl: float | None
    warn_low: float | None
    warn_high: float | None
    state: State
    cusum_upper: float | None = None
    cusum_lower: float | None = None
    note: str = ""
    limits_source: LimitsSource | None = None
    phase_i_from: int | None = None
    phase_i_to: int | None = None
    phase_i_n: int | None = None
    adjustment: str = ""
    segment: int = 0


class _Params(NamedTuple):
    center: float
    sigma: float
    note: str


def _check_options(
    *,
    method: str,
    baseline: int,
    sigma_method: str,
    direction: str,
    lam: float,
    L: float,
    warn_L: float,
    k: float,
    h: float,
    warn_h: float,
    min_baseline: int,
    center: float | None,
    sigma: float | None,
    min_sigma: float | None,
) -> None:
    if method not in ("ewma", "cusum", "shewhart"):
        raise ValueError(f"method must be 'ewma', 'cusum' or 'shewhart', got {method!r}")
    if sigma_method not in ("moving_range", "std"):
        raise ValueError(f"sigma_method must be 'moving_range' or 'std', got {sigma_method!r}")
    if direction not in ("both", "up", "down"):
        raise ValueError(f"direction must be 'both', 'up' or 'down', got {direction!r}")
    if min_baseline < 2:
        raise ValueError(f"min_baseline must be at least 2 (sigma needs two points), got {min_baseline}")
    if baseline < min_baseline:
        raise ValueError(f"baseline ({baseline}) must be at least min_baseline ({min_baseline})")
    if not 0.0 < lam <= 1.0:
        raise ValueError(f"lam must be in (0, 1], got {lam}")
    if not 0.0 < warn_L <= L:
        raise ValueError(f"need 0 < warn_L <= L, got warn_L={warn_L}, L={L}")
    if not 0.0 < warn_h <= h:
        raise ValueError(f"need 0 < warn_h <= h, got warn_h={warn_h}, h={h}")
    if k < 0:
        raise ValueError(f"k must be non-negative, got {k}")
    if center is not None and not math.isfinite(center):
        raise ValueError(f"center must be finite, got {center}")
    if sigma is not None and not (math.isfinite(sigma) and sigma > 0):
        raise ValueError(f"sigma must be finite and positive, got {sigma}")
    if min_sigma is not None and not (math.isfinite(min_sigma) and min_sigma > 0):
        raise ValueError(f"min_sigma must be finite and positive, got {min_sigma}")


def _clean(values: Sequence[float | None]) -> list[float | None]:
    out: list[float | None] = []
    for i, v in enumerate(values):
        if v is None:
            out.append(None)
            continue
        x = float(v)
        if math.isnan(x):
            out.append(None)
        elif math.isinf(x):
            raise ValueError(f"values[{i}] is {x}; a chart needs finite values (None or NaN for missing)")
        else:
            out.append(x)
    return out


def _estimate(
    window: np.ndarray,
    *,
    sigma_method: SigmaMethod,
    center: float | None,
    sigma: float | None,
    min_sigma: float | None,
    note: str,
) -> _Params:
    mu = float(window.mean()) if center is None else center
    if sigma is not None:
        return _Params(mu, sigma, note)
    if sigma_method == "moving_range":
        s = float(np.abs(np.diff(window)).mean()) / D2
    else:
        s = float(window.std(ddof=1))
    floor = min_sigma if min_sigma is not None else SIGMA_REL_FLOOR * max(abs(mu), 1.0)
    if s < floor:
        how = (
            f"min_sigma={min_sigma:g}" if min_sigma is not None else f"{SIGMA_REL_FLOOR:g} * max(|centre|,1)"
        )
        floored = f"baseline sigma {s:.3g} floored at {floor:.3g} ({how})"
        return _Params(mu, floor, f"{note}; {floored}" if note else floored)
    return _Params(mu, s, note)


def _beyond(stat: float, low: float | None, high: float | None) -> bool:
    return (high is not None and stat > high) or (low is not None and stat < low)


def _run(
    xs: np.ndarray,
    params: _Params,
    *,
    method: Method,
    direction: Direction,
    lam: float,
    L: float,
    warn_L: float,
    k: float,
    h: float,
    warn_h: float,
    resets: Collection[int] = (),
) -> list[dict[str, Any]]:
    """Run the chart over usable values ``xs`` with fixed parameters: one dict of fields per value.

    At each position in ``resets`` the statistic starts anew (EWMA from the centre at time 1, CUSUM
    sums from 0) before that value is taken in.
    """
    mu, s = params.center, params.sigma
    up, down = direction in ("both", "up"), direction in ("both", "down")
    out: list[dict[str, Any]] = []
    z, c_plus, c_minus = mu, 0.0, 0.0
    start = 0
    low: float | None
    high: float | None
    w_low: float | None
    w_high: float | None
    for i, x in enumerate(xs.tolist()):
        if i in resets:
            z, c_plus, c_minus, start = mu, 0.0, 0.0, i
        t = i - start + 1
        fields: dict[str, Any] = {"center": mu, "sigma": s}
        if method == "cusum":
            c_plus = max(0.0, x - (mu + k * s) + c_plus)
            c_minus = max(0.0, (mu - k * s) - x + c_minus)
            stat = max(c_plus, c_minus) if direction == "both" else (c_plus if up else c_minus)
            low, high, w_low, w_high = None, h * s, None, warn_h * s
            fields.update(cusum_upper=c_plus, cusum_lower=c_minus)
        else:
            if method == "ewma":
                z = lam * x + (1.0 - lam) * z
                stat = z
                width = s * math.sqrt(lam / (2.0 - lam) * (1.0 - (1.0 - lam) ** (2 * t)))
            else:
                stat, width = x, s
            low = mu - L * width if down else None
            high = mu + L * width if up else None
            w_low = mu - warn_L * width if down else None
            w_high = mu + warn_L * width if up else None
        if _beyond(stat, low, high):
            state: State = "out_of_control"
        elif _beyond(stat, w_low, w_high):
            state = "warning"
        else:
            state = "in_control"
        fields.update(statistic=stat, lcl=low, ucl=high, warn_low=w_low, warn_high=w_high, state=state)
        out.append(fields)
    return out


def control_chart(
    values: Sequence[float | None],
    *,
    method: Method,
    baseline: int = 7,
    sigma_method: SigmaMethod = "moving_range",
    direction: Direction = "both",
    lam: float = 0.2,
    L: float = 3.0,
    warn_L: float = 2.0,
    k: float = 0.5,
    h: float = 5.0,
    warn_h: float = 4.0,
    min_baseline: int = 5,
    center: float | None = None,
    sigma: float | None = None,
    min_sigma: float | None = None,
    arl0: float | None = None,
    horizon: int = 60,
    restarts: Collection[int] = (),
    resets: Collection[int] = (),
) -> list[ChartPoint]:
    """Judge a series with a control chart whose limits are known or learned from its first points.

    Parameters
    ----------
    values : sequence of float or None
        The series in time order (one value per night); ``None`` or NaN for a missing value.
    method : {"ewma", "cusum", "shewhart"}
        EWMA ``z_t = lam * x_t + (1 - lam) * z_{t-1}`` with ``z_0 = centre`` and the exact
        time-varying limits ``centre +/- L * sigma * sqrt(lam / (2 - lam) * (1 - (1 - lam)^(2t)))``;
        tabular CUSUM ``C+_t = max(0, x_t - (centre + k sigma) + C+_{t-1})``,
        ``C-_t = max(0, (centre - k sigma) - x_t + C-_{t-1})`` against ``h sigma``;
        Shewhart individuals against ``centre +/- L sigma``.
    baseline : int, default 7
        Number of usable (non-missing) points forming the in-control window (Phase I).
    sigma_method : {"moving_range", "std"}, default "moving_range"
        ``MR-bar / 1.128`` (robust to a slow creep in the baseline) or the sample std (ddof 1).
    direction : {"both", "up", "down"}, default "both"
        Which side alarms: ``"up"`` for a series where only increases are bad (a drift score),
        ``"down"`` where only decreases are (an AUC).
    lam, L, warn_L : float
        EWMA weight, and control/warning limit widths in sigmas (EWMA and Shewhart).
    k, h, warn_h : float
        CUSUM reference value and control/warning decision intervals, in sigmas.
    min_baseline : int, default 5
        Usable points needed before any point gets (provisional) limits; these first points are
        ``"learning"``.
    center, sigma : float, optional
        Known in-control mean and sigma (e.g. from the model's reference); they replace the
        baseline estimate. With both given no point is ``"learning"``.
    min_sigma : float, optional
        Absolute sigma floor; default ``1e-9 * max(|centre|, 1)``. See the module docstring.
    arl0 : float, optional
        Honest limits: the width (``L``, or ``h`` for CUSUM) is calibrated by simulation so that the
        probability of a false signal within ``horizon`` judged nights is that of an in-control ARL
        of ``arl0`` nights, estimation error of the Phase I included (see
        :func:`steward.spc.calibrated_width`); the warning width keeps its ratio to the control
        width. With estimated limits every Phase I point is then ``"learning"`` (shown with
        provisional limits, never alarming). ``None`` keeps the configured widths and judges the
        points after ``min_baseline`` against provisional limits.
    horizon : int, default 60
        The horizon of the ``arl0`` calibration, in nights.
    restarts : collection of int
        Positions in ``values`` where the chart starts anew (a handled signal, a new reference, a
        retraining): the statistic restarts from the centre (CUSUM sums from 0, EWMA time from 1)
        and estimated limits are learned again from the points from there on.
    resets : collection of int
        Positions where only the statistic starts anew and the limits are kept (an acknowledged
        signal on a series whose in-control level has not changed).

    Returns
    -------
    list of ChartPoint
        One point per input value, same order.

    Examples
    --------
    >>> pts = control_chart([1.0, 1.2, 0.9, 1.1, 1.0, 1.05, 0.95, 1.0, 3.0], method="shewhart")
    >>> [p.state for p in pts]  # doctest: +NORMALIZE_WHITESPACE
    ['learning', 'learning', 'learning', 'learning', 'learning', 'in_control', 'in_control',
     'in_control', 'out_of_control']
    >>> round(pts[-1].center, 4), round(pts[-1].ucl, 4), pts[-1].limits_source, pts[-1].phase_i_n
    (1.0286, 1.4497, 'phase_i', 7)
    """
    _check_options(
        method=method,
        baseline=baseline,
        sigma_method=sigma_method,
        direction=direction,
        lam=lam,
        L=L,
        warn_L=warn_L,
        k=k,
        h=h,
        warn_h=warn_h,
        min_baseline=min_baseline,
        center=center,
        sigma=sigma,
        min_sigma=min_sigma,
    )
    if arl0 is not None and not arl0 > 1:
        raise ValueError(f"arl0 must be above 1 night, got {arl0}")
    cleaned = _clean(values)
    for r in (*restarts, *resets):
        if not 0 <= r < max(len(cleaned), 1):
            raise ValueError(f"restart position {r} is outside the series (0..{len(cleaned) - 1})")
    known = center is not None and sigma is not None
    adjustment = f"h={h:g}" if method == "cusum" else f"L={L:g}"
    if arl0 is not None:
        from steward.spc._calibrate import calibrated_width, false_signal_target

        width = calibrated_width(
            method,
            phase_i=None if known else baseline,
            arl0=arl0,
            horizon=horizon,
            lam=lam,
            k=k,
            direction=direction,
            sigma_method=sigma_method,
        )
        target = false_signal_target(arl0, horizon)
        name = "h" if method == "cusum" else "L"
        adjustment = (
            f"calibrated {name}={width:.3f}: P(false signal in {horizon}) = {target:.1%} (ARL0 {arl0:g}), "
            + ("known parameters" if known else f"{baseline} Phase I points")
        )
        if method == "cusum":
            warn_h, h = warn_h * width / h, width
        else:
            warn_L, L = warn_L * width / L, width
    run_options: dict[str, Any] = {
        "method": method,
        "direction": direction,
        "lam": lam,
        "L": L,
        "warn_L": warn_L,
        "k": k,
        "h": h,
        "warn_h": warn_h,
    }
    cuts = sorted({0, *restarts, len(cleaned)})
    points: list[ChartPoint] = []
    previous: ChartPoint | None = None
    for segment, (a, b) in enumerate(pairwise(cuts)):
        positions = [i for i in range(a, b) if cleaned[i] is not None]
        usable = np.array([cleaned[i] for i in positions], dtype=float)
        # a reset at a missing value takes effect at the next usable one
        seg_resets = {next((j for j, p in enumerate(positions) if p >= r), -1) for r in resets if a <= r < b}
        fields = _segment_fields(
            usable,
            positions,
            known=known,
            baseline=baseline,
            min_baseline=min_baseline,
            sigma_method=sigma_method,
            center=center,
            sigma=sigma,
            min_sigma=min_sigma,
            silent_phase_i=arl0 is not None,
            adjustment=adjustment,
            run_options={**run_options, "resets": seg_resets - {-1}},
        )
        j = 0
        for index in range(a, b):
            value = cleaned[index]
            if value is None:
                if previous is None:
                    point = ChartPoint(index, None, None, None, None, None, None, None, None, "no_data")
                else:
                    point = replace(previous, index=index, value=None, state="no_data")
                point = replace(
                    point,
                    note="missing value: statistic and limits carried from the previous point",
                    segment=segment,
                )
            else:
                f = fields[j]
                if f is None:
                    point = ChartPoint(
                        index, value, None, None, None, None, None, None, None, "learning",
                        note=f"learning: usable point {j + 1} of the min_baseline={min_baseline} needed",
                        segment=segment,
                    )  # fmt: skip
                else:
                    point = ChartPoint(index=index, value=value, segment=segment, **f)
                j += 1
            points.append(point)
            previous = point
    return points


def _segment_fields(
    usable: np.ndarray,
    positions: list[int],
    *,
    known: bool,
    baseline: int,
    min_baseline: int,
    sigma_method: SigmaMethod,
    center: float | None,
    sigma: float | None,
    min_sigma: float | None,
    silent_phase_i: bool,
    adjustment: str,
    run_options: dict[str, Any],
) -> list[dict[str, Any] | None]:
    """Fields of each usable point of one segment (``None`` while learning without limits).

    ``fields[j]`` for the usable value preceded by ``j`` usable values of the segment: the chart run
    with the parameters of the first ``min(j, baseline)`` values.
    """
    m = usable.size
    fields: list[dict[str, Any] | None] = [None] * m
    if known:
        assert center is not None and sigma is not None
        for j, f in enumerate(_run(usable, _Params(center, sigma, ""), **run_options)):
            fields[j] = {**f, "limits_source": "known", "adjustment": adjustment}
        return fields
    for w in range(min_baseline, min(baseline, m - 1) + 1):
        last = w == baseline
        note = "" if last else f"provisional limits from the first {w} of baseline={baseline}"
        if not last and silent_phase_i:
            note = f"Phase I: {note}; no alarm before the {baseline} Phase I points are complete"
        params = _estimate(
            usable[:w],
            sigma_method=sigma_method,
            center=center,
            sigma=sigma,
            min_sigma=min_sigma,
            note=note,
        )
        run = _run(usable if last else usable[: w + 1], params, **run_options)
        provenance = {
            "limits_source": "phase_i" if last else "provisional",
            "phase_i_from": positions[0],
            "phase_i_to": positions[w - 1],
            "phase_i_n": w,
            "adjustment": adjustment,
            "note": params.note,
        }
        for j in range(w, m if last else w + 1):
            f = {**run[j], **provenance}
            if not last and silent_phase_i:
                f["state"] = "learning"
            fields[j] = f
    return fields


def worst_state(points: Iterable[ChartPoint]) -> State:
    """Return the most severe state among ``points`` (``"no_data"`` when there are none).

    Severity, from least to most: no_data, learning, in_control, warning, out_of_control.

    Examples
    --------
    >>> worst_state(control_chart([1.0, 1.1, 0.9, 1.0, 1.05, 9.0], method="shewhart"))
    'out_of_control'
    >>> worst_state([])
    'no_data'
    """
    worst: State = "no_data"
    for p in points:
        if _SEVERITY[p.state] > _SEVERITY[worst]:
            worst = p.state
    return worst


def to_rows(points: Iterable[ChartPoint], series: str, method: Method) -> list[dict[str, Any]]:
    """JSON-ready rows, one per point, each tagged with its ``series`` name and chart ``method``.

    Every number is a Python ``float`` or ``None`` (never NaN), so rows go straight into a table or
    ``json.dumps``.

    Examples
    --------
    >>> rows = to_rows(control_chart([1.0, None], method="ewma", center=1.0, sigma=0.1), "auc", "ewma")
    >>> rows[0]["series"], rows[0]["state"], rows[1]["state"], rows[1]["statistic"]
    ('auc', 'in_control', 'no_data', 1.0)
    """
    if not series:
        raise ValueError("series must be a non-empty name (e.g. 'leads.auc')")
    return [
        {
            "series": series,
            "method": method,
            "index": p.index,
            "value": p.value,
            "state": p.state,
            "center": p.center,
            "sigma": p.sigma,
            "statistic": p.statistic,
            "lcl": p.lcl,
            "ucl": p.ucl,
            "warn_low": p.warn_low,
            "warn_high": p.warn_high,
            "cusum_upper": p.cusum_upper,
            "cusum_lower": p.cusum_lower,
            "note": p.note,
            "limits_source": p.limits_source,
            "phase_i_from": p.phase_i_from,
            "phase_i_to": p.phase_i_to,
            "phase_i_n": p.phase_i_n,
            "adjustment": p.adjustment,
            "segment": p.segment,
        }
        for p in points
    ]
