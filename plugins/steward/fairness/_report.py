"""The fairness HTML report of one model and window: rates, gaps with tolerance bands, series, calibration."""

from __future__ import annotations

import datetime as dt
from collections.abc import Sequence
from pathlib import Path
from typing import TYPE_CHECKING, Any

import steward
from steward.fairness._counts import ALL, JOIN
from steward.fairness._metrics import FairnessResult
from steward.registry import Model
from steward.reports import PALETTE, Figure, Panel, date_ticks, span, write_report
from steward.warehouse import Warehouse, read_sql

if TYPE_CHECKING:
    from markupsafe import Markup

__all__ = ["write_fairness_report"]

_GAPS = ("statistical_parity_difference", "equal_opportunity_difference")
_RATES = ("selection_rate", "true_positive_rate")
_COLOURS = {"breach": "#cf222e", "ok": "#1a7f37", "info": "#0969da"}
_SMALL = ("insufficient_data", "undefined")


def _group_panels(
    panels: list[tuple[str, list[dict[str, Any]]]], labels: list[str], *, label: str
) -> tuple[Figure, list[Panel]]:
    """One row of panels sharing the groups as the y axis, first group on top, labels on the left."""
    left = 12 + 5.6 * max((len(text) for text in labels), default=10)
    width, height = 300.0, 22.0 * len(labels) + 16
    fig = Figure(left + len(panels) * (width + 16) + 8, height + 50, label=label)
    axes = [
        fig.panel(left + i * (width + 16), 24, width, height, ylim=(len(labels) - 0.5, -0.5), xlim=(0, 1))
        for i in range(len(panels))
    ]
    axes[0].yticks(list(range(len(labels))), labels)
    return fig, axes


def _bounds(r: dict[str, Any]) -> tuple[float, float]:
    lo = r["ci_low"] if r["ci_low"] is not None else r["value"]
    hi = r["ci_high"] if r["ci_high"] is not None else r["value"]
    return lo, hi


def _rates_plot(rows: list[dict[str, Any]], attribute: str, reference: str | None) -> Markup | None:
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
    fig, axes = _group_panels(panels, labels, label=f"group rates of {attribute}")
    for ax, (metric, found) in zip(axes, panels, strict=True):
        ax.title = f"{metric.replace('_', ' ')} (Wilson 95%)"
        ax.xticks(grid=True)
        for r in found:
            y = groups.index(r["group_value"])
            weak = r["status"] in _SMALL
            if r["value"] is None:
                ax.text(0.01, y, "undefined")
                continue
            colour = "#8c959f" if weak else "#0969da"
            ax.errorbar(r["value"], y, *_bounds(r), colour=colour)
            ax.points([r["value"]], [y], colour=colour, hollow=weak)
    return fig.svg()


def _gaps_plot(rows: list[dict[str, Any]], attribute: str, tolerance: float) -> Markup | None:
    panels = []
    for metric in _GAPS:
        found = [r for r in rows if r["attribute"] == attribute and r["metric"] == metric]
        if any(r["value"] is not None for r in found):
            panels.append((metric, found))
    if not panels:
        return None
    groups = [r["group_value"] for r in panels[0][1]]
    fig, axes = _group_panels(panels, groups, label=f"gaps of {attribute} with tolerance band")
    for ax, (metric, found) in zip(axes, panels, strict=True):
        ax.xlim = (-1, 1)
        ax.title = f"{metric.replace('_', ' ')} vs {found[0]['reference_group']!r}"
        ax.xticks(grid=True)
        ax.band(-tolerance, tolerance, axis="x", colour="#1a7f37", opacity=0.08)
        ax.rule(0, axis="x", colour="#656d76")
        for r in found:
            y = groups.index(r["group_value"])
            if r["value"] is None:
                ax.text(0, y, "undefined", anchor="middle")
                continue
            colour = _COLOURS.get(r["status"], "#8c959f")
            ax.errorbar(r["value"], y, *_bounds(r), colour=colour)
            ax.points([r["value"]], [y], colour=colour, shape="square", hollow=r["status"] in _SMALL)
    return fig.svg()


def _series_plot(series: list[dict[str, Any]], attribute: str, tolerance: float) -> Markup | None:
    found = [r for r in series if r["attribute"] == attribute and r["value"] is not None]
    days = sorted({r["window_date"] for r in found})
    if len(days) < 2:
        return None
    title = f"statistical parity difference over time, {attribute} (red: breach)"
    values = [v for r in found for v in (r["value"], *_bounds(r))]
    lo, hi = span([*values, -tolerance, tolerance])
    fig = Figure(760, 260, label=f"series over time of {attribute}")
    ax = fig.panel(
        56,
        24,
        690,
        160,
        xlim=(days[0].toordinal() - 0.5, days[-1].toordinal() + 0.5),
        ylim=(lo, hi + 0.3 * (hi - lo)),
        title=title,
    )
    ax.band(-tolerance, tolerance, axis="y", colour="#1a7f37", opacity=0.08)
    ax.rule(0, axis="y", colour="#656d76")
    ax.yticks(grid=True)
    ax.xticks(*date_ticks(days), rotate=30, grid=True)
    for i, group in enumerate(sorted({r["group_value"] for r in found})):
        pts = sorted((r for r in found if r["group_value"] == group), key=lambda r: r["window_date"])
        x = [float(r["window_date"].toordinal()) for r in pts]
        colour = PALETTE[i % len(PALETTE)]
        ax.area(x, [_bounds(r)[0] for r in pts], [_bounds(r)[1] for r in pts], colour=colour, opacity=0.12)
        ax.line(x, [r["value"] for r in pts], colour=colour, width=1, marker="circle", label=group)
        bad = [r for r in pts if r["status"] == "breach"]
        if bad:
            ax.points(
                [float(r["window_date"].toordinal()) for r in bad],
                [r["value"] for r in bad],
                colour="#cf222e",
                size=4,
            )
    return fig.svg()


def _calibration_plot(calibration: list[dict[str, Any]], attribute: str) -> Markup | None:
    found = [c for c in calibration if c["attribute"] == attribute and c["mean_score"] is not None]
    if not found:
        return None
    title = f"calibration within group, {attribute}"
    fig = Figure(380, 300, label=f"calibration within group of {attribute}")
    ax = fig.panel(
        56,
        24,
        300,
        220,
        xlim=(0, 1),
        ylim=(0, 1),
        title=title,
        xlabel="mean score",
        ylabel="observed rate of label 1",
    )
    ax.xticks(grid=True)
    ax.yticks(grid=True)
    ax.line([0, 1], [0, 1], colour="#656d76", dash="dashed", width=0.8)
    for i, group in enumerate(sorted({c["group_value"] for c in found})):
        pts = sorted((c for c in found if c["group_value"] == group), key=lambda c: c["score_bin"])
        ax.line(
            [c["mean_score"] for c in pts],
            [c["observed_rate"] for c in pts],
            colour=PALETTE[i % len(PALETTE)],
            marker="circle",
            label=group,
        )
    return fig.svg()


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
                "rates_svg": _rates_plot(attr_rows, attribute, reference),
                "gaps_svg": _gaps_plot(attr_rows, attribute, tolerance),
                "series_svg": _series_plot(series, attribute, tolerance),
                "calibration_svg": _calibration_plot(result.calibration, attribute),
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
