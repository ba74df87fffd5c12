"""DAG integrity: every DAG imports, carries its governance metadata, and stays cheap to parse."""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

import pytest

from steward import paths

DAGS_DIR = paths.project_dir() / "dags"
DAG_FILES = sorted(p for p in DAGS_DIR.glob("*.py") if not p.name.startswith("_"))
HEAVY = ["pandas", "great_expectations", "sklearn", "scipy", "duckdb", "boto3", "google.cloud", "pyarrow"]


@pytest.fixture(scope="module")
def dagbag():
    from airflow.dag_processing.dagbag import DagBag

    return DagBag(dag_folder=str(DAGS_DIR))


def test_dag_files_exist() -> None:
    assert [p.name for p in DAG_FILES] == sorted(
        ["carbon.py", "cloud_costs.py", "data_quality.py", "model_monitoring.py"]
    )


def test_no_import_errors(dagbag) -> None:
    assert dagbag.import_errors == {}
    assert set(dagbag.dag_ids) == {"carbon", "cloud_costs", "data_quality", "model_monitoring"}


def test_every_dag_is_governed(dagbag) -> None:
    for dag_id, dag in dagbag.dags.items():
        assert dag.tags, f"{dag_id} has no tags"
        assert dag.doc_md and len(dag.doc_md) > 100, f"{dag_id} has no doc_md"
        for t in dag.tasks:
            assert t.owner not in ("", "airflow"), f"{dag_id}.{t.task_id} has no owner"
            assert t.retries >= 2, f"{dag_id}.{t.task_id} retries={t.retries}"


@pytest.mark.parametrize("dag_file", DAG_FILES, ids=lambda p: p.name)
def test_parsing_imports_no_heavy_library(dag_file: Path) -> None:
    code = (
        "import json, runpy, sys\n"
        f"runpy.run_path({str(dag_file)!r})\n"
        f"print(json.dumps(sorted(m for m in {HEAVY!r} if m in sys.modules)))\n"
    )
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True)
    loaded = json.loads(out.stdout.strip().splitlines()[-1])
    assert loaded == [], f"parsing {dag_file.name} imported {loaded}"


#: Tasks that call cloud APIs (billing and carbon providers): each must end even if a client hangs.
CLOUD_TASKS = {("cloud_costs", "ingest_source"), ("carbon", "load_provider")}


def test_tasks_that_call_clouds_have_an_execution_timeout_above_the_fetch_budget(dagbag) -> None:
    import datetime as dt

    from steward.registry._cost_sources import MAX_TIME_BUDGET_S

    found = set()
    for dag_id, dag in dagbag.dags.items():
        for t in dag.tasks:
            if (dag_id, t.task_id) not in CLOUD_TASKS:
                continue
            found.add((dag_id, t.task_id))
            timeout = t.execution_timeout
            assert timeout is not None, f"{dag_id}.{t.task_id} has no execution_timeout"
            # the fetch's own time budget (at most MAX_TIME_BUDGET_S) ends first, with a clearer error
            assert dt.timedelta(seconds=MAX_TIME_BUDGET_S) < timeout <= dt.timedelta(hours=4), (
                f"{dag_id}.{t.task_id} execution_timeout={timeout}"
            )
    assert found == CLOUD_TASKS


def test_carbon_runs_after_the_nights_costs_are_allocated(dagbag) -> None:
    # carbon estimates read cost_line_daily: a clock schedule could run before costs load (0 kg, "success")
    carbon, costs = dagbag.dags["carbon"], dagbag.dags["cloud_costs"]
    condition = carbon.timetable.asset_condition
    consumed = {condition.name}
    produced = {o.name for o in costs.get_task("allocate_costs").outlets}
    assert consumed == {"cost_allocated_daily"} and consumed <= produced
