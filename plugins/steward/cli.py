"""``steward``: the command line. Runs the same package functions as the DAG tasks.

Every command works without a scheduler, for one dataset/model and one day, so a data
engineer can debug or script exactly what the nightly DAG does. ``steward <command> --help``
explains each command.
"""

from __future__ import annotations

import argparse
import datetime as dt
import json
import logging
import os
import sys
import time
from collections.abc import Sequence
from pathlib import Path
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from steward._tracking import Tracker

__all__ = ["main"]


def _date(text: str) -> dt.date:
    try:
        return dt.date.fromisoformat(text)
    except ValueError:
        raise argparse.ArgumentTypeError(f"expected a date YYYY-MM-DD, got {text!r}") from None


#: Run ids handed out during this command, by kind: one command is one run (its lineage uses the same id).
_RUN_IDS: dict[str, str] = {}


def run_id_for(kind: str) -> str:
    """Return a CLI run's id: ``<kind>__<UTC time>`` (e.g. ``cli_audit__20261129T230501``).

    The same kind gets the same id for the rest of the command, so the lineage it records
    (:func:`_record_cli_lineage`) names the run its rows carry.
    """
    return _RUN_IDS.setdefault(kind, f"{kind}__{dt.datetime.now(dt.UTC):%Y%m%dT%H%M%S}")


def _record_cli_lineage(args: argparse.Namespace, tracker: Tracker, *, failing: bool = False) -> None:
    """Store what the command read and wrote (``lineage_edges``, ``dataset_access``) with the OS user.

    After a failed command a failure to record is logged, never shown instead of the command's error.
    """
    if not (tracker.reads or tracker.writes) or not hasattr(args, "url"):
        return
    from steward.governance import cli_actor, record_lineage
    from steward.warehouse import connect

    command = " ".join(["steward", args.command, *([args.sub] if getattr(args, "sub", None) else [])])
    try:
        with connect(args.url) as wh:
            wh.migrate()
            record_lineage(wh, tracker, run_id=run_id_for("cli"), task=command, actor=cli_actor())
    except Exception as exc:
        if not failing:
            raise
        logging.getLogger(__name__).warning("the lineage of this failed command was not recorded: %s", exc)


def _check_date_options(args: argparse.Namespace) -> None:
    """Refuse a date option outside the accepted range (``STEWARD_DATE_RANGE``) before any command runs."""
    from steward import check_date

    for name, value in vars(args).items():
        for day in value if isinstance(value, list) else [value]:
            if isinstance(day, dt.date):
                check_date(day, what=f"--{name.replace('_', '-')}")
    if isinstance(getattr(args, "date", None), dt.date) and getattr(args, "days", 1) > 1:
        what = "the last window (--date + --days - 1)"
        try:
            last = args.date + dt.timedelta(days=args.days - 1)
        except OverflowError:
            raise ValueError(f"{what} lies beyond year 9999: give fewer --days") from None
        check_date(last, what=what)


def _setup_logging(verbose: bool) -> None:
    logging.basicConfig(
        level=logging.DEBUG if verbose else logging.INFO,
        format="%(asctime)s %(levelname)-7s %(name)s: %(message)s",
        datefmt="%H:%M:%S",
    )
    logging.getLogger("great_expectations").setLevel(logging.ERROR)


# ---------------------------------------------------------------- registry
def _cmd_registry_check(args: argparse.Namespace) -> int:
    from steward.registry import load_registry

    reg = load_registry(args.registry)
    print(f"registry OK: {len(reg.datasets)} datasets, {len(reg.models)} models")
    for d in reg.datasets:
        print(
            f"  dataset {d.name:<28} {d.cadence:<8} {d.sensitivity:<12} suite={d.suite_name} owner={d.owner}"
        )
    for m in reg.models:
        print(f"  model   {m.name:<28} {m.risk_tier:<8} bu={m.business_unit} log={m.prediction_log}")
    return 0


# ---------------------------------------------------------------- warehouse
def _cmd_warehouse_migrate(args: argparse.Namespace) -> int:
    from steward.warehouse import connect

    with connect(args.url) as wh:
        applied = wh.migrate()
        print(f"{wh.url}: applied {applied or 'nothing (up to date)'}")
    return 0


def _cmd_warehouse_query(args: argparse.Namespace) -> int:
    from steward.warehouse import WarehouseError, connect

    try:
        with connect(args.url, lock_timeout_s=args.wait) as wh:
            rows = wh.fetch(args.sql, read_only=True)
    except WarehouseError as exc:  # a refused statement, a SQL error, a busy file: one line, exit 2
        raise ValueError(" ".join(str(exc).split())) from None
    shown = rows[: max(args.limit, 0)]
    if args.format == "json":
        for row in shown:
            print(json.dumps(row, default=str))
    elif args.format == "csv":
        import csv

        writer = csv.writer(sys.stdout, lineterminator="\n")
        if rows:
            writer.writerow(list(rows[0]))
        writer.writerows([["" if v is None else v for v in r.values()] for r in shown])
    else:
        for line in _table_lines(shown):
            print(line)
    if len(rows) > len(shown):
        print(
            f"... {len(rows) - len(shown)} more row(s) not shown ({len(rows)} in all): raise --limit "
            "or narrow the query",
            file=sys.stderr,
        )
    elif args.format == "table":
        print(f"({len(rows)} row{'s' if len(rows) != 1 else ''})", file=sys.stderr)
    return 0


def _table_lines(rows: Sequence[dict[str, object]]) -> list[str]:
    """Render rows as an aligned text table (numbers right-aligned, NULL shown as an empty cell)."""
    if not rows:
        return ["(no rows)"]
    names = list(rows[0])
    cells = [["" if r[n] is None else str(r[n]) for n in names] for r in rows]
    numeric = [all(isinstance(r[n], int | float) or r[n] is None for r in rows) for n in names]
    widths = [max(len(n), *(len(c[i]) for c in cells)) for i, n in enumerate(names)]

    def line(values: Sequence[str]) -> str:
        return "  ".join(
            v.rjust(w) if num else v.ljust(w) for v, w, num in zip(values, widths, numeric, strict=True)
        ).rstrip()

    return [line(names), line(["-" * w for w in widths]), *(line(c) for c in cells)]


# ---------------------------------------------------------------- governance records
def _cmd_pii_scan(args: argparse.Namespace) -> int:
    from steward.governance import scan_pii
    from steward.registry import load_registry
    from steward.warehouse import connect

    registry = load_registry(check_suites=False)
    with connect(args.url) as wh:
        wh.migrate()
        result = scan_pii(registry, args.date, warehouse=wh, run_id=run_id_for("cli"), datasets=args.dataset)
    for f in result.findings:
        flags = [
            w for w, on in (("UNDECLARED", not f.declared), ("CLASS TOO LOW", f.sensitivity_too_low)) if on
        ]
        print(
            f"{f.dataset}.{f.column_name}: {f.entity} ({f.match_share:.0%} of {f.sample_size} sampled, "
            f"by {f.matched_by}; {f.sensitivity}, warrants {f.warranted_sensitivity})",
            *flags,
        )
    for name, why in result.skipped:
        print(f"skipped {name}: {why}")
    return 1 if result.undeclared or result.too_low else 0


def _cmd_export_run(args: argparse.Namespace) -> int:
    from steward.governance import run_export
    from steward.registry import load_registry
    from steward.warehouse import connect

    registry = load_registry(check_suites=False)
    with connect(args.url) as wh:
        wh.migrate()
        out = run_export(registry, args.name, args.date, warehouse=wh, run_id=run_id_for("cli"))
    final = out.after or out.before
    measured = f" (k={final.k}, l={final.l})" if final else ""
    print(f"{out.status.upper():<11} {out.name} {out.day}: {out.reason}{measured}")
    if out.output_path:
        print(f"            file: {out.output_path}")
    return 1 if out.status == "refused" else 0


def _cmd_decision_record(args: argparse.Namespace) -> int:
    from steward.governance import Decision, record_decision
    from steward.warehouse import connect

    decision = Decision(
        initiative=args.initiative,
        stage=args.stage,
        status=args.status,
        sponsor=args.sponsor,
        rationale=args.rationale,
        decided_at=args.at or dt.datetime.now(dt.UTC),
        success_criteria=args.success_criteria,
        model=args.model,
        decided_by=args.by or os.environ.get("USER"),
    )
    with connect(args.url) as wh:
        wh.migrate()
        print(f"recorded decision {record_decision(wh, decision, run_id=run_id_for('cli'))}")
    return 0


def _cmd_incident_resolve(args: argparse.Namespace) -> int:
    from steward.governance import resolve_incident
    from steward.warehouse import connect

    with connect(args.url) as wh:
        wh.migrate()
        done = resolve_incident(
            wh,
            args.incident_id,
            note=args.note,
            actor=args.by or os.environ.get("USER") or "cli",
            on=args.date,
        )
    print(f"resolved {done.incident_id}: {done.title}: {done.resolution}")
    return 0


def _timestamp(text: str) -> dt.datetime:
    try:
        value = dt.datetime.fromisoformat(text)
    except ValueError:
        raise argparse.ArgumentTypeError(f"expected a time YYYY-MM-DDTHH:MM (UTC), got {text!r}") from None
    return value if value.tzinfo else value.replace(tzinfo=dt.UTC)


# ---------------------------------------------------------------- data quality
def _cmd_dq_validate(args: argparse.Namespace) -> int:
    from steward.quality import validate_partition
    from steward.registry import load_registry
    from steward.warehouse import connect

    registry = load_registry()
    names = args.dataset or [d.name for d in registry.datasets if d.cadence == "daily"]
    run_id = run_id_for("cli")
    worst = 0
    with connect(args.url) as wh:
        wh.migrate()
        for name in names:
            outcome = validate_partition(registry, name, args.date, warehouse=wh, run_id=run_id)
            print(f"{outcome.status.upper():<8} {outcome.message}")
            print(f"         report: {outcome.report_path}")
            worst = max(worst, 0 if outcome.ok else 1)
    return worst


