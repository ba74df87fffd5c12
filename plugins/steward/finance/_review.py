"""The ROI review of one period: marts refreshed, KPI realized vs projected, ROI, flags, the review recorded.

A review of a period that has not closed yet (``finance.close_after_days`` after its last day) is
written and marked ``provisional``; once closed it is ``final``. Every run replaces the period's
rows exactly; re-running a final period whose figures changed (late outcomes, a restated bill)
also records the change in ``finance_review_changes``.
"""

from __future__ import annotations

import datetime as dt
import json
import logging
from dataclasses import dataclass, field
from decimal import Decimal
from pathlib import Path
from typing import TYPE_CHECKING, Any

from steward.finance._commitments import CommitmentFinding, commitment_findings, load_discounts
from steward.finance._kpi import RatioEstimate, kpi_benefit, ratio_interval
from steward.finance._ledger import LedgerLine, load_ledger
from steward.finance._marts import MART_TABLES, MartRows, run_marts
from steward.finance._periods import Period
from steward.finance._regions import RegionFinding, region_findings
from steward.finance._report import write_review
from steward.finance._transfer import data_transfer
from steward.finance._windows import JobWindow, load_profile, window_findings, window_summary
from steward.finance._workloads import workload_costs

if TYPE_CHECKING:
    from steward.registry import Model, Registry
    from steward.warehouse import Warehouse

__all__ = [
    "FinanceError",
    "ModelRoi",
    "Review",
    "format_roi",
    "format_tco",
    "model_roi",
    "realized_kpi",
    "review",
]

log = logging.getLogger(__name__)


class FinanceError(ValueError):
    """The review cannot be computed as asked; the message names the period, the problem and the fix."""


@dataclass(frozen=True)
class ModelRoi:
    """One model's benefit and ROI for the period (``None`` where not computable, with the reason)."""

    model: str
    business_unit: str
    tco_cost: Decimal
    one_time_cost: Decimal
    kpi: RatioEstimate | None
    kpi_projected: float | None
    benefit: float | None
    benefit_low: float | None
    benefit_high: float | None
    projected_benefit: float | None
    net_value: float | None
    roi: float | None
    payback_months: float | None
    budget: Decimal | None
    not_computable: str | None
    assumptions: dict[str, Any]
    flags: list[dict[str, str]] = field(default_factory=list)


@dataclass(frozen=True)
class Review:
    """The result of :func:`review`: what was written and where."""

    period: Period
    status: str
    currency: str
    totals: dict[str, Decimal]
    models: list[ModelRoi]
    marts: MartRows
    figures: dict[str, Any]
    report_path: Path | None
    changed_keys: list[str]
    run_id: str
    commitments: list[CommitmentFinding] = field(default_factory=list)
    workloads: list[dict[str, Any]] = field(default_factory=list)
    units: list[dict[str, Any]] = field(default_factory=list)
    transfers: list[dict[str, Any]] = field(default_factory=list)
    windows: list[JobWindow] = field(default_factory=list)
    regions: list[RegionFinding] = field(default_factory=list)


def _outcome_days(
    registry: Registry, model: Model, period: Period, today: dt.date
) -> tuple[list[float], list[float]]:
    """Daily (numerator, denominator) sums of the model's business unit, for days with outcome rows."""
    import pyarrow.compute as pc

    from steward.sources import SourceError, read_partition

    kpi = model.business_kpi
    assert kpi is not None and kpi.measure is not None
    m = kpi.measure
    unit = m.business_unit or model.business_unit
    dataset = registry.dataset(m.dataset)
    numerators: list[float] = []
    denominators: list[float] = []
    day = period.start
    while day < min(period.end, today + dt.timedelta(days=1)):
        try:
            table = read_partition(dataset, day).table
        except SourceError as exc:
            if exc.kind not in ("missing", "empty"):
                raise
            day += dt.timedelta(days=1)
            continue
        for column in (m.business_unit_column, m.numerator, m.denominator):
            if column not in table.column_names:
                raise FinanceError(
                    f"model {model.name!r}, KPI {kpi.name!r}: column {column!r} is missing from dataset "
                    f"{dataset.name!r} on {day}: fix business_kpi.measure in the registry"
                )
        rows = table.filter(pc.equal(table[m.business_unit_column], unit))
        if rows.num_rows:
            numerators.append(float(pc.sum(rows[m.numerator]).as_py() or 0))
            denominators.append(float(pc.sum(rows[m.denominator]).as_py() or 0))
        day += dt.timedelta(days=1)
    return numerators, denominators


