"""Commands over the registry, the warehouse and the governance records.

PII, exports, decisions, incidents, lineage, retention, erasure, footprint, ESG.
"""

from __future__ import annotations

import argparse
import datetime as dt
import json
import os
import sys
from pathlib import Path
from typing import TYPE_CHECKING

from steward.cli._common import _table_lines, _warehouse, run_id_for

if TYPE_CHECKING:
    pass


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

    with _warehouse(args, migrate=False) as wh:
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


# ---------------------------------------------------------------- governance records
def _cmd_pii_scan(args: argparse.Namespace) -> int:
    from steward.governance import scan_pii
    from steward.registry import load_registry

    registry = load_registry(check_suites=False)
    with _warehouse(args) as wh:
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

    registry = load_registry(check_suites=False)
    with _warehouse(args) as wh:
        out = run_export(registry, args.name, args.date, warehouse=wh, run_id=run_id_for("cli"))
    final = out.after or out.before
    measured = f" (k={final.k}, l={final.l})" if final else ""
    print(f"{out.status.upper():<11} {out.name} {out.day}: {out.reason}{measured}")
    if out.output_path:
        print(f"            file: {out.output_path}")
    return 1 if out.status == "refused" else 0


def _cmd_decision_record(args: argparse.Namespace) -> int:
    from steward.governance import Decision, record_decision

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
    with _warehouse(args) as wh:
        print(f"recorded decision {record_decision(wh, decision, run_id=run_id_for('cli'))}")
    return 0


def _cmd_incident_resolve(args: argparse.Namespace) -> int:
    from steward.governance import resolve_incident

    with _warehouse(args) as wh:
        done = resolve_incident(
            wh,
            args.incident_id,
            note=args.note,
            actor=args.by or os.environ.get("USER") or "cli",
            on=args.date,
        )
    print(f"resolved {done.incident_id}: {done.title}: {done.resolution}")
    return 0


# ---------------------------------------------------------------- governance records
def _cmd_lineage_show(args: argparse.Namespace) -> int:
    from steward.governance import affected_by_partition, model_lineage
    from steward.registry import load_registry

    registry = load_registry(check_suites=False)
    with _warehouse(args) as wh:
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

    registry = load_registry(check_suites=False)
    for name in args.dataset or []:
        registry.dataset(name)  # an unknown name fails before anything is removed
    archive = Path(args.archive_dir).expanduser() if args.archive_dir else None
    with _warehouse(args) as wh:
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

    registry = load_registry(check_suites=False)
    with _warehouse(args) as wh:
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

    registry = load_registry(check_suites=False)
    with _warehouse(args) as wh:
        outcomes = run_erasure(registry, warehouse=wh, run_id=run_id_for("cli"), request_ids=args.request)
    for outcome in outcomes:
        print(outcome.summary())
    if not outcomes:
        print("no open erasure request")
    return 0


def _cmd_footprint(args: argparse.Namespace) -> int:
    from steward.governance import footprint_trend, measure_footprint
    from steward.registry import load_registry

    with _warehouse(args) as wh:
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

    quarter = args.quarter or previous_quarter(quarter_of(dt.datetime.now(dt.UTC).date()))
    parse_quarter(quarter)  # a bad quarter fails before connecting
    with _warehouse(args) as wh:
        out = esg_extract(load_registry(check_suites=False), quarter, warehouse=wh)
    print(f"ESG extract {quarter}: {len(out.rows)} rows")
    print(f"  csv:     {out.csv_path}")
    print(f"  summary: {out.html_path}")
    return 0
