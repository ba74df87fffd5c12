"""The Governance page's content, read from a hand-written warehouse on both backends."""

from __future__ import annotations

import datetime as dt
import subprocess
import sys
from collections.abc import Iterator
from pathlib import Path

import psycopg
import pytest
from psycopg import sql

from steward.reports import (
    GOVERNANCE_TABLES,
    governance_overview,
    render_governance,
    render_run_outputs,
    report_relpath,
    run_note,
    run_outputs,
)
from steward.warehouse import Warehouse, WarehouseError, connect
from tests.fixtures.governance import (
    COST_TOTALS,
    COSTS_RUN_ID,
    DRIFT_NIGHT,
    FAILED_NIGHT,
    NIGHTS,
    dq_run_id,
    monitoring_run_id,
    seed_governance,
)
from tests.fixtures.postgres import _with_search_path

_HOLD_READ_ONLY = (
    "import sys, time, duckdb; con = duckdb.connect(sys.argv[1], read_only=True); "
    "print('holding', flush=True); time.sleep(60)"
)


@pytest.fixture(scope="module", params=["duckdb", pytest.param("postgres", marks=pytest.mark.postgres)])
def seeded(
    request: pytest.FixtureRequest, tmp_path_factory: pytest.TempPathFactory
) -> Iterator[tuple[Warehouse, Path]]:
    """One seeded warehouse per backend, shared by the module's tests, which only read it."""
    folder = tmp_path_factory.mktemp("governance")
    server, schema = "", None
    if request.param == "duckdb":
        url = f"duckdb:///{folder / 'steward.duckdb'}"
    else:
        server = request.getfixturevalue("pg_server_url")
        schema = f"steward_governance_{folder.name}".replace("-", "_")
        with psycopg.connect(server, autocommit=True) as admin:
            admin.execute(sql.SQL("create schema {}").format(sql.Identifier(schema)))
        url = _with_search_path(server, schema)
    try:
        with connect(url) as wh:
            wh.migrate()
            seed_governance(wh, folder / "reports")
            yield wh, folder / "reports"
    finally:
        if schema is not None:
            with psycopg.connect(server, autocommit=True) as admin:
                admin.execute(sql.SQL("drop schema {} cascade").format(sql.Identifier(schema)))


def _day(value: object) -> dt.date:
    return value if isinstance(value, dt.date) else dt.date.fromisoformat(str(value))


def test_overview_shows_each_datasets_latest_night_and_every_failed_one(
    seeded: tuple[Warehouse, Path],
) -> None:
    overview = governance_overview(seeded[0])
    assert [(r["dataset"], _day(r["partition_date"]), r["status"]) for r in overview.dq_latest] == [
        ("leads", NIGHTS[-1], "passed"),
        ("loan_applications", NIGHTS[-1], "passed"),
    ]
    assert [
        (r["dataset"], _day(r["partition_date"]), r["status"], r["run_id"]) for r in overview.dq_not_passed
    ] == [("leads", FAILED_NIGHT, "failed", dq_run_id(FAILED_NIGHT))]
    assert overview.dq_not_passed[0]["critical_failed"] == 2
    assert overview.missing_tables == ()


def test_overview_shows_each_models_latest_window_drift_performance_and_fairness(
    seeded: tuple[Warehouse, Path],
) -> None:
    overview = governance_overview(seeded[0])
    assert [(r["model"], _day(r["window_date"]), r["status"]) for r in overview.monitoring_latest] == [
        ("credit_risk", DRIFT_NIGHT, "breach"),
        ("lead_scoring", NIGHTS[-1], "ok"),
    ]
    alerts = overview.monitoring_alerts
    assert [(r["model"], _day(r["window_date"]), r["features_drifted"]) for r in alerts] == [
        ("credit_risk", DRIFT_NIGHT, 3)
    ]
    assert alerts[0]["run_id"] == monitoring_run_id(DRIFT_NIGHT)
    assert [(r["model"], r["metric"], r["realized_value"], r["breach"]) for r in overview.performance] == [
        ("credit_risk", "auc", pytest.approx(0.71), True),
        ("lead_scoring", "auc", pytest.approx(0.82), False),
    ]
    assert [(r["model"], int(r["breaches_n"]), int(r["metrics_n"])) for r in overview.fairness] == [  # type: ignore[call-overload]
        ("credit_risk", 1, 3),
        ("lead_scoring", 0, 3),
    ]
    assert overview.retraining == []  # the table exists (DDL 0014); no decision yet


