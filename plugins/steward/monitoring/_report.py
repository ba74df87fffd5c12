"""The monitoring report of one model and window: plots first, tables for the details.

Reference vs current distributions of the drifted features, the drift series with their control
limits, performance over time with label coverage, and the review queue. Charts are SVG written into
the HTML (:mod:`steward.reports`' small chart module, no matplotlib), so the file is self-contained:
open it from disk, mail it, or browse it in Airflow (the Governance view serves
``$STEWARD_HOME/reports``).
"""

from __future__ import annotations

import datetime as dt
import json
from collections import defaultdict
from collections.abc import Mapping, Sequence
from pathlib import Path
from typing import TYPE_CHECKING, Any

import numpy as np

from steward import __version__, paths
from steward.drift import point_bin_mask
from steward.monitoring._aggregate import ColumnProfile
from steward.reports import Figure, Panel, date_ticks, nice_ticks, span, write_report
from steward.warehouse import Warehouse, read_sql

if TYPE_CHECKING:
    from markupsafe import Markup

    from steward.monitoring._outcome import MonitoringOutcome
    from steward.registry import Model

__all__ = ["model_report_path", "write_model_report"]

#: Distribution plots drawn per report (drifted columns first, then the largest effects).
MAX_DISTRIBUTIONS = 4
#: Series drawn with their control limits (alerting ones first).
MAX_SERIES = 4
#: Chart geometry in pixels: the figure's width, the plot area's left edge, width and top.
_WIDTH, _LEFT, _PLOT, _TOP = 640, 60, 520, 24


def model_report_path(model: str, day: dt.date, reports_dir: Path | None = None) -> Path:
    """Return where the report of ``model`` for ``day`` is written."""
    return (reports_dir or paths.reports_dir()) / "monitoring" / day.isoformat() / f"{model}.html"


def _distribution_plot(profile: ColumnProfile, current_counts: Any, title: str) -> Markup:
    ref = profile.profile
    if isinstance(ref.counts, dict):
        keys = sorted(set(ref.counts) | set(current_counts), key=lambda k: -ref.counts.get(k, 0))[:25]
        r = np.array([ref.counts.get(k, 0) for k in keys], dtype=float)
        c = np.array([current_counts.get(k, 0) for k in keys], dtype=float)
        labels = [str(k) for k in keys]
    else:
        r = np.asarray(ref.counts, dtype=float)
        c = np.asarray(current_counts, dtype=float)
        edges = ref.edges
        labels = [f"{edges[i + 1]:.3g}" if i < len(r) - 1 else f">{edges[i]:.3g}" for i in range(len(r))]
        labels = [f"<{lab}" for lab in labels[:-1]] + labels[-1:]
        point = point_bin_mask(edges)
        labels = [f"={edges[i]:.3g}" if point[i] else lab for i, lab in enumerate(labels)]
    r = r / r.sum() if r.sum() else r
    c = c / c.sum() if c.sum() else c
    x = np.arange(len(labels), dtype=float)
    below = 14 + 4.8 * min(30, max((len(lab) for lab in labels), default=1))  # labels at 60 degrees
    fig = Figure(_WIDTH, _TOP + 150 + below, label=f"distribution of {title.split(':')[0]}")
    top = max(float(r.max(initial=0)), float(c.max(initial=0))) or 1.0
    ax = fig.panel(
        _LEFT,
        _TOP,
        _PLOT,
        150,
        xlim=(-0.6, len(labels) - 0.4),
        ylim=(0, 1.3 * top),
        title=title,
        ylabel="share of rows",
    )
    ax.bars(list(x - 0.2), list(r), width=0.4, colour="#8c959f", label="reference")
    ax.bars(list(x + 0.2), list(c), width=0.4, colour="#0969da", label="this window")
    ax.yticks(nice_ticks(0, top, 4))
    ax.xticks(list(x), labels, rotate=60)
    return fig.svg()


