"""DAG integrity: every DAG imports, carries its governance metadata, and stays cheap to parse."""

from __future__ import annotations

import json
import os
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
        [
            "carbon.py",
            "cloud_costs.py",
            "data_export.py",
            "data_quality.py",
            "esg_extract.py",
            "governance_nightly.py",
            "model_lifecycle.py",
            "model_monitoring.py",
            "model_retraining.py",
            "retention.py",
            "retraining_trigger.py",
            "roi_review.py",
        ]
    )


def test_no_import_errors(dagbag) -> None:
    assert dagbag.import_errors == {}
    assert set(dagbag.dag_ids) == {
        "carbon",
        "cloud_costs",
        "data_export",
        "data_quality",
        "esg_extract",
        "governance_nightly",
        "model_lifecycle",
        "model_monitoring",
        "model_retraining",
        "retention",
        "retraining_trigger",
        "roi_review",
    }


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


def test_warehouse_tasks_queue_in_the_local_pool_and_alert_on_failure(dagbag) -> None:
    # tests/conftest.py applies the local setup, which names the one-slot pool for the DuckDB file
    from steward.airflow.alerts import StewardNotifier

    assert os.environ["STEWARD_WAREHOUSE_POOL"] == "steward_warehouse"
    registry_only = {("data_quality", "nightly_datasets")}  # reads the registry, never the warehouse
    for dag_id in ("data_quality", "model_monitoring"):
        for t in dagbag.dags[dag_id].tasks:
            pool = "default_pool" if (dag_id, t.task_id) in registry_only else "steward_warehouse"
            assert t.pool == pool, f"{dag_id}.{t.task_id} pool={t.pool}"
            callbacks = t.on_failure_callback or []
            assert [type(c) for c in callbacks] == [StewardNotifier], f"{dag_id}.{t.task_id}"


def test_without_the_pool_setting_tasks_use_the_default_pool(tmp_path: Path) -> None:
    # a PostgreSQL team leaves STEWARD_WAREHOUSE_POOL unset: the DAG files then name no pool
    code = (
        "import os, runpy\n"
        "os.environ.pop('STEWARD_WAREHOUSE_POOL', None)\n"
        f"ns = runpy.run_path({str(DAGS_DIR / 'data_quality.py')!r})\n"
        "print(sorted({t.pool for t in ns['data_quality']().tasks}))\n"
    )
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True)
    assert out.stdout.strip().splitlines()[-1] == "['default_pool']"


def test_a_late_after_hours_setting_gives_the_dag_a_deadline_alert_that_serializes(tmp_path: Path) -> None:
    import yaml

    doc = yaml.safe_load((paths.include_dir() / "governance.yaml").read_text(encoding="utf-8"))
    doc["alerts"] = {"dags": {"data_quality": {"late_after_hours": 6}}}
    registry = tmp_path / "governance.yaml"
    registry.write_text(yaml.safe_dump(doc, sort_keys=False), encoding="utf-8")
    code = (
        "import json, runpy\n"
        "from airflow.serialization.serialized_objects import DagSerialization\n"
        f"dag = runpy.run_path({str(DAGS_DIR / 'data_quality.py')!r})['data_quality']()\n"
        "data = DagSerialization.to_dict(dag)\n"  # what the DAG processor stores
        "(alert,) = dag.deadline\n"
        "stored = 'deadline' in data['dag']\n"
        "print(json.dumps([alert.interval.total_seconds(), alert.callback.path, stored]))\n"
    )
    env = {**os.environ, "STEWARD_REGISTRY": str(registry)}
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True, env=env)
    assert json.loads(out.stdout.strip().splitlines()[-1]) == [
        6 * 3600.0,
        "steward.airflow.alerts.late_run_alert",
        True,
    ]


def test_cost_and_carbon_failures_alert_too(dagbag) -> None:
    from steward.airflow.alerts import StewardNotifier

    for dag_id in ("cloud_costs", "carbon"):
        for t in dagbag.dags[dag_id].tasks:
            assert [type(c) for c in t.on_failure_callback or []] == [StewardNotifier], (
                f"{dag_id}.{t.task_id}"
            )
