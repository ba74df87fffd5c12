"""Performance with late labels: realized metrics as labels arrive, a label-free estimate before.

One SQL aggregation (``include/sql/monitoring/aggregate_performance.sql.j2``) joins every window of
the label horizon with the labels that have arrived so far and returns per window, score bin and
served decision a handful of sums; :mod:`steward.performance` turns them into metrics. Each night
therefore recomputes every past window whose labels changed, and records its label coverage.
"""

from __future__ import annotations

import datetime as dt
from collections import defaultdict
from dataclasses import dataclass, field
from typing import Any

import pyarrow as pa
import pyarrow.compute as pc

from steward.monitoring._relation import Relation
from steward.performance import (
    Calibration,
    decay_breach,
    estimated_metrics,
    fit_calibration,
    realized_metrics,
)
from steward.registry import Model
from steward.warehouse import Warehouse, quote_ident, render_sql

__all__ = ["PerformanceBreach", "PerformanceWindow", "evaluate_performance", "performance_bins"]

#: Metrics whose decay is judged, and whether higher is better.
JUDGED = {"auc": True}


@dataclass(frozen=True)
class PerformanceBreach:
    """A metric below its floor or decayed too far against the baseline, with its evidence."""

    metric: str
    value: float
    threshold: float | None
    message: str
    evidence: dict[str, Any] = field(default_factory=dict)


@dataclass(frozen=True)
class PerformanceWindow:
    """One window's realized and estimated metrics (``model_performance`` rows) and its breach."""

    window: dt.date
    n: int
    n_labelled: int
    rows: list[dict[str, Any]]
    breach: PerformanceBreach | None = None

    @property
    def label_coverage(self) -> float:
        """Share of the window's predictions whose label has arrived."""
        return self.n_labelled / self.n if self.n else 0.0

    def value(self, metric: str, kind: str = "realized") -> float | None:
        """Return the realized or estimated value of ``metric``."""
        for r in self.rows:
            if r["metric"] == metric:
                v = r[f"{kind}_value"]
                return None if v is None else float(v)
        return None


def _empty_labels(join_key: str, label: str) -> str:
    return f"select cast(null as varchar) as {join_key}, cast(null as integer) as {label} where 1 = 0"


def performance_bins(model: Model, predictions: Relation, labels: Relation | None) -> dict[dt.date, pa.Table]:
    """Run the performance aggregation and return the score-bin table of each window."""
    if model.labels is None or model.columns.score is None:
        return {}
    if labels is not None and labels.engine is not predictions.engine:
        raise ValueError(
            f"model {model.name!r}: its predictions and labels must be readable by one engine "
            "(both files, or both warehouse tables)"
        )
    join_key, label = quote_ident(model.labels.join_key), quote_ident(model.labels.label_column)
    sql = render_sql(
        "monitoring/aggregate_performance.sql.j2",
        predictions=predictions.sql,
        labels=labels.sql if labels is not None else _empty_labels(join_key, label),
        id=quote_ident(model.columns.id),
        join_key=join_key,
        label=label,
        score=quote_ident(model.columns.score),
        prediction=quote_ident(model.columns.prediction),
    )
    table = predictions.engine.fetch_arrow(sql)
    out: dict[dt.date, pa.Table] = {}
    by_day: dict[dt.date, list[int]] = defaultdict(list)
    for i, d in enumerate(table.column("window_date").to_pylist()):
        by_day[d].append(i)
    for d, idx in by_day.items():
        out[d] = table.take(idx).drop_columns(["window_date"])
    return out


def reference_calibration(model: Model, windows: dict[dt.date, pa.Table]) -> Calibration | None:
    """Fit the score calibration of the label-free estimate on the labelled score-reference windows.

    The windows of ``monitoring.prediction_reference`` (when the label horizon still covers them) are
    pooled; with too few labels the scores are taken as probabilities, and the estimate's note says so.
    """
    ref = model.monitoring.prediction_reference
    if ref is None:
        return None
    chosen = [t for d, t in windows.items() if ref.window_start <= d <= ref.window_end]
    if not chosen:
        return None
    return fit_calibration(pa.concat_tables(chosen), source=f"model {model.name!r} score reference")


def evaluate_performance(
    model: Model, predictions: Relation, labels: Relation | None, *, warehouse: Warehouse
) -> list[PerformanceWindow]:
    """Compute realized and estimated metrics of every window in ``predictions`` and judge decay.

    A window is judged only once ``monitoring.min_label_coverage`` of it is labelled; the floor is
    ``thresholds.min_auc`` and the relative decay is measured against ``monitoring.baseline_metrics``.
    """
    policy = model.monitoring
    out: list[PerformanceWindow] = []
    windows = performance_bins(model, predictions, labels)
    calibration = reference_calibration(model, windows)
    for day, bins in sorted(windows.items()):
        source = f"model {model.name!r}, window {day}"
        realized = realized_metrics(bins, source=source)
        estimated = estimated_metrics(bins, calibration=calibration, source=source)
        n = int(pc.sum(bins.column("n")).as_py() or 0)
        n_lab = int(pc.sum(bins.column("n_labelled")).as_py() or 0)
        coverage = n_lab / n if n else 0.0
        rows: list[dict[str, Any]] = []
        breach: PerformanceBreach | None = None
        for metric in sorted(set(realized) | set(estimated)):
            r, e = realized.get(metric), estimated.get(metric)
            r_val = r.value if r is not None else None
            e_val = e.value if e is not None else None
            baseline = policy.baseline_metrics.get(metric)
            metric_breach = None
            if metric in JUDGED and r_val is not None and coverage >= policy.min_label_coverage:
                found = decay_breach(
                    r_val,
                    baseline=baseline,
                    min_value=model.thresholds.min_auc if metric == "auc" else None,
                    max_relative_decay=model.thresholds.max_relative_decay,
                    higher_is_better=JUDGED[metric],
                    metric=metric.upper() if metric == "auc" else metric,
                )
                if found is not None:
                    metric_breach = PerformanceBreach(
                        metric,
                        r_val,
                        found.threshold,
                        f"window {day}: {found.message} with {coverage:.0%} of labels in",
                        {
                            "n": n,
                            "n_labelled": n_lab,
                            "estimated": e_val,
                            "baseline": baseline,
                            "kind": found.kind,
                        },
                    )
                    breach = breach or metric_breach
            rows.append(
                {
                    "metric": metric,
                    "model_version": None,
                    "realized_value": r_val,
                    "realized_status": r.status if r is not None else "undefined",
                    "realized_bound": r.bound if r is not None else None,
                    "estimated_value": e_val,
                    "estimated_status": e.status if e is not None else "undefined",
                    "estimate_error": e_val - r_val if e_val is not None and r_val is not None else None,
                    "n": n,
                    "n_labelled": n_lab,
                    "label_coverage": coverage,
                    "baseline": baseline,
                    "breach": metric_breach is not None,
                    "message": (r.note if r is not None else "") or (e.note if e is not None else ""),
                }
            )
        out.append(PerformanceWindow(day, n, n_lab, rows, breach))
    return out