def _limits_of(r: Mapping[str, Any]) -> dict[str, Any]:
    """Where a chart point's limits came from, in words, and its state."""
    source = r.get("limits_source")
    if source == "reference":
        text = f"reference (centre {r['center']:.4g}, sigma {r['sigma']:.3g} at the night's rows)"
    elif source in ("phase_i", "provisional"):
        what = "Phase I" if source == "phase_i" else "provisional (Phase I not complete: no alarms)"
        text = f"{what} {r['phase_i_from']}..{r['phase_i_to']} ({r['phase_i_nights']} nights)"
    else:
        text = "learning: no limits yet"
    if r.get("restart_reason"):
        text += f"; restarted {r['segment_from']}: {r['restart_reason']}"
    return {"state": r["state"], "source": text, "adjustment": r.get("adjustment") or ""}


def _dates(rows: Sequence[Mapping[str, Any]]) -> list[float]:
    return [float(r["window_date"].toordinal()) for r in rows]


def _date_axis(ax: Panel, rows: Sequence[Mapping[str, Any]]) -> None:
    ax.xticks(*date_ticks([r["window_date"] for r in rows]), rotate=45)


def _series_plot(
    points: list[Mapping[str, Any]], title: str, cusum: list[Mapping[str, Any]] | None = None
) -> Markup:
    """EWMA with its limits over the nightly values; below it, the CUSUM sums when CUSUM raised an alert."""
    xs = _dates(points + list(cusum or []))
    xlim = (min(xs) - 0.5, max(xs) + 0.5)
    alarmed = [c for c in cusum or [] if c["state"] == "out_of_control"]
    keys = ("value", "statistic", "ucl", "lcl", "warn_high", "warn_low")
    lo, hi = span([p[k] for p in points for k in keys])
    fig = Figure(_WIDTH, _TOP + 140 + (130 if alarmed else 0) + 80, label=title)
    ax = fig.panel(_LEFT, _TOP, _PLOT, 140, xlim=xlim, ylim=(lo, hi + 0.35 * (hi - lo)), title=title)
    x = _dates(points)
    for key in ("ucl", "lcl"):
        ax.line(x, [p[key] for p in points], colour="#cf222e", dash="dashed", width=1)
    for key in ("warn_high", "warn_low"):
        ax.line(x, [p[key] for p in points], colour="#bf8700", dash="dotted", width=1)
    ax.points(x, [p["value"] for p in points], colour="#57606a", label="nightly value")
    ax.line(x, [p["statistic"] for p in points], colour="#0969da", label="EWMA")
    bad = [p for p in points if p["state"] == "out_of_control"]
    if bad:
        ax.points(
            _dates(bad),
            [p["statistic"] for p in bad],
            colour="#cf222e",
            shape="square",
            label="out of control",
        )
    ax.yticks()
    if not alarmed:
        _date_axis(ax, points)
        return fig.svg()
    assert cusum is not None
    # control_chart_points keeps the CUSUM statistic (the larger of C+ and C-) and h x sigma as ucl
    lo, hi = span([c[k] for c in cusum for k in ("statistic", "ucl")] + [0.0])
    low = fig.panel(_LEFT, _TOP + 150, _PLOT, 110, xlim=xlim, ylim=(lo, hi + 0.4 * (hi - lo)))
    c_x = _dates(cusum)
    low.line(c_x, [c["statistic"] for c in cusum], colour="#8250df", label="CUSUM max(C+, C-)")
    low.line(
        c_x, [c["ucl"] for c in cusum], colour="#cf222e", dash="dashed", width=1, label="decision interval h"
    )
    low.points(_dates(alarmed), [c["statistic"] for c in alarmed], colour="#cf222e", shape="square")
    low.yticks()
    _date_axis(low, points + cusum)
    return fig.svg()