def _cmd_dq_report(args: argparse.Namespace) -> int:
    from steward.quality import write_overview
    from steward.warehouse import connect

    with connect(args.url) as wh:
        print(write_overview(wh))
    return 0


# ---------------------------------------------------------------- monitoring
def _cmd_monitor_run(args: argparse.Namespace) -> int:
    from steward.monitoring import monitor_night
    from steward.registry import load_registry
    from steward.warehouse import connect

    registry = load_registry(check_suites=False)
    names = args.model or [m.name for m in registry.models]
    models = [registry.model(name) for name in names]  # an unknown name fails before anything runs
    run_id = run_id_for("cli")
    worst = 0
    with connect(args.url) as wh:
        wh.migrate()
        from steward.monitoring import retired_models

        retired = retired_models(wh, [m.name for m in models])
        for reason in retired.values():
            print(reason)
        models = [m for m in models if m.name not in retired]
        for day in [args.date + dt.timedelta(days=i) for i in range(args.days)]:
            for model in models:
                night = monitor_night(model, day, registry=registry, warehouse=wh, run_id=run_id)
                outcome = night.monitoring
                print(outcome.summary())
                for line in [
                    *outcome.chart_alerts,
                    *(b["message"] for b in outcome.breaches if b["kind"] != "control_chart"),
                    *(f"fairness breach: {b}" for b in night.fairness_breaches),
                ]:
                    print(f"    {line}")
                if night.fairness and night.fairness.get("report_path"):
                    print(f"    fairness report: {night.fairness['report_path']}")
                if outcome.report_path:
                    print(f"    report: {outcome.report_path}")
                breach = outcome.status == "breach" or bool(night.fairness_breaches)
                worst = max(worst, 1 if breach else 0)
        from steward.monitoring import write_monitoring_overview

        print(f"overview: {write_monitoring_overview(wh)}")
    return worst


def _cmd_monitor_files(args: argparse.Namespace) -> int:
    reference = args.reference_file or args.reference
    current = args.current_file or args.current
    if not reference or not current:
        raise ValueError("monitor files: pass REFERENCE and CURRENT files (e.g. train.csv today.csv)")
    if args.model:
        return _monitor_files_registered(args, reference, current)
    from steward.adhoc import compare_files
    from steward.sources import sniff_file
    from steward.warehouse import connect

    columns = [c.strip() for c in args.columns.split(",")] if args.columns else None
    ref = sniff_file(reference, columns=columns, what="reference file")
    cur = sniff_file(current, columns=columns, what="current file")
    for f in (ref, cur):
        print(f"read {f.describe()}")
        if f.note:
            print(f"  note: {f.note}")
    features = [c.strip() for c in args.features.split(",")] if args.features else None
    day = args.date or dt.date.today()
    with connect(args.url) as wh:
        wh.migrate()
        outcome = compare_files(
            ref,
            cur,
            warehouse=wh,
            window=day,
            run_id=run_id_for("cli_files"),
            features=features,
            score=args.score,
            name=args.name,
        )
    print(outcome.summary)
    for line in outcome.details:
        print(f"    {line}")
    print(f"    stored as model {outcome.stored_as!r}, window_date {day}")
    print(f"    report: {outcome.report_path}")
    return 1 if outcome.breach else 0


def _monitor_files_registered(args: argparse.Namespace, reference_glob: str, current_glob: str) -> int:
    from steward.adhoc import adhoc_name
    from steward.monitoring import Relation, files_relation, monitor_relation, scan_engine
    from steward.registry import load_registry
    from steward.warehouse import connect

    registered = load_registry(check_suites=False).model(args.model)  # no data-quality suites are needed
    # one-off results live beside, never over, the nightly rows of the model
    model = registered.model_copy(update={"name": adhoc_name(registered.name, [])})
    day = args.date or dt.date.today()

    def files(pattern: str) -> list[str]:
        import glob

        found = sorted(glob.glob(str(Path(pattern).expanduser())))
        if not found:
            raise FileNotFoundError(
                f"monitor files: nothing matches {pattern!r}; pass a Parquet/CSV file or glob"
            )
        return found

    def fmt(paths: list[str]) -> str:
        return "csv" if paths[0].lower().endswith(".csv") else "parquet"

    engine = scan_engine()
    ref_files, cur_files = files(reference_glob), files(current_glob)
    reference = Relation(files_relation(engine, ref_files, fmt(ref_files)), engine, (), tuple(ref_files))
    current = Relation(
        files_relation(engine, cur_files, fmt(cur_files), window=day), engine, (day,), tuple(cur_files)
    )
    labels = None
    if args.labels:
        lab_files = files(args.labels)
        labels = Relation(files_relation(engine, lab_files, fmt(lab_files)), engine, (), tuple(lab_files))
    with connect(args.url) as wh:
        wh.migrate()
        outcome = monitor_relation(
            model,
            day,
            window=current,
            reference=reference,
            reference_source=", ".join(ref_files),
            warehouse=wh,
            run_id=run_id_for("cli_files"),
            performance_relation=current if model.labels else None,
            labels_relation=labels,
        )
    print(outcome.summary())
    for d in outcome.drift:
        if d.drifted or d.status != "ok" or d.missing_alert or d.invalid_alert or d.new_category_alert:
            print(f"    {d.feature}: {d.message or d.status}")
    print(f"    report: {outcome.report_path}")
    return 1 if outcome.status == "breach" else 0


# ---------------------------------------------------------------- costs
def _cmd_costs_ingest(args: argparse.Namespace) -> int:
    from steward.costs import billing_periods_to_reload, ingest
    from steward.registry import load_registry
    from steward.warehouse import connect

    registry = load_registry()
    sources = [s for s in registry.costs.sources if s.enabled and (not args.source or s.name in args.source)]
    unknown = sorted(set(args.source or []) - {s.name for s in registry.costs.sources})
    if unknown:
        print(
            f"unknown cost source(s) {unknown}; the registry has {[s.name for s in registry.costs.sources]}"
        )
        return 2
    periods = billing_periods_to_reload(args.date, months_back=args.months_back)
    run_id = args.run_id or f"cli-{dt.datetime.now(dt.UTC):%Y%m%dT%H%M%S}"
    with connect(args.url) as wh:
        wh.migrate()
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
    from steward.warehouse import connect

    period = args.billing_period.replace(day=1) if args.billing_period else None
    with connect(args.url) as wh:
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
    from steward.warehouse import connect

    defects = load_known_defects()
    with tempfile.TemporaryDirectory(prefix="steward-focus-") as tmp:
        with connect(args.url) as wh:
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
    from steward.warehouse import connect

    registry = load_registry()
    with connect(args.url) as wh:
        wh.migrate()
        result = allocate_days(
            wh, registry.costs.allocation, days=args.date, run_id=args.run_id, models=registry.models
        )
    print(json.dumps(result.to_dict(), indent=2))
    return 0


def format_spend(rows: Sequence[dict[str, object]]) -> list[str]:
    """Render :func:`steward.costs.spend_summary` rows as aligned lines: one per currency x unit, a total.

    The rows come rounded for display with the largest remainder, so each currency's lines add up to its
    total line exactly.
    """
    from decimal import Decimal

    lines: list[str] = []
    for currency in dict.fromkeys(str(r["currency"]) for r in rows):
        mine = [r for r in rows if r["currency"] == currency]
        total = Decimal(0)
        for r in mine:
            unit = r["business_unit"] or "(unallocated)"
            share = r["share"] if isinstance(r["share"], float) else 0.0
            amount = Decimal(str(r["effective_cost"]))
            total += amount
            lines.append(f"  {unit:<16} {currency} {amount:>14,}  {share:6.1%}")
        lines.append(f"  {'total':<16} {currency} {total:>14,}")
        untagged, no_tags = mine[0]["untagged_share"], mine[0]["no_tags_share"]
        if isinstance(untagged, float) and isinstance(no_tags, float):
            lines.append(
                f"  {currency}: {untagged:.1%} of cost has no business-unit tag "
                f"({no_tags:.1%} has no tag at all)"
            )
    return lines


def _cmd_costs_spend(args: argparse.Namespace) -> int:
    from steward.costs import spend_summary
    from steward.registry import load_registry
    from steward.warehouse import connect

    places = load_registry().costs.allocation.decimals
    with connect(args.url) as wh:
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
    from steward.warehouse import connect

    registry = load_registry()
    carbon = registry.costs.carbon
    with connect(args.url) as wh:
        wh.migrate()
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
    from steward.warehouse import connect

    period = parse_period(args.period)
    out = Path(args.out).expanduser() if args.out else review_dir(period)
    with connect(args.url) as wh:
        wh.migrate()
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
    from steward.warehouse import connect

    period = parse_period(args.period)
    with connect(args.url) as wh:
        wh.migrate()
        load_ledger(wh, load_registry(), period, run_id=args.run_id or run_id_for("cli_finance"))
        marts = run_marts(wh, period)
    print(f"Total cost of ownership {period.label} ({period.start} .. {period.last_day}), finance_tco:")
    for line in format_tco(marts):
        print(line)
    return 0


def _cmd_carbon_summary(args: argparse.Namespace) -> int:
    from steward.carbon import carbon_summary
    from steward.warehouse import connect

    with connect(args.url) as wh:
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


# ---------------------------------------------------------------- retraining
def _datetime(text: str) -> dt.datetime:
    try:
        value = dt.datetime.fromisoformat(text)
    except ValueError:
        raise argparse.ArgumentTypeError(f"expected a time YYYY-MM-DDTHH:MM (UTC), got {text!r}") from None
    return value if value.tzinfo else value.replace(tzinfo=dt.UTC)


def _cmd_retraining_request(args: argparse.Namespace) -> int:
    from steward.registry import load_registry
    from steward.triggers import request_retraining
    from steward.warehouse import connect

    load_registry().model(args.model)  # an unknown model is a one-line error naming the registered ones
    by = args.by or os.environ.get("USER") or "cli"
    with connect(args.url) as wh:
        wh.migrate()
        rid = request_retraining(
            wh, args.model, reason=args.reason, requested_by=by, requested_at=dt.datetime.now(dt.UTC)
        )
    print(f"retraining of {args.model} requested ({rid}): the next evaluation of its policy acts on it")
    return 0


