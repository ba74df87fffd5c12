"""The fairness HTML report of one model and window: rates, gaps with tolerance bands, series, calibration."""

from __future__ import annotations

import base64
import datetime as dt
import io
from collections.abc import Sequence
from pathlib import Path
from typing import TYPE_CHECKING, Any

import steward
from steward.fairness._counts import ALL, JOIN
from steward.fairness._metrics import FairnessResult
from steward.registry import Model
from steward.reports import write_report
from steward.warehouse import Warehouse, read_sql

if TYPE_CHECKING:
    from matplotlib.figure import Figure

__all__ = ["write_fairness_report"]

_GAPS = ("statistical_parity_difference", "equal_opportunity_difference")
_RATES = ("selection_rate", "true_positive_rate")
_COLOURS = {"breach": "#cf222e", "ok": "#1a7f37", "info": "#0969da"}
_SMALL = ("insufficient_data", "undefined")


def _figure(width: float, height: float) -> Figure:
    import matplotlib

    matplotlib.use("Agg")
    from matplotlib.figure import Figure

    return Figure(figsize=(width, height))


def _margins(fig: Figure, labels: list[str], width: float, height: float) -> None:
    """Set fixed margins sized to the tick labels (constrained layout doubles the render time)."""
    longest = max((len(label) for label in labels), default=10)
    fig.subplots_adjust(
        left=min(0.6, (0.3 + 0.055 * longest) / width),
        right=0.98,
        top=1 - 0.3 / height,
        bottom=0.45 / height,
        wspace=0.06,
    )


def _png(fig: Figure) -> str:
    buf = io.BytesIO()
    fig.savefig(buf, format="png", dpi=90)
    return "data:image/png;base64," + base64.b64encode(buf.getvalue()).decode("ascii")


def _rates_plot(rows: list[dict[str, Any]], attribute: str, reference: str | None) -> str | None:
    panels = []
    for metric in _RATES:
        found = [r for r in rows if r["attribute"] == attribute and r["metric"] == metric]
        if any(r["value"] is not None for r in found):
            panels.append((metric, found))
    if not panels:
        return None
    groups = [r["group_value"] for r in panels[0][1]]
    sizes = {r["group_value"]: r["n"] for r in panels[0][1]}
    small = {r["group_value"] for r in rows if r["attribute"] == attribute and r["metric"] == "group_size"
             and r["status"] == "insufficient_data"}  # fmt: skip
    labels = [
        f"{g}{' (ref)' if g == reference else ''}{' *small' if g in small else ''} n={sizes[g]}"
        for g in groups
    ]
    width, height = 3.6 * len(panels) + 1.5, 0.75 + 0.26 * len(groups)
    fig = _figure(width, height)
    axes = fig.subplots(1, len(panels), squeeze=False, sharey=True)[0]
    for ax, (metric, found) in zip(axes, panels, strict=True):
        for r in found:
            y = groups.index(r["group_value"])
            weak = r["status"] in _SMALL
            if r["value"] is None:
                ax.text(0.01, y, "undefined", va="center", fontsize=7, color="#656d76")
                continue
            lo = r["value"] - (r["ci_low"] if r["ci_low"] is not None else r["value"])
            hi = (r["ci_high"] if r["ci_high"] is not None else r["value"]) - r["value"]
            ax.errorbar(
                r["value"], y, xerr=[[lo], [hi]], fmt="o", capsize=3,
                color="#8c959f" if weak else "#0969da", mfc="white" if weak else "#0969da",
            )  # fmt: skip
        ax.set_xlim(0, 1)
        ax.set_title(f"{metric.replace('_', ' ')} (Wilson 95%)", fontsize=9)
        ax.grid(axis="x", alpha=0.3)
        ax.tick_params(labelsize=7)
    axes[0].set_yticks(range(len(groups)), labels, fontsize=7)
    axes[0].set_ylim(len(groups) - 0.5, -0.5)
    _margins(fig, labels, width, height)
    return _png(fig)