def test_overview_sums_the_latest_billing_periods_cost_per_business_unit_and_model(
    seeded: tuple[Warehouse, Path],
) -> None:
    costs = governance_overview(seeded[0]).costs
    totals = {(r["business_unit"], r["model"]): r["cost"] for r in costs}
    assert totals == {key: pytest.approx(value, abs=1e-9) for key, value in COST_TOTALS.items()}
    assert {r["run_id"] for r in costs} == {COSTS_RUN_ID}
    assert {(_day(r["first_day"]), _day(r["last_day"])) for r in costs} == {(NIGHTS[0], NIGHTS[-1])}


def test_retraining_decisions_are_shown_newest_first_when_the_table_exists(
    warehouse: Warehouse, tmp_path: Path
) -> None:
    wh = warehouse  # a warehouse of its own: this test adds a table
    seed_governance(wh, tmp_path / "reports")
    for night, action, run_id in ((NIGHTS[0], "no_action", "r2"), (NIGHTS[-1], "fire", "r3")):
        wh.execute(
            "insert into retraining_decisions (decision_id, model, night, evaluated_at, run_id, action, "
            "policy, signals_json, evidence_json, reason) values (:id, 'credit_risk', :night, :at, :run, "
            ":action, 'drift', '{}', '{}', :reason)",
            {"id": run_id, "night": night, "at": dt.datetime.combine(night, dt.time(4), tzinfo=dt.UTC),
             "run": run_id, "action": action, "reason": f"{action} on {night}"},
        )  # fmt: skip
    retraining = governance_overview(wh).retraining
    assert retraining is not None
    assert [(r["action"], r["run_id"], r["reason"]) for r in retraining] == [
        ("fire", "r3", f"fire on {NIGHTS[-1]}"),
        ("no_action", "r2", f"no_action on {NIGHTS[0]}"),
    ]
    html = render_governance(
        governance_overview(wh),
        user="admin",
        run_url=lambda kind, run_id: f"/dags/{kind}/runs/{run_id}",
        report_url=lambda path: None,
        generated_at="now",
    )
    assert "<td>fire</td>" in html and '<a href="/dags/retraining/runs/r3" target="_top"' in html


def test_an_unmigrated_warehouse_names_the_missing_tables(tmp_path: Path) -> None:
    with connect(f"duckdb:///{tmp_path / 'empty.duckdb'}") as wh:
        wh.execute("create table unrelated (x integer)")
        overview = governance_overview(wh)
    assert overview.missing_tables == GOVERNANCE_TABLES
    assert overview.dq_latest == [] and overview.costs == []


def test_the_overview_reads_a_duckdb_file_beside_another_reader(tmp_path: Path) -> None:
    # DuckDB lets several processes read a file but refuses a writer while one reads: the page,
    # which must open the file read-only, works while another process holds it read-only.
    path = tmp_path / "wh.duckdb"
    with connect(f"duckdb:///{path}") as wh:
        wh.migrate()
        seed_governance(wh, tmp_path / "reports")
    with subprocess.Popen(
        [sys.executable, "-c", _HOLD_READ_ONLY, str(path)], stdout=subprocess.PIPE, text=True
    ) as holder:
        try:
            assert holder.stdout is not None and holder.stdout.readline().strip() == "holding"
            with connect(f"duckdb:///{path}", lock_timeout_s=1) as wh:
                assert governance_overview(wh).dq_not_passed[0]["dataset"] == "leads"
                with pytest.raises(WarehouseError, match="another process"):
                    wh.execute("select 1")  # a read-write connection is refused meanwhile
        finally:
            holder.kill()