def _cmd_retraining_decide(args: argparse.Namespace) -> int:
    from steward.registry import load_registry
    from steward.triggers import evaluate_policies, record_decision
    from steward.warehouse import connect

    registry = load_registry()
    names = [args.model] if args.model else [m.name for m in registry.models]
    now = args.now or dt.datetime.now(dt.UTC)
    with connect(args.url) as wh:
        wh.migrate()
        for name in names:
            decision = evaluate_policies(wh, registry, name, args.date, now=now, run_id=args.run_id)
            if not args.dry_run:
                record_decision(wh, decision)
            print(f"{decision.night} {decision.model}: {decision.action} ({decision.decision_id})")
            print(f"  {decision.reason}")
    return 0


def _cmd_retraining_decisions(args: argparse.Namespace) -> int:
    from steward.triggers import list_decisions
    from steward.warehouse import connect

    with connect(args.url) as wh:
        wh.migrate()
        rows = list_decisions(wh, model=args.model)
    if not rows:
        print(
            "no retraining decision recorded yet: "
            "run the retraining_trigger DAG or `steward retraining decide`"
        )
        return 0
    for line in format_decisions(rows, width=args.width):
        print(line)
    return 0


def format_decisions(rows: Sequence[dict[str, object]], *, width: int = 100) -> list[str]:
    """Return the decisions table (night, model, action, reason) as aligned text lines."""
    lines = [f"{'night':<10}  {'model':<14} {'action':<13} reason"]
    for r in rows:
        action = str(r["action"]) + (f"/{r['guard']}" if r.get("guard") else "")
        reason = str(r["reason"])
        reason = reason if len(reason) <= width else reason[: width - 1] + "…"
        lines.append(f"{r['night']!s:<10}  {r['model']!s:<14} {action:<13} {reason}")
    return lines


# ---------------------------------------------------------------- fairness
def _fairness_files(args: argparse.Namespace) -> tuple[list[str], str, str | None]:
    """Return the audited files (resolved), their format and the label column given on the command line."""
    from pathlib import Path

    files = [str(Path(f).expanduser().resolve()) for f in [*(args.files or []), *(args.file or [])]]
    if not files:
        raise ValueError("fairness: pass the file to audit (FILE or --file PATH)")
    missing = [f for f in files if not Path(f).is_file()]
    if missing:
        raise FileNotFoundError(
            f"fairness: no such file(s) {missing}; pass --file with the path of a Parquet or CSV file"
        )
    fmt = args.format or ("csv" if files[0].lower().endswith(".csv") else "parquet")
    return files, fmt, args.label_column


def _reference_groups(pairs: Sequence[str] | None) -> dict[str, str]:
    out: dict[str, str] = {}
    for pair in pairs or []:
        column, sep, value = pair.partition("=")
        if not sep or not column:
            raise ValueError(f"--reference {pair!r}: write COLUMN=VALUE (e.g. --reference sex=Male)")
        out[column] = value
    return out


def _cmd_fairness_audit(args: argparse.Namespace) -> int:
    if args.model:
        return _fairness_audit_registered(args)
    from steward import paths
    from steward.adhoc import FairnessAudit, run_fairness_audit
    from steward.sources import sniff_file
    from steward.warehouse import connect

    paths_given = [*(args.files or []), *(args.file or [])]
    if not paths_given:
        raise ValueError("fairness audit: pass the file to audit (FILE)")
    missing = [o for o, v in (("--label", args.label), ("--group", args.group)) if not v]
    if missing:
        raise ValueError(
            f"fairness audit FILE needs {' and '.join(missing)} (or --model NAME to use a registered model)"
        )
    columns = [c.strip() for c in args.columns.split(",")] if args.columns else None
    formats = tuple(sniff_file(f, columns=columns) for f in paths_given)
    for f in formats:
        print(f"read {f.describe()}")
        if f.note:
            print(f"  note: {f.note}")
    audit = FairnessAudit(
        formats=formats,
        label=args.label,
        groups=tuple(args.group),
        prediction=args.prediction,
        score=args.score,
        threshold=args.threshold,
        reference=_reference_groups(args.reference),
        favourable=args.favourable,
        name=args.name,
        allow_degenerate=args.allow_degenerate,
        min_group_size=args.min_group_size,
        tolerance=args.tolerance,
    )
    window = args.date or dt.date.today()
    run_id = run_id_for("cli_audit")
    with connect(args.url) as wh:
        wh.migrate()
        out = Path(args.out) if args.out else paths.reports_dir() / "fairness"
        outcome = run_fairness_audit(audit, warehouse=wh, window=window, run_id=run_id, reports_dir=out)
    for w in outcome.warnings:
        print(f"warning: {w}")
    print(outcome.summary)
    print(
        f"{outcome.rows_written} rows in fairness_metrics (model {outcome.stored_as!r}, window_date {window})"
    )
    print(f"report: {outcome.report_path}")
    return 1 if outcome.breach else 0


def _fairness_audit_registered(args: argparse.Namespace) -> int:
    from steward import paths
    from steward.adhoc import adhoc_name
    from steward.fairness import evaluate_window, file_source_sql, write_fairness, write_fairness_report
    from steward.registry import load_registry
    from steward.warehouse import connect

    registered = load_registry(args.registry, check_suites=False).model(args.model)
    # one-off results live beside, never over, the nightly rows of the model
    model = registered.model_copy(update={"name": adhoc_name(registered.name, [])})
    files, fmt, label = _fairness_files(args)
    label = label or (model.labels.label_column if model.labels else model.columns.label)
    run_id = run_id_for("cli_audit")
    window = args.date or dt.date.today()
    with connect(args.url) as wh:
        wh.migrate()
        source = file_source_sql(wh, files, fmt=fmt, label_column=label)
        result = evaluate_window(wh, model, source_sql=source, window=window, run_id=run_id)
        written = write_fairness(wh, model, window, result)
        out = Path(args.out) if args.out else paths.reports_dir() / "fairness"
        report = write_fairness_report(wh, model, window, result, out_dir=out)
    print(result.summary())
    print(f"{written} rows in fairness_metrics (model {model.name!r}, window_date {window})")
    print(f"report: {report}")
    return 1 if result.breach else 0


def _cmd_fairness_assess(args: argparse.Namespace) -> int:
    from steward.fairness import assess_training_data, file_source_sql, write_bias_assessment
    from steward.registry import load_registry
    from steward.warehouse import connect

    model = load_registry(args.registry).model(args.model)
    files, fmt, label = _fairness_files(args)
    label = label or (model.labels.label_column if model.labels else model.columns.label)
    run_id = run_id_for("cli_assess")
    with connect(args.url) as wh:
        wh.migrate()
        source = file_source_sql(wh, files, fmt=fmt, label_column=label)
        rows = assess_training_data(wh, model, source_sql=source, dataset_version=args.version, run_id=run_id)
        written = write_bias_assessment(wh, model, args.version, rows)
    for r in rows:
        if r["verdict"] in ("flagged", "insufficient_data"):
            value = "n/a" if r["value"] is None else f"{r['value']:.3f}"
            where = f"{r['attribute']}={r['group_value']} {r['check_name']} {r['feature'] or ''}"
            print(f"{r['verdict'].upper():<17} {where} {value}: {r['note']}")
    print(f"{written} rows in bias_assessment (model {model.name!r}, dataset_version {args.version!r})")
    return 0


# ---------------------------------------------------------------- governance records
def _cmd_lineage_show(args: argparse.Namespace) -> int:
    from steward.governance import affected_by_partition, model_lineage
    from steward.registry import load_registry
    from steward.warehouse import connect

    registry = load_registry(check_suites=False)
    with connect(args.url) as wh:
        wh.migrate()
        if args.model:
            registry.model(args.model)  # an unknown name fails with the registered names
            rows = model_lineage(wh, args.model)
            shown = [
                {
                    k: r[k]
                    for k in (
                        "produced",
                        "model_version",
                        "dataset",
                        "partition_label",
                        "run_id",
                        "code_version",
                    )
                }
                for r in rows
            ]
            for line in _table_lines(sorted({tuple(r.items()): r for r in shown}.values(), key=str)):
                print(line)
            return 0
        dataset, day_text = args.partition
        registry.dataset(dataset)
        try:
            day = dt.date.fromisoformat(day_text)
        except ValueError:
            raise ValueError(f"--partition {dataset} {day_text!r}: the date must be YYYY-MM-DD") from None
        affected = affected_by_partition(wh, dataset, day, registry=registry)
    if not affected:
        print(f"no model read or declares dataset {dataset!r} partition {day}")
    for a in affected:
        where = f" (rows in {', '.join(a.tables)})" if a.tables else ""
        print(f"{a.model:<24} {a.how}{where}")
    return 0


def _cmd_retention_run(args: argparse.Namespace) -> int:
    from steward.governance import run_retention
    from steward.registry import load_registry
    from steward.warehouse import connect

    registry = load_registry(check_suites=False)
    for name in args.dataset or []:
        registry.dataset(name)  # an unknown name fails before anything is removed
    archive = Path(args.archive_dir).expanduser() if args.archive_dir else None
    with connect(args.url) as wh:
        wh.migrate()
        outcome = run_retention(
            registry,
            args.date,
            warehouse=wh,
            run_id=run_id_for("cli"),
            dry_run=args.dry_run,
            archive_dir=archive,
            datasets=args.dataset,
        )
    for item in outcome.items:
        print(item.line())
    print(outcome.summary())
    return 0


def _cmd_erasure_request(args: argparse.Namespace) -> int:
    from steward.governance import cli_actor, request_erasure
    from steward.registry import load_registry
    from steward.warehouse import connect

    registry = load_registry(check_suites=False)
    with connect(args.url) as wh:
        wh.migrate()
        request_id = request_erasure(
            wh,
            registry,
            args.subject,
            dataset_key=args.dataset_key,
            deadline=args.deadline,
            requested_by=cli_actor(),
        )
    print(
        f"erasure request {request_id} recorded (deadline {args.deadline}); carry it out: steward erasure run"
    )
    return 0


