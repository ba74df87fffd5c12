"""The cloud-cost DAG run for real through Airflow (``dag.test()``) on the demo company's billing.

Two local-file sources (the demo's AWS CUR 2.0 and GCP export Parquet) and one broken source: the
broken one fails alone, allocation still runs over the others and the run ends red naming it.
Then a clean night, a rerun that writes the same rows, and the reconciliation against
``cost_line_daily`` straight from SQL.
"""

from __future__ import annotations

import datetime as dt
import subprocess
import sys
from decimal import Decimal
from pathlib import Path
from typing import Any

import pytest
import yaml

from steward import paths
from steward.demo import DEMO_START, generate
from steward.warehouse import connect

pytestmark = pytest.mark.integration

DAY = DEMO_START + dt.timedelta(days=2)  # 2026-11-03: reloads October (empty) and November
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


def _registry(tmp: Path, sources: list[dict[str, Any]], name: str) -> Path:
    raw = yaml.safe_load((paths.project_dir() / "include" / "governance.yaml").read_text(encoding="utf-8"))
    raw.setdefault("costs", {})["sources"] = sources
    out = tmp / f"{name}.yaml"
    out.write_text(yaml.safe_dump(raw, sort_keys=False), encoding="utf-8")
    return out


@pytest.fixture(scope="module")
def airflow_dag():
    generate(days=5, rows_per_day=200, datasets=["billing_aws", "billing_gcp"])
    subprocess.run(
        [str(Path(sys.executable).with_name("airflow")), "db", "migrate"], check=True, capture_output=True
    )
    from airflow.dag_processing.dagbag import DagBag

    from steward.airflow.demo import shorten_retries

    bag = DagBag(dag_folder=str(paths.project_dir() / "dags"))
    assert "cloud_costs" in bag.dag_ids, bag.import_errors
    dag = bag.get_dag("cloud_costs")
    shorten_retries(dag)
    return dag


def _run(dag, day: dt.date):
    return dag.test(
        logical_date=dt.datetime.combine(day, dt.time(6), tzinfo=dt.UTC), run_conf={"date": day.isoformat()}
    )


def _events(asset: str) -> list[dict[str, Any]]:
    from airflow.models.asset import AssetEvent, AssetModel
    from airflow.utils.session import create_session

    with create_session() as session:
        rows = (
            session.query(AssetEvent)
            .join(AssetModel, AssetEvent.asset_id == AssetModel.id)
            .filter(AssetModel.name == asset)
            .order_by(AssetEvent.id)
            .all()
        )
        return [dict(e.extra or {}) for e in rows]


def _task_states(run) -> dict[tuple[str, int], str]:
    return {(ti.task_id, ti.map_index): str(ti.state) for ti in run.get_task_instances()}


def _reconciliation() -> list[dict[str, Any]]:
    """Source totals (cost_line_daily, exact) vs allocated totals, per day x account x currency."""
    with connect() as wh:
        return wh.fetch(
            """
            with src as (
                select "ChargePeriodStart" as d, "BillingAccountId" as a, "BillingCurrency" as c,
                    sum("BilledCost") as billed, sum("EffectiveCost") as effective
                from cost_line_daily group by 1, 2, 3
            ), alloc as (
                select "ChargePeriodStart" as d, "BillingAccountId" as a, "BillingCurrency" as c,
                    sum("BilledCost") as billed, sum("EffectiveCost") as effective
                from cost_allocated_daily group by 1, 2, 3
            )
            select src.d, src.a, src.c, src.billed as src_billed, alloc.billed as alloc_billed,
                src.effective as src_effective, alloc.effective as alloc_effective
            from src full outer join alloc on src.d = alloc.d and src.a = alloc.a and src.c = alloc.c
            """
        )


def _allocated_rows() -> list[tuple[str, ...]]:
    with connect() as wh:
        rows = wh.fetch("select * from cost_allocated_daily")
    skip = {"x_PipelineRunId", "x_AllocatedAt"}
    return sorted(tuple(str(v) for k, v in r.items() if k not in skip) for r in rows)


def test_a_failing_source_does_not_stop_the_night_and_a_rerun_writes_the_same_rows(
    airflow_dag, tmp_path: Path, monkeypatch: pytest.MonkeyPatch, capfd: pytest.CaptureFixture[str]
) -> None:
    broken_dir = tmp_path / "broken"
    broken_dir.mkdir()
    (broken_dir / "export.csv").write_text("BilledCost,Oops\n1.0,2\n", encoding="utf-8")
    broken = {"name": "broken_focus", "kind": "local_files", "format": "focus", "path": f"{broken_dir}/*.csv"}
    monkeypatch.setenv("STEWARD_REGISTRY", str(_registry(tmp_path, [*SOURCES, broken], "with_broken")))

    run = _run(airflow_dag, DAY)
    assert str(run.state) == "failed"
    states = _task_states(run)
    ingests = {k: v for k, v in states.items() if k[0] == "ingest_source"}
    assert sorted(ingests.values()) == ["failed", "success", "success"]
    assert states[("allocate_costs", -1)] == "success"
    assert states[("finish", -1)] == "failed"

    lines = _events("cost_line_daily")
    assert sorted(e["source"] for e in lines) == ["aws_demo", "gcp_demo"]
    assert all(e["billing_periods"] == ["2026-11-01"] and e["rows"] > 0 for e in lines)
    allocated = _events("cost_allocated_daily")
    assert allocated[-1]["failed_sources"] == ["broken_focus"]
    assert allocated[-1]["billing_periods"] == ["2026-10-01", "2026-11-01"]

    recon = _reconciliation()
    assert recon, "allocation wrote rows"
    for r in recon:
        assert Decimal(str(r["src_billed"])) == Decimal(str(r["alloc_billed"])), r
        assert Decimal(str(r["src_effective"])) == Decimal(str(r["alloc_effective"])), r
    first = _allocated_rows()
    with connect() as wh:
        methods = {
            r["m"]: Decimal(str(r["billed"]))
            for r in wh.fetch(
                'select "x_AllocationMethod" as m, sum("BilledCost") as billed '
                "from cost_allocated_daily group by 1"
            )
        }
        coverage = wh.fetch("select count(*) as n from tag_coverage_daily")[0]["n"]
    # the demo registry's rules: platform PROPORTIONAL, platform network EVEN, sandbox FIXED, logs UNALLOCATED
    assert set(methods) == {"DIRECT", "PROPORTIONAL", "EVEN", "FIXED", "UNALLOCATED"}
    assert all(v > 0 for v in methods.values())
    assert int(coverage) > 0  # type: ignore[call-overload]

    # the next night without the broken source: green, and the same billing gives the same rows
    monkeypatch.setenv("STEWARD_REGISTRY", str(_registry(tmp_path, SOURCES, "clean")))
    capfd.readouterr()
    assert str(_run(airflow_dag, DAY).state) == "success"
    # allocation reads the mapped results in one request: no "XCom not found" error in a green night's log
    log = "".join(capfd.readouterr())
    assert "allocate_costs" in log
    assert "XCom not found" not in log
    assert _allocated_rows() == first
    assert len(_events("cost_line_daily")) == 4
