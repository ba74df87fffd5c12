"""Commands of data quality, model monitoring and fairness."""

from __future__ import annotations

import argparse
import datetime as dt
from collections.abc import Sequence
from pathlib import Path
from typing import TYPE_CHECKING

from steward.cli._common import _warehouse, run_id_for

if TYPE_CHECKING:
    pass


# ---------------------------------------------------------------- data quality
def _cmd_dq_validate(args: argparse.Namespace) -> int:
    from steward.quality import validate_partition
    from steward.registry import load_registry

    registry = load_registry()
    names = args.dataset or [d.name for d in registry.datasets if d.cadence == "daily"]
    run_id = run_id_for("cli")
    worst = 0
    with _warehouse(args) as wh:
        for name in names:
            outcome = validate_partition(registry, name, args.date, warehouse=wh, run_id=run_id)
            print(f"{outcome.status.upper():<8} {outcome.message}")
            print(f"         report: {outcome.report_path}")
            worst = max(worst, 0 if outcome.ok else 1)
    return worst


def _cmd_dq_report(args: argparse.Namespace) -> int:
    from steward.quality import write_overview

    with _warehouse(args, migrate=False) as wh:
        print(write_overview(wh))
    return 0


# ---------------------------------------------------------------- monitoring
def _cmd_monitor_run(args: argparse.Namespace) -> int:
    from steward.monitoring import monitor_night
    from steward.registry import load_registry

    registry = load_registry(check_suites=False)
    names = args.model or [m.name for m in registry.models]
    models = [registry.model(name) for name in names]  # an unknown name fails before anything runs
    run_id = run_id_for("cli")
    worst = 0
    with _warehouse(args) as wh:
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

    columns = [c.strip() for c in args.columns.split(",")] if args.columns else None
    ref = sniff_file(reference, columns=columns, what="reference file")
    cur = sniff_file(current, columns=columns, what="current file")
    for f in (ref, cur):
        print(f"read {f.describe()}")
        if f.note:
            print(f"  note: {f.note}")
    features = [c.strip() for c in args.features.split(",")] if args.features else None
    day = args.date or dt.date.today()
    with _warehouse(args) as wh:
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
    with _warehouse(args) as wh:
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
    with _warehouse(args) as wh:
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

    registered = load_registry(args.registry, check_suites=False).model(args.model)
    # one-off results live beside, never over, the nightly rows of the model
    model = registered.model_copy(update={"name": adhoc_name(registered.name, [])})
    files, fmt, label = _fairness_files(args)
    label = label or (model.labels.label_column if model.labels else model.columns.label)
    run_id = run_id_for("cli_audit")
    window = args.date or dt.date.today()
    with _warehouse(args) as wh:
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

    model = load_registry(args.registry).model(args.model)
    files, fmt, label = _fairness_files(args)
    label = label or (model.labels.label_column if model.labels else model.columns.label)
    run_id = run_id_for("cli_assess")
    with _warehouse(args) as wh:
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
