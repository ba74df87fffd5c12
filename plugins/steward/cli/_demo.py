"""Commands that start the demo company and Airflow."""

from __future__ import annotations

import argparse
import datetime as dt
import os
import sys
import time
from typing import TYPE_CHECKING

from steward.cli._common import run_id_for

if TYPE_CHECKING:
    pass


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
    from steward.demo import DEMO_DAYS, DEMO_START, generate

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
    from steward.demo import print_summary

    rows = print_summary(days, run_id=run_id_for("demo_finance"))
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
