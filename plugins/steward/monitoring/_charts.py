"""Control charts over every monitored series of a model (EWMA, CUSUM, Shewhart).

Series: the drift effect size of each feature and of the score (``drift:<column>``, alarms upward),
the daily mean of each numeric feature (``mean:<column>``, both ways: catches a slow creep that no
single night's test flags), realized and estimated AUC (``performance:auc``, ``estimate:auc``,
alarms downward) and, when fairness runs, each fairness gap (``fairness:<attribute>:<metric>``).
Limits come from each series' first ``monitoring.control_chart.baseline`` nights.

A handful of baseline nights estimates sigma poorly, and a model has dozens of series, so two guards
keep a single noisy night from alarming: a mean's sigma is never taken below its sampling error
(reference std / sqrt(median rows per night)), and a drift-distance series alarms only on a night
whose own test also finds that column drifted (distances of small samples are biased and skewed; the
chart then says the drift is sustained, the test that it is real). A fairness-gap series likewise
alarms only on a night whose fairness evaluation finds that gap significant and beyond tolerance.

The points are derived state: every night recomputes the model's whole chart table from the result
tables, so a rerun or backfill of any night leaves the same rows.
"""

from __future__ import annotations

import datetime as dt
import json
import math
from collections import defaultdict
from collections.abc import Collection
from typing import Any

import numpy as np

from steward.registry import Model
from steward.spc import control_chart
from steward.warehouse import Warehouse

__all__ = ["CHARTS", "chart_model", "model_series"]

#: Charts computed for every series; an alert on the night's point comes from EWMA or CUSUM.
CHARTS = ("ewma", "cusum", "shewhart")
_ALERTING = ("ewma", "cusum")


Series = dict[str, tuple[str, dict[dt.date, float], float | None]]


def model_series(model: Model, warehouse: Warehouse) -> Series:
    """Return each series of ``model`` as ``{series: (direction, {window: value}, min_sigma)}``."""
    series: Series = {}
    rows = warehouse.fetch(
        "select window_date, feature, role, column_type, effect_size, current_mean, reference_std, n_current "
        "from drift_metrics where model = :m and status = 'ok' order by window_date",
        {"m": model.name},
    )
    by: dict[str, dict[dt.date, float]] = defaultdict(dict)
    noise: dict[str, list[float]] = defaultdict(list)
    for r in rows:
        day = r["window_date"]
        assert isinstance(day, dt.date)
        if r["effect_size"] is not None:
            by[f"drift:{r['feature']}"][day] = float(r["effect_size"])  # type: ignore[arg-type]
        if r["column_type"] == "numeric" and r["role"] == "feature" and r["current_mean"] is not None:
            by[f"mean:{r['feature']}"][day] = float(r["current_mean"])  # type: ignore[arg-type]
            if r["reference_std"] and r["n_current"]:
                noise[f"mean:{r['feature']}"].append(
                    float(r["reference_std"]) / math.sqrt(float(r["n_current"]))  # type: ignore[arg-type]
                )
    for name, values in by.items():
        floor = float(np.median(noise[name])) if noise.get(name) else None
        series[name] = ("up" if name.startswith("drift:") else "both", values, floor or None)
    perf = warehouse.fetch(
        "select window_date, realized_value, estimated_value, label_coverage from model_performance "
        "where model = :m and metric = 'auc' order by window_date",
        {"m": model.name},
    )
    realized = {
        r["window_date"]: float(r["realized_value"])  # type: ignore[arg-type]
        for r in perf
        if r["realized_value"] is not None
        and float(r["label_coverage"]) >= model.monitoring.min_label_coverage  # type: ignore[arg-type]
    }
    estimated = {
        r["window_date"]: float(r["estimated_value"])  # type: ignore[arg-type]
        for r in perf
        if r["estimated_value"] is not None
    }
    if realized:
        series["performance:auc"] = ("down", realized, None)  # type: ignore[assignment]
    if estimated:
        series["estimate:auc"] = ("down", estimated, None)  # type: ignore[assignment]
    if warehouse.table_exists("fairness_metrics"):
        for name, values in _fairness_series(model, warehouse).items():
            series[name] = ("up", values, None)
    return series


