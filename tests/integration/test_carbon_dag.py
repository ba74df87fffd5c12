"""The carbon DAG run for real through Airflow (``dag.test()``) on the demo company's billing.

The demo's AWS CUR 2.0 and GCP export are loaded into ``cost_line_daily`` with the cost module's own
ingest, then the carbon DAG estimates, allocates and compares every day of the billing months.
A provider whose Airflow connection does not exist fails alone: the estimates still land and the
run ends red naming it. A rerun writes the same rows; a registry without providers skips them.
"""

from __future__ import annotations

import datetime as dt
import subprocess
import sys
from pathlib import Path
from typing import Any

import pytest
import yaml
from pydantic import TypeAdapter

from steward import paths
from steward.demo import DEMO_START, generate
from steward.warehouse import connect

pytestmark = pytest.mark.integration

DAY = DEMO_START + dt.timedelta(days=2)  # 2026-11-03: estimates October (empty) and November
DAYS = [DEMO_START + dt.timedelta(days=i) for i in range(4)]
SOURCES = [
    {
        "name": "aws_demo",
        "kind": "local_files",
        "format": "aws_cur2",
        "path": "lake/billing_aws/date={date}/*.parquet",
    },
    {
        "name": "gcp_demo",
        "kind": "local_files",
        "format": "gcp_billing_export",
        "path": "lake/billing_gcp/date={date}/*.parquet",
    },
]
BROKEN_PROVIDER = {"name": "aws_carbon", "kind": "aws_sustainability", "connection_id": "no_such_connection"}


def _registry(tmp: Path, providers: list[dict[str, Any]], name: str) -> Path:
    raw = yaml.safe_load((paths.project_dir() / "include" / "governance.yaml").read_text(encoding="utf-8"))
    raw.setdefault("costs", {})["sources"] = SOURCES
    raw["costs"].setdefault("carbon", {})["providers"] = providers
    out = tmp / f"{name}.yaml"
    out.write_text(yaml.safe_dump(raw, sort_keys=False), encoding="utf-8")
    return out


@pytest.fixture(scope="module")
def airflow_dag(tmp_path_factory: pytest.TempPathFactory):
    from steward.costs import ingest
    from steward.registry import CostSource

    generate(days=len(DAYS), rows_per_day=200, datasets=["billing_aws", "billing_gcp"])
    with connect() as wh:
        wh.migrate()
        for spec in SOURCES:
            source = TypeAdapter(CostSource).validate_python(spec)
            ingest(source, warehouse=wh, billing_periods=[dt.date(2026, 11, 1)], run_id="ingest-demo")
    subprocess.run(
        [str(Path(sys.executable).with_name("airflow")), "db", "migrate"], check=True, capture_output=True
    )
    from airflow.dag_processing.dagbag import DagBag

    from steward.airflow.demo import shorten_retries

    bag = DagBag(dag_folder=str(paths.project_dir() / "dags"))
    assert "carbon" in bag.dag_ids, bag.import_errors
    dag = bag.get_dag("carbon")
    shorten_retries(dag)
    return dag


def _run(dag, day: dt.date):
    return dag.test(
        logical_date=dt.datetime.combine(day, dt.time(7), tzinfo=dt.UTC), run_conf={"date": day.isoformat()}
    )


def _states(run) -> dict[tuple[str, int], str]:
    return {(ti.task_id, ti.map_index): str(ti.state) for ti in run.get_task_instances()}


def _carbon_events() -> list[dict[str, Any]]:
    from airflow.models.asset import AssetEvent, AssetModel
    from airflow.utils.session import create_session

    with create_session() as session:
        rows = (
            session.query(AssetEvent)
            .join(AssetModel, AssetEvent.asset_id == AssetModel.id)
            .filter(AssetModel.name == "carbon")
            .order_by(AssetEvent.id)
            .all()
        )
        return [dict(e.extra or {}) for e in rows]


