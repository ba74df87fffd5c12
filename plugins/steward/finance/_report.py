"""The review as files: a self-contained HTML page with charts, and CSV + Parquet extracts for finance."""

from __future__ import annotations

import base64
import datetime as dt
import io
from decimal import Decimal
from pathlib import Path
from typing import TYPE_CHECKING, Any

import pyarrow as pa
import pyarrow.csv as pacsv
import pyarrow.parquet as pq

from steward import __version__, paths
from steward.finance._windows import window_summary

if TYPE_CHECKING:
    from steward.finance._marts import MartRows
    from steward.finance._periods import Period
    from steward.finance._review import ModelRoi

__all__ = ["review_dir", "write_review"]


def review_dir(period: Period, reports_dir: Path | None = None) -> Path:
    """Where the review of ``period`` is written: ``<reports>/finance/<period>/``."""
    return (reports_dir or paths.reports_dir()) / "finance" / period.label


def _png(fig: Any) -> str:
    import matplotlib.pyplot as plt

    buf = io.BytesIO()
    fig.savefig(buf, format="png", dpi=72, bbox_inches="tight")
    plt.close(fig)
    return base64.b64encode(buf.getvalue()).decode("ascii")


def _plt() -> Any:
    import matplotlib

    matplotlib.use("Agg")
    import matplotlib.pyplot as plt

    return plt


def _charts(models: list[ModelRoi], marts: MartRows, currency: str) -> dict[str, str]:
    """Base64 PNGs: spend trend, cost per 1k, TCO breakdown, KPI vs projection, ROI, carbon, budget."""
    plt = _plt()
    charts: dict[str, str] = {}
    units = sorted({str(r["business_unit"] or "(unallocated)") for r in marts.daily_spend})
    if units:
        fig, ax = plt.subplots(figsize=(7, 2.6))
        for unit in units:
            rows = [r for r in marts.daily_spend if str(r["business_unit"] or "(unallocated)") == unit]
            ax.plot(
                [r["charge_date"] for r in rows],
                [float(r["effective_cost"]) for r in rows],
                marker=".",
                label=unit,
            )
        ax.set_ylabel(f"EffectiveCost ({currency}/day)")
        ax.legend(fontsize=8)
        fig.autofmt_xdate()
        charts["Spend trend (allocated cloud cost per day)"] = _png(fig)
    unit_costs = [r for r in marts.marts["finance_unit_costs"] if r["cost_per_1k_predictions"] is not None]
    if unit_costs:
        fig, ax = plt.subplots(figsize=(7, 2.6))
        names = [str(r["model"]) for r in unit_costs]
        x = range(len(names))
        ax.bar(
            [i - 0.2 for i in x],
            [float(r["first_half_cost_per_1k"] or 0) for r in unit_costs],
            0.4,
            label="first half",
        )
        ax.bar(
            [i + 0.2 for i in x],
            [float(r["second_half_cost_per_1k"] or 0) for r in unit_costs],
            0.4,
            label="second half",
        )
        ax.set_xticks(list(x), names)
        ax.set_ylabel(f"cloud {currency} per 1k predictions")
        ax.legend(fontsize=8)
        charts["Cloud cost per 1,000 predictions"] = _png(fig)
    tco = [r for r in marts.marts["finance_tco"] if r["model"] is not None]
    if tco:
        fig, ax = plt.subplots(figsize=(7, 2.6))
        names = sorted({str(r["model"]) for r in tco})
        bottom = [0.0] * len(names)
        for category in sorted({str(r["cost_category"]) for r in tco}):
            heights = [
                float(
                    sum(
                        (
                            r["effective_cost"]
                            for r in tco
                            if r["model"] == n and r["cost_category"] == category
                        ),
                        Decimal(0),
                    )
                )
                for n in names
            ]
            ax.bar(names, heights, bottom=bottom, label=category)
            bottom = [b + h for b, h in zip(bottom, heights, strict=True)]
        ax.set_ylabel(f"TCO ({currency})")
        ax.legend(fontsize=8)
        charts["Total cost of ownership by category"] = _png(fig)
    with_kpi = [m for m in models if m.kpi is not None]
    if with_kpi:
        fig, axes = plt.subplots(1, len(with_kpi), figsize=(3.5 * len(with_kpi), 2.6), squeeze=False)
        for ax, m in zip(axes[0], with_kpi, strict=True):
            assert m.kpi is not None
            low = m.kpi.value - m.kpi.low if m.kpi.low is not None else 0
            high = m.kpi.high - m.kpi.value if m.kpi.high is not None else 0
            ax.errorbar([1], [m.kpi.value], yerr=[[low], [high]], fmt="o", capsize=4, label="realized")
            ax.axhline(
                float(m.assumptions.get("baseline") or 0), color="grey", linestyle="--", label="baseline"
            )
            if m.kpi_projected is not None:
                ax.axhline(m.kpi_projected, color="green", linestyle=":", label="projected")
            ax.set_xticks([])
            ax.set_title(f"{m.model}: {m.assumptions.get('name')}", fontsize=9)
            ax.legend(fontsize=7)
        charts["Realized KPI (interval) vs baseline and projection"] = _png(fig)
    with_roi = [m for m in models if m.roi is not None]
    if with_roi:
        fig, ax = plt.subplots(figsize=(7, 2.4))
        ax.bar([m.model for m in with_roi], [100 * (m.roi or 0) for m in with_roi],
               color=["#1a7f37" if (m.roi or 0) >= 0 else "#cf222e" for m in with_roi])  # fmt: skip
        ax.axhline(0, color="black", linewidth=0.8)
        ax.set_ylabel("ROI (%)")
        charts["ROI per model"] = _png(fig)
    carbon = [r for r in marts.marts["finance_unit_costs"] if r["co2e_kg"] is not None]
    if carbon:
        fig, ax = plt.subplots(figsize=(7, 2.4))
        ax.bar([str(r["model"]) for r in carbon], [float(r["co2e_kg"]) for r in carbon], color="#6e7781")
        ax.set_ylabel("kg CO2e")
        charts["Carbon per model"] = _png(fig)
    budgeted = [m for m in models if m.budget is not None]
    if budgeted:
        fig, ax = plt.subplots(figsize=(7, 2.4))
        names = [m.model for m in budgeted]
        x = range(len(names))
        ax.bar([i - 0.2 for i in x], [float(m.budget or 0) for m in budgeted], 0.4, label="budget")
        ax.bar([i + 0.2 for i in x], [float(m.tco_cost) for m in budgeted], 0.4, label="actual TCO")
        ax.set_xticks(list(x), names)
        ax.set_ylabel(currency)
        ax.legend(fontsize=8)
        charts["Budget vs actual"] = _png(fig)
    return charts