def _performance_plot(rows: list[dict[str, Any]], floor: float | None) -> Markup:
    x = _dates(rows)
    xlim = (min(x) - 0.5, max(x) + 0.5)
    auc = [r["realized_value"] for r in rows] + [r["estimated_value"] for r in rows]
    lo, hi = span([*auc, floor])
    title = "AUC by scoring day, with the share of labels arrived"
    fig = Figure(_WIDTH, _TOP + 150 + 80, label="performance")
    coverage = fig.panel(
        _LEFT, _TOP, _PLOT, 150, xlim=xlim, ylim=(0, 1), yside="right", ylabel="label coverage", frame=False
    )
    coverage.bars(x, [r["label_coverage"] for r in rows], width=0.8, colour="#d0d7de", opacity=0.6)
    coverage.yticks()
    ax = fig.panel(_LEFT, _TOP, _PLOT, 150, xlim=xlim, ylim=(lo, hi + 0.35 * (hi - lo)), title=title)
    ax.line(x, [r["realized_value"] for r in rows], colour="#0969da", marker="circle", label="AUC (realized)")
    ax.line(
        x,
        [r["estimated_value"] for r in rows],
        colour="#8250df",
        dash="dashed",
        marker="x",
        label="AUC (estimated, label-free)",
    )
    if floor is not None:
        ax.rule(floor, axis="y", colour="#cf222e", dash="dashed", label=f"floor {floor:g}")
    ax.bars([], [], width=0.8, colour="#d0d7de", label="label coverage")  # its legend entry
    ax.yticks()
    _date_axis(ax, rows)
    return fig.svg()