def _cmd_erasure_run(args: argparse.Namespace) -> int:
    from steward.governance import run_erasure
    from steward.registry import load_registry
    from steward.warehouse import connect

    registry = load_registry(check_suites=False)
    with connect(args.url) as wh:
        wh.migrate()
        outcomes = run_erasure(registry, warehouse=wh, run_id=run_id_for("cli"), request_ids=args.request)
    for outcome in outcomes:
        print(outcome.summary())
    if not outcomes:
        print("no open erasure request")
    return 0


def _cmd_footprint(args: argparse.Namespace) -> int:
    from steward.governance import footprint_trend, measure_footprint
    from steward.registry import load_registry
    from steward.warehouse import connect

    with connect(args.url) as wh:
        wh.migrate()
        if args.date:
            measure_footprint(
                load_registry(check_suites=False), args.date, warehouse=wh, run_id=run_id_for("cli")
            )
        rows = footprint_trend(wh, dataset=args.dataset)
    for line in _table_lines(rows[-max(args.limit, 1) :] if rows else []):
        print(line)
    return 0


def _cmd_esg_extract(args: argparse.Namespace) -> int:
    from steward.governance import esg_extract, parse_quarter, previous_quarter, quarter_of
    from steward.registry import load_registry
    from steward.warehouse import connect

    quarter = args.quarter or previous_quarter(quarter_of(dt.datetime.now(dt.UTC).date()))
    parse_quarter(quarter)  # a bad quarter fails before connecting
    with connect(args.url) as wh:
        wh.migrate()
        out = esg_extract(load_registry(check_suites=False), quarter, warehouse=wh)
    print(f"ESG extract {quarter}: {len(out.rows)} rows")
    print(f"  csv:     {out.csv_path}")
    print(f"  summary: {out.html_path}")
    return 0


# ---------------------------------------------------------------- demo
def _cmd_demo_generate(args: argparse.Namespace) -> int:
    from steward.demo import generate

    started = time.monotonic()
    manifest = generate(
        start=args.start, days=args.days, rows_per_day=args.rows_per_day, seed=args.seed, progress=print
    )
    print(f"demo lake ready in {time.monotonic() - started:.1f} s: {manifest}")
    return 0


def _cmd_demo(args: argparse.Namespace) -> int:
    from steward import paths
    from steward.demo import DEMO_DAYS, DEMO_START, INJECTED_PROBLEMS, generate

    if not 1 <= args.days <= DEMO_DAYS:
        raise ValueError(f"--days must be between 1 and {DEMO_DAYS} (the demo company's window)")
    started = time.monotonic()
    ignored = _demo_environment()
    print(f"Steward demo — state in {paths.steward_home()}, registry {paths.registry_path()}")
    for name, value in ignored.items():
        print(f"    note: {name}={value} is ignored: the demo uses its own registry, suites and warehouse")
    print(f"1/3 Generating the demo company ({args.rows_per_day} rows/day, {DEMO_DAYS} days) ...")
    manifest = generate(days=DEMO_DAYS, rows_per_day=args.rows_per_day)
    print(f"    lake: {manifest.lake}" + (" (already there, reused)" if manifest.reused else ""))
    _register_demo_champions()
    days = [DEMO_START + dt.timedelta(days=i) for i in range(args.days)]

    print(f"2/3 Running the nightly DAGs through Airflow for {days[0]} .. {days[-1]}")
    from steward.airflow.demo import run_demo

    run_demo(days, runner=args.runner)

    print("3/3 Summary")
    from steward.quality import write_overview
    from steward.registry import load_registry
    from steward.warehouse import connect

    registry = load_registry()
    datasets = {d.name for d in registry.datasets}
    with connect() as wh:
        rows = [
            r
            for r in wh.fetch(
                "select dataset, partition_date, status from dq_runs where partition_date between :a and :b "
                "order by dataset, partition_date",
                {"a": days[0], "b": days[-1]},
            )
            if r["dataset"] in datasets
        ]
        quarantined = [
            q
            for q in wh.fetch(
                "select dataset, partition_date, reason from quarantine "
                "where partition_date between :a and :b order by partition_date",
                {"a": days[0], "b": days[-1]},
            )
            if q["dataset"] in datasets
        ]
        overview = write_overview(wh)
        url = wh.url
    _print_grid(rows, days)
    print(f"\nQuarantined batches: {len(quarantined)}")
    for q in quarantined:
        reason = str(q["reason"]).split(": ", 1)[-1]  # the line already names dataset and partition
        reason = reason if len(reason) <= 160 else reason[:159] + "…"
        print(f"  {q['partition_date']} {q['dataset']}: {reason}")
    _print_monitoring(days, models={m.name for m in registry.models})
    _print_champions([m.name for m in registry.models])
    _print_costs(days)
    _print_decisions(days)
    _print_retraining_runs()
    _print_governance(days)
    _print_finance(days)
    _print_records(days)
    print("\nInjected problems (what the demo should catch):")
    for p in INJECTED_PROBLEMS:
        if p.day <= days[-1]:
            print(f"  {p.day} {p.dataset}.{p.column or ''}: {p.kind} — {p.expected_effect}")
    print(f"\nWarehouse:   {url}")
    print(f"Reports:     {overview}")
    print(f"Airflow log: {paths.steward_home() / 'logs' / 'demo.log'}")
    print("Airflow UI:  make airflow   (then open http://127.0.0.1:8080)")
    print(f"Done in {time.monotonic() - started:.0f} s.")
    if not rows or all(r["status"] == "error" for r in rows):
        print(
            "steward: error: every dataset of the demo ended in an error (or none ran): see "
            f"{paths.steward_home() / 'logs' / 'demo.log'}",
            file=sys.stderr,
        )
        return 1
    return 0


#: Settings a user may have for their own setup that the demo must not use.
_DEMO_IGNORES = (
    "STEWARD_REGISTRY",
    "STEWARD_EXPECTATIONS",
    "STEWARD_WAREHOUSE_URL",
    "AIRFLOW_CONN_STEWARD_WAREHOUSE",
)


def _demo_environment() -> dict[str, str]:
    """Point this process (and the Airflow tasks it starts) at the demo's own configuration.

    Returns the user's settings that were set aside (secrets redacted), so the demo can say so.
    """
    from steward.warehouse import redact

    ignored = {}
    for name in _DEMO_IGNORES:
        value = os.environ.pop(name, None)
        if value:
            ignored[name] = redact(value) if "://" in value or "{" in value else value
    return ignored


def _register_demo_champions() -> None:
    """Register and promote the demo models' serving versions (the model registry's starting point)."""
    from steward.demo import register_champions
    from steward.registry import load_registry
    from steward.warehouse import connect

    with connect() as wh:
        wh.migrate()
        champions = register_champions(wh, load_registry())
    print("    model registry: champions " + ", ".join(f"{m} {v}" for m, v in champions.items()))


def _print_champions(models: Sequence[str]) -> None:
    """Print one line per model: its champion, since when, who set it and why (steward models show)."""
    from steward.warehouse import connect

    print("\nModel registry (champion per model; details: steward models show MODEL):")
    with connect() as wh:
        rows = {
            str(r["model"]): r
            for r in wh.fetch(
                "select model, version, set_at, actor from model_aliases_current where alias = 'champion'"
            )
        }
    for name in models:
        r = rows.get(name)
        if r is None:
            print(f"  {name:<14} no champion")
        else:
            since = f"{r['set_at']:%Y-%m-%d %H:%M} UTC"
            print(f"  {name:<14} champion {r['version']} (since {since}, set by {r['actor']})")


def _print_costs(days: Sequence[dt.date]) -> None:
    """Print the demo's spend by business unit (with the untagged share) and its estimated emissions."""
    from steward.warehouse import connect

    with connect() as wh:
        if not wh.table_exists("cost_allocated_daily"):
            return
        from steward.costs import spend_summary
        from steward.registry import load_registry

        places = load_registry().costs.allocation.decimals
        spend = spend_summary(wh, start=days[0], end=days[-1], places=places)
        carbon = None
        if wh.table_exists("carbon_allocated_daily"):
            from steward.carbon import carbon_summary

            carbon = carbon_summary(wh, start=days[0], end=days[-1])
    if spend:
        print(
            f"\nCloud spend by business unit, {days[0]} .. {days[-1]} (EffectiveCost; cost_allocated_daily):"
        )
        for line in format_spend(spend):
            print(line)
    if carbon and carbon["by_unit"]:
        print("Estimated emissions by business unit (kg CO2e, Cloud Carbon Footprint method):")
        for r in carbon["by_unit"]:
            share = r["share"] if isinstance(r["share"], float) else 0.0
            print(f"  {r['business_unit'] or '(unallocated)':<16} {r['co2e_kg']:>12,.3f} kg  {share:6.1%}")


def _print_finance(days: Sequence[dt.date]) -> None:
    """Review the demo's month (provisional until it closes) and print the ROI table."""
    from steward.finance import format_roi, parse_period, review, review_dir
    from steward.registry import load_registry
    from steward.warehouse import connect

    period = parse_period(f"{days[0]:%Y-%m}")
    # one log line per outcome partition read and one for the review: task-log detail, not the summary's
    quiet = [logging.getLogger(name) for name in ("steward.sources", "steward.finance")]
    levels = [q.level for q in quiet]
    for q in quiet:
        q.setLevel(logging.WARNING)
    try:
        with connect() as wh:
            wh.migrate()
            result = review(
                wh, load_registry(), period, run_id=run_id_for("demo_finance"), out_dir=review_dir(period)
            )
    except ValueError as exc:  # a bad ledger or currency: the summary says so and goes on
        print(f"\nROI review {period.label} not written: {_one_line(exc)}")
        return
    finally:
        for q, level in zip(quiet, levels, strict=True):
            q.setLevel(level)
    print()
    for line in format_roi(result):
        print(line)
    covered = max((m.kpi.n for m in result.models if m.kpi is not None), default=0)
    if result.status == "provisional":
        print(
            f"  provisional: {period.label} has not closed; KPIs cover the {covered} of {period.days} "
            "days with outcomes so far, the ledger the whole month"
        )


