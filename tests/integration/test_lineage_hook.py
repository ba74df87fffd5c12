"""Every Steward task records its lineage through one plumbing hook, ``steward.airflow.context.warehouse()``:
a real Airflow task run by ``dag.test()`` leaves its edges and access rows under its run id and task."""

from __future__ import annotations

import datetime as dt
import json
import subprocess
from pathlib import Path

import pyarrow as pa
import pyarrow.parquet as pq
import pytest

from steward.warehouse import connect
from tests.fixtures.dag_probe import airflow_cli, load_probe_dag, write_probe_dag

pytestmark = pytest.mark.integration

DAY = dt.date(2026, 11, 4)

PROBE_DAG = '''
"""A task that reads one partition of leads and writes one warehouse partition."""
import datetime as dt
import os

from airflow.sdk import dag, task


@dag(dag_id="lineage_probe", schedule=None, start_date=dt.datetime(2026, 11, 1, tzinfo=dt.UTC))
def lineage_probe():
    @task
    def probe():
        from steward.airflow import context as ctx
        from steward.registry import load_registry
        from steward.sources import partition_files

        day = dt.date(2026, 11, 4)
        ds = load_registry(check_suites=False).dataset("leads")
        source = ds.source.model_copy(update={"path": os.environ["PROBE_LAKE"] + "/date={date}/*.parquet"})
        with ctx.warehouse() as wh:
            partition_files(ds.model_copy(update={"source": source}), day)
            key = {"dataset": "leads", "partition_date": day}
            wh.replace_partition("quarantine", key, [{"reason": "probe"}])

    probe()


lineage_probe()
'''


@pytest.fixture
def probe(tmp_path: Path, duckdb_url: str, monkeypatch: pytest.MonkeyPatch) -> Path:
    """A one-partition lake, the probe DAG in its own bundle, the warehouse URL: the probe's environment."""
    folder = tmp_path / "lake" / f"date={DAY}"
    folder.mkdir(parents=True)
    pq.write_table(pa.table({"lead_id": [1]}), folder / "part-0.parquet")
    monkeypatch.setenv("STEWARD_WAREHOUSE_URL", duckdb_url)
    monkeypatch.setenv("PROBE_LAKE", str(tmp_path / "lake"))
    write_probe_dag(tmp_path, "lineage_probe", PROBE_DAG, monkeypatch)
    return tmp_path


def test_a_task_run_by_airflow_records_what_it_read_and_wrote(probe: Path, duckdb_url: str) -> None:
    run = load_probe_dag(probe / "dags", "lineage_probe").test()

    assert str(run.state) == "success"
    with connect(duckdb_url) as wh:
        edges = wh.fetch("select run_id, task, source_name, source_partition, target_name from lineage_edges")
        access = wh.fetch("select actor, dataset, partition_label from dataset_access")
    assert [tuple(r.values()) for r in edges] == [
        (run.run_id, "lineage_probe.probe", "leads", "2026-11-04", "quarantine")
    ]
    assert [tuple(r.values()) for r in access] == [("airflow:lineage_probe", "leads", "2026-11-04")]


def test_the_task_emits_openlineage_events_with_its_datasets(
    probe: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    events_file = probe / "openlineage.jsonl"
    transport = {"type": "file", "log_file_path": str(events_file), "append": True}
    monkeypatch.setenv("AIRFLOW__OPENLINEAGE__TRANSPORT", json.dumps(transport))
    command = [airflow_cli(), "dags", "test", "lineage_probe", "2026-11-05"]
    done = subprocess.run(command, capture_output=True, text=True, check=False)
    assert done.returncode == 0, done.stderr[-2000:]
    events = [json.loads(line) for line in events_file.read_text(encoding="utf-8").splitlines() if line]
    complete = [
        e for e in events if e["eventType"] == "COMPLETE" and e["job"]["name"] == "lineage_probe.probe"
    ]
    assert len(complete) == 1, [(e["eventType"], e["job"]["name"]) for e in events]
    assert [(d["namespace"], d["name"]) for d in complete[0]["inputs"]] == [
        ("steward://datasets", "leads/2026-11-04")
    ]
    assert [(d["namespace"], d["name"]) for d in complete[0]["outputs"]] == [
        ("steward://warehouse", "quarantine")
    ]
