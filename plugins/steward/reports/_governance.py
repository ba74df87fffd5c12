"""The Governance page: what the nights found, per dataset and model, read from the warehouse read-only.

One overview of the latest data-quality status, drift, performance, fairness, retraining decisions
and costs, each row carrying the run id that wrote it (to link to the run in Airflow) and its report.
Every query runs on a read-only connection (:meth:`steward.warehouse.Warehouse.fetch` with
``read_only=True``), so the page never writes and never holds the DuckDB file longer than one query.
The web wiring (routes, login, links into Airflow) lives in ``steward.airflow.ui``.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from pathlib import Path

import steward
from steward.reports._render import render
from steward.warehouse import Warehouse, read_sql

__all__ = [
    "GOVERNANCE_TABLES",
    "GovernanceOverview",
    "RunOutput",
    "governance_overview",
    "render_governance",
    "render_run_outputs",
    "report_relpath",
    "run_note",
    "run_outputs",
]

#: Tables the page reads; all come with the shipped migrations (``steward warehouse migrate``).
GOVERNANCE_TABLES = (
    "dq_runs",
    "monitoring_runs",
    "model_performance",
    "fairness_metrics",
    "cost_allocated_daily",
)
#: Shown when present (DDL 0014; a warehouse migrated before it has none): the retraining decisions.
RETRAINING_TABLE = "retraining_decisions"

Row = dict[str, object]


@dataclass(frozen=True)
class GovernanceOverview:
    """What the Governance page shows, read from one warehouse.

    Attributes
    ----------
    dq_latest, dq_not_passed
        Each dataset's latest partition; every partition whose validation did not pass (newest first).
    monitoring_latest, monitoring_alerts
        Each model's latest window; every window with drift, a breach or an error (newest first).
    performance, fairness
        Each model's latest window of performance metrics and of fairness verdicts.
    costs
        Spend of the latest billing period per business unit x model (``cost`` in ``currency``).
    retraining
        The latest 50 ``retraining_decisions`` (newest night first: night, model, action, guard,
        deferred_until, reason, run_id, triggered_run_id), or ``None`` when the table does not exist.
    missing_tables
        Tables the page needs that the warehouse lacks (not migrated yet).
    """

    dq_latest: list[Row] = field(default_factory=list)
    dq_not_passed: list[Row] = field(default_factory=list)
    monitoring_latest: list[Row] = field(default_factory=list)
    monitoring_alerts: list[Row] = field(default_factory=list)
    performance: list[Row] = field(default_factory=list)
    fairness: list[Row] = field(default_factory=list)
    costs: list[Row] = field(default_factory=list)
    retraining: list[Row] | None = None
    missing_tables: tuple[str, ...] = ()


@dataclass(frozen=True)
class RunOutput:
    """One thing an Airflow run wrote: a dataset's validation, a model's window, or a day of costs."""

    kind: str
    subject: str
    day: dt.date
    status: str
    report_path: str | None


def _existing_tables(warehouse: Warehouse, tables: Sequence[str]) -> set[str]:
    found = set()
    for table in tables:
        rows = warehouse.fetch(
            "select table_name from information_schema.tables where table_name = :t",
            {"t": table},
            read_only=True,
        )
        if rows:
            found.add(table)
    return found


def _latest_per(rows: Sequence[Row], key: str) -> list[Row]:
    """Return the first row of each ``key`` value (rows come newest first), ordered by that value."""
    first: dict[object, Row] = {}
    for row in rows:
        first.setdefault(row[key], row)
    return [first[k] for k in sorted(first, key=str)]


def governance_overview(warehouse: Warehouse) -> GovernanceOverview:
    """Read the Governance page's content from ``warehouse``, on read-only connections only.

    Parameters
    ----------
    warehouse
        A migrated warehouse. Missing tables are reported in ``missing_tables``, not raised.

    Returns
    -------
    GovernanceOverview

    Raises
    ------
    WarehouseError
        The warehouse cannot be read (e.g. a DuckDB file held by a writer past the lock timeout).

    Examples
    --------
    >>> overview = governance_overview(connect())  # doctest: +SKIP
    >>> [r["status"] for r in overview.dq_latest]  # doctest: +SKIP
    ['passed', 'failed']
    """
    present = _existing_tables(warehouse, (*GOVERNANCE_TABLES, RETRAINING_TABLE))
    missing = tuple(t for t in GOVERNANCE_TABLES if t not in present)
    retraining = (
        warehouse.fetch(read_sql("governance/select_retraining_decisions.sql"), read_only=True)
        if RETRAINING_TABLE in present
        else None
    )
    if missing:
        return GovernanceOverview(retraining=retraining, missing_tables=missing)

    def fetch(name: str) -> list[Row]:
        return warehouse.fetch(read_sql(f"governance/{name}.sql"), read_only=True)

    dq = fetch("select_dq_nights")
    monitoring = fetch("select_monitoring_nights")
    return GovernanceOverview(
        dq_latest=_latest_per(dq, "dataset"),
        dq_not_passed=[r for r in dq if r["status"] != "passed"],
        monitoring_latest=_latest_per(monitoring, "model"),
        monitoring_alerts=[r for r in monitoring if r["status"] != "ok"],
        performance=fetch("select_latest_performance"),
        fairness=fetch("select_latest_fairness"),
        costs=fetch("select_cost_by_owner"),
        retraining=retraining,
    )


def run_outputs(warehouse: Warehouse, run_id: str) -> list[RunOutput]:
    """Return what the Airflow run ``run_id`` wrote (data quality, monitoring, cost allocation).

    Examples
    --------
    >>> run_outputs(connect(), "scheduled__2026-11-03T02:00:00+00:00")  # doctest: +SKIP
    [RunOutput(kind='data_quality', subject='leads', day=datetime.date(2026, 11, 3), status='failed', ...)]
    """
    if len(_existing_tables(warehouse, ("dq_runs", "monitoring_runs", "cost_allocated_daily"))) < 3:
        return []
    rows = warehouse.fetch(read_sql("governance/select_run_outputs.sql"), {"run_id": run_id}, read_only=True)
    return [
        RunOutput(
            kind=str(r["kind"]),
            subject=str(r["subject"]),
            day=r["day"] if isinstance(r["day"], dt.date) else dt.date.fromisoformat(str(r["day"])),
            status=str(r["status"]),
            report_path=None if r["report_path"] is None else str(r["report_path"]),
        )
        for r in rows
    ]


#: How each kind of output is named in a run note, and its status that means "all is well".
_NOTE_KINDS = {"data_quality": ("Data quality", "passed"), "monitoring": ("Monitoring", "ok")}


def run_note(outputs: Sequence[RunOutput], *, run_page: str | None = None) -> str:
    """Summarize what one run found, as a Markdown note for the Airflow DAG run (problems first).

    Parameters
    ----------
    outputs
        From :func:`run_outputs` for that run.
    run_page
        A link to the run's Steward page, appended when given.

    Examples
    --------
    >>> day = dt.date(2026, 11, 2)
    >>> print(run_note([RunOutput("data_quality", "leads", day, "failed", None),
    ...                 RunOutput("data_quality", "loans", day, "passed", None)]))
    Data quality: 1 of 2 not passed: **leads failed** (2026-11-02); passed: loans.
    """
    if not outputs:
        return "Steward: this run wrote no data-quality, monitoring or cost rows."
    lines = []
    for kind, (label, good) in _NOTE_KINDS.items():
        rows = [o for o in outputs if o.kind == kind]
        bad = [f"**{o.subject} {o.status}** ({o.day})" for o in rows if o.status != good]
        fine = sorted({o.subject for o in rows if o.status == good})
        if bad:
            rest = f"; {good}: {', '.join(fine)}" if fine else ""
            lines.append(f"{label}: {len(bad)} of {len(rows)} not {good}: {', '.join(bad)}{rest}.")
        elif rows:
            lines.append(f"{label}: all {len(rows)} {good}.")
    days = sorted({o.day for o in outputs if o.kind == "costs"})
    if days:
        lines.append(f"Costs: allocated {len(days)} day(s), {days[0]} to {days[-1]}.")
    if run_page:
        lines.append(f"[What this run wrote, with its reports]({run_page})")
    return "\n\n".join(lines)


def report_relpath(report_path: object, reports_dir: Path) -> str | None:
    """Return a stored report path relative to ``reports_dir`` (POSIX), or None when it lies elsewhere.

    Examples
    --------
    >>> reports = Path("/srv/steward/reports")
    >>> report_relpath("/srv/steward/reports/monitoring/2026-11-03/credit_risk.html", reports)
    'monitoring/2026-11-03/credit_risk.html'
    >>> report_relpath("/tmp/elsewhere.html", reports) is None
    True
    """
    if not report_path:
        return None
    path = Path(str(report_path))
    if not path.is_absolute():
        path = reports_dir / path
    try:
        return path.resolve().relative_to(reports_dir.resolve()).as_posix()
    except ValueError:
        return None


def render_governance(
    overview: GovernanceOverview,
    *,
    user: str,
    run_url: Callable[[str, object], str | None],
    report_url: Callable[[object], str | None],
    generated_at: str,
    notice: str | None = None,
) -> str:
    """Render the Governance page.

    Parameters
    ----------
    overview
        From :func:`governance_overview`.
    user
        Who is logged in, shown at the top.
    run_url
        ``run_url(kind, run_id)``: the Airflow page of the run that wrote a row (kind: ``data_quality``,
        ``monitoring``, ``costs`` or ``retraining``), or None.
    report_url
        ``report_url(report_path)``: the URL of a stored report, or None when it is not served.
    generated_at
        When the page was read, shown at the bottom.
    notice
        A one-line problem to show instead of the content (e.g. the warehouse is busy).
    """
    return render(
        "governance.html.j2",
        o=overview,
        user=user,
        run_url=run_url,
        report_url=report_url,
        notice=notice,
        money=_money,
        version=steward.__version__,
        generated_at=generated_at,
    )


def render_run_outputs(
    outputs: Sequence[RunOutput],
    *,
    dag_id: str,
    run_id: str,
    user: str,
    run_url: str,
    report_url: Callable[[object], str | None],
    generated_at: str,
) -> str:
    """Render the page listing what one run wrote and its reports (the tasks' "Steward report" link)."""
    return render(
        "governance_run.html.j2",
        outputs=outputs,
        dag_id=dag_id,
        run_id=run_id,
        user=user,
        run_url=run_url,
        report_url=report_url,
        version=steward.__version__,
        generated_at=generated_at,
    )


def _money(value: object, currency: object = "USD") -> str:
    """Format an amount with thousands separators and cents: ``1,234.50 USD``.

    Examples
    --------
    >>> _money(1234.5, "USD")
    '1,234.50 USD'
    """
    return f"{float(value):,.2f} {currency}" if isinstance(value, int | float) else "—"