def _print_governance(days: Sequence[dt.date]) -> None:
    """Print the demo's PII findings, exports and incidents (docs/governance.md)."""
    from steward.governance import governance_summary
    from steward.warehouse import connect

    with connect() as wh:
        lines = governance_summary(wh, start=days[0], end=days[-1])
    if lines:
        print("\nGovernance records (pii_findings, data_exports, incidents):")
        for line in lines:
            print(f"  {line}")


def _print_records(days: Sequence[dt.date]) -> None:
    """Print the demo's governance records: a lineage path, retention, erasure, the ESG extract."""
    from steward import paths
    from steward.governance import quarter_of
    from steward.warehouse import connect

    with connect() as wh:
        if not wh.table_exists("lineage_edges"):
            return
        edges = wh.fetch("select count(*) as n, count(distinct run_id) as runs from lineage_edges")[0]
        path = wh.fetch(
            "select source_name, source_partition, target_name, target_partition, task from lineage_edges "
            "where source_name = 'lead_scoring_predictions' and source_partition = :d "
            "and target_name = 'drift_metrics' order by run_id limit 1",
            {"d": days[-1].isoformat()},
        )
        retention = wh.fetch(
            "select action, count(*) as n from retention_actions where dry_run = false "
            "group by action order by action"
        )
        erasures = wh.fetch(
            "select request_id, status from erasure_requests order by requested_at, request_id"
        )
    print("\nGovernance records: lineage, retention, erasure, ESG (README: What an auditor can ask Steward):")
    print(f"  lineage: {edges['n']} edges from {edges['runs']} runs", end="")
    if path:
        p = path[0]
        print(
            f"; e.g. {p['source_name']} {p['source_partition']} -> {p['target_name']} {p['target_partition']}"
        )
    else:
        print()
    print(
        "  retention: "
        + (", ".join(f"{r['n']} {r['action']}" for r in retention) or "nothing past retention")
    )
    for r in erasures:
        print(f"  erasure request {r['request_id']}: {r['status']}")
    esg = paths.reports_dir() / "esg" / quarter_of(days[-1])
    if esg.is_dir():
        print(f"  ESG extract: {esg / 'index.html'}")
    events = paths.steward_home() / "logs" / "openlineage.jsonl"
    if events.is_file():
        print(f"  OpenLineage events: {events}")


def _print_monitoring(days: Sequence[dt.date], *, models: set[str]) -> None:
    """Print the nights of ``models``: drift, performance, control-chart and fairness findings."""
    from steward.warehouse import connect

    with connect() as wh:
        if not wh.table_exists("monitoring_runs"):
            return
        runs = wh.fetch(
            "select model, window_date, status, message, report_path from monitoring_runs "
            "where window_date between :a and :b order by model, window_date",
            {"a": days[0], "b": days[-1]},
        )
        perf = wh.fetch(
            "select model, window_date, message from monitoring_breaches where kind = 'performance' "
            "order by model, window_date"
        )
        fair = (
            wh.fetch(
                "select model, window_date, count(*) as n from fairness_metrics where status = 'breach' "
                "group by model, window_date order by model, window_date"
            )
            if wh.table_exists("fairness_metrics")
            else []
        )
    runs = [r for r in runs if r["model"] in models and r["window_date"] in set(days)]
    perf = [b for b in perf if b["model"] in models and b["window_date"] in set(days)]
    fair = [f for f in fair if f["model"] in models and f["window_date"] in set(days)]
    if not runs:
        return
    print("\nModel monitoring (status per night: . ok, d drift, B breach, - skipped/not run):")
    by_model: dict[str, dict[dt.date, dict[str, object]]] = {}
    for r in runs:
        by_model.setdefault(str(r["model"]), {})[r["window_date"]] = r  # type: ignore[index]
    mark = {"ok": ".", "drift": "d", "breach": "B"}
    print(f"  {'':<14} " + " ".join(f"{d.day:>2}" for d in days))
    for model, nights in by_model.items():
        print(
            f"  {model:<14} "
            + " ".join(f"{mark.get(str(nights[d]['status']), '-') if d in nights else '-':>2}" for d in days)
        )
    for nights in by_model.values():
        last = nights[max(nights)]
        print(f"  {last['message']}")
        print(f"    report: {last['report_path']}")
    for b in perf:
        print(f"  {b['model']}: {b['message']}")
    for f in fair:
        print(
            f"  {f['model']} {f['window_date']}: fairness breach ({f['n']} significant gaps beyond tolerance)"
        )


def _print_decisions(days: Sequence[dt.date]) -> None:
    """Print the retraining decisions of the demo's nights (night, model, action, reason)."""
    from steward.triggers import list_decisions
    from steward.warehouse import connect

    with connect() as wh:
        if not wh.table_exists("retraining_decisions"):
            return
        rows = [r for r in list_decisions(wh) if r["night"] in set(days)]
    if not rows:
        return
    print("\nRetraining decisions (steward retraining decisions; the evidence is in retraining_decisions):")
    for line in format_decisions(rows, width=110):
        print(f"  {line}")


def _print_retraining_runs() -> None:
    """Print the demo's retraining runs: challenger vs champion, AUCs, DeLong p, gates, outcome."""
    from steward.airflow.demo import retraining_line
    from steward.warehouse import connect

    with connect() as wh:
        if not wh.table_exists("retraining_runs"):
            return
        runs = wh.fetch("select model, run_id from retraining_runs order by started_at, model")
    if not runs:
        return
    print("\nRetraining runs (model_retraining; retraining_runs, reports/retraining/<date>/<model>.html):")
    for r in runs:
        print(f"  {retraining_line(str(r['model']), str(r['run_id']))}")


def _print_grid(rows: Sequence[dict[str, object]], days: Sequence[dt.date]) -> None:
    marks = {"passed": ".", "warning": "W", "failed": "Q", "error": "E"}
    grid: dict[str, dict[str, str]] = {}
    for r in rows:
        grid.setdefault(str(r["dataset"]), {})[str(r["partition_date"])] = marks.get(str(r["status"]), "?")
    width = max((len(d) for d in grid), default=10)
    print(" " * (width + 2) + " ".join(d.strftime("%d") for d in days))
    for ds in sorted(grid):
        cells = "  ".join(grid[ds].get(d.isoformat(), "-") for d in days)
        print(f"  {ds:<{width}} {cells}")
    print("  (. passed, W warning, Q failed and quarantined, E error, - not run)")


def _annotate_runs() -> None:
    """Write the run notes of finished runs that have none (Airflow's tasks cannot write their own)."""
    from sqlalchemy.exc import SQLAlchemyError

    from steward.airflow.notes import annotate_runs
    from steward.warehouse import WarehouseError

    try:
        written = annotate_runs()
    except (WarehouseError, SQLAlchemyError) as exc:  # the UI is still worth opening
        print(f"run notes not written: {str(exc).splitlines()[0]}", file=sys.stderr)
    else:
        if written:
            print(f"wrote what the night found as the note of {written} DAG run(s)")


# ---------------------------------------------------------------- model registry
def _actor(args: argparse.Namespace) -> str:
    """Return who acts: ``--actor``, else the logged-in user."""
    import getpass

    return str(args.actor or getpass.getuser())


def _cmd_models_list(args: argparse.Namespace) -> int:
    from steward.lifecycle import model_state, registered_models
    from steward.warehouse import connect

    with connect(args.url) as wh:
        wh.migrate()
        rows = []
        for name in registered_models(wh):
            state = model_state(wh, name)
            aliases = ", ".join(f"{a}={v}" for a, v in sorted(state.aliases.items()) if a != "champion")
            rows.append(
                {
                    "model": name,
                    "champion": state.champion or "",
                    "latest": state.versions[-1].version,
                    "versions": len(state.versions),
                    "status": "decommissioned" if state.decommissioned else "active",
                    "other aliases": aliases,
                }
            )
    if not rows:
        print("no model versions registered yet (the demo registers its champions; see docs/models.md)")
    for line in _table_lines(rows) if rows else []:
        print(line)
    return 0


def _cmd_models_show(args: argparse.Namespace) -> int:
    from steward.lifecycle import model_state
    from steward.warehouse import connect

    with connect(args.url) as wh:
        wh.migrate()
        state = model_state(wh, args.model)
    if not state.versions:
        raise ValueError(
            f"model {args.model!r} has no registered version in the warehouse: check the name "
            "(steward models list) or register one first"
        )
    status = "decommissioned (not monitored)" if state.decommissioned else "active"
    print(f"model {state.model}: {status}")
    print("aliases: " + (", ".join(f"{a} -> {v}" for a, v in sorted(state.aliases.items())) or "none"))
    rows: list[dict[str, object]] = [
        {
            "version": v.version,
            "stage": state.stages.get(v.version, ""),
            "created_at": f"{v.created_at:%Y-%m-%d %H:%M}" if v.created_at else "",
            "run_id": v.run_id or "",
            "holdout": ", ".join(f"{k}={val}" for k, val in sorted(v.holdout_metrics_json.items())),
            "artifact": v.artifact_uri or "",
        }
        for v in state.versions
    ]
    for line in _table_lines(rows):
        print(line)
    shown = next((v for v in state.versions if v.version == state.champion), state.versions[-1])
    print(f"model card (version {shown.version}):")
    for key, value in shown.card_json.items() or [("(none)", "no card was registered")]:
        for i, item in enumerate(value if isinstance(value, list) else [value]):
            print(f"  {key if i == 0 else '':<24} {item}")
    return 0


def _cmd_models_history(args: argparse.Namespace) -> int:
    from steward.lifecycle import model_history
    from steward.warehouse import connect

    with connect(args.url) as wh:
        wh.migrate()
        events = model_history(wh, args.model)
    if not events:
        raise ValueError(f"model {args.model!r} has no events: check the name (steward models list)")
    rows = [
        {
            "seq": e.seq,
            "occurred_at": f"{e.occurred_at:%Y-%m-%d %H:%M:%S}",
            "kind": e.kind,
            "version": e.version,
            "alias": e.alias or "",
            "stage": e.stage or "",
            "actor": e.actor,
            "reason": e.reason,
            "evidence_run_id": e.evidence_run_id or "",
        }
        for e in events
    ]
    for line in _table_lines(rows):
        print(line)
    return 0