def realized_kpi(registry: Registry, model: Model, period: Period, *, today: dt.date) -> RatioEstimate:
    """Return the model's KPI over the period from its outcomes dataset, one observation per day with rows.

    Raises
    ------
    ValueError
        No outcome rows in the period, or the denominator sums to 0 (the message says which).
    """
    kpi = model.business_kpi
    assert kpi is not None and kpi.measure is not None
    numerators, denominators = _outcome_days(registry, model, period, today)
    return ratio_interval(
        numerators, denominators, confidence=registry.finance.confidence, scale=kpi.measure.scale
    )


def _float(value: object) -> float | None:
    return None if value is None else float(value)  # type: ignore[arg-type]


def _assumptions(model: Model) -> dict[str, Any]:
    kpi = model.business_kpi
    if kpi is None:
        return {}
    return json.loads(kpi.model_dump_json())


def model_roi(
    registry: Registry,
    model: Model,
    period: Period,
    *,
    unit_costs: dict[str, Any] | None,
    one_time_cost: Decimal,
    today: dt.date,
) -> ModelRoi:
    """Benefit, ROI, payback and flags of one model for the period (pure apart from reading outcomes)."""
    fin = registry.finance
    tco = unit_costs["tco_cost"] if unit_costs else Decimal(0)
    budget = fin.budgets.get(model.name)
    budget_total = None if budget is None else budget * len(period.months)
    kpi = model.business_kpi
    estimate: RatioEstimate | None = None
    reason: str | None = None
    benefit = None
    if kpi is None or kpi.measure is None:
        reason = "no business_kpi with a measure in the registry"
    else:
        try:
            estimate = realized_kpi(registry, model, period, today=today)
        except ValueError as exc:
            reason = f"KPI {kpi.name!r} not computable for {period.label}: {exc}"
        if estimate is not None:
            assert kpi.baseline is not None and kpi.value_per_unit is not None
            benefit = kpi_benefit(
                estimate,
                baseline=kpi.baseline,
                value_per_unit=kpi.value_per_unit,
                direction=kpi.direction,
                target_change_pct=kpi.target_change_pct,
            )
    net = roi = payback = None
    if benefit is not None:
        net = benefit.realized - float(tco)
        if tco > 0:
            roi = net / float(tco)
        else:
            reason = "TCO is 0 for the period: ROI is not defined"
        monthly_net = (benefit.realized - float(tco - one_time_cost)) / len(period.months)
        if one_time_cost > 0 and monthly_net > 0:
            payback = float(one_time_cost) / monthly_net
    flags: list[dict[str, str]] = []
    if roi is not None and roi < 0 and benefit is not None:
        flags.append(
            {
                "flag": "negative_roi",
                "evidence": f"ROI {roi:.1%}: benefit {benefit.realized:,.2f} against TCO {tco:,.2f} "
                f"{fin.currency}",
            }
        )
    if benefit is not None and benefit.projected is not None and estimate is not None:
        high = benefit.high if benefit.high is not None else benefit.realized
        if high < benefit.projected:
            flags.append(
                {
                    "flag": "benefit_below_projection",
                    "evidence": (
                        f"benefit {benefit.realized:,.2f} (interval up to {high:,.2f}) is below the "
                        "projected "
                        f"{benefit.projected:,.2f} {fin.currency}: KPI realized {estimate.value:.4g} "
                        f"[{_fmt(estimate.low)}, {_fmt(estimate.high)}] vs projected "
                        f"{benefit.projected_kpi:.4g}"
                    ),
                }
            )
    if budget_total is not None and tco > budget_total:
        flags.append(
            {
                "flag": "over_budget",
                "evidence": f"TCO {tco:,.2f} exceeds the budget {budget_total:,.2f} {fin.currency} "
                f"({len(period.months)} month(s) x {budget:,.2f})",
            }
        )
    if unit_costs is not None:
        first, second = unit_costs.get("first_half_cost_per_1k"), unit_costs.get("second_half_cost_per_1k")
        if first is not None and second is not None and first > 0:
            rise = float(second / first) - 1
            if rise > fin.rising_cost_share:
                flags.append(
                    {
                        "flag": "cost_per_prediction_rising",
                        "evidence": f"cloud cost per 1,000 predictions {first:,.4f} -> {second:,.4f} "
                        f"{fin.currency} from the first to the second half of {period.label} (+{rise:.0%})",
                    }
                )
    return ModelRoi(
        model=model.name,
        business_unit=model.business_unit,
        tco_cost=tco,
        one_time_cost=one_time_cost,
        kpi=estimate,
        kpi_projected=benefit.projected_kpi if benefit else None,
        benefit=benefit.realized if benefit else None,
        benefit_low=benefit.low if benefit else None,
        benefit_high=benefit.high if benefit else None,
        projected_benefit=benefit.projected if benefit else None,
        net_value=net,
        roi=roi,
        payback_months=payback,
        budget=budget_total,
        not_computable=reason,
        assumptions=_assumptions(model),
        flags=flags,
    )


