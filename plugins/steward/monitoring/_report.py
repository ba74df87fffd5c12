"""The monitoring report of one model and window: plots first, tables for the details.

Reference vs current distributions of the drifted features, the drift series with their control
limits, performance over time with label coverage, and the review queue. Plots are PNGs embedded in
the HTML (matplotlib, Agg backend), so the file is self-contained: open it from disk, mail it, or
browse it in Airflow (Browse > Data quality serves ``$STEWARD_HOME/reports``).
"""

from __future__ import annotations

import base64
import datetime as dt
import io
import json
from collections import defaultdict
from collections.abc import Mapping, Sequence
from pathlib import Path
from typing import TYPE_CHECKING, Any

import numpy as np

from steward import __version__, paths
from steward.drift import point_bin_mask
from steward.monitoring._aggregate import ColumnProfile
from steward.reports import write_report
from steward.warehouse import Warehouse, read_sql

if TYPE_CHECKING:
    from steward.monitoring._outcome import MonitoringOutcome
    from steward.registry import Model

__all__ = ["model_report_path", "write_model_report"]

#: Distribution plots drawn per report (drifted columns first, then the largest effects).
MAX_DISTRIBUTIONS = 4
#: Series drawn with their control limits (alerting ones first).
MAX_SERIES = 4


def model_report_path(model: str, day: dt.date, reports_dir: Path | None = None) -> Path:
    """Return where the report of ``model`` for ``day`` is written."""
    return (reports_dir or paths.reports_dir()) / "monitoring" / day.isoformat() / f"{model}.html"


def _png(fig: Any) -> str:
    buf = io.BytesIO()
    fig.savefig(buf, format="png", dpi=72, bbox_inches="tight")
    import matplotlib.pyplot as plt

    plt.close(fig)
    return base64.b64encode(buf.getvalue()).decode("ascii")


def _distribution_plot(profile: ColumnProfile, current_counts: Any, title: str) -> str:
    import matplotlib

    matplotlib.use("Agg")
    import matplotlib.pyplot as plt

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
    x = np.arange(len(labels))
    fig, ax = plt.subplots(figsize=(6.4, 2.6))
    ax.bar(x - 0.2, r, width=0.4, label="reference", color="#8c959f")
    ax.bar(x + 0.2, c, width=0.4, label="this window", color="#0969da")
    ax.set_xticks(x, labels, rotation=60, ha="right", fontsize=7)
    ax.set_ylabel("share of rows")
    ax.set_title(title, fontsize=10)
    ax.legend(fontsize=8)
    return _png(fig)


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


def _series_plot(
    points: list[Mapping[str, Any]], title: str, cusum: list[Mapping[str, Any]] | None = None
) -> str:
    """EWMA with its limits over the nightly values; below it, the CUSUM sums when CUSUM raised an alert."""
    import matplotlib

    matplotlib.use("Agg")
    import matplotlib.pyplot as plt

    days = [p["window_date"] for p in points]
    alarmed = [c for c in cusum or [] if c["state"] == "out_of_control"]
    if alarmed:
        fig, (ax, low) = plt.subplots(2, 1, figsize=(6.4, 4.0), sharex=True, height_ratios=(3, 2))
        assert cusum is not None
        c_days = [c["window_date"] for c in cusum]
        # control_chart_points keeps the CUSUM statistic (the larger of C+ and C-) and h x sigma as ucl
        low.plot(c_days, [c["statistic"] for c in cusum], "-", color="#8250df", label="CUSUM max(C+, C-)")
        low.plot(c_days, [c["ucl"] for c in cusum], "--", color="#cf222e", lw=1, label="decision interval h")
        low.plot([c["window_date"] for c in alarmed], [c["statistic"] for c in alarmed], "s", color="#cf222e")
        low.tick_params(axis="x", labelrotation=45, labelsize=7)
        low.legend(fontsize=7, loc="upper left")
    else:
        fig, ax = plt.subplots(figsize=(6.4, 2.4))
    ax.plot(days, [p["value"] for p in points], "o", color="#57606a", ms=4, label="nightly value")
    ax.plot(days, [p["statistic"] for p in points], "-", color="#0969da", label="EWMA")
    for key, style in (("ucl", "--"), ("lcl", "--"), ("warn_high", ":"), ("warn_low", ":")):
        ax.plot(days, [p[key] for p in points], style, color="#cf222e" if style == "--" else "#bf8700", lw=1)
    bad = [p for p in points if p["state"] == "out_of_control"]
    if bad:
        ax.plot(
            [p["window_date"] for p in bad],
            [p["statistic"] for p in bad],
            "s",
            color="#cf222e",
            label="out of control",
        )
    ax.set_title(title, fontsize=10)
    ax.tick_params(axis="x", labelrotation=45, labelsize=7)
    ax.legend(fontsize=7, loc="upper left")
    return _png(fig)


def _performance_plot(rows: list[dict[str, Any]], floor: float | None) -> str:
    import matplotlib

    matplotlib.use("Agg")
    import matplotlib.pyplot as plt

    days = [r["window_date"] for r in rows]
    fig, ax = plt.subplots(figsize=(6.4, 2.6))
    ax2 = ax.twinx()
    ax2.bar(days, [r["label_coverage"] for r in rows], color="#d0d7de", alpha=0.6, label="label coverage")
    ax2.set_ylim(0, 1)
    ax2.set_ylabel("label coverage", fontsize=8)
    ax.set_zorder(ax2.get_zorder() + 1)
    ax.patch.set_visible(False)
    ax.plot(days, [r["realized_value"] for r in rows], "o-", color="#0969da", label="AUC (realized)")
    ax.plot(
        days,
        [r["estimated_value"] for r in rows],
        "x--",
        color="#8250df",
        label="AUC (estimated, label-free)",
    )
    if floor is not None:
        ax.axhline(floor, color="#cf222e", ls="--", lw=1, label=f"floor {floor:g}")
    ax.set_title("AUC by scoring day, with the share of labels arrived", fontsize=10)
    ax.tick_params(axis="x", labelrotation=45, labelsize=7)
    ax.legend(fontsize=7, loc="lower left")
    return _png(fig)


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
            {"feature": d.feature, "png": _distribution_plot(profiles[d.feature], current, title)}
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
        {"name": s, "state": by_series[s][-1]["state"], "png": _series_plot(by_series[s], s, cusum.get(s))}
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
    performance_png = _performance_plot(perf_rows, model.thresholds.min_auc) if perf_rows else None
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
        performance_png=performance_png,
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