def _gaps_plot(rows: list[dict[str, Any]], attribute: str, tolerance: float) -> str | None:
    panels = []
    for metric in _GAPS:
        found = [r for r in rows if r["attribute"] == attribute and r["metric"] == metric]
        if any(r["value"] is not None for r in found):
            panels.append((metric, found))
    if not panels:
        return None
    groups = [r["group_value"] for r in panels[0][1]]
    width, height = 3.6 * len(panels) + 1.5, 0.75 + 0.26 * len(groups)
    fig = _figure(width, height)
    axes = fig.subplots(1, len(panels), squeeze=False, sharey=True)[0]
    for ax, (metric, found) in zip(axes, panels, strict=True):
        ax.axvspan(-tolerance, tolerance, color="#1a7f37", alpha=0.08)
        ax.axvline(0, color="#656d76", lw=0.8)
        for r in found:
            y = groups.index(r["group_value"])
            if r["value"] is None:
                ax.text(0, y, "undefined", va="center", ha="center", fontsize=7, color="#656d76")
                continue
            colour = _COLOURS.get(r["status"], "#8c959f")
            lo = r["value"] - (r["ci_low"] if r["ci_low"] is not None else r["value"])
            hi = (r["ci_high"] if r["ci_high"] is not None else r["value"]) - r["value"]
            ax.errorbar(
                r["value"], y, xerr=[[lo], [hi]], fmt="s", capsize=3, color=colour,
                mfc="white" if r["status"] in _SMALL else colour,
            )  # fmt: skip
        ax.set_xlim(-1, 1)
        ax.set_title(f"{metric.replace('_', ' ')} vs {found[0]['reference_group']!r}", fontsize=9)
        ax.grid(axis="x", alpha=0.3)
        ax.tick_params(labelsize=7)
    axes[0].set_yticks(range(len(groups)), groups, fontsize=7)
    axes[0].set_ylim(len(groups) - 0.5, -0.5)
    _margins(fig, groups, width, height)
    return _png(fig)


def _series_plot(series: list[dict[str, Any]], attribute: str, tolerance: float) -> str | None:
    found = [r for r in series if r["attribute"] == attribute and r["value"] is not None]
    if len({r["window_date"] for r in found}) < 2:
        return None
    fig = _figure(8.4, 2.8)
    ax = fig.subplots()
    ax.axhspan(-tolerance, tolerance, color="#1a7f37", alpha=0.08)
    ax.axhline(0, color="#656d76", lw=0.8)
    for group in sorted({r["group_value"] for r in found}):
        pts = sorted((r for r in found if r["group_value"] == group), key=lambda r: r["window_date"])
        x = [r["window_date"] for r in pts]
        line = ax.plot(x, [r["value"] for r in pts], marker="o", ms=3, lw=1, label=group)[0]
        lows = [r["ci_low"] if r["ci_low"] is not None else r["value"] for r in pts]
        highs = [r["ci_high"] if r["ci_high"] is not None else r["value"] for r in pts]
        ax.fill_between(x, lows, highs, color=line.get_color(), alpha=0.12)
        bad = [r for r in pts if r["status"] == "breach"]
        if bad:
            ax.scatter(
                [r["window_date"] for r in bad], [r["value"] for r in bad], color="#cf222e", zorder=5, s=30
            )
    ax.set_title(f"statistical parity difference over time, {attribute} (red: breach)", fontsize=9)
    ax.legend(fontsize=7, ncols=3, loc="best")
    ax.grid(alpha=0.3)
    ax.tick_params(labelsize=7)
    fig.autofmt_xdate()
    fig.subplots_adjust(left=0.08, right=0.98, top=0.9, bottom=0.22)
    return _png(fig)


def _calibration_plot(calibration: list[dict[str, Any]], attribute: str) -> str | None:
    found = [c for c in calibration if c["attribute"] == attribute and c["mean_score"] is not None]
    if not found:
        return None
    fig = _figure(4.2, 3.2)
    ax = fig.subplots()
    ax.plot([0, 1], [0, 1], color="#656d76", lw=0.8, ls="--")
    for group in sorted({c["group_value"] for c in found}):
        pts = sorted((c for c in found if c["group_value"] == group), key=lambda c: c["score_bin"])
        ax.plot(
            [c["mean_score"] for c in pts], [c["observed_rate"] for c in pts], marker="o", ms=3, label=group
        )
    ax.set_xlabel("mean score", fontsize=8)
    ax.set_ylabel("observed rate of label 1", fontsize=8)
    ax.set_title(f"calibration within group, {attribute}", fontsize=9)
    ax.legend(fontsize=7)
    ax.grid(alpha=0.3)
    ax.tick_params(labelsize=7)
    fig.subplots_adjust(left=0.16, right=0.97, top=0.9, bottom=0.15)
    return _png(fig)


