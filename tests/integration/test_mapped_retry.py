"""A mapped task that fails once and is retried keeps its dataset name, run for real with ``dag.test()``.

The probe DAG names its mapped task with Steward's own label (``data_quality.validate``'s
``map_index_template``, :func:`steward.airflow.context.mapped_label`): Airflow renders it from the
task's resolved arguments before the task's code runs, so try 2 knows its name from its first line,
and the task instance ends with it.
"""

from __future__ import annotations

from pathlib import Path

import pytest

from steward.airflow import context as ctx
from steward.airflow.data_quality import validate
from tests.fixtures.dag_probe import load_probe_dag, write_probe_dag

pytestmark = pytest.mark.integration

PROBE_DAG = '''
"""Probe: a mapped task with data_quality.validate's label that fails its first try on leads."""
import datetime as dt
import os

from airflow.sdk import dag, get_current_context, task

from steward.airflow.data_quality import validate


@dag(schedule=None, start_date=dt.datetime(2026, 11, 1, tzinfo=dt.UTC), catchup=False)
def mapped_retry_probe():
    @task
    def datasets():
        return ["leads", "loan_applications"]

    label = validate.kwargs["map_index_template"]

    @task(retries=1, retry_delay=dt.timedelta(seconds=0), map_index_template=label)
    def check(dataset):
        ti = get_current_context()["ti"]
        with open(os.environ["PROBE_SEEN"], "a") as f:  # what the try saw before its code did anything
            f.write(f"{dataset},{ti.try_number},{ti.rendered_map_index}\\n")
        if dataset == "leads" and ti.try_number == 1:
            raise RuntimeError("leads: the first try fails")
        return dataset

    check.expand(dataset=datasets())


mapped_retry_probe()
'''


def test_a_retried_mapped_task_keeps_its_name(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    from airflow.models import TaskInstance
    from airflow.utils.session import create_session

    assert validate.kwargs["map_index_template"] == ctx.mapped_label("dataset")
    seen = tmp_path / "seen.csv"
    monkeypatch.setenv("PROBE_SEEN", str(seen))
    dags = write_probe_dag(tmp_path, "mapped_retry_probe", PROBE_DAG, monkeypatch)

    run = load_probe_dag(dags, "mapped_retry_probe").test()

    assert str(run.state) == "success"
    # every try had its name before its code ran, the retried try 2 included
    assert sorted(seen.read_text().splitlines()) == [
        "leads,1,leads",
        "leads,2,leads",
        "loan_applications,1,loan_applications",
    ]
    with create_session() as session:
        tis = session.query(TaskInstance).filter_by(
            dag_id="mapped_retry_probe", run_id=run.run_id, task_id="check"
        )
        names = sorted((ti.map_index, ti.try_number, ti.rendered_map_index) for ti in tis)
    assert names == [(0, 2, "leads"), (1, 1, "loan_applications")]