def _cmd_models_rollback(args: argparse.Namespace) -> int:
    from steward.lifecycle import champion_version, rollback
    from steward.warehouse import connect

    with connect(args.url) as wh:
        wh.migrate()
        before = champion_version(wh, args.model)
        after = rollback(wh, args.model, actor=_actor(args), reason=args.reason)
    print(f"{args.model}: champion rolled back from {before} to {after} (recorded as a rollback event)")
    return 0


def _cmd_models_decommission(args: argparse.Namespace) -> int:
    from steward.lifecycle import decommission, model_state
    from steward.warehouse import connect

    with connect(args.url) as wh:
        wh.migrate()
        event = decommission(wh, args.model, args.version, actor=_actor(args), reason=args.reason)
        retired = model_state(wh, args.model).decommissioned
    if event is None:
        print(f"{args.model} {args.version}: already decommissioned (nothing written)")
    else:
        print(f"{args.model} {args.version}: decommissioned (event {event})")
    if retired:
        print(f"{args.model} has no version in production: monitoring skips it from now on")
    return 0


def _cmd_airflow_ui(args: argparse.Namespace) -> int:
    from steward.airflow import pools
    from steward.airflow.local import apply_airflow_env, ui_url

    # the metadata migrated and the one-slot warehouse pool created: without the pool the DAGs'
    # warehouse tasks would never be queued
    if pools.main() != 0:
        raise RuntimeError("Airflow's metadata could not be prepared (see the message above)")
    _annotate_runs()
    env = apply_airflow_env(port=args.port, expose=args.expose)
    airflow_bin = os.path.join(os.path.dirname(sys.executable), "airflow")
    url = ui_url(port=args.port, expose=args.expose)
    if args.expose:
        password_file = os.environ.get("AIRFLOW__CORE__SIMPLE_AUTH_MANAGER_PASSWORDS_FILE", "")
        print(
            f"Airflow UI on {url}, listening on every interface of this machine (Ctrl-C to stop); "
            f"log in as admin with the password Airflow generates on first start, stored in {password_file}; "
            "the same login guards Steward's Governance page and reports (Browse menu)"
        )
    else:
        print(f"Airflow UI on {url}, this machine only, no login (Ctrl-C to stop)")
    print(f"Airflow home: {env['AIRFLOW_HOME']}")
    os.execv(airflow_bin, [airflow_bin, "standalone"])  # noqa: S606 - replaces this process with Airflow
    return 0  # pragma: no cover


class _Help(argparse.RawDescriptionHelpFormatter):
    """Help that shows every option's default (unless the text already states it)."""

    def _get_help_string(self, action: argparse.Action) -> str | None:
        text = action.help or ""
        quiet: tuple[object, ...] = (None, False, argparse.SUPPRESS, [])
        if action.option_strings and action.default not in quiet and "default" not in text:
            text += f" (default: {action.default})"
        return text


_URL_HELP = "warehouse URL (default: $STEWARD_WAREHOUSE_URL, else the DuckDB file under $STEWARD_HOME)"
_REGISTRY_HELP = "registry file (default: $STEWARD_REGISTRY, else include/governance.yaml)"


def _command(
    group: argparse._SubParsersAction[argparse.ArgumentParser],
    name: str,
    helptext: str,
    example: str,
    func: object,
    *,
    url: bool = True,
    registry: bool = False,
) -> argparse.ArgumentParser:
    """Add a sub-command with the shared options declared once: ``--url``, ``--registry``, an example."""
    p = group.add_parser(
        name, help=helptext, description=helptext, epilog=f"example:\n  {example}", formatter_class=_Help
    )
    if url:
        p.add_argument("--url", help=_URL_HELP)
    if registry:
        p.add_argument("--registry", metavar="FILE", help=_REGISTRY_HELP)
    p.set_defaults(func=func)
    return p