def write_model_report(
    model: Model,
    day: dt.date,
    outcome: MonitoringOutcome,
    *,
    warehouse: Warehouse,
    reports_dir: Path | None = None,
    chart_rows: Sequence[Mapping[str, Any]] | None = None,
    performance_rows: Sequence[Mapping[str, Any]] = (),
) -> Path:
    """Write the HTML report of ``model`` for ``day`` and return its path.

    ``chart_rows`` (the model's ``control_chart_points`` rows, default: read from the warehouse) and
    ``performance_rows`` (tonight's ``model_performance`` rows with ``window_date``, replacing those
    windows' stored rows) let the report be written before the night's rows are.
    """
    profiles = {
        str(r["feature"]): ColumnProfile.from_row(r)
        for r in warehouse.fetch(
            read_sql("monitoring/select_reference_profiles.sql"),
            {"model": model.name, "reference_id": outcome.reference_id},
        )
    }
    if model.columns.score and model.columns.score not in profiles:
        for r in warehouse.fetch(
            read_sql("monitoring/select_feature_profiles.sql"),
            {"model": model.name, "feature": model.columns.score},
        )[:1]:
            profiles[str(r["feature"])] = ColumnProfile.from_row(r)
    ranked = sorted(
        (d for d in outcome.drift if d.status == "ok" and d.feature in profiles),
        key=lambda d: (not d.drifted, -(d.effect_size or 0.0)),
    )
    distributions = []
    for d in ranked[:MAX_DISTRIBUTIONS]:
        current = json.loads(d.current_counts_json or "[]")
        title = f"{d.feature}: {d.effect_method} {d.effect_size:.3f}" + (" (drift)" if d.drifted else "")
        distributions.append(
            {"feature": d.feature, "svg": _distribution_plot(profiles[d.feature], current, title)}
        )

    if chart_rows is None:
        chart_rows = warehouse.fetch(
            "select * from control_chart_points where model = :m order by series, window_date",
            {"m": model.name},
        )
    by_series: dict[str, list[Mapping[str, Any]]] = defaultdict(list)
    cusum: dict[str, list[Mapping[str, Any]]] = defaultdict(list)
    for p in sorted(
        (r for r in chart_rows if r["window_date"] <= day),  # type: ignore[operator]
        key=lambda r: (str(r["series"]), r["window_date"]),
    ):
        if p["chart"] == "ewma":
            by_series[str(p["series"])].append(p)
        elif p["chart"] == "cusum":
            cusum[str(p["series"])].append(p)
    tonight = {(str(r["series"]), str(r["chart"])): r for r in chart_rows if r["window_date"] == day}
    alerting = {a.split(": ")[0] for a in outcome.chart_alerts}
    drifted = {f"drift:{f}" for f in outcome.drifted_features} | {
        f"mean:{f}" for f in outcome.drifted_features
    }
    order = sorted(
        by_series,
        key=lambda s: (s not in alerting, s not in drifted, not s.startswith(("performance", "mean")), s),
    )
    series = [
        {"name": s, "state": by_series[s][-1]["state"], "svg": _series_plot(by_series[s], s, cusum.get(s))}
        for s in order[:MAX_SERIES]
        if len(by_series[s]) >= 2
    ]
    limits = [
        {"series": s, "chart": c, **_limits_of(tonight[(s, c)])}
        for s in sorted(by_series)
        for c in ("ewma", "cusum", "shewhart")
        if (s, c) in tonight
    ]
    episodes = sorted(
        outcome.chart_episodes, key=lambda e: (not e.open, e.start, e.series, e.chart), reverse=False
    )
    replaced = {r["window_date"] for r in performance_rows}
    perf_rows = sorted(
        [
            r
            for r in warehouse.fetch(
                read_sql("monitoring/select_auc_history.sql"), {"model": model.name, "day": day}
            )
            if r["window_date"] not in replaced
        ]
        + [dict(r) for r in performance_rows if r.get("metric") == "auc" and r["window_date"] <= day],
        key=lambda r: r["window_date"],
    )
    performance_svg = _performance_plot(perf_rows, model.thresholds.min_auc) if perf_rows else None
    fairness_report = (
        (reports_dir or paths.reports_dir()) / "fairness" / day.isoformat() / f"{model.name}.html"
    )
    path = model_report_path(model.name, day, reports_dir)
    return write_report(
        path,
        "monitoring_model.html.j2",
        model=model,
        day=day,
        o=outcome,
        drift=outcome.drift,
        distributions=distributions,
        series=series,
        other_series=[s for s in order[MAX_SERIES:]],
        episodes=episodes,
        limits=limits,
        performance_svg=performance_svg,
        performance=[w for w in outcome.performance],
        review=outcome.review,
        fairness_link=f"../../fairness/{day.isoformat()}/{model.name}.html"
        if fairness_report.exists()
        else None,
        version=__version__,
        generated_at=dt.datetime.now(dt.UTC).strftime("%Y-%m-%d %H:%M UTC"),
    )


def write_monitoring_overview(warehouse: Warehouse, *, reports_dir: Path | None = None) -> Path:
    """Write ``monitoring/index.html``: every model × night with its status, links and recent breaches."""
    base = reports_dir or paths.reports_dir()
    runs = warehouse.fetch(read_sql("monitoring/select_monitoring_runs.sql"))
    breaches = warehouse.fetch(read_sql("monitoring/select_breaches.sql"))
    dates = sorted({r["window_date"] for r in runs})  # type: ignore[type-var]
    models = sorted({str(r["model"]) for r in runs})
    grid = {}
    for r in runs:
        assert isinstance(r["window_date"], dt.date)
        link = f"{r['window_date'].isoformat()}/{r['model']}.html"
        fairness = base / "fairness" / r["window_date"].isoformat() / f"{r['model']}.html"
        grid[(str(r["model"]), r["window_date"])] = {
            "status": r["status"],
            "message": r["message"],
            "link": link,
            "fairness_link": f"../fairness/{link}" if fairness.exists() else None,
        }
    path = base / "monitoring" / "index.html"
    return write_report(
        path,
        "monitoring_index.html.j2",
        models=models,
        dates=dates,
        grid=grid,
        breaches=breaches[:200],
        warehouse_url=warehouse.url,
        version=__version__,
        generated_at=dt.datetime.now(dt.UTC).strftime("%Y-%m-%d %H:%M UTC"),
    )
