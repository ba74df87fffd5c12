"""The data-quality DAG run for real through Airflow (``dag.test()``) on the demo company.

Checks the warehouse rows, the injected failure on its day, the asset events in Airflow's
metadata, bad input that must not stop the other datasets, and a rerun without duplicates.
"""

from __future__ import annotations

import datetime as dt
import json
import subprocess
import sys
from pathlib import Path

import pytest

from steward import paths
from steward.demo import DEMO_START, generate
from steward.quality import load_suite
from steward.registry import load_registry
from steward.warehouse import connect

pytestmark = pytest.mark.integration

CLEAN_DAY = DEMO_START + dt.timedelta(days=2)  # 2026-11-03
NULLS_DAY = DEMO_START + dt.timedelta(days=3)  # 2026-11-04: leads.form_score nulls (critical)
BROKEN_DAY = DEMO_START + dt.timedelta(days=4)  # 2026-11-05: we corrupt files ourselves


@pytest.fixture(scope="module")
def airflow_dag():
    generate(days=5, rows_per_day=1000)
    subprocess.run(
        [str(Path(sys.executable).with_name("airflow")), "db", "migrate"],
        check=True,
        capture_output=True,
    )
    from airflow.dag_processing.dagbag import DagBag

    from steward.airflow.demo import shorten_retries

    bag = DagBag(dag_folder=str(paths.project_dir() / "dags"))
    assert bag.import_errors == {}
    dag = bag.get_dag("data_quality")
    shorten_retries(dag)
    return dag


def _run(dag, day: dt.date):
    return dag.test(
        logical_date=dt.datetime.combine(day, dt.time(2), tzinfo=dt.UTC), run_conf={"date": day.isoformat()}
    )


def _daily() -> list[str]:
    return sorted(d.name for d in load_registry().datasets if d.cadence == "daily")


def _runs(day: dt.date) -> dict[str, dict]:
    with connect() as wh:
        rows = wh.fetch("select * from dq_runs where partition_date = :d", {"d": day})
    return {r["dataset"]: r for r in rows}


def _count(table: str, day: dt.date) -> dict[str, int]:
    with connect() as wh:
        rows = wh.fetch(
            f"select dataset, count(*) as n from {table} where partition_date = :d group by dataset",
            {"d": day},
        )
    return {r["dataset"]: int(r["n"]) for r in rows}


def _asset_events(dataset: str) -> list[dict]:
    from airflow.models.asset import AssetEvent, AssetModel
    from airflow.utils.session import create_session

    with create_session() as session:
        events = (
            session.query(AssetEvent)
            .join(AssetModel, AssetEvent.asset_id == AssetModel.id)
            .filter(AssetModel.name == f"dq_{dataset}")
            .all()
        )
        return [dict(e.extra or {}) for e in events]


def test_two_nights_then_rerun(airflow_dag) -> None:
    daily = _daily()
    assert len(daily) >= 6

    clean = _run(airflow_dag, CLEAN_DAY)
    assert str(clean.state) == "success"
    runs = _runs(CLEAN_DAY)
    assert sorted(runs) == daily
    assert {r["status"] for r in runs.values()} == {"passed"}
    # one dq_results row per expectation of each dataset's suite
    registry = load_registry()
    expected = {d: len(load_suite(registry.dataset(d).suite_name)["expectations"]) for d in daily}
    assert _count("dq_results", CLEAN_DAY) == expected

    bad = _run(airflow_dag, NULLS_DAY)
    assert str(bad.state) == "failed"
    runs = _runs(NULLS_DAY)
    assert sorted(runs) == daily, "the other datasets still validated"
    assert runs["leads"]["status"] == "failed"
    assert "form_score" in runs["leads"]["error_message"]
    assert all(r["status"] in ("passed", "warning") for d, r in runs.items() if d != "leads")
    with connect() as wh:
        quarantined = wh.fetch("select dataset, partition_date, reason from quarantine")
    assert [(q["dataset"], q["partition_date"]) for q in quarantined] == [("leads", NULLS_DAY)]
    assert "form_score" in quarantined[0]["reason"]
    assert Path(runs["leads"]["report_path"]).is_file()

    # assets: an event for every usable partition, none for the quarantined one
    leads_days = sorted(e["partition_date"] for e in _asset_events("leads"))
    assert leads_days == [CLEAN_DAY.isoformat()]
    loans_days = sorted(e["partition_date"] for e in _asset_events("loan_applications"))
    assert loans_days == [CLEAN_DAY.isoformat(), NULLS_DAY.isoformat()]

    # rerun of the clean night: same rows, no duplicates
    before = (_count("dq_results", CLEAN_DAY), _count("dq_runs", CLEAN_DAY))
    assert str(_run(airflow_dag, CLEAN_DAY).state) == "success"
    assert (_count("dq_results", CLEAN_DAY), _count("dq_runs", CLEAN_DAY)) == before
    # ...and the earlier night is untouched by it
    assert _runs(NULLS_DAY)["leads"]["status"] == "failed"