def build_parser() -> argparse.ArgumentParser:
    """Build the argument parser (one sub-command per task the DAGs run).

    One vocabulary across commands: ``--url`` (the warehouse), ``--registry`` (the registry file),
    ``--date`` (a window, a partition or a day of a billing month: each command says which),
    ``--model`` / ``--dataset`` (registered names). Every command's help ends with an example.
    """
    parser = argparse.ArgumentParser(
        prog="steward", description=__doc__.splitlines()[0], formatter_class=_Help
    )
    parser.add_argument("-v", "--verbose", action="store_true", help="debug logging and tracebacks")
    sub = parser.add_subparsers(dest="command", required=True, metavar="COMMAND")

    p = _command(
        sub, "demo", "generate the demo company and run its nightly DAGs through Airflow",
        "steward demo --days 3", _cmd_demo, url=False,
    )  # fmt: skip
    p.add_argument("--days", type=int, default=14, help="consecutive demo nights to run, 1-14")
    p.add_argument("--rows-per-day", type=int, default=2000, help="rows per day per dataset")
    p.add_argument(
        "--runner",
        choices=("scheduler", "test"),
        default=os.environ.get("STEWARD_DEMO_RUNNER") or "scheduler",
        help="scheduler: the nightly DAGs through Airflow's scheduler and LocalExecutor (backfills, "
        "asset-triggered runs, true durations and task logs in the UI), the rest through dag.test(); "
        "test: dag.test() per DAG and night in this process, for debugging (env STEWARD_DEMO_RUNNER)",
    )

    p = _command(
        sub, "generate-demo", "write the demo company's data lake under $STEWARD_HOME/lake",
        "steward generate-demo --days 14 --rows-per-day 100000", _cmd_demo_generate, url=False,
    )  # fmt: skip
    p.add_argument("--start", type=_date, default=dt.date(2026, 11, 1), help="first day YYYY-MM-DD")
    p.add_argument("--days", type=int, default=14, help="days of data")
    p.add_argument("--rows-per-day", type=int, default=2000, help="rows per day per dataset")
    p.add_argument("--seed", type=int, default=42, help="random seed (same seed, same lake)")

    reg = sub.add_parser("registry", help="the governance registry").add_subparsers(dest="sub", required=True)
    p = _command(
        reg, "check", "validate the registry file and list what it declares",
        "steward registry check --registry /etc/company/governance.yaml", _cmd_registry_check,
        url=False, registry=True,
    )  # fmt: skip
    p.add_argument("--path", dest="registry", help=argparse.SUPPRESS)  # the old name of --registry

    wh = sub.add_parser("warehouse", help="the warehouse").add_subparsers(dest="sub", required=True)
    _command(
        wh, "migrate", "apply include/sql/ddl migrations", "steward warehouse migrate", _cmd_warehouse_migrate
    )
    p = _command(
        wh, "query", "run one read-only SQL query and print its rows (the engine refuses every write)",
        "steward warehouse query \"select model, window_date, status from monitoring_runs\" --format table",
        _cmd_warehouse_query,
    )  # fmt: skip
    p.add_argument("sql", help="one query: select, with, values, show, describe, explain")
    p.add_argument(
        "--limit", type=int, default=50, help="rows printed at most; the output says when more were left out"
    )
    p.add_argument(
        "--format",
        choices=["json", "table", "csv"],
        default="json",
        help="json lines, an aligned table, or CSV",
    )
    p.add_argument(
        "--wait",
        type=float,
        default=10.0,
        help="seconds to wait while another process writes the DuckDB file",
    )

    pii = sub.add_parser("pii", help="personal data in datasets").add_subparsers(dest="sub", required=True)
    p = _command(
        pii, "scan", "scan datasets' columns for personal data (offline recognizers), as the nightly DAG",
        "steward pii scan --date 2026-11-04 --dataset leads", _cmd_pii_scan, registry=True,
    )  # fmt: skip
    p.add_argument("--date", type=_date, required=True, help="the scan date (daily datasets: that partition)")
    p.add_argument("--dataset", action="append", help="dataset name (repeatable; default: every dataset)")

    export = sub.add_parser("export", help="data shared with partners").add_subparsers(
        dest="sub", required=True
    )
    p = _command(
        export, "run", "check k-anonymity and l-diversity, then write an export of privacy.exports",
        "steward export run loans_to_bureau --date 2026-11-14", _cmd_export_run, registry=True,
    )  # fmt: skip
    p.add_argument("name", help="the export's name (privacy.exports[].name)")
    p.add_argument(
        "--date", type=_date, required=True, help="the export date (daily datasets: that partition)"
    )

    decision = sub.add_parser("decision", help="the decision log of AI initiatives").add_subparsers(
        dest="sub", required=True
    )
    p = _command(
        decision, "record", "record a stage-gate decision (proposed, approved, rejected) in the audit trail",
        "steward decision record --initiative credit_v2 --stage production --status approved "
        "--sponsor 'Chief Risk Officer' --rationale 'beats v1 on AUC' --model credit_risk",
        _cmd_decision_record,
    )  # fmt: skip
    p.add_argument("--initiative", required=True, help="the AI initiative's name")
    p.add_argument("--stage", required=True, help="the stage gate, e.g. idea, pilot, production, retirement")
    p.add_argument(
        "--status", required=True, choices=["proposed", "approved", "rejected"], help="the decision"
    )
    p.add_argument("--sponsor", required=True, help="the accountable sponsor")
    p.add_argument("--rationale", required=True, help="why")
    p.add_argument("--success-criteria", help="how success will be judged (default: none given)")
    p.add_argument("--model", help="the registered model it concerns (default: none)")
    p.add_argument("--by", help="who decided (default: $USER)")
    p.add_argument("--at", type=_timestamp, help="when, YYYY-MM-DDTHH:MM UTC (default: now)")

    incident = sub.add_parser("incident", help="incidents").add_subparsers(dest="sub", required=True)
    p = _command(
        incident, "resolve", "resolve an incident by hand with a note (it stays resolved while breaching)",
        "steward incident resolve 3f9a0c1d2e4b5a6978877665 --date 2026-11-12 --note 'rolled back to v1'",
        _cmd_incident_resolve,
    )  # fmt: skip
    p.add_argument("incident_id", help="the incident's id (incidents.incident_id)")
    p.add_argument("--note", required=True, help="why it is resolved")
    p.add_argument("--date", type=_date, default=dt.date.today(), help="the resolution date (default: today)")
    p.add_argument("--by", help="who resolves it (default: $USER)")

    dq = sub.add_parser("dq", help="data quality").add_subparsers(dest="sub", required=True)
    p = _command(
        dq, "validate", "validate datasets' partition of one day, as the nightly DAG does",
        "steward dq validate --date 2026-11-04 --dataset leads", _cmd_dq_validate, registry=True,
    )  # fmt: skip
    p.add_argument("--date", type=_date, required=True, help="the partition date YYYY-MM-DD")
    p.add_argument(
        "--dataset", action="append", help="dataset name (repeatable; default: every daily dataset)"
    )
    _command(
        dq,
        "report",
        "rewrite the data-quality overview page from the warehouse",
        "steward dq report",
        _cmd_dq_report,
    )

    mon = sub.add_parser("monitor", help="model monitoring").add_subparsers(dest="sub", required=True)
    p = _command(
        mon, "run", "monitor registered models' windows (fairness included), as the nightly DAG does",
        "steward monitor run --date 2026-11-08 --days 3 --model lead_scoring",
        _cmd_monitor_run, registry=True,
    )  # fmt: skip
    p.add_argument("--date", type=_date, required=True, help="the first window (a day of the prediction log)")
    p.add_argument("--days", type=int, default=1, help="consecutive windows from --date")
    p.add_argument("--model", action="append", help="model name (repeatable; default: every model)")
    p = _command(
        mon, "files", "one-off: compare a current file with a reference file for drift (no registry needed)",
        "steward monitor files train.csv today.parquet --features age,income",
        _cmd_monitor_files, registry=True,
    )  # fmt: skip
    p.add_argument(
        "reference_file", nargs="?", metavar="REFERENCE", help="reference data file (e.g. training)"
    )
    p.add_argument("current_file", nargs="?", metavar="CURRENT", help="current data file (e.g. today's log)")
    p.add_argument("--features", help="comma-separated columns to compare (default: every shared column)")
    p.add_argument("--score", help="the model's score column, compared as prediction drift")
    p.add_argument("--columns", help="comma-separated names for delimited files without a header row")
    p.add_argument("--name", help="stored as model adhoc-NAME (default: the current file's name)")
    p.add_argument(
        "--model", help="use a registered model's features, columns and thresholds (globs allowed)"
    )
    p.add_argument("--reference", help=argparse.SUPPRESS)
    p.add_argument("--current", help=argparse.SUPPRESS)
    p.add_argument(
        "--labels", help="with --model: labels file or glob (join key and label as in the registry)"
    )
    p.add_argument("--date", type=_date, help="the window date the results are stored under (default: today)")

    costs = sub.add_parser("costs", help="cloud costs").add_subparsers(dest="sub", required=True)
    p = _command(
        costs, "ingest", "load billing sources into cost_line_daily, as the nightly DAG does",
        "steward costs ingest --date 2026-11-14 --source aws_demo", _cmd_costs_ingest, registry=True,
    )  # fmt: skip
    p.add_argument(
        "--date", type=_date, required=True, help="a day: its billing month and the one before are reloaded"
    )
    p.add_argument("--months-back", type=int, default=1, help="earlier billing months to reload")
    p.add_argument(
        "--source", action="append", help="a costs.sources name (repeatable; default: all enabled)"
    )
    p.add_argument("--run-id", help="stored in x_PipelineRunId (default: a fresh id)")
    p = _command(
        costs, "export-focus", "write cost_line_daily as a FOCUS 1.2 Parquet or CSV file",
        "steward costs export-focus --out focus.parquet --date 2026-11-01", _cmd_costs_export_focus,
    )  # fmt: skip
    p.add_argument("--out", required=True, help="output path (.parquet or .csv)")
    p.add_argument(
        "--date", "--billing-period", dest="billing_period", type=_date,
        help="a day of the billing month to export (default: every month)",
    )  # fmt: skip
    _command(
        costs, "check-focus",
        "export cost_line_daily and run the FinOps focus-validator (FOCUS 1.2, offline)",
        "steward costs check-focus", _cmd_costs_check_focus,
    )  # fmt: skip
    p = _command(
        costs, "allocate", "allocate the billing months of the given days and recompute tag coverage",
        "steward costs allocate --date 2026-11-14", _cmd_costs_allocate, registry=True,
    )  # fmt: skip
    p.add_argument(
        "--date", type=_date, action="append", required=True, help="a day of the billing month (repeatable)"
    )
    p.add_argument("--run-id", help="stored on every row (default: a fresh id)")
    p = _command(
        costs, "spend", "print allocated spend by business unit and the untagged share",
        "steward costs spend --start 2026-11-01 --end 2026-11-30", _cmd_costs_spend, registry=True,
    )  # fmt: skip
    p.add_argument("--start", type=_date, required=True, help="the first charge day YYYY-MM-DD")
    p.add_argument("--end", type=_date, required=True, help="the last charge day YYYY-MM-DD (included)")

    lin = sub.add_parser("lineage", help="lineage records").add_subparsers(dest="sub", required=True)
    p = _command(
        lin, "show", "which dataset partitions, runs and code produced a model's rows, or which models a "
        "partition reached", "steward lineage show --partition lead_scoring_predictions 2026-11-04",
        _cmd_lineage_show,
    )  # fmt: skip
    which = p.add_mutually_exclusive_group(required=True)
    which.add_argument("--model", help="a registered model: the partitions behind its rows and versions")
    which.add_argument(
        "--partition", nargs=2, metavar=("DATASET", "DATE"), help="a dataset partition: the models it affects"
    )

    ret = sub.add_parser("retention", help="retention of partitions and rows").add_subparsers(
        dest="sub", required=True
    )
    p = _command(
        ret, "run", "delete or archive partitions and warehouse rows past retention, keep holds, record why",
        "steward retention run --dry-run --date 2026-11-14", _cmd_retention_run, registry=True,
    )  # fmt: skip
    p.add_argument(
        "--date", type=_date, default=dt.datetime.now(dt.UTC).date(), help="the day retention keeps data for"
    )
    p.add_argument("--dry-run", action="store_true", help="list and record what would go; remove nothing")
    p.add_argument("--dataset", action="append", help="dataset name (repeatable; default: every dataset)")
    p.add_argument(
        "--archive-dir",
        help="where archived partitions go (default: the registry's, else $STEWARD_HOME/archive)",
    )

    era = sub.add_parser("erasure", help="erasure requests (right to be forgotten)").add_subparsers(
        dest="sub", required=True
    )
    p = _command(
        era, "request", "record a request to erase one subject's rows (stored as its sha256 only)",
        "steward erasure request 1042 --dataset-key lead_id --deadline 2026-12-15", _cmd_erasure_request,
        registry=True,
    )  # fmt: skip
    p.add_argument("subject", help="the subject's identifier value, e.g. a lead_id")
    p.add_argument(
        "--dataset-key", required=True, help="the identifier kind, a key of the datasets' identifier_columns"
    )
    p.add_argument("--deadline", type=_date, required=True, help="the day the erasure is due YYYY-MM-DD")
    p = _command(
        era, "run", "erase open requests' subjects from lake partitions and warehouse tables, with evidence",
        "steward erasure run", _cmd_erasure_run, registry=True,
    )  # fmt: skip
    p.add_argument("--request", action="append", help="request id (repeatable; default: every open request)")

    p = _command(
        sub, "footprint", "storage footprint per dataset and night (bytes, files, partitions) and its change",
        "steward footprint --date 2026-11-14 --dataset leads", _cmd_footprint, registry=True,
    )  # fmt: skip
    p.add_argument("--date", type=_date, help="measure this night first (default: only show what is stored)")
    p.add_argument("--dataset", help="one dataset (default: every dataset)")
    p.add_argument("--limit", type=int, default=50, help="the most recent rows shown")

    esg = sub.add_parser("esg", help="the sustainability extract").add_subparsers(dest="sub", required=True)
    p = _command(
        esg, "extract", "write the quarterly ESG extract per business unit and model (CSV + HTML summary)",
        "steward esg extract --quarter 2026Q4", _cmd_esg_extract, registry=True,
    )  # fmt: skip
    p.add_argument("--quarter", help="YYYYQn (default: the quarter before today's)")

    carbon = sub.add_parser("carbon", help="carbon estimates").add_subparsers(dest="sub", required=True)
    p = _command(
        carbon, "estimate",
        "estimate, allocate and compare the usage emissions of the given days' billing months",
        "steward carbon estimate --date 2026-11-14", _cmd_carbon_estimate, registry=True,
    )  # fmt: skip
    p.add_argument(
        "--date", type=_date, action="append", required=True, help="a day of the billing month (repeatable)"
    )
    p.add_argument("--run-id", help="stored on every row (default: a fresh id)")
    p = _command(
        carbon, "summary", "print emissions by business unit and the candidate-region comparison",
        "steward carbon summary --start 2026-11-01 --end 2026-11-30", _cmd_carbon_summary,
    )  # fmt: skip
    p.add_argument("--start", type=_date, required=True, help="the first charge day YYYY-MM-DD")
    p.add_argument("--end", type=_date, required=True, help="the last charge day YYYY-MM-DD (included)")

    fin = sub.add_parser("finance", help="cost of ownership and ROI reviews").add_subparsers(
        dest="sub", required=True
    )
    p = _command(
        fin, "review",
        "review a month or quarter: ledger, marts, KPI vs projection, ROI, flags; HTML, CSV, Parquet",
        "steward finance review --period 2026-11", _cmd_finance_review, registry=True,
    )  # fmt: skip
    p.add_argument("--period", required=True, help="a month (2026-11) or a quarter (2026-Q4)")
    p.add_argument("--today", type=_date, help="decides provisional vs final (default: today); YYYY-MM-DD")
    p.add_argument("--out", help="folder of review.html and the extracts (default: reports/finance/PERIOD)")
    p.add_argument("--run-id", help="stored on every row (default: a fresh id)")
    p = _command(
        fin, "tco", "load the period's cost ledger and print total cost of ownership per model and category",
        "steward finance tco --period 2026-11", _cmd_finance_tco, registry=True,
    )  # fmt: skip
    p.add_argument("--period", required=True, help="a month (2026-11) or a quarter (2026-Q4)")
    p.add_argument("--run-id", help="stored on the ledger lines (default: a fresh id)")
    retrain = sub.add_parser("retraining", help="retraining decisions").add_subparsers(
        dest="sub", required=True
    )
    p = _command(
        retrain, "request", "ask for a model's retraining; its next policy evaluation acts on it (stored)",
        'steward retraining request lead_scoring --reason "new landing pages"', _cmd_retraining_request,
        registry=True,
    )  # fmt: skip
    p.add_argument("model", help="a registered model")
    p.add_argument("--reason", required=True, help="why (recorded with the decision that acts on it)")
    p.add_argument("--by", help="who asks (default: $USER)")
    p = _command(
        retrain, "decide",
        "evaluate the retraining policies for a night and record the decision, as the retraining_trigger DAG "
        "does (without Airflow: nothing is started and no running retraining is seen)",
        "steward retraining decide lead_scoring --date 2026-11-05", _cmd_retraining_decide, registry=True,
    )  # fmt: skip
    p.add_argument("model", nargs="?", help="a registered model (default: every model)")
    p.add_argument("--date", type=_date, required=True, help="the monitored night YYYY-MM-DD")
    p.add_argument("--now", type=_datetime, help="the evaluation's clock, UTC (default: now)")
    p.add_argument("--run-id", default="cli_decide", help="stored on the decision (default: cli_decide)")
    p.add_argument("--dry-run", action="store_true", help="print the decision without recording it")
    p = _command(
        retrain, "decisions", "list the recorded retraining decisions (night, model, action, reason)",
        "steward retraining decisions --model credit_risk", _cmd_retraining_decisions,
    )  # fmt: skip
    p.add_argument("--model", help="only this model (default: every model)")
    p.add_argument(
        "--width", type=int, default=100, help="reasons are cut to this many characters (default: 100)"
    )

    fair = sub.add_parser("fairness", help="fairness audits").add_subparsers(dest="sub", required=True)
    p = _command(
        fair, "audit", "one-off fairness audit of a scored file (no registry needed)",
        "steward fairness audit adult.csv --label income --favourable '>50K' "
        "--score risk_decile --threshold 5 --group sex --group race --reference sex=Male",
        _cmd_fairness_audit, registry=True,
    )  # fmt: skip
    p.add_argument("files", nargs="*", metavar="FILE", help="CSV/TSV/.data/.txt, Parquet or JSON lines")
    p.add_argument("--label", help="true outcome column")
    p.add_argument("--prediction", help="decision column (or --score with --threshold)")
    p.add_argument("--score", help="score column; score >= --threshold is a positive decision")
    p.add_argument("--threshold", type=float, help="threshold on the score's own scale")
    p.add_argument("--group", action="append", help="protected attribute column (repeatable)")
    p.add_argument(
        "--reference", action="append", help="reference group COLUMN=VALUE (default: the largest group)"
    )
    p.add_argument("--favourable", help="the favourable outcome value (needed unless outcomes are 0/1)")
    p.add_argument("--columns", help="comma-separated names for delimited files without a header row")
    p.add_argument("--name", help="stored as model adhoc-NAME (default: the file's name)")
    p.add_argument(
        "--allow-degenerate", action="store_true", help="run even if (almost) all rows are positive"
    )
    p.add_argument("--min-group-size", type=int, default=30, help="smaller groups get no verdict")
    p.add_argument("--tolerance", type=float, default=0.1, help="gap tolerated before a breach")
    p.add_argument("--model", help="use a registered model's attributes and policy instead (with --file)")
    p.add_argument("--file", action="append", help="with --model: Parquet or CSV file (repeatable)")
    p.add_argument(
        "--format", choices=["parquet", "csv"], help="with --model: file format (default: from the name)"
    )
    p.add_argument("--label-column", help="with --model: label column 0/1 (default: the model's)")
    p.add_argument("--date", type=_date, help="the window date to store the audit under (default: today)")
    p.add_argument("--out", help="report folder (default: $STEWARD_HOME/reports/fairness)")
    p = _command(
        fair, "assess", "bias assessment of training data (groups, base rates, proxies)",
        "steward fairness assess --model credit_risk --file train.parquet --version v1",
        _cmd_fairness_assess, registry=True,
    )  # fmt: skip
    p.add_argument("--model", required=True, help="registered model (protected attributes, policy)")
    p.add_argument("--file", action="append", required=True, help="Parquet or CSV file (repeatable)")
    p.add_argument("--format", choices=["parquet", "csv"], help="file format (default: from the name)")
    p.add_argument("--label-column", help="label column 0/1 (default: the model's label column)")
    p.add_argument("--version", required=True, help="dataset version stored in bias_assessment")
    p.set_defaults(files=None)

    models = sub.add_parser("models", help="the model registry").add_subparsers(dest="sub", required=True)
    _command(
        models, "list", "list registered models with their champion and latest version",
        "steward models list", _cmd_models_list,
    )  # fmt: skip
    p = _command(
        models, "show", "show a model's aliases, versions with their stages, and its model card",
        "steward models show credit_risk", _cmd_models_show,
    )  # fmt: skip
    p.add_argument("model", help="registered model name")
    p = _command(
        models, "history", "list every registry event of a model, oldest first (who, when, why, evidence)",
        "steward models history credit_risk", _cmd_models_history,
    )  # fmt: skip
    p.add_argument("model", help="registered model name")
    p = _command(
        models, "rollback", "put the previous champion back in production (recorded as an event)",
        "steward models rollback lead_scoring --reason 'scores drift after the 2.4.0 release'",
        _cmd_models_rollback,
    )  # fmt: skip
    p.add_argument("model", help="registered model name")
    p.add_argument("--reason", required=True, help="why (stored on the event)")
    p.add_argument("--actor", help="who acts (default: the logged-in user)")
    p = _command(
        models, "decommission", "retire a version: no aliases, no monitoring, its history kept",
        "steward models decommission credit_risk 1.8.2 --reason 'product withdrawn'",
        _cmd_models_decommission,
    )  # fmt: skip
    p.add_argument("model", help="registered model name")
    p.add_argument("version", help="the version to retire")
    p.add_argument("--reason", required=True, help="why (stored on the event)")
    p.add_argument("--actor", help="who acts (default: the logged-in user)")

    p = _command(
        sub, "airflow-ui", "run `airflow standalone` over this project (the demo's runs included)",
        "steward airflow-ui --port 8080", _cmd_airflow_ui, url=False,
    )  # fmt: skip
    p.add_argument("--port", type=int, default=8080, help="the api-server's port")
    p.add_argument(
        "--expose",
        action="store_true",
        help="listen on every interface (0.0.0.0) and require a login (user admin, generated password); "
        "without it: 127.0.0.1 only, no login",
    )
    return parser