def _fmt(value: float | None) -> str:
    return "-" if value is None else f"{value:.4g}"


def _check_currency(rows: list[dict[str, Any]], want: str, period: Period) -> None:
    other = sorted({str(r["currency"]) for r in rows} - {want})
    if other:
        raise FinanceError(
            f"period {period.label}: cost lines in {other} but finance.currency is {want}: "
            "set finance.currency to the billing currency, or review each currency separately"
        )


def unit_value(models: list[ModelRoi], showback: list[dict[str, Any]], currency: str) -> list[dict[str, Any]]:
    """Return net value per business unit: its models' benefit against its whole showback cost.

    ``tco_cost`` is everything the unit pays (allocated cloud EffectiveCost and its ledger lines, shared
    and unit-level cost included), so a unit's ROI is lower than its models' when it carries cost no
    model is tagged with. A model whose benefit is not computable is listed with the reason.
    """
    units = sorted(
        {str(r["business_unit"]) for r in showback if r["business_unit"]} | {m.business_unit for m in models}
    )
    out = []
    for unit in units:
        tco = sum((r["showback_cost"] for r in showback if r["business_unit"] == unit), Decimal(0))
        mine = [m for m in models if m.business_unit == unit]
        valued = [m for m in mine if m.benefit is not None]
        benefit = sum(m.benefit for m in valued if m.benefit is not None) if valued else None
        net = None if benefit is None else benefit - float(tco)
        out.append(
            {
                "business_unit": unit,
                "currency": currency,
                "tco_cost": tco,
                "benefit": benefit,
                "net_value": net,
                "roi": None if net is None or tco <= 0 else net / float(tco),
                "models_valued": json.dumps([m.model for m in valued]),
                "models_not_valued": json.dumps(
                    [{"model": m.model, "reason": m.not_computable} for m in mine if m.benefit is None]
                ),
            }
        )
    return out


def _figures(
    models: list[ModelRoi], totals: dict[str, Decimal], units: list[dict[str, Any]]
) -> dict[str, Any]:
    """Return the review's headline figures as JSON-ready values (money as strings, exact)."""

    def num(value: float | None) -> float | None:
        return None if value is None else round(value, 6)

    return {
        "totals": {k: str(v) for k, v in totals.items()},
        "models": {
            m.model: {
                "tco_cost": str(m.tco_cost),
                "kpi_realized": num(m.kpi.value) if m.kpi else None,
                "kpi_low": num(m.kpi.low) if m.kpi else None,
                "kpi_high": num(m.kpi.high) if m.kpi else None,
                "benefit": num(m.benefit),
                "roi": num(m.roi),
                "net_value": num(m.net_value),
                "flags": sorted(f["flag"] for f in m.flags),
            }
            for m in models
        },
        "units": {
            u["business_unit"]: {
                "tco_cost": str(u["tco_cost"]),
                "benefit": num(u["benefit"]),
                "roi": num(u["roi"]),
            }
            for u in units
        },
    }


