"""The retention DAG (erasure -> retention -> storage footprint) and the quarterly ESG extract run for real
through Airflow (``dag.test()``, as ``steward demo`` runs them) on the demo company's lead datasets."""

from __future__ import annotations

import datetime as dt
from pathlib import Path

import pyarrow.parquet as pq
import pytest

from steward.demo import DEMO_ERASURE_REQUESTS, generate
from steward.warehouse import connect

pytestmark = pytest.mark.integration

LEADS = ["leads", "lead_scoring_predictions", "lead_scoring_labels"]


def test_retention_nights_and_the_esg_extract(steward_home: Path) -> None:
    from steward.airflow.demo import run_demo

    generate(steward_home, days=14, rows_per_day=100, datasets=LEADS)
    with connect() as wh:
        wh.migrate()
        key = {"dataset": "leads", "partition_date": dt.date(2026, 11, 4)}
        wh.replace_partition("quarantine", key, [{"reason": "form_score nulls"}])  # under review: held
    lines: list[str] = []
    nights = [dt.date(2026, 11, 13), dt.date(2026, 11, 14)]

    states = run_demo(nights, dags=("retention",), quarterly=("esg_extract",), say=lines.append)

    assert states == {
        "retention": {"2026-11-13": "success", "2026-11-14": "success"},
        "esg_extract": {"2026Q4": "success"},
    }
    # leads keeps 9 days: before 11-04 on the 13th, before 11-05 on the 14th; 11-04 is quarantined
    lake = steward_home / "lake" / "leads"
    assert sorted(p.name for p in lake.iterdir())[:2] == ["date=2026-11-04", "date=2026-11-05"]
    archive = steward_home / "archive" / "leads"
    assert sorted(p.name for p in archive.iterdir()) == ["2026-11-01", "2026-11-02", "2026-11-03"]
    with connect() as wh:
        actions = wh.fetch(
            "select partition_label, action from retention_actions "
            "where dataset = 'leads' and location_kind = 'partition' order by partition_label, action"
        )
        requests = wh.fetch("select status from erasure_requests order by status")
        footprint = wh.fetch(
            "select snapshot_date, partitions from storage_footprint where dataset = 'leads' order by 1"
        )
        lineage = wh.fetch("select distinct task from lineage_edges order by task")
    assert [tuple(a.values()) for a in actions] == [
        ("2026-11-01", "archived"),
        ("2026-11-02", "archived"),
        ("2026-11-03", "archived"),
        ("2026-11-04", "held"),
    ]
    assert [r["status"] for r in requests] == ["completed", "subject_unknown"]
    subject = int(DEMO_ERASURE_REQUESTS[0][1])
    ids = pq.read_table(lake / "date=2026-11-05").column("lead_id").to_pylist()
    assert subject not in ids and subject + 1 in ids
    assert [(r["snapshot_date"].day, r["partitions"]) for r in footprint] == [
        (13, 11),
        (14, 11),
    ]  # 11-04 is held on both nights
    assert {"retention.erasure", "retention.retention"} <= {r["task"] for r in lineage}
    assert (steward_home / "reports" / "esg" / "2026Q4" / "esg_2026Q4.csv").is_file()