def _user_errors() -> tuple[type[BaseException], ...]:
    """Exceptions a user's input can cause: one line and exit code 2, the traceback only with ``-v``."""
    from steward.monitoring import MonitoringError
    from steward.registry import RegistryError
    from steward.sources import SourceError
    from steward.warehouse import WarehouseError

    return (
        RegistryError,
        SourceError,
        MonitoringError,
        WarehouseError,
        FileNotFoundError,
        KeyError,
        ValueError,
    )


def _one_line(exc: BaseException, *, keep_lines: bool = False) -> str:
    text = str(exc.args[0]) if isinstance(exc, KeyError) and exc.args else str(exc)
    if keep_lines:  # a registry error lists every problem, one per line
        return text
    text = " ".join(part.strip() for part in text.splitlines() if part.strip())
    return text if len(text) <= 600 else text[:599] + "…"


def main(argv: Sequence[str] | None = None) -> int:
    """Entry point of the ``steward`` command.

    A user's mistake (file, format, column, value, date, unknown model or dataset, registry, SQL) ends
    in one line on stderr and exit code 2; anything else in one line and exit code 1. ``-v`` adds the
    traceback.
    """
    args = build_parser().parse_args(argv)
    _setup_logging(args.verbose)
    from steward.registry import RegistryError

    user_errors = _user_errors()  # imported before the command runs, never while handling its failure

    saved = os.environ.get("STEWARD_REGISTRY")
    if getattr(args, "registry", None):  # --registry: every registry lookup of this command uses it
        os.environ["STEWARD_REGISTRY"] = str(Path(args.registry).expanduser().resolve())
    from steward._tracking import tracking

    _RUN_IDS.clear()
    try:
        _check_date_options(args)
        with tracking() as tracker:
            try:
                code = int(args.func(args) or 0)
            except BaseException:
                _record_cli_lineage(args, tracker, failing=True)  # a failed command still read its inputs
                raise
            _record_cli_lineage(args, tracker)
        return code
    except KeyboardInterrupt:
        print("steward: interrupted", file=sys.stderr)
        return 130
    except user_errors as exc:
        if args.verbose:
            import traceback

            traceback.print_exc()
        message = _one_line(exc, keep_lines=isinstance(exc, RegistryError))
        print(f"steward: error: {message}", file=sys.stderr)
        return 2
    except Exception as exc:
        if args.verbose:
            import traceback

            traceback.print_exc()
        print(
            f"steward: internal error: {type(exc).__name__}: {_one_line(exc)} "
            "(rerun with -v for the traceback, and please report it)",
            file=sys.stderr,
        )
        return 1
    finally:
        if saved is None:
            os.environ.pop("STEWARD_REGISTRY", None)
        else:
            os.environ["STEWARD_REGISTRY"] = saved


if __name__ == "__main__":  # pragma: no cover
    sys.exit(main())