def test_run_outputs_lists_what_one_run_wrote(seeded: tuple[Warehouse, Path]) -> None:
    wh, reports = seeded
    outputs = run_outputs(wh, dq_run_id(FAILED_NIGHT))
    assert [(o.kind, o.subject, o.day, o.status) for o in outputs] == [
        ("data_quality", "leads", FAILED_NIGHT, "failed"),
        ("data_quality", "loan_applications", FAILED_NIGHT, "passed"),
    ]
    assert report_relpath(outputs[0].report_path, reports) == f"data_quality/{FAILED_NIGHT}/leads.html"
    costs = run_outputs(wh, COSTS_RUN_ID)
    assert {(o.kind, o.day) for o in costs} == {("costs", day) for day in NIGHTS}
    assert run_outputs(wh, "manual__nothing") == []


def test_report_relpath_refuses_paths_outside_the_reports_folder(tmp_path: Path) -> None:
    reports = tmp_path / "reports"
    assert report_relpath(str(reports / "a" / "b.html"), reports) == "a/b.html"
    assert report_relpath("a/b.html", reports) == "a/b.html"
    assert report_relpath(str(reports / ".." / "secret.html"), reports) is None
    assert report_relpath(None, reports) is None


def test_the_page_shows_the_user_the_failed_night_the_drift_and_the_costs_with_links(
    seeded: tuple[Warehouse, Path],
) -> None:
    html = render_governance(
        governance_overview(seeded[0]),
        user="<ada>",
        run_url=lambda kind, run_id: f"/dags/{kind}/runs/{run_id}",
        report_url=lambda path: "/steward/r" if path else None,
        generated_at="now",
    )
    assert 'Signed in as <strong id="steward-user">&lt;ada&gt;</strong>' in html  # escaped
    assert f"<td>{FAILED_NIGHT}</td><td>leads</td>" in html
    assert f'href="/dags/data_quality/runs/{dq_run_id(FAILED_NIGHT)}" target="_top"' in html
    assert f'href="/dags/monitoring/runs/{monitoring_run_id(DRIFT_NIGHT)}" target="_top"' in html
    assert "900.75 USD" in html and "361.50 USD" in html and "unallocated" in html
    assert f'href="/dags/costs/runs/{COSTS_RUN_ID}"' in html
    assert "No retraining decision yet." in html


def test_the_page_shows_a_notice_instead_of_tables() -> None:
    from steward.reports import GovernanceOverview

    html = render_governance(
        GovernanceOverview(),
        user="admin",
        run_url=lambda kind, run_id: None,
        report_url=lambda path: None,
        generated_at="now",
        notice="the warehouse is busy",
    )
    assert "the warehouse is busy" in html and "<h2" not in html


def test_the_run_page_links_its_reports(seeded: tuple[Warehouse, Path]) -> None:
    html = render_run_outputs(
        run_outputs(seeded[0], monitoring_run_id(DRIFT_NIGHT)),
        dag_id="model_monitoring",
        run_id=monitoring_run_id(DRIFT_NIGHT),
        user="admin",
        run_url="/dags/model_monitoring/runs/x",
        report_url=lambda path: f"/steward/{report_relpath(path, seeded[1])}",
        generated_at="now",
    )
    assert f'href="/steward/monitoring/{DRIFT_NIGHT}/credit_risk.html"' in html
    assert "<td>breach</td>" in html


def test_run_notes_say_what_each_run_found(seeded: tuple[Warehouse, Path]) -> None:
    wh = seeded[0]
    assert run_note(run_outputs(wh, dq_run_id(FAILED_NIGHT))) == (
        "Data quality: 1 of 2 not passed: **leads failed** (2026-11-02); passed: loan_applications."
    )
    assert run_note(run_outputs(wh, dq_run_id(NIGHTS[0])), run_page="/steward/runs/data_quality/x") == (
        "Data quality: all 2 passed.\n\n[What this run wrote, with its reports](/steward/runs/data_quality/x)"
    )
    assert run_note(run_outputs(wh, monitoring_run_id(DRIFT_NIGHT))) == (
        "Monitoring: 1 of 2 not ok: **credit_risk breach** (2026-11-03); ok: lead_scoring."
    )
    assert run_note(run_outputs(wh, COSTS_RUN_ID)) == "Costs: allocated 3 day(s), 2026-11-01 to 2026-11-03."
    assert run_note([]) == "Steward: this run wrote no data-quality, monitoring or cost rows."
