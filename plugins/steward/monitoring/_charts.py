"""Control charts of every monitored series of a model (EWMA, CUSUM, Shewhart) at a stated false-alarm rate.

Series and where their limits come from (docs/adr/0003-control-chart-limits.md):

* ``mean:<column>``, the daily mean of each numeric feature (both ways: catches a slow creep that no
  single night's test flags). Known in-control parameters from the reference: centre = the reference
  mean, sigma = reference std * sqrt(1/n + 1/N) for the night's ``n`` non-missing values and the
  reference's ``N``. ``limits_source = "reference"``; judged from the first night.
* ``drift:<column>`` (the drift distance of each feature and the score, alarms upward),
  ``performance:auc`` and ``estimate:auc`` (realized and label-free AUC, alarm downward) and, when
  fairness runs, ``fairness:<attribute>:<metric>`` (the largest gap, upward). No reference says
  what is in control, so centre and sigma are learned from a Phase I of
  ``monitoring.control_chart.baseline`` nights (default 20), during which the chart is shown with
  provisional limits and never alarms; the widths are then calibrated by simulation to the
  false-signal probability of an in-control ARL of ``control_chart.arl0[kind]`` nights
  (:func:`steward.spc.calibrated_width`).

Guards: a ``drift:`` series alarms only on a night whose own drift test flags that column (distances
of small samples are biased and skewed; the chart says the drift is sustained, the test that it is
real), and a fairness-gap series only on a night whose fairness evaluation finds that gap a breach.

Restarts: a new reference (its id changes between nights) or a new model version restarts the
series' charts, relearning Phase I limits; a row in ``control_chart_restarts`` restarts them on its
date (``acknowledged``: the statistic only, limits kept; ``retraining``, ``registry_change``: a new
Phase I). Every point records the night its segment started and why.

Episodes: consecutive alarming EWMA or CUSUM points of a series form one alert episode. Each episode
gives one ``monitoring_breaches`` row, on its first night; the nights after it stay out of control in
``control_chart_points`` (with ``episode_from``) and in the night's alert lines until the statistic
comes back or the signal is acknowledged.

The stage is a function: :func:`chart_model` reads the history from the warehouse, takes tonight's
rows in memory and returns every row of the model's ``control_chart_points`` (derived state, so a
rerun or backfill of any night leaves the same rows) and the night's breach rows, without writing.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import json
import math
from collections import defaultdict
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any, Literal

from steward.monitoring._aggregate import ColumnProfile
from steward.monitoring._null import chart_distance, distance_scores
from steward.registry import Model
from steward.registry._monitoring import ControlChartPolicy, SeriesKind
from steward.spc import ChartPoint, control_chart, to_rows
from steward.warehouse import Warehouse, read_sql

__all__ = [
    "CHARTS",
    "ChartNight",
    "Episode",
    "Restart",
    "SeriesInput",
    "chart_model",
    "chart_series",
    "model_series",
    "record_restart",
    "registry_fingerprint",
]

#: Charts computed for every series; an alert comes from EWMA or CUSUM.
CHARTS = ("ewma", "cusum", "shewhart")
_ALERTING = ("ewma", "cusum")
_RESTART_KINDS = ("acknowledged", "retraining", "registry_change")


@dataclass(frozen=True)
class SeriesInput:
    """One nightly series of a model, with what is known about its in-control behaviour.

    ``centers``/``sigmas`` (one per night) are the known in-control parameters (``None``: learn them
    in Phase I). ``scores``, when given, are the values already standardized (standard normal in
    control; a distance's normal score under its null), and ``centers``/``sigmas`` only display them.
    ``regimes`` (reference id or model version per night): a change restarts the chart.
    ``may_alarm`` (per night): whether an out-of-control point on that night may alert.
    """

    name: str
    kind: SeriesKind
    direction: Literal["both", "up", "down"]
    days: tuple[dt.date, ...]
    values: tuple[float | None, ...]
    centers: tuple[float | None, ...] | None = None
    sigmas: tuple[float | None, ...] | None = None
    scores: tuple[float | None, ...] | None = None
    regimes: tuple[str | None, ...] = ()
    may_alarm: tuple[bool, ...] = ()


@dataclass(frozen=True)
class Restart:
    """A restart of a model's charts on ``day`` (``series`` ``"*"``: all of them)."""

    series: str
    day: dt.date
    kind: str  # acknowledged | retraining | registry_change | new_reference | new_version
    reason: str


@dataclass(frozen=True)
class Episode:
    """One alert episode: consecutive alarming points of one chart of one series."""

    series: str
    chart: str
    start: dt.date
    last: dt.date
    nights: int
    open: bool  # the series' latest judged point is still part of it
    peak: float | None
    limits: str

    def describe(self) -> str:
        """One readable line."""
        span = f"since {self.start}" if self.open else f"{self.start}..{self.last}"
        return (
            f"{self.series}: {self.chart.upper()} episode {span} ({self.nights} nights); "
            f"limits from {self.limits}"
        )


@dataclass(frozen=True)
class ChartNight:
    """What the chart stage returns for one model and night; nothing is written yet.

    ``rows``: every ``control_chart_points`` row of the model. ``episodes``: all alert episodes,
    oldest first. ``alerts``: one line per episode open on the night. ``breaches``:
    ``monitoring_breaches`` rows (kind ``control_chart``) for the episodes that began that night.
    """

    rows: tuple[dict[str, Any], ...] = ()
    episodes: tuple[Episode, ...] = ()
    alerts: tuple[str, ...] = ()
    breaches: tuple[dict[str, Any], ...] = field(default_factory=tuple)


def _f(v: object) -> float | None:
    return None if v is None else float(v)  # type: ignore[arg-type]


def model_series(
    model: Model,
    warehouse: Warehouse,
    *,
    day: dt.date | None = None,
    drift_rows: Sequence[Mapping[str, Any]] = (),
    performance_rows: Sequence[Mapping[str, Any]] = (),
    fairness_rows: Sequence[Mapping[str, Any]] = (),
) -> dict[str, SeriesInput]:
    """Return every series of ``model``: the warehouse's history merged with tonight's rows in memory.

    Parameters
    ----------
    day
        Tonight's window: ``drift_metrics`` rows of that window are taken from ``drift_rows``.
    drift_rows
        Tonight's ``drift_metrics`` rows (with ``window_date`` and ``reference_id``).
    performance_rows
        Tonight's ``model_performance`` rows (with ``window_date``), replacing those windows' history.
    fairness_rows
        Tonight's ``fairness_metrics`` rows (the window and re-evaluated earlier ones), likewise.
    """
    drift = _with_tonight(
        warehouse.fetch(read_sql("monitoring/select_drift_history.sql"), {"model": model.name}),
        drift_rows,
        replaced={day},
    )
    profiles = {
        (str(r["reference_id"]), str(r["feature"])): r
        for r in warehouse.fetch(
            "select * from monitoring_reference_profiles where model = :m", {"m": model.name}
        )
    }
    by_night: dict[str, dict[dt.date, Mapping[str, Any]]] = defaultdict(dict)
    for r in drift:
        if r["status"] == "ok":
            by_night[str(r["feature"])][r["window_date"]] = r
    series: dict[str, SeriesInput] = {}
    for feature, nights in by_night.items():
        days = tuple(sorted(nights))
        rows = [nights[d] for d in days]
        regimes = tuple(None if r["reference_id"] is None else str(r["reference_id"]) for r in rows)
        if any(r["effect_size"] is not None for r in rows):
            series[f"drift:{feature}"] = _drift_series(model, feature, days, rows, regimes, profiles)
        numeric = [r for r in rows if r["column_type"] == "numeric" and r["role"] == "feature"]
        if numeric and any(r["current_mean"] is not None for r in numeric):
            values: list[float | None] = []
            centers: list[float | None] = []
            sigmas: list[float | None] = []
            for r in rows:
                mean, ref_mean, ref_std = (
                    _f(r["current_mean"]),
                    _f(r["reference_mean"]),
                    _f(r["reference_std"]),
                )
                n, n_ref = _f(r["n_current"]), _f(r["n_reference"])
                if mean is None or ref_mean is None or not ref_std or not n:
                    values.append(None)
                    centers.append(None)
                    sigmas.append(None)
                    continue
                # the night's sampling error, plus the reference mean's own (N values)
                values.append(mean)
                centers.append(ref_mean)
                sigmas.append(ref_std * math.sqrt(1.0 / n + (1.0 / n_ref if n_ref else 0.0)))
            series[f"mean:{feature}"] = SeriesInput(
                f"mean:{feature}",
                "mean",
                "both",
                days,
                tuple(values),
                centers=tuple(centers),
                sigmas=tuple(sigmas),
                regimes=regimes,
            )
    perf = _with_tonight(
        warehouse.fetch(read_sql("monitoring/select_performance_history.sql"), {"model": model.name}),
        [r for r in performance_rows if r.get("metric") == "auc"],
        replaced={r["window_date"] for r in performance_rows},
    )
    perf.sort(key=lambda r: r["window_date"])
    cover = model.monitoring.min_label_coverage
    realized = [r for r in perf if r["realized_value"] is not None and float(r["label_coverage"]) >= cover]
    estimated = [r for r in perf if r["estimated_value"] is not None]
    for name, kind, col, rs in (
        ("performance:auc", "performance", "realized_value", realized),
        ("estimate:auc", "estimate", "estimated_value", estimated),
    ):
        if rs:
            series[name] = SeriesInput(
                name,
                kind,  # type: ignore[arg-type]
                "down",
                tuple(r["window_date"] for r in rs),
                tuple(_f(r[col]) for r in rs),
                regimes=tuple(None if r["model_version"] is None else str(r["model_version"]) for r in rs),
            )
    gaps, breached = _fairness(model, warehouse, fairness_rows)
    for name, gap in gaps.items():
        gap_days = tuple(sorted(gap))
        key = name.removeprefix("fairness:")
        series[name] = SeriesInput(
            name,
            "fairness",
            "up",
            gap_days,
            tuple(gap[d] for d in gap_days),
            may_alarm=tuple((d, key) in breached for d in gap_days),
        )
    return series


def _drift_series(
    model: Model,
    feature: str,
    days: tuple[dt.date, ...],
    rows: list[Mapping[str, Any]],
    regimes: tuple[str | None, ...],
    profiles: Mapping[tuple[str, str], Mapping[str, Any]],
) -> SeriesInput:
    """Build a drift distance series: normal scores under the reference's null, else a Phase I."""
    name = f"drift:{feature}"
    distances = tuple(_f(r["effect_size"]) for r in rows)
    may_alarm = tuple(bool(r["drifted"]) for r in rows)
    groups: dict[tuple[str, str], list[int]] = defaultdict(list)
    for i, r in enumerate(rows):
        if r["effect_size"] is not None:
            groups[(str(r["reference_id"]), str(r["effect_method"]))].append(i)
    if not groups or any((ref_id, feature) not in profiles for ref_id, _ in groups):
        return SeriesInput(name, "drift", "up", days, distances, regimes=regimes, may_alarm=may_alarm)
    scores: list[float | None] = [None] * len(rows)
    centers: list[float | None] = [None] * len(rows)
    sigmas: list[float | None] = [None] * len(rows)
    charted = list(distances)
    for (ref_id, method), idx in groups.items():
        profile = ColumnProfile.from_row(profiles[(ref_id, feature)])
        for i in idx:  # the statistic the null describes exactly (see steward.monitoring._null)
            counts = rows[i].get("current_counts_json")
            if counts:  # rows without their counts keep the verdict's distance
                charted[i] = chart_distance(profile, method, json.loads(counts))
        null = distance_scores(
            profile,
            method,
            [charted[i] for i in idx],
            [None if rows[i]["n_current"] is None else int(rows[i]["n_current"]) for i in idx],
            seed_key=f"{model.name}/{feature}/{method}",
        )
        for j, i in enumerate(idx):
            scores[i], centers[i], sigmas[i] = null.scores[j], null.centers[j], null.sigmas[j]
    return SeriesInput(
        name,
        "drift",
        "up",
        days,
        tuple(charted),
        centers=tuple(centers),
        sigmas=tuple(sigmas),
        scores=tuple(scores),
        regimes=regimes,
        may_alarm=may_alarm,
    )


def _with_tonight(
    stored: Iterable[Mapping[str, Any]], tonight: Sequence[Mapping[str, Any]], *, replaced: set[Any]
) -> list[Mapping[str, Any]]:
    """Return the stored history with the windows in ``replaced`` taken from tonight's rows instead.

    The night is written in one transaction after the charts: tonight's (and re-evaluated earlier)
    windows are in memory, not yet in the warehouse.
    """
    return [dict(r) for r in stored if r["window_date"] not in replaced] + [dict(r) for r in tonight]


def _fairness(
    model: Model, warehouse: Warehouse, tonight: Sequence[Mapping[str, Any]] = ()
) -> tuple[dict[str, dict[dt.date, float]], set[tuple[dt.date, str]]]:
    """Largest absolute gap per attribute, metric and window, and the (window, attribute:metric) breaches.

    ``tonight`` holds ``fairness_metrics`` rows not written yet (the night is written in one
    transaction); they replace the stored rows of their windows.
    """
    rows = _with_tonight(
        warehouse.fetch(read_sql("monitoring/select_fairness_history.sql"), {"model": model.name}),
        tonight,
        replaced={r["window_date"] for r in tonight},
    )
    out: dict[str, dict[dt.date, float]] = defaultdict(dict)
    breached: set[tuple[dt.date, str]] = set()
    for r in rows:
        day, key = r["window_date"], f"{r['attribute']}:{r['metric']}"
        if r["status"] == "breach":
            breached.add((day, key))
        if r["value"] is not None and str(r["metric"]).endswith("difference"):
            gaps = out[f"fairness:{key}"]
            gaps[day] = max(gaps.get(day, 0.0), abs(float(r["value"])))
    return out, breached


def record_restart(
    warehouse: Warehouse,
    model: str,
    day: dt.date,
    *,
    kind: Literal["acknowledged", "retraining", "registry_change"],
    reason: str,
    series: str = "*",
    recorded_by: str | None = None,
) -> None:
    """Restart ``model``'s charts (one ``series`` or ``"*"``) from window ``day`` on (next run applies it).

    ``acknowledged``: a signal was handled and the process is unchanged (the statistic restarts, the
    limits stay). ``retraining`` (the hook for the retraining flow) and ``registry_change``: the
    in-control level may have moved (a new Phase I). Idempotent per model, series, day and kind.
    """
    if kind not in _RESTART_KINDS:
        raise ValueError(f"restart kind must be one of {', '.join(_RESTART_KINDS)}, got {kind!r}")
    if not reason.strip():
        raise ValueError(f"model {model!r}, series {series!r}: a restart needs a reason (who handled what)")
    warehouse.replace_partition(
        "control_chart_restarts",
        {"model": model, "series": series, "restart_date": day, "kind": kind},
        [{"reason": reason, "recorded_by": recorded_by, "recorded_at": dt.datetime.now(dt.UTC)}],
    )


#: The parts of a model's registry entry that shape its series: a change restarts its charts.
_FINGERPRINTED = {"prediction_log", "labels", "columns", "features", "reference", "thresholds", "monitoring"}


def registry_fingerprint(model: Model) -> str:
    """Return a short hash of the parts of ``model``'s registry entry that shape its monitored series."""
    entry = model.model_dump(mode="json", include=_FINGERPRINTED)
    return hashlib.sha256(json.dumps(entry, sort_keys=True).encode()).hexdigest()[:16]


def _registry_restarts(
    model: Model, warehouse: Warehouse, day: dt.date, fingerprint: str | None
) -> list[Restart]:
    """Restart every series on each night whose registry fingerprint differs from the night before."""
    nights = {
        r["window_date"]: r["registry_fingerprint"]
        for r in warehouse.fetch(
            "select window_date, registry_fingerprint from monitoring_runs where model = :m",
            {"m": model.name},
        )
        if r["window_date"] != day
    }
    nights[day] = fingerprint
    out: list[Restart] = []
    previous: object = None
    for d in sorted(nights):  # type: ignore[type-var]
        current = nights[d]
        if current is None:
            continue
        if previous is not None and current != previous:
            out.append(
                Restart("*", d, "registry_change", f"registry entry changed ({previous} -> {current})")  # type: ignore[arg-type]
            )
        previous = current
    return out


def _recorded_restarts(model: Model, warehouse: Warehouse) -> list[Restart]:
    return [
        Restart(str(r["series"]), r["restart_date"], str(r["kind"]), str(r["reason"]))  # type: ignore[arg-type]
        for r in warehouse.fetch(read_sql("monitoring/select_chart_restarts.sql"), {"model": model.name})
    ]


def _restart_positions(s: SeriesInput, restarts: Iterable[Restart]) -> tuple[dict[int, str], dict[int, str]]:
    """Positions where the series restarts (new Phase I) and where only its statistic resets, with why."""
    full: dict[int, str] = {}
    reset: dict[int, str] = {}
    previous: str | None = None
    for i, regime in enumerate(s.regimes):
        if regime is None:
            continue
        if previous is not None and regime != previous:
            what = "model version" if s.kind in ("performance", "estimate") else "reference"
            full[i] = f"new {what} {regime[:12]}"
        previous = regime
    for r in restarts:
        if r.series not in ("*", s.name):
            continue
        pos = next((j for j, d in enumerate(s.days) if d >= r.day), None)
        if pos is None or pos == 0:
            continue
        target = reset if r.kind == "acknowledged" else full
        target[pos] = "; ".join(x for x in (target.get(pos), f"{r.kind} on {r.day}: {r.reason}") if x)
    for i in full:
        reset.pop(i, None)
    return full, reset


def chart_series(
    s: SeriesInput, cfg: ControlChartPolicy, restarts: Iterable[Restart] = ()
) -> dict[str, list[ChartPoint]]:
    """Run the three charts of one series; points are in the series' own units.

    Known parameters: the chart runs on the standardized values ``(x - centre) / sigma`` of each
    night, and its statistic and limits are mapped back to that night's units.
    """
    full, reset = _restart_positions(s, restarts)
    options: dict[str, Any] = {
        "direction": s.direction,
        "lam": cfg.lam,
        "L": cfg.L,
        "warn_L": cfg.warn_L,
        "k": cfg.k,
        "h": cfg.h,
        "warn_h": cfg.warn_h,
        "arl0": cfg.arl0_of(s.kind),
        "horizon": cfg.horizon,
        "restarts": sorted(full),
        "resets": sorted(reset),
    }
    out: dict[str, list[ChartPoint]] = {}
    for chart in CHARTS:
        if s.centers is not None and s.sigmas is not None:
            u = (
                list(s.scores)
                if s.scores is not None
                else [
                    None if v is None or c is None or sd is None else (v - c) / sd
                    for v, c, sd in zip(s.values, s.centers, s.sigmas, strict=True)
                ]
            )
            pts = control_chart(u, method=chart, center=0.0, sigma=1.0, **options)  # type: ignore[arg-type]
            out[chart] = [_to_units(p, s, chart) for p in pts]
        else:
            out[chart] = control_chart(
                list(s.values),
                method=chart,  # type: ignore[arg-type]
                baseline=cfg.baseline,
                min_baseline=min(5, cfg.baseline),
                **options,
            )
    return out


def _to_units(p: ChartPoint, s: SeriesInput, chart: str) -> ChartPoint:
    from dataclasses import replace

    assert s.centers is not None and s.sigmas is not None
    c, sd = s.centers[p.index], s.sigmas[p.index]
    if c is None or sd is None:  # a missing night: carry the standardized values' state only
        return replace(p, value=None, center=None, sigma=None, statistic=None, lcl=None, ucl=None,
                       warn_low=None, warn_high=None)  # fmt: skip

    def scale(v: float | None) -> float | None:
        if v is None:
            return None
        return sd * v if chart == "cusum" else c + sd * v

    return replace(
        p,
        value=s.values[p.index],
        center=c,
        sigma=sd,
        statistic=scale(p.statistic),
        lcl=scale(p.lcl),
        ucl=scale(p.ucl),
        warn_low=scale(p.warn_low),
        warn_high=scale(p.warn_high),
        cusum_upper=None if p.cusum_upper is None else sd * p.cusum_upper,
        cusum_lower=None if p.cusum_lower is None else sd * p.cusum_lower,
    )


def _limits_text(p: ChartPoint, s: SeriesInput) -> str:
    if p.limits_source is None:
        return "no limits yet (learning)"
    if p.limits_source == "known" and s.scores is not None:
        return (
            f"the distance's null drawn from the reference (mean {_fmt(p.center)}, std {_fmt(p.sigma)} "
            f"at the night's rows; charted as normal scores), {p.adjustment}"
        )
    if p.limits_source == "known":
        return (
            f"the reference (centre {_fmt(p.center)}, sigma {_fmt(p.sigma)} for the night's rows), "
            f"{p.adjustment}"
        )
    a = s.days[p.phase_i_from] if p.phase_i_from is not None else None
    b = s.days[p.phase_i_to] if p.phase_i_to is not None else None
    what = "Phase I" if p.limits_source == "phase_i" else "provisional Phase I"
    return f"{what} {a}..{b} ({p.phase_i_n} nights), {p.adjustment}"


def chart_model(
    model: Model,
    day: dt.date,
    *,
    warehouse: Warehouse,
    run_id: str,
    drift_rows: Sequence[Mapping[str, Any]] = (),
    performance_rows: Sequence[Mapping[str, Any]] = (),
    fairness_rows: Sequence[Mapping[str, Any]] = (),
    registry_fingerprint: str | None = None,
    now: dt.datetime | None = None,
) -> ChartNight:
    """Compute every control chart of ``model`` with tonight's rows in memory; write nothing.

    Parameters
    ----------
    model, day
        The model and tonight's window.
    warehouse
        Read for the history (earlier nights' drift and performance, fairness, recorded restarts).
    run_id
        Recorded on every row.
    drift_rows, performance_rows, fairness_rows
        Tonight's ``drift_metrics``, ``model_performance`` and ``fairness_metrics`` rows, not yet written.
    registry_fingerprint
        Tonight's :func:`registry_fingerprint`; a change from the previous night restarts every series.

    Returns
    -------
    ChartNight
        The model's ``control_chart_points`` rows, its episodes, tonight's alert lines and breach rows.
    """
    cfg = model.monitoring.control_chart
    now = now or dt.datetime.now(dt.UTC)
    with warehouse.held_open():  # six short reads of the history: one open of a DuckDB file, not six
        recorded = _recorded_restarts(model, warehouse) + _registry_restarts(
            model, warehouse, day, registry_fingerprint
        )
        all_series = model_series(
            model,
            warehouse,
            day=day,
            drift_rows=drift_rows,
            performance_rows=performance_rows,
            fairness_rows=fairness_rows,
        )
    rows: list[dict[str, Any]] = []
    episodes: list[Episode] = []
    alerts: list[str] = []
    breaches: list[dict[str, Any]] = []
    for name, s in sorted(all_series.items()):
        charts = chart_series(s, cfg, recorded)
        full, reset = _restart_positions(s, recorded)
        why = {**reset, **full}
        tonight_at = s.days.index(day) if day in s.days else None
        for chart, points in charts.items():
            # Tonight's alert is judged on the nights up to tonight only (the walk never looks ahead):
            # a rerun or backfill of an earlier night, with later nights already stored, raises the
            # alert it raised the first time.
            marks, found, tonight = _episode_walk(points, s, chart, why, tonight_at=tonight_at)
            episodes += found
            rows += [
                _point_row(r, s, marks[i], run_id=run_id, now=now)
                for i, r in enumerate(to_rows(points, name, chart))  # type: ignore[arg-type]
            ]
            if tonight is None or tonight_at is None:
                continue
            p = points[tonight_at]
            text = (
                f"{name}: {chart.upper()} out of control on {day} "
                f"(value {_fmt(p.value)}, statistic {_fmt(p.statistic)}, "
                f"limits {_fmt(p.lcl)}..{_fmt(p.ucl)}, centre {_fmt(p.center)}); "
                + (
                    "new episode"
                    if tonight.start == day
                    else f"episode since {tonight.start}, night {tonight.nights}"
                )
                + f"; limits from {tonight.limits}"
            )
            alerts.append(text)
            if tonight.start == day:
                breaches.append(
                    {
                        "kind": "control_chart",
                        "window_date": day,
                        "subject": f"{name}:{chart}",
                        "value": p.statistic,
                        "threshold": p.lcl if s.direction == "down" else p.ucl,
                        "message": text,
                        "evidence_json": json.dumps(
                            {
                                "series": name,
                                "chart": chart,
                                "limits_source": "reference"
                                if p.limits_source == "known"
                                else p.limits_source,
                                "limits": tonight.limits,
                                "episode_from": str(tonight.start),
                                "values": {
                                    str(d): v for d, v in zip(s.days, s.values, strict=True) if d <= day
                                },
                            },
                            sort_keys=True,
                        ),
                        "run_id": run_id,
                        "detected_at": now,
                    }
                )
    return ChartNight(tuple(rows), tuple(episodes), tuple(alerts), tuple(breaches))


def _episode_walk(
    points: Sequence[ChartPoint],
    s: SeriesInput,
    chart: str,
    why: Mapping[int, str],
    *,
    tonight_at: int | None = None,
) -> tuple[list[tuple[int, str | None, dt.date | None]], list[Episode], Episode | None]:
    """Walk a chart's points into alert episodes, once.

    Returns, per point, ``(segment start position, restart reason, episode start day or None)``, the
    episodes (the last one open when the last point still alarms), and the episode open at position
    ``tonight_at`` that its point extends (tonight's alert, as a walk ending there would have it), or
    None. A point at a restart position
    (``why``) closes the running episode; an alarming point (EWMA/CUSUM out of control where the series
    may alarm) opens or extends one; once open, any out-of-control point extends it (a guard opens,
    never splits); a judged in-control point closes it.
    """
    marks: list[tuple[int, str | None, dt.date | None]] = []
    episodes: list[Episode] = []
    segment_start, reason = 0, None
    current: list[ChartPoint] = []
    tonight: Episode | None = None
    for i, p in enumerate(points):
        if i in why:
            segment_start, reason = i, why[i]
            current = _close(current, s, chart, episodes, open_=False)
        alarm = chart in _ALERTING and p.state == "out_of_control" and (not s.may_alarm or s.may_alarm[i])
        if alarm or (current and p.state == "out_of_control"):
            current.append(p)
            alarm = True
        elif p.state != "no_data" and current:
            current = _close(current, s, chart, episodes, open_=False)
        marks.append((segment_start, reason, s.days[current[0].index] if alarm else None))
        if i == tonight_at and alarm:
            tonight = _episode(current, s, chart, open_=True)
    _close(current, s, chart, episodes, open_=True)
    return marks, episodes, tonight


def _close(
    current: list[ChartPoint], s: SeriesInput, chart: str, episodes: list[Episode], *, open_: bool
) -> list[ChartPoint]:
    """Append the episode made of ``current`` (if any) and return an empty one."""
    if current:
        episodes.append(_episode(current, s, chart, open_=open_))
    return []


def _episode(current: Sequence[ChartPoint], s: SeriesInput, chart: str, *, open_: bool) -> Episode:
    """Return the episode made of the alarming points ``current`` (not empty)."""
    stats = [p.statistic for p in current if p.statistic is not None]
    peak = (min(stats) if s.direction == "down" else max(stats)) if stats else None
    return Episode(
        s.name,
        chart,
        s.days[current[0].index],
        s.days[current[-1].index],
        len(current),
        open_,
        peak,
        _limits_text(current[0], s),
    )


def _point_row(
    r: Mapping[str, Any],
    s: SeriesInput,
    mark: tuple[int, str | None, dt.date | None],
    *,
    run_id: str,
    now: dt.datetime,
) -> dict[str, Any]:
    """Return the ``control_chart_points`` row of a point (its :func:`steward.spc.to_rows` row, its mark)."""
    segment_start, reason, episode_from = mark
    return {
        "series": r["series"],
        "chart": r["method"],
        "window_date": s.days[r["index"]],
        **{k: r[k] for k in ("value", "center", "sigma", "statistic", "lcl", "ucl", "warn_low", "warn_high")},
        "state": r["state"],
        "limits_source": "reference" if r["limits_source"] == "known" else r["limits_source"],
        "phase_i_from": None if r["phase_i_from"] is None else s.days[r["phase_i_from"]],
        "phase_i_to": None if r["phase_i_to"] is None else s.days[r["phase_i_to"]],
        "phase_i_nights": r["phase_i_n"],
        "adjustment": r["adjustment"] or None,
        "segment_from": s.days[segment_start],
        "restart_reason": reason,
        "episode_from": episode_from,
        "note": r["note"] or None,
        "run_id": run_id,
        "computed_at": now,
    }


def _fmt(v: float | None) -> str:
    return "-" if v is None else f"{v:.4g}"
