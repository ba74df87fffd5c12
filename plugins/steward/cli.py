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

__all__ = ["main"]


def _date(text: str) -> dt.date:
    try:
        return dt.date.fromisoformat(text)
    except ValueError:
        raise argparse.ArgumentTypeError(f"expected a date YYYY-MM-DD, got {text!r}") from None


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

    reg = load_registry(args.path)
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
    from steward.warehouse import connect

    with connect(args.url) as wh:
        rows = wh.fetch(args.sql)
    for row in rows[: args.limit]:
        print(json.dumps(row, default=str))
    if len(rows) > args.limit:
        print(f"... {len(rows) - args.limit} more rows")
    return 0


# ---------------------------------------------------------------- data quality
def _cmd_dq_validate(args: argparse.Namespace) -> int:
    from steward.quality import validate_partition
    from steward.registry import load_registry
    from steward.warehouse import connect

    registry = load_registry()
    names = args.dataset or [d.name for d in registry.datasets if d.cadence == "daily"]
    run_id = f"cli__{dt.datetime.now(dt.UTC):%Y%m%dT%H%M%S}"
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
    print(f"Steward demo — state in {paths.steward_home()}")
    print(f"1/3 Generating the demo company ({args.rows_per_day} rows/day, {DEMO_DAYS} days) ...")
    manifest = generate(days=DEMO_DAYS, rows_per_day=args.rows_per_day)
    print(f"    lake: {manifest.lake}" + (" (already there, reused)" if manifest.reused else ""))
    days = [DEMO_START + dt.timedelta(days=i) for i in range(args.days)]

    print(f"2/3 Running the nightly DAGs through Airflow for {days[0]} .. {days[-1]}")
    from steward.airflow.demo import run_demo

    run_demo(days)

    print("3/3 Summary")
    from steward.quality import write_overview
    from steward.warehouse import connect

    with connect() as wh:
        rows = wh.fetch(
            "select dataset, partition_date, status from dq_runs where partition_date between :a and :b "
            "order by dataset, partition_date",
            {"a": days[0], "b": days[-1]},
        )
        quarantined = wh.fetch(
            "select dataset, partition_date, reason from quarantine order by partition_date"
        )
        overview = write_overview(wh)
        url = wh.url
    _print_grid(rows, days)
    print(f"\nQuarantined batches: {len(quarantined)}")
    for q in quarantined:
        reason = str(q["reason"]).split(": ", 1)[-1]  # the line already names dataset and partition
        reason = reason if len(reason) <= 160 else reason[:159] + "…"
        print(f"  {q['partition_date']} {q['dataset']}: {reason}")
    print("\nInjected problems (what the demo should catch):")
    for p in INJECTED_PROBLEMS:
        if p.day <= days[-1]:
            print(f"  {p.day} {p.dataset}.{p.column or ''}: {p.kind} — {p.expected_effect}")
    print(f"\nWarehouse:   {url}")
    print(f"Reports:     {overview}")
    print(f"Airflow log: {paths.steward_home() / 'logs' / 'demo.log'}")
    print("Airflow UI:  make airflow   (then open http://localhost:8080)")
    print(f"Done in {time.monotonic() - started:.0f} s.")
    return 0


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


def _cmd_airflow_ui(args: argparse.Namespace) -> int:
    from steward.airflow.local import apply_airflow_env

    apply_airflow_env(port=args.port)
    airflow_bin = os.path.join(os.path.dirname(sys.executable), "airflow")
    print(f"Airflow UI on http://localhost:{args.port} (Ctrl-C to stop); home {os.environ['AIRFLOW_HOME']}")
    os.execv(airflow_bin, [airflow_bin, "standalone"])  # noqa: S606 - replaces this process with Airflow
    return 0  # pragma: no cover


def build_parser() -> argparse.ArgumentParser:
    """Build the argument parser (one sub-command per task the DAGs run)."""
    parser = argparse.ArgumentParser(prog="steward", description=__doc__.splitlines()[0])
    parser.add_argument("-v", "--verbose", action="store_true", help="debug logging")
    sub = parser.add_subparsers(dest="command", required=True, metavar="COMMAND")

    p = sub.add_parser("demo", help="generate the demo company and run the nightly DAGs through Airflow")
    p.add_argument("--days", type=int, default=14, help="consecutive demo nights to run, 1-14 (default 14)")
    p.add_argument("--rows-per-day", type=int, default=2000, help="rows per day per dataset (default 2000)")
    p.set_defaults(func=_cmd_demo)

    p = sub.add_parser("generate-demo", help="write the demo company's data lake under $STEWARD_HOME/lake")
    p.add_argument("--start", type=_date, default=dt.date(2026, 11, 1), help="first day (default 2026-11-01)")
    p.add_argument("--days", type=int, default=14)
    p.add_argument("--rows-per-day", type=int, default=2000)
    p.add_argument("--seed", type=int, default=42)
    p.set_defaults(func=_cmd_demo_generate)

    reg = sub.add_parser("registry", help="the governance registry").add_subparsers(dest="sub", required=True)
    p = reg.add_parser("check", help="validate the registry file and list what it declares")
    p.add_argument("--path", help="registry file (default $STEWARD_REGISTRY or include/governance.yaml)")
    p.set_defaults(func=_cmd_registry_check)

    wh = sub.add_parser("warehouse", help="the warehouse").add_subparsers(dest="sub", required=True)
    p = wh.add_parser("migrate", help="apply include/sql/ddl migrations")
    p.add_argument("--url", help="warehouse URL (default $STEWARD_WAREHOUSE_URL or the DuckDB file)")
    p.set_defaults(func=_cmd_warehouse_migrate)
    p = wh.add_parser("query", help="run a read-only SQL query and print rows as JSON lines")
    p.add_argument("sql")
    p.add_argument("--url")
    p.add_argument("--limit", type=int, default=50)
    p.set_defaults(func=_cmd_warehouse_query)

    dq = sub.add_parser("dq", help="data quality").add_subparsers(dest="sub", required=True)
    p = dq.add_parser("validate", help="validate datasets' partition for one day (as the nightly DAG does)")
    p.add_argument("--date", type=_date, required=True, help="partition date YYYY-MM-DD")
    p.add_argument(
        "--dataset", action="append", help="dataset name (repeatable; default: all daily datasets)"
    )
    p.add_argument("--url", help="warehouse URL")
    p.set_defaults(func=_cmd_dq_validate)
    p = dq.add_parser("report", help="rewrite the data-quality overview page from the warehouse")
    p.add_argument("--url")
    p.set_defaults(func=_cmd_dq_report)

    p = sub.add_parser("airflow-ui", help="run `airflow standalone` over this project (demo runs included)")
    p.add_argument("--port", type=int, default=8080)
    p.set_defaults(func=_cmd_airflow_ui)
    return parser


def main(argv: Sequence[str] | None = None) -> int:
    """Entry point of the ``steward`` command."""
    args = build_parser().parse_args(argv)
    _setup_logging(args.verbose)
    from steward.registry import RegistryError
    from steward.sources import SourceError

    try:
        return int(args.func(args) or 0)
    except (RegistryError, SourceError, FileNotFoundError, ValueError) as exc:
        print(f"steward: error: {exc}", file=sys.stderr)
        return 2


if __name__ == "__main__":  # pragma: no cover
    sys.exit(main())
