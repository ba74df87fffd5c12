"""The ROI review DAG run for real through Airflow (``dag.test()``) on hand-made cost rows and outcomes.

A manual run with ``period`` reviews that month: the review row, the mart rows and the HTML page land,
and the asset event names the period. A rerun replaces the period's rows exactly.
"""

from __future__ import annotations

import datetime as dt
import subprocess
import sys
from pathlib import Path

import pytest
import yaml

from steward import paths
from steward.warehouse import connect
from tests.unit.finance import _data

pytestmark = pytest.mark.integration


@pytest.fixture(scope="module")
def airflow_dag(tmp_path_factory: pytest.TempPathFactory, module_home: Path):
    tmp = tmp_path_factory.mktemp("roi")
    (tmp / "2026-11.yaml").write_text(_data.LEDGER_YAML)
    _data.write_outcomes(tmp / "lake", {dt.date(2026, 11, 2): (1000.0, 10), dt.date(2026, 11, 3): (900.0, 8)})
    registry = tmp / "governance.yaml"
    registry.write_text(yaml.safe_dump(_data.registry_doc(tmp / "lake", str(tmp / "{period}.yaml"))))
    with connect() as wh:
        wh.migrate()
        _data.load_costs(wh)
    subprocess.run(
        [str(Path(sys.executable).with_name("airflow")), "db", "migrate"], check=True, capture_output=True
    )
    from airflow.dag_processing.dagbag import DagBag

    from steward.airflow.demo import shorten_retries

    bag = DagBag(dag_folder=str(paths.project_dir() / "dags"))
    dag = bag.get_dag("roi_review")
    assert dag is not None, bag.import_errors
    shorten_retries(dag)
    return dag, registry


TABLES = (
    "finance_ledger_lines",
    "finance_tco",
    "finance_showback",
    "finance_unit_costs",
    "finance_roi",
    "finance_reviews",
)
# the ledger lines carry the run that loaded them, so source_run_ids names each run
SKIP = {
    "run_id",
    "computed_at",
    "reviewed_at",
    "report_path",
    "x_PipelineRunId",
    "x_IngestedAt",
    "source_run_ids",
}


def _snapshot() -> dict[str, list[tuple[str, ...]]]:
    with connect() as wh:
        return {
            t: sorted(
                tuple(str(v) for k, v in r.items() if k not in SKIP) for r in wh.fetch(f"select * from {t}")
            )
            for t in TABLES
        }


def test_a_manual_review_of_november_then_a_rerun(airflow_dag, monkeypatch: pytest.MonkeyPatch) -> None:
    dag, registry = airflow_dag
    monkeypatch.setenv("STEWARD_REGISTRY", str(registry))
    run = dag.test(logical_date=dt.datetime(2026, 12, 6, 6, tzinfo=dt.UTC), run_conf={"period": "2026-11"})
    states = {(ti.task_id, ti.map_index): str(ti.state) for ti in run.get_task_instances()}
    assert states == {("periods_to_review", -1): "success", ("review_period", 0): "success"}
    with connect() as wh:
        (review,) = wh.fetch("select period, total_effective_cost, report_path from finance_reviews")
    assert review["period"] == "2026-11"
    assert str(review["total_effective_cost"]).startswith("1615.5")  # 115.00 cloud + 1,500.50 ledger
    assert Path(str(review["report_path"])).is_file()
    first = _snapshot()
    assert len(first["finance_roi"]) == 2
    dag.test(logical_date=dt.datetime(2026, 12, 6, 7, tzinfo=dt.UTC), run_conf={"period": "2026-11"})
    assert _snapshot() == first