def _changed(previous: dict[str, Any], new: dict[str, Any], prefix: str = "") -> list[str]:
    keys: list[str] = []
    for k in sorted(set(previous) | set(new)):
        a, b = previous.get(k), new.get(k)
        name = f"{prefix}{k}"
        if isinstance(a, dict) and isinstance(b, dict):
            keys += _changed(a, b, f"{name}.")
        elif a != b:
            keys.append(name)
    return keys


def review(
    warehouse: Warehouse,
    registry: Registry,
    period: Period,
    *,
    run_id: str,
    today: dt.date | None = None,
    out_dir: Path | None = None,
) -> Review:
    """Review ``period``: load its ledger, refresh the marts, value each model's KPI, write everything.

    Parameters
    ----------
    warehouse
        Migrated warehouse holding the period's cost lines, allocation and monitoring runs.
    registry
        Models with their ``business_kpi``; ``finance`` settings.
    period
        A month or a quarter.
    run_id
        Stored on every row written (the Airflow run id, or a CLI run id).
    today
        Decides provisional vs final (default: today in UTC).
    out_dir
        Where the HTML review and the CSV/Parquet extracts go (``<out_dir>/review.html``); ``None``
        writes no files.

    Raises
    ------
    FinanceError
        Currencies that do not match ``finance.currency``.
    LedgerError
        A bad ledger line; nothing is written.
    ProfileError
        A bad ``finance.hourly_profile`` file; nothing is written.
    """
    today = today or dt.datetime.now(dt.UTC).date()
    if period.start > today:
        raise FinanceError(
            f"period {period.label} has not started yet (today is {today}): review a past period"
        )
    fin = registry.finance
    status = "final" if period.is_closed(today, close_after_days=fin.close_after_days) else "provisional"
    now = dt.datetime.now(dt.UTC)
    profile = None  # read first: a bad profile stops the review before anything is written
    if fin.hourly_profile is not None:
        from steward import paths

        file = Path(fin.hourly_profile)
        profile = load_profile(file if file.is_absolute() else paths.project_dir() / file)
    ledger = load_ledger(warehouse, registry, period, run_id=run_id)
    marts = run_marts(warehouse, period)
    for rows in (*marts.marts.values(), marts.totals):
        _check_currency(rows, fin.currency, period)
    totals_row = marts.totals[0] if marts.totals else {}
    cloud_billed = totals_row.get("cloud_billed_cost", Decimal(0))
    cloud_effective = totals_row.get("cloud_effective_cost", Decimal(0))
    ledger_cost = totals_row.get("ledger_cost", Decimal(0))
    totals = {
        "cloud_billed_cost": cloud_billed,
        "cloud_effective_cost": cloud_effective,
        "ledger_cost": ledger_cost,
        "total_billed_cost": cloud_billed + ledger_cost,
        "total_effective_cost": cloud_effective + ledger_cost,
    }
    commitments = commitment_findings(warehouse, period, load_discounts(fin.commitment_discounts))
    workloads = workload_costs(warehouse, registry, period)
    transfers = data_transfer(warehouse, period)
    windows = window_findings(warehouse, registry, period, profile)
    regions = region_findings(registry, windows, transfers)
    unit_costs = {r["model"]: r for r in marts.marts["finance_unit_costs"]}
    models = [
        model_roi(
            registry,
            m,
            period,
            unit_costs=unit_costs.get(m.name),
            one_time_cost=_one_time(ledger, m.name),
            today=today,
        )
        for m in registry.models
    ]
    units = unit_value(models, marts.marts["finance_showback"], fin.currency)
    figures = _figures(models, totals, units)
    previous = warehouse.fetch(
        "select status, figures, run_id from finance_reviews where period = :period", {"period": period.label}
    )
    changed_keys: list[str] = []
    changes: list[dict[str, Any]] = []
    if previous and previous[0]["status"] == "final":
        changed_keys = _changed(json.loads(str(previous[0]["figures"])), json.loads(json.dumps(figures)))
        if changed_keys:
            changes.append(
                {
                    "changed_at": now,
                    "previous_run_id": previous[0]["run_id"],
                    "previous_status": previous[0]["status"],
                    "previous_figures": previous[0]["figures"],
                    "new_figures": json.dumps(figures, sort_keys=True),
                    "changed_keys": json.dumps(changed_keys),
                }
            )
    report_path = None
    if out_dir is not None:
        report_path = write_review(
            out_dir, period=period, status=status, currency=fin.currency, totals=totals, models=models,
            marts=marts, changed_keys=changed_keys,
            roi_rows=[_roi_row(m, fin.currency) for m in models],
            commitments=[c.row() for c in commitments],
            workloads=workloads,
            units=units,
            transfers=transfers,
            windows=[w.row() for w in windows],
            regions=[r.row() for r in regions],
        )  # fmt: skip
    key: dict[str, object] = {"period": period.label}
    stamp = {"period_start": period.start, "period_end": period.end, "run_id": run_id, "computed_at": now}
    writes: list[tuple[str, dict[str, object], Any]] = [
        (table, key, [{**r, **stamp} for r in marts.marts[table]]) for table in MART_TABLES
    ]
    writes.append(("finance_roi", key, [_roi_row(m, fin.currency) | stamp for m in models]))
    writes.append(("finance_commitments", key, [c.row() | stamp for c in commitments]))
    writes.append(("finance_workloads", key, [w | stamp for w in workloads]))
    writes.append(("finance_unit_value", key, [u | stamp for u in units]))
    writes.append(("finance_data_transfer", key, [t | stamp for t in transfers]))
    writes.append(("finance_windows", key, [w.row() | stamp for w in windows]))
    writes.append(("finance_training_regions", key, [r.row() | stamp for r in regions]))
    writes.append(
        (
            "finance_reviews",
            key,
            [
                {
                    "period_start": period.start,
                    "period_end": period.end,
                    "status": status,
                    "currency": fin.currency,
                    **totals,
                    "figures": json.dumps(figures, sort_keys=True),
                    "source_run_ids": json.dumps(
                        {
                            t: sorted({str(r["run_id"]) for r in marts.sources if r["source_table"] == t})
                            for t in dict.fromkeys(str(r["source_table"]) for r in marts.sources)
                        },
                        sort_keys=True,
                    ),
                    "report_path": str(report_path) if report_path else None,
                    "run_id": run_id,
                    "reviewed_at": now,
                }
            ],
        )
    )
    if changes:
        writes.append(("finance_review_changes", {"period": period.label, "run_id": run_id}, changes))
    warehouse.replace_partitions(writes)
    log.info("finance review %s (%s): %d models, report %s", period.label, status, len(models), report_path)
    return Review(
        period=period,
        status=status,
        currency=fin.currency,
        totals=totals,
        models=models,
        marts=marts,
        figures=figures,
        report_path=report_path,
        changed_keys=changed_keys,
        run_id=run_id,
        commitments=commitments,
        workloads=workloads,
        units=units,
        transfers=transfers,
        windows=windows,
        regions=regions,
    )


