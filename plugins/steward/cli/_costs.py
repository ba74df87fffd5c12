"""Commands of cloud costs, carbon and finance."""

from __future__ import annotations

import argparse
import json
from pathlib import Path
from typing import TYPE_CHECKING

from steward.cli._common import _warehouse, run_id_for

if TYPE_CHECKING:
    pass


# ---------------------------------------------------------------- costs
def _cmd_costs_ingest(args: argparse.Namespace) -> int:
    from steward.costs import billing_periods_to_reload, ingest
    from steward.registry import load_registry

    registry = load_registry()
    sources = [s for s in registry.costs.sources if s.enabled and (not args.source or s.name in args.source)]
    unknown = sorted(set(args.source or []) - {s.name for s in registry.costs.sources})
    if unknown:
        print(
            f"unknown cost source(s) {unknown}; the registry has {[s.name for s in registry.costs.sources]}"
        )
        return 2
    periods = billing_periods_to_reload(args.date, months_back=args.months_back)
    run_id = args.run_id or run_id_for("cli")
    with _warehouse(args) as wh:
        for source in sources:
            result = ingest(source, warehouse=wh, billing_periods=periods, run_id=run_id)
            totals = ", ".join(f"{c} {v:,.2f}" for c, v in sorted(result.billed_cost_total.items())) or "-"
            months = [f"{p:%Y-%m}" for p in result.periods]
            print(f"{source.name}: {result.rows} daily lines for {months}, BilledCost {totals}")
            for warning in result.warnings:
                print(f"  warning: {warning}")
    return 0


def _cmd_costs_export_focus(args: argparse.Namespace) -> int:
    from pathlib import Path

    from steward.costs import export_focus

    period = args.billing_period.replace(day=1) if args.billing_period else None
    with _warehouse(args, migrate=False) as wh:
        out = export_focus(wh, Path(args.out), billing_period=period)
    print(f"wrote {out}")
    return 0


def _cmd_costs_check_focus(args: argparse.Namespace) -> int:
    import tempfile
    from pathlib import Path

    from steward.costs import export_focus
    from steward.costs._validator import (
        judge_focus_result,
        known_defects_path,
        load_known_defects,
        run_focus_validator,
    )

    defects = load_known_defects()
    with tempfile.TemporaryDirectory(prefix="steward-focus-") as tmp:
        with _warehouse(args, migrate=False) as wh:
            out = export_focus(wh, Path(tmp) / "focus.parquet")
        result = run_focus_validator(out)
    check = judge_focus_result(result, defects)
    print(
        f"focus-validator (FOCUS 1.2): {result.passed} passed, {result.failed} failed "
        f"({len(check.known)} known validator defects), {result.skipped} skipped"
    )
    for (rule, violations, _message), defect in check.known:
        print(f"  KNOWN {rule} ({violations} rows): {defect.reason}")
    for rule, violations, message in check.unexpected:
        print(f"  FAIL {rule} ({violations} rows): {message}")
    if check.unparsed:
        print(
            f"  FAIL {check.unparsed} failed rule(s) the validator counted but did not name; see its output"
        )
    if not check.ok:
        print(f"check-focus: failures beyond the known validator defects ({known_defects_path()})")
    return 0 if check.ok else 1


def _cmd_costs_allocate(args: argparse.Namespace) -> int:
    from steward.costs import allocate_days
    from steward.registry import load_registry

    registry = load_registry()
    with _warehouse(args) as wh:
        result = allocate_days(
            wh, registry.costs.allocation, days=args.date, run_id=args.run_id, models=registry.models
        )
    print(json.dumps(result.to_dict(), indent=2))
    return 0


def _cmd_costs_spend(args: argparse.Namespace) -> int:
    from steward.costs import format_spend, spend_summary
    from steward.registry import load_registry

    places = load_registry().costs.allocation.decimals
    with _warehouse(args, migrate=False) as wh:
        rows = spend_summary(wh, start=args.start, end=args.end, places=places)
    if not rows:
        print(f"no allocated cost between {args.start} and {args.end}: run the cloud_costs DAG first")
        return 0
    print(f"Cloud spend by business unit, {args.start} .. {args.end} (EffectiveCost, allocated)")
    for line in format_spend(rows):
        print(line)
    return 0


# ---------------------------------------------------------------- carbon
def _cmd_carbon_estimate(args: argparse.Namespace) -> int:
    from steward.carbon import estimate_days, load_coefficients, usage_days
    from steward.registry import load_registry

    registry = load_registry()
    carbon = registry.costs.carbon
    with _warehouse(args) as wh:
        result = estimate_days(
            wh,
            days=usage_days(wh, args.date),
            coefficients=load_coefficients(carbon.coefficients),
            run_id=args.run_id,
            utilization=carbon.cpu_utilization,
            allocation=registry.costs.allocation,
            models=registry.models,
            candidates=carbon.candidate_regions,
        )
    print(json.dumps(result.to_dict(), indent=2))
    return 0


# ---------------------------------------------------------------- finance
def _cmd_finance_review(args: argparse.Namespace) -> int:
    from steward.finance import format_roi, parse_period, review, review_dir
    from steward.registry import load_registry

    period = parse_period(args.period)
    out = Path(args.out).expanduser() if args.out else review_dir(period)
    with _warehouse(args) as wh:
        result = review(
            wh, load_registry(), period, run_id=args.run_id or run_id_for("cli_finance"), today=args.today,
            out_dir=out,
        )  # fmt: skip
    for line in format_roi(result):
        print(line)
    for m in result.models:
        for f in m.flags:
            print(f"  {m.model} {f['flag']}: {f['evidence']}")
    return 0


def _cmd_finance_tco(args: argparse.Namespace) -> int:
    from steward.finance import format_tco, load_ledger, parse_period, run_marts
    from steward.registry import load_registry

    period = parse_period(args.period)
    with _warehouse(args) as wh:
        load_ledger(wh, load_registry(), period, run_id=args.run_id or run_id_for("cli_finance"))
        marts = run_marts(wh, period)
    print(f"Total cost of ownership {period.label} ({period.start} .. {period.last_day}), finance_tco:")
    for line in format_tco(marts):
        print(line)
    return 0


def _cmd_carbon_summary(args: argparse.Namespace) -> int:
    from steward.carbon import carbon_summary

    with _warehouse(args, migrate=False) as wh:
        summary = carbon_summary(wh, start=args.start, end=args.end)
    if not summary["by_unit"]:
        print(f"no carbon estimates between {args.start} and {args.end}: run the carbon DAG first")
        return 0
    print(f"Usage-based emissions by business unit, {args.start} .. {args.end} (kg CO2e, CCF method)")
    for r in summary["by_unit"]:
        share = r["share"] if isinstance(r["share"], float) else 0.0
        print(f"  {r['business_unit'] or '(unallocated)':<16} {r['co2e_kg']:>12,.3f} kg  {share:6.1%}")
    print("Same workload in the candidate regions (kg CO2e):")
    for r in summary["regions"]:
        print(
            f"  {r['provider']}/{r['region']} -> {r['candidate_provider']}/{r['candidate_region']}: "
            f"{r['co2e_kg']:,.3f} -> {r['candidate_co2e_kg']:,.3f} ({r['delta_co2e_kg']:+,.3f})"
        )
    return 0
