"""The governance DAGs run for real through Airflow (``dag.test()``) on the demo company.

The demo lake (3 days) carries the reporters' undeclared e-mail addresses in ``user_feedback`` and
loan applications whose exact amounts make every applicant unique. A failed critical data-quality
run is written for night 2 (the data-quality DAG's own test covers producing it): the nightly DAG
opens an incident that night and resolves it on night 3, scans for PII, ingests feedback and records
the impact assessment; the export DAG refuses one export and generalizes the other. Reruns write the
same rows.
"""

from __future__ import annotations

import datetime as dt
import subprocess
import sys
from pathlib import Path

import pytest

from steward import paths
from steward.demo import DEMO_START, generate
from steward.warehouse import connect

pytestmark = pytest.mark.integration

DAYS = [DEMO_START + dt.timedelta(days=i) for i in range(3)]


@pytest.fixture(scope="module")
def bag(module_home: Path):
    generate(days=len(DAYS), rows_per_day=1000)
    subprocess.run(
        [str(Path(sys.executable).with_name("airflow")), "db", "migrate"], check=True, capture_output=True
    )
    from airflow.dag_processing.dagbag import DagBag

    from steward.airflow.demo import shorten_retries

    dags = DagBag(dag_folder=str(paths.project_dir() / "dags"))
    assert dags.import_errors == {}
    for dag_id in ("governance_nightly", "data_export"):
        shorten_retries(dags.get_dag(dag_id))
    with connect() as wh:
        wh.migrate()
        wh.replace_partition(
            "dq_runs",
            {"dataset": "leads", "partition_date": DAYS[1]},
            [{"suite": "leads", "status": "failed", "critical_failed": 1, "error_message": None,
              "run_id": "dq", "validated_at": dt.datetime(2026, 11, 3, 2, tzinfo=dt.UTC)}],
        )  # fmt: skip
    return dags


def _run(dag, day: dt.date) -> dict[tuple[str, int], str]:
    run = dag.test(
        logical_date=dt.datetime.combine(day, dt.time(8), tzinfo=dt.UTC), run_conf={"date": day.isoformat()}
    )
    assert str(run.state) == "success", {(t.task_id, t.map_index): t.state for t in run.get_task_instances()}
    return {(t.task_id, t.map_index): str(t.state) for t in run.get_task_instances()}


def _rows(sql: str) -> list[dict[str, object]]:
    with connect() as wh:
        return wh.fetch(sql)


def test_nightly_records_pii_feedback_assessments_and_an_incident(bag) -> None:
    dag = bag.get_dag("governance_nightly")
    for day in DAYS:
        _run(dag, day)
    pii = _rows(
        "select dataset, column_name, entity, declared, sensitivity_too_low from pii_findings "
        f"where scan_date = '{DAYS[0]}'"
    )
    assert pii == [
        {"dataset": "user_feedback", "column_name": "reporter_email", "entity": "email", "declared": False,
         "sensitivity_too_low": True},
    ]  # fmt: skip
    (incident,) = _rows("select dataset, kind, status, opened_on, resolved_on from incidents")
    assert incident == {
        "dataset": "leads", "kind": "dq_failed", "status": "resolved",
        "opened_on": DAYS[1], "resolved_on": DAYS[2],
    }  # fmt: skip
    feedback = _rows("select feedback_date, count(*) as n from prediction_feedback group by 1 order by 1")
    assert [(r["feedback_date"], r["n"]) for r in feedback] == [(d, 5) for d in DAYS]
    assert [r["model"] for r in _rows("select model from impact_assessments")] == ["credit_risk"]
    before = _rows("select * from incidents")
    _run(dag, DAYS[2])
    assert _rows("select * from incidents") == [
        {**before[0], "updated_at": _rows("select * from incidents")[0]["updated_at"]}
    ]


def test_exports_one_refused_for_low_k_one_generalized(bag) -> None:
    states = _run(bag.get_dag("data_export"), DAYS[0])
    assert sorted(s for (task, _), s in states.items() if task == "run_export_task") == ["success", "success"]
    rows = {
        r["export_name"]: r
        for r in _rows("select export_name, status, k_before, k_measured, output_path from data_exports")
    }
    assert (rows["loans_to_bureau"]["status"], rows["loans_to_bureau"]["k_measured"]) == ("refused", 1)
    assert rows["loans_to_bureau"]["output_path"] is None
    research = rows["loans_research"]
    assert research["status"] == "generalized"
    assert research["k_before"] == 1 and int(research["k_measured"]) >= 10  # type: ignore[call-overload]
    assert Path(str(research["output_path"])).is_file()