def _one_time(ledger: list[LedgerLine], model: str) -> Decimal:
    return sum((ln.amount for ln in ledger if ln.model == model and ln.frequency == "One-Time"), Decimal(0))


def _roi_row(m: ModelRoi, currency: str) -> dict[str, Any]:
    kpi = m.assumptions or {}
    return {
        "model": m.model,
        "business_unit": m.business_unit,
        "currency": currency,
        "kpi_name": kpi.get("name"),
        "kpi_unit": kpi.get("unit"),
        "kpi_direction": kpi.get("direction"),
        "kpi_baseline": kpi.get("baseline"),
        "kpi_projected": m.kpi_projected,
        "kpi_realized": m.kpi.value if m.kpi else None,
        "kpi_low": m.kpi.low if m.kpi else None,
        "kpi_high": m.kpi.high if m.kpi else None,
        "kpi_days": m.kpi.n if m.kpi else None,
        "kpi_denominator": m.kpi.denominator if m.kpi else None,
        "benefit": m.benefit,
        "benefit_low": m.benefit_low,
        "benefit_high": m.benefit_high,
        "projected_benefit": m.projected_benefit,
        "tco_cost": m.tco_cost,
        "one_time_cost": m.one_time_cost,
        "net_value": m.net_value,
        "roi": m.roi,
        "payback_months": m.payback_months,
        "budget": m.budget,
        "not_computable": m.not_computable,
        "assumptions": json.dumps(m.assumptions, sort_keys=True),
        "flags": json.dumps(m.flags),
    }