def _snapshot() -> dict[str, list[tuple[str, ...]]]:
    skip = {"x_RunId", "x_EstimatedAt", "x_AllocatedAt", "run_id", "computed_at"}
    out = {}
    with connect() as wh:
        for table in ("carbon_usage_daily", "carbon_allocated_daily", "carbon_region_comparison"):
            rows = wh.fetch(f"select * from {table}")
            out[table] = sorted(tuple(str(v) for k, v in r.items() if k not in skip) for r in rows)
    return out


def test_a_night_with_a_broken_provider_then_a_rerun(
    airflow_dag, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("STEWARD_REGISTRY", str(_registry(tmp_path, [BROKEN_PROVIDER], "broken")))
    run = _run(airflow_dag, DAY)
    assert str(run.state) == "failed"
    states = _states(run)
    assert states[("load_provider", 0)] == "failed"
    assert states[("estimate_usage", -1)] == "success", "the estimates do not wait on providers"
    assert states[("finish", -1)] == "failed"

    with connect() as wh:
        per_day = wh.fetch(
            'select "x_ChargeDate" as d, count(*) as n, sum("x_Co2eKg") as kg, '
            'count(distinct "x_CoefficientsVersion") as versions '
            "from carbon_usage_daily group by 1 order by 1"
        )
        lines = wh.fetch(
            'select cast("ChargePeriodStart" as date) as d, count(*) as n from cost_line_daily '
            "where \"ChargeCategory\" = 'Usage' group by 1 order by 1"
        )
        categories = {
            r["c"] for r in wh.fetch('select distinct "x_UsageCategory" as c from carbon_usage_daily')
        }
        unestimated = wh.fetch(
            'select "ServiceName" as s, sum("BilledCost") as cost from carbon_usage_daily '
            "where \"x_UsageCategory\" = 'unestimated' group by 1 order by 1"
        )
        allocated = wh.fetch(
            'select "x_ChargeDate" as d, sum("x_Co2eKg") as kg from carbon_allocated_daily '
            "group by 1 order by 1"
        )
        units = wh.fetch('select distinct "x_BusinessUnit" as bu from carbon_allocated_daily')
        candidates = wh.fetch("select distinct candidate_region as r from carbon_region_comparison")
        providers = wh.fetch("select count(*) as n from carbon_provider_monthly")
    # one estimate row per usage line of every day of the billing month, one coefficient version
    assert [(r["d"], int(r["n"])) for r in per_day] == [(r["d"], int(r["n"])) for r in lines]
    assert [r["d"] for r in per_day] == DAYS
    assert all(int(r["versions"]) == 1 and r["kg"] > 0 for r in per_day)
    assert {"compute", "gpu", "storage", "network", "unestimated"} <= categories
    # control-plane fees, log ingestion and query scans are kept, with their cost
    assert {r["s"] for r in unestimated} == {"AmazonCloudWatch", "AmazonEKS", "BigQuery", "Kubernetes Engine"}
    assert all(float(r["cost"]) > 0 for r in unestimated)
    # carbon allocated like cost: per day it sums back to the estimate (rounded to the milligram)
    for a, u in zip(allocated, per_day, strict=True):
        assert a["d"] == u["d"]
        assert a["kg"] == pytest.approx(u["kg"], abs=1e-5)
    assert {r["bu"] for r in units} >= {"marketing", "lending"}
    assert {r["r"] for r in candidates} == {"eu-north-1", "us-west-2", "europe-west1"}
    assert int(providers[0]["n"]) == 0
    events = _carbon_events()
    assert events[-1]["kind"] == "usage" and events[-1]["coefficients_version"] == "2026.11"
    assert events[-1]["days"] == [d.isoformat() for d in DAYS]

    # rerun without providers: provider data skipped, the same rows, nothing added
    before = _snapshot()
    monkeypatch.setenv("STEWARD_REGISTRY", str(_registry(tmp_path, [], "clean")))
    run = _run(airflow_dag, DAY)
    assert str(run.state) == "success"
    assert _states(run)[("load_provider", -1)] == "skipped"
    assert _snapshot() == before