def _extract(rows: list[dict[str, Any]], folder: Path, name: str) -> None:
    """Write ``rows`` as ``<name>.csv`` and ``<name>.parquet`` (money as exact decimals in Parquet)."""
    table = pa.Table.from_pylist(rows) if rows else pa.table({})
    pq.write_table(table, folder / f"{name}.parquet")
    pacsv.write_csv(table, folder / f"{name}.csv")


def write_review(
    folder: Path,
    *,
    period: Period,
    status: str,
    currency: str,
    totals: dict[str, Decimal],
    models: list[ModelRoi],
    marts: MartRows,
    changed_keys: list[str],
    roi_rows: list[dict[str, Any]],
    commitments: list[dict[str, Any]],
    workloads: list[dict[str, Any]],
    units: list[dict[str, Any]],
    transfers: list[dict[str, Any]],
    windows: list[dict[str, Any]] | None = None,
    regions: list[dict[str, Any]] | None = None,
) -> Path:
    """Write ``review.html`` and one CSV + Parquet extract per mart into ``folder``; return the HTML path."""
    from steward.reports import write_report

    folder.mkdir(parents=True, exist_ok=True)
    for table, rows in marts.marts.items():
        _extract(rows, folder, table)
    _extract(roi_rows, folder, "finance_roi")
    _extract(commitments, folder, "finance_commitments")
    _extract(workloads, folder, "finance_workloads")
    _extract(units, folder, "finance_unit_value")
    _extract(transfers, folder, "finance_data_transfer")
    _extract(windows or [], folder, "finance_windows")
    _extract(regions or [], folder, "finance_training_regions")
    return write_report(
        folder / "review.html",
        "finance_review.html.j2",
        period=period,
        status=status,
        currency=currency,
        totals=totals,
        models=models,
        showback=marts.marts["finance_showback"],
        charts=_charts(models, marts, currency),
        changed_keys=changed_keys,
        commitments=commitments,
        workloads=workloads,
        units=units,
        transfers=transfers,
        windows=window_summary(windows or []),
        regions=regions or [],
        version=__version__,
        generated_at=dt.datetime.now(dt.UTC).strftime("%Y-%m-%d %H:%M UTC"),
    )