def format_roi(result: Review, *, report: str | None = None) -> list[str]:
    """Render a review as aligned lines: per model TCO, KPI realized vs projected, benefit, ROI, flags.

    ``report`` is how the last line names the HTML review (default: its path; a task passes its URL).
    """
    cur = result.currency
    lines = [
        f"ROI review {result.period.label} ({result.status}), {cur}: "
        f"total {result.totals['total_effective_cost']:,.2f} effective = cloud "
        f"{result.totals['cloud_effective_cost']:,.2f} + ledger {result.totals['ledger_cost']:,.2f}",
        f"  {'model':<14} {'TCO':>11} {'KPI':<26} {'realized [interval]':>26} {'projected':>10} "
        f"{'benefit':>11} {'ROI':>8}  flags",
    ]
    for m in result.models:
        kpi = str(m.assumptions.get("name", "-"))
        if m.kpi is not None:
            interval = "" if m.kpi.low is None else f" [{m.kpi.low:.4g}, {m.kpi.high:.4g}]"
            realized = f"{m.kpi.value:.4g}{interval}"
        else:
            realized = "-"
        projected = "-" if m.kpi_projected is None else f"{m.kpi_projected:.4g}"
        benefit = "-" if m.benefit is None else f"{m.benefit:,.0f}"
        roi = "-" if m.roi is None else f"{m.roi:.0%}"
        flags = ", ".join(f["flag"] for f in m.flags) or (
            "-" if m.not_computable is None else m.not_computable
        )
        lines.append(
            f"  {m.model:<14} {m.tco_cost:>11,.2f} {kpi[:26]:<26} {realized:>26} {projected:>10} "
            f"{benefit:>11} {roi:>8}  {flags}"
        )
    for u in result.units:
        roi = "-" if u["roi"] is None else f"{u['roi']:.0%}"
        net = "-" if u["net_value"] is None else f"{u['net_value']:,.0f}"
        lines.append(
            f"  unit {u['business_unit']:<9} TCO {u['tco_cost']:>11,.2f}  net value {net:>11}  ROI {roi:>8}"
        )
    for c in result.commitments:
        lines.append(
            f"  commitment: {c.provider} {c.service} {c.region or ''}: {c.commitment_daily_cost:,.2f}/day "
            f"steady on-demand floor covers {c.coverage:.0%}; at {c.discount_pct:g}% ({c.offer_id}) it would "
            f"have saved {c.estimated_saving:,.2f} {c.currency}; break-even utilization "
            f"{c.break_even_utilization:.0%}"
        )
    for t in result.transfers:
        if t["kind"] == "inter_region":
            lines.append(
                f"  data transfer between regions: {t['provider']} {t['source_region']} -> "
                f"{t['destination']} {t['effective_cost']:,.2f} {t['currency']} "
                "(data read from another region?)"
            )
    for r in result.regions:
        lines.append(f"  training data in another region: {r.model} run {r.job_run_id}: {r.evidence}")
    for w in window_summary([j.row() for j in result.windows]):
        if w["findings"]:
            kg = "-" if w["co2e_saving_kg"] is None else f"{w['co2e_saving_kg']:,.3f}"
            lines.append(
                f"  {w['job_kind']} windows: {w['findings']} of {w['runs']} runs could move to cheaper or "
                f"lower-carbon hours: {kg} kg CO2e, {w['cost_saving']:,.2f} {cur} (profile prices)"
            )
        else:
            lines.append(f"  {w['job_kind']} windows: no finding ({w['runs']} runs): {w['reason']}")
    if result.report_path is not None:
        lines.append(f"  review: {report or result.report_path}")
    return lines


def format_tco(marts: MartRows) -> list[str]:
    """Render the TCO mart as aligned lines: business unit x model x cost category x workload."""
    head = f"  {'business unit':<14} {'model':<14} {'category':<17} {'workload':<12}"
    lines = [f"{head} {'billed':>12} {'effective':>12}"]
    for r in marts.marts["finance_tco"]:
        lines.append(
            f"  {r['business_unit'] or '(unallocated)':<14} {r['model'] or '(unit)':<14} "
            f"{r['cost_category']:<17} "
            f"{r['workload']:<12} {r['billed_cost']:>12,.2f} {r['effective_cost']:>12,.2f}"
        )
    return lines
