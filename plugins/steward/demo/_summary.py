"""The summary ``steward demo`` prints after its nights: what each pipeline found, per area.

Each ``_print_*`` reads the warehouse the nights wrote (read-only, except the month's ROI review,
which the summary runs as finance would) and prints one section.
"""

from __future__ import annotations

import datetime as dt
import logging
from collections.abc import Sequence
from typing import TYPE_CHECKING

from steward import paths
from steward.demo._problems import INJECTED_PROBLEMS

if TYPE_CHECKING:
    from steward.warehouse import Warehouse

__all__ = ["DEMO_APPROVER", "print_summary", "retraining_line"]

#: The demo's stand-in for a risk officer answering high-risk approvals through Airflow's HITL API.
DEMO_APPROVER = "demo-risk-officer"


def print_summary(days: Sequence[dt.date], *, run_id: str) -> list[dict[str, object]]:
    """Print the summary of the demo's ``days``; return their ``dq_runs`` rows (dataset, date, status).

    ``run_id`` is the run of the month's ROI review the summary writes.
    """
    from steward.quality import write_overview
    from steward.registry import load_registry
    from steward.warehouse import connect

    registry = load_registry()
    datasets = {d.name for d in registry.datasets}
    with connect() as wh:
        rows = _of_datasets(wh, "demo/select_dq_nights.sql", days, datasets)
        quarantined = _of_datasets(wh, "demo/select_quarantined_batches.sql", days, datasets)
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
    _print_finance(days, run_id=run_id)
    _print_records(days)
    print("\nInjected problems (what the demo should catch):")
    for p in INJECTED_PROBLEMS:
        if p.day <= days[-1]:
            print(f"  {p.day} {p.dataset}.{p.column or ''}: {p.kind} — {p.expected_effect}")
    print(f"\nWarehouse:   {url}")
    print(f"Reports:     {overview}")
    print(f"Airflow log: {paths.steward_home() / 'logs' / 'demo.log'}")
    print("Airflow UI:  make airflow   (then open http://127.0.0.1:8080)")
    return rows


def _of_datasets(
    wh: Warehouse, relpath: str, days: Sequence[dt.date], datasets: set[str]
) -> list[dict[str, object]]:
    """Run ``include/sql/<relpath>`` over the demo's days; keep the rows of registered ``datasets``."""
    from steward.warehouse import read_sql

    rows = wh.fetch(read_sql(relpath), {"first_day": days[0], "last_day": days[-1]})
    return [r for r in rows if r["dataset"] in datasets]


def _of_models(
    rows: Sequence[dict[str, object]], models: set[str], days: Sequence[dt.date]
) -> list[dict[str, object]]:
    """Keep the rows of ``models`` on the demo's ``days``."""
    nights = set(days)
    return [r for r in rows if r["model"] in models and r["window_date"] in nights]


def _print_champions(models: Sequence[str]) -> None:
    """Print one line per model: its champion, since when, who set it and why (steward models show)."""
    from steward.warehouse import connect, read_sql

    print("\nModel registry (champion per model; details: steward models show MODEL):")
    with connect() as wh:
        rows = {str(r["model"]): r for r in wh.fetch(read_sql("demo/select_champions.sql"))}
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
        from steward.costs import format_spend, spend_summary
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


def _print_finance(days: Sequence[dt.date], *, run_id: str) -> None:
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
            result = review(wh, load_registry(), period, run_id=run_id, out_dir=review_dir(period))
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
    from steward.warehouse import connect, read_sql

    with connect() as wh:
        if not wh.table_exists("lineage_edges"):
            return
        edges = wh.fetch(read_sql("demo/count_lineage_edges.sql"))[0]
        path = wh.fetch(read_sql("demo/select_lineage_example.sql"), {"partition": days[-1].isoformat()})
        retention = wh.fetch(read_sql("demo/count_retention_actions.sql"))
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
    from steward.warehouse import connect, read_sql

    with connect() as wh:
        if not wh.table_exists("monitoring_runs"):
            return
        runs = wh.fetch(
            read_sql("demo/select_monitoring_nights.sql"), {"first_day": days[0], "last_day": days[-1]}
        )
        perf = wh.fetch(read_sql("demo/select_performance_breaches.sql"))
        fair = (
            wh.fetch(read_sql("demo/count_fairness_breaches.sql"))
            if wh.table_exists("fairness_metrics")
            else []
        )
    runs = _of_models(runs, models, days)
    perf = _of_models(perf, models, days)
    fair = _of_models(fair, models, days)
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
    from steward.triggers import format_decisions, list_decisions
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


#: Longest retraining line the summary prints (an approval with a caveat says all of it).
_LINE = 640


def retraining_line(model: str, run_id: str) -> str:
    """One summary line of a retraining run: challenger vs champion, AUCs, DeLong p, gates, outcome."""
    from steward.retraining import read_run
    from steward.warehouse import connect

    with connect() as wh:
        row = read_run(wh, model, run_id)
    if row is None:
        return f"{model}: no retraining_runs row (run {run_id})"
    c = row["comparison"]
    gates = ", ".join(f"{g['name']} {_gate_word(g)}" for g in row["gates"]) or "-"
    if c.get("auc_champion") is not None:
        auc = (
            f"AUC {c['auc_challenger']:.3f} vs {c['auc_champion']:.3f} (champion {row['champion_version']}), "
            f"DeLong p {c['delong']['p']:.2g}"
        )
    elif c.get("auc_challenger") is not None:
        auc = f"AUC {c['auc_challenger']:.3f}, no champion"
    else:
        auc = "not evaluated"
    note = (
        f" (approved by {DEMO_APPROVER} through Airflow's HITL API: demo auto-approval)"
        if DEMO_APPROVER in str(row["reason"])
        else ""
    )
    head = f"{model} {row['challenger_version'] or '-'}: {auc}; gates {gates} -> {row['status']}{note}"
    line = f"{head}: {row['reason']}"
    return line if len(line) <= _LINE else line[: _LINE - 1] + "…"


def _gate_word(gate: dict[str, object]) -> str:
    if gate["passed"]:
        return "ok"
    return "NOT DEMONSTRATED" if gate.get("outcome") == "not_demonstrated" else "FAILED"


def _one_line(exc: BaseException) -> str:
    text = " ".join(part.strip() for part in str(exc).splitlines() if part.strip())
    return text if len(text) <= 600 else text[:599] + "…"
