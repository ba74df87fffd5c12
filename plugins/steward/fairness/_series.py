"""Nightly series of fairness gaps from ``fairness_metrics``, ready for control charts (steward.spc)."""

from __future__ import annotations

import datetime as dt
from typing import Any

from steward.registry import Model
from steward.warehouse import Warehouse

__all__ = ["gap_series", "gap_control_charts"]


def gap_series(
    wh: Warehouse,
    model: Model,
    *,
    until: dt.date,
    metric: str = "statistical_parity_difference",
    days: int = 90,
) -> dict[tuple[str, str], list[tuple[dt.date, float | None]]]:
    """Return each (attribute, group)'s nightly ``metric`` up to ``until``, one value per window.

    Windows where the group was too small or the metric undefined give ``None``, so a chart skips them.

    Examples
    --------
    >>> gap_series(wh, model, until=day)[("age_band", "18-25")][-1]  # doctest: +SKIP
    (datetime.date(2026, 11, 10), -0.42)
    """
    rows = wh.fetch(
        "select window_date, attribute, group_value, value, status from fairness_metrics "
        "where model = :model and metric = :metric and window_date between :start and :until "
        "and reference_group is not null order by window_date",
        {"model": model.name, "metric": metric, "start": until - dt.timedelta(days=days), "until": until},
    )
    windows = sorted({r["window_date"] for r in rows})  # type: ignore[type-var]
    out: dict[tuple[str, str], dict[Any, float | None]] = {}
    for r in rows:
        usable = r["status"] in ("ok", "breach", "info") and r["value"] is not None
        out.setdefault((str(r["attribute"]), str(r["group_value"])), {})[r["window_date"]] = (
            float(r["value"]) if usable else None  # type: ignore[arg-type]
        )
    return {key: [(w, values.get(w)) for w in windows] for key, values in out.items()}  # type: ignore[misc]


def gap_control_charts(
    wh: Warehouse,
    model: Model,
    *,
    until: dt.date,
    metric: str = "statistical_parity_difference",
    days: int = 90,
) -> dict[tuple[str, str], list[Any]]:
    """Run an EWMA chart (the model's ``monitoring.control_chart`` settings) over each gap series.

    Honest limits (docs/adr/0003-control-chart-limits.md): nothing says what gap is in control, so the
    first ``baseline`` nights (20) are a silent Phase I and the width is calibrated to the false-alarm
    rate of ``arl0["fairness"]`` (370 nights). Series with no more than ``baseline`` usable nights are
    left out.

    Returns
    -------
    dict
        (attribute, group) -> the chart's points (``steward.spc.ChartPoint``), last point = ``until``.
    """
    from steward.spc import control_chart

    cc = model.monitoring.control_chart
    charts = {}
    for key, series in gap_series(wh, model, until=until, metric=metric, days=days).items():
        values = [v for _, v in series]
        if sum(v is not None for v in values) <= cc.baseline:
            continue
        charts[key] = control_chart(
            values,
            method="ewma",
            baseline=cc.baseline,
            min_baseline=min(5, cc.baseline),
            lam=cc.lam,
            L=cc.L,
            warn_L=cc.warn_L,
            arl0=cc.arl0_of("fairness"),
            horizon=cc.horizon,
        )
    return charts