def write_fairness_report(
    wh: Warehouse,
    model: Model,
    window: dt.date,
    result: FairnessResult,
    *,
    out_dir: Path,
    history_days: int = 90,
    warnings: Sequence[str] = (),
) -> Path:
    """Write the HTML fairness report of ``model`` for ``window`` and return its path.

    Parameters
    ----------
    wh
        Warehouse holding ``fairness_metrics`` (read for the series over time; this window's rows
        come from ``result``, written or not).
    model
        The registered model.
    window
        The window reported.
    result
        The window's :class:`FairnessResult`.
    out_dir
        The fairness reports' folder: the report is ``<out_dir>/<window>/<model>.html`` and
        ``<out_dir>/index.html`` lists every report there.
    history_days
        How many days of history the series plots show.
    warnings
        What the user was warned about (a one-off audit's inferred inputs), shown at the top.

    Examples
    --------
    >>> write_fairness_report(wh, model, day, result, out_dir=Path("reports/fairness"))  # doctest: +SKIP
    PosixPath('reports/fairness/2026-11-10/credit_risk.html')
    """
    history = wh.fetch(
        read_sql("fairness/select_parity_history.sql"),
        {
            "model": model.name,
            "start": window - dt.timedelta(days=history_days),
            "end": window,
            "window": window,
        },
    )
    now_rows = [
        {k: r[k] for k in ("window_date", "attribute", "group_value", "value", "ci_low", "ci_high", "status")}
        for r in result.rows
        if r["metric"] == "statistical_parity_difference"
    ]
    series = [*history, *now_rows]
    tolerance = result.judgement.tolerance
    sections = []
    for attribute in [a for a in dict.fromkeys(r["attribute"] for r in result.rows) if a != ALL]:
        attr_rows = [r for r in result.rows if r["attribute"] == attribute]
        reference = next((r["reference_group"] for r in attr_rows if r["reference_group"]), None)
        comparisons = [r for r in attr_rows if r["reference_group"] is not None or r["group_value"] == ALL]
        sections.append(
            {
                "attribute": attribute,
                "intersection": JOIN in attribute,
                "reference": reference,
                "rates_png": _rates_plot(attr_rows, attribute, reference),
                "gaps_png": _gaps_plot(attr_rows, attribute, tolerance),
                "series_png": _series_plot(series, attribute, tolerance),
                "calibration_png": _calibration_plot(result.calibration, attribute),
                "comparisons": comparisons,
                "small": [
                    r for r in attr_rows if r["metric"] == "group_size" and r["status"] == "insufficient_data"
                ],
            }
        )
    path = out_dir / window.isoformat() / f"{model.name}.html"
    report = write_report(
        path,
        "fairness_report.html.j2",
        model=model,
        window=window,
        result=result,
        sections=sections,
        summary=result.summary(),
        warnings=list(warnings),
        version=steward.__version__,
        generated_at=dt.datetime.now(dt.UTC).strftime("%Y-%m-%d %H:%M UTC"),
    )
    write_fairness_index(wh, out_dir)
    return report


def write_fairness_index(wh: Warehouse, out_dir: Path) -> Path:
    """Write ``<out_dir>/index.html``: every model x window evaluated, its breaches, a link to its report."""
    rows = wh.fetch(read_sql("fairness/count_breaches_per_night.sql"))
    grid: dict[tuple[str, dt.date], dict[str, Any]] = {}
    for r in rows:
        model, day = str(r["model"]), r["window_date"]
        assert isinstance(day, dt.date)
        link = f"{day.isoformat()}/{model}.html"
        if (out_dir / link).exists():
            grid[(model, day)] = {"breaches": int(r["breaches"] or 0), "link": link}  # type: ignore[call-overload]
    return write_report(
        out_dir / "index.html",
        "fairness_index.html.j2",
        models=sorted({m for m, _ in grid}),
        dates=sorted({d for _, d in grid}),
        grid=grid,
        version=steward.__version__,
        generated_at=dt.datetime.now(dt.UTC).strftime("%Y-%m-%d %H:%M UTC"),
    )