def _fairness_series(model: Model, warehouse: Warehouse) -> dict[str, dict[dt.date, float]]:
    """Largest absolute gap per attribute and metric per window, from ``fairness_metrics``."""
    cols = set(warehouse.columns("fairness_metrics"))
    needed = {"model", "window_date", "attribute", "metric", "value"}
    if not needed <= cols:
        return {}
    rows = warehouse.fetch(
        "select window_date, attribute, metric, max(abs(value)) as gap from fairness_metrics "
        "where model = :m and value is not null and metric like '%difference' "
        "group by window_date, attribute, metric order by window_date",
        {"m": model.name},
    )
    out: dict[str, dict[dt.date, float]] = defaultdict(dict)
    for r in rows:
        out[f"fairness:{r['attribute']}:{r['metric']}"][r["window_date"]] = float(r["gap"])  # type: ignore[index,arg-type]
    return out


def _fairness_breaches(model: Model, day: dt.date, warehouse: Warehouse) -> set[str]:
    """``attribute:metric`` pairs with a fairness breach (significant and beyond tolerance) on ``day``."""
    if not warehouse.table_exists("fairness_metrics"):
        return set()
    rows = warehouse.fetch(
        "select distinct attribute, metric from fairness_metrics "
        "where model = :m and window_date = :d and status = 'breach'",
        {"m": model.name, "d": day},
    )
    return {f"{r['attribute']}:{r['metric']}" for r in rows}


def chart_model(
    model: Model, day: dt.date, *, warehouse: Warehouse, run_id: str, drifted_tonight: Collection[str] = ()
) -> tuple[list[str], list[dict[str, Any]]]:
    """Recompute and store every control chart of ``model``; return the night's alerts and breach rows.

    ``drifted_tonight`` names the columns whose drift test flagged this window: only their
    ``drift:`` series may alarm (see the module docstring).

    Returns
    -------
    alerts
        Readable lines for the series whose EWMA or CUSUM point for ``day`` is out of control.
    breaches
        ``monitoring_breaches`` rows (kind ``control_chart``) for those alerts.
    """
    cfg = model.monitoring.control_chart
    now = dt.datetime.now(dt.UTC)
    rows: list[dict[str, Any]] = []
    alerts: list[str] = []
    breaches: list[dict[str, Any]] = []
    fair_tonight = _fairness_breaches(model, day, warehouse)
    for name, (direction, values, min_sigma) in sorted(model_series(model, warehouse).items()):
        if name.startswith("drift:"):
            may_alarm = name.removeprefix("drift:") in drifted_tonight
        elif name.startswith("fairness:"):
            may_alarm = name.removeprefix("fairness:") in fair_tonight
        else:
            may_alarm = True
        days = sorted(values)
        seq = [values[d] for d in days]
        for chart in CHARTS:
            points = control_chart(
                seq,
                method=chart,  # type: ignore[arg-type]
                baseline=cfg.baseline,
                direction=direction,  # type: ignore[arg-type]
                lam=cfg.lam,
                L=cfg.L,
                warn_L=cfg.warn_L,
                k=cfg.k,
                h=cfg.h,
                warn_h=cfg.warn_h,
                min_baseline=min(5, cfg.baseline),
                min_sigma=min_sigma,
            )
            for d, p in zip(days, points, strict=True):
                rows.append(
                    {
                        "series": name,
                        "chart": chart,
                        "window_date": d,
                        "value": p.value,
                        "center": p.center,
                        "sigma": p.sigma,
                        "statistic": p.statistic,
                        "lcl": p.lcl,
                        "ucl": p.ucl,
                        "warn_low": p.warn_low,
                        "warn_high": p.warn_high,
                        "state": p.state,
                        "run_id": run_id,
                        "computed_at": now,
                    }
                )
                if d == day and may_alarm and chart in _ALERTING and p.state == "out_of_control":
                    text = (
                        f"{name}: {chart.upper()} out of control on {d} "
                        f"(value {p.value:.4g}, statistic {p.statistic:.4g}, limits "
                        f"{_fmt(p.lcl)}..{_fmt(p.ucl)}, centre {_fmt(p.center)} "
                        f"from the first {cfg.baseline} nights)"
                    )
                    alerts.append(text)
                    breaches.append(
                        {
                            "kind": "control_chart",
                            "window_date": day,
                            "subject": f"{name}:{chart}",
                            "value": p.statistic,
                            "threshold": p.ucl if direction != "down" else p.lcl,
                            "message": text,
                            "evidence_json": json.dumps(
                                {
                                    "series": name,
                                    "chart": chart,
                                    "values": dict(zip(map(str, days), seq, strict=True)),
                                }
                            ),
                            "run_id": run_id,
                            "detected_at": now,
                        }
                    )
    warehouse.replace_partition("control_chart_points", {"model": model.name}, rows)
    return alerts, breaches


def _fmt(v: float | None) -> str:
    return "-" if v is None else f"{v:.4g}"