def test_bad_input_is_recorded_and_does_not_stop_other_datasets(airflow_dag) -> None:
    registry = load_registry()
    lake = paths.lake_dir()
    # corrupt Parquet for loan_applications, an empty (zero-row) file for leads,
    # and a renamed column for lead_scoring_predictions
    import pyarrow.parquet as pq

    loans = next((lake / "loan_applications" / f"date={BROKEN_DAY}").glob("*.parquet"))
    loans.write_bytes(b"PAR1 garbage")
    leads = next((lake / "leads" / f"date={BROKEN_DAY}").glob("*.parquet"))
    table = pq.read_table(leads)
    pq.write_table(table.slice(0, 0), leads)
    preds = next((lake / "lead_scoring_predictions" / f"date={BROKEN_DAY}").glob("*.parquet"))
    table = pq.read_table(preds)
    score_col = registry.model("lead_scoring").columns.score
    pq.write_table(
        table.rename_columns([f"{c}_v2" if c == score_col else c for c in table.column_names]), preds
    )

    with connect() as wh:
        before = wh.fetch("select count(*) as n from dq_results where partition_date < :d", {"d": BROKEN_DAY})

    run = _run(airflow_dag, BROKEN_DAY)
    assert str(run.state) == "failed"
    runs = _runs(BROKEN_DAY)
    assert sorted(runs) == _daily()
    assert runs["loan_applications"]["status"] == "error"
    assert "not a readable parquet file" in runs["loan_applications"]["error_message"]
    assert str(loans) in runs["loan_applications"]["error_message"]
    assert runs["leads"]["status"] == "error"
    assert "no rows" in runs["leads"]["error_message"]
    assert runs["lead_scoring_predictions"]["status"] == "failed"
    assert (
        f"column '{score_col}' is missing (renamed to '{score_col}_v2'?)"
        in (runs["lead_scoring_predictions"]["error_message"])
    )
    untouched = {d for d in _daily()} - {"loan_applications", "leads", "lead_scoring_predictions"}
    assert all(runs[d]["status"] in ("passed", "warning") for d in untouched)
    with connect() as wh:
        after = wh.fetch("select count(*) as n from dq_results where partition_date < :d", {"d": BROKEN_DAY})
        audit = wh.fetch(
            "select action, details_json from audit_log where subject_id = :s", {"s": f"leads/{BROKEN_DAY}"}
        )
    assert after == before, "earlier nights' rows are intact"
    assert audit[0]["action"] == "quarantine"
    assert json.loads(audit[0]["details_json"])["status"] == "error"


@pytest.mark.postgres
def test_night_on_postgres_through_the_airflow_connection(
    airflow_dag, pg_server_url: str, monkeypatch: pytest.MonkeyPatch
) -> None:
    """A team's setup: the warehouse is Postgres, configured only as the Airflow connection."""
    import psycopg

    socket_dir = dict(p.split("=", 1) for p in pg_server_url.split("?", 1)[1].split("&"))["host"]
    with psycopg.connect(pg_server_url, autocommit=True) as con:
        con.execute("drop database if exists steward_it")
        con.execute("create database steward_it")
    conn = {"conn_type": "postgres", "host": socket_dir, "login": "postgres", "schema": "steward_it"}
    monkeypatch.setenv("AIRFLOW_CONN_STEWARD_WAREHOUSE", json.dumps(conn))
    assert str(_run(airflow_dag, CLEAN_DAY).state) == "success"

    pg_url = pg_server_url.replace("/postgres?", "/steward_it?")
    with connect(pg_url) as wh:
        runs = wh.fetch("select dataset, status from dq_runs where partition_date = :d", {"d": CLEAN_DAY})
        n_results = wh.fetch("select count(*) as n from dq_results")[0]["n"]
    assert sorted(r["dataset"] for r in runs) == _daily()
    assert {r["status"] for r in runs} == {"passed"}
    assert int(n_results) > 100
