"""The validation task waits for a late partition: reschedule until the deadline, one late notice to a
local webhook, then validation as before (which fails with the "has not landed" message)."""

from __future__ import annotations

import datetime as dt
from pathlib import Path
from typing import Any

import pytest
import yaml
from airflow.sdk.exceptions import AirflowRescheduleException

from steward import paths
from steward.airflow.data_quality import wait_for_landing
from steward.registry import Registry, load_registry
from tests.fixtures.webhook import Receiver

DAY = dt.date(2026, 11, 4)


def _at(hh: int, mm: int) -> dt.datetime:
    return dt.datetime(2026, 11, 5, hh, mm, tzinfo=dt.UTC)


@pytest.fixture
def registry(steward_home: Path, tmp_path: Path, webhook: Receiver) -> Registry:
    doc = yaml.safe_load((paths.include_dir() / "governance.yaml").read_text(encoding="utf-8"))
    doc["datasets"][0]["landing"] = {"expected_by": "03:00", "deadline": "06:00", "poke_minutes": 15}
    doc["alerts"] = {"webhook_conn_id": "no_such_conn", "webhook_url": f"{webhook.url}/alerts"}
    file = tmp_path / "governance.yaml"
    file.write_text(yaml.safe_dump(doc, sort_keys=False), encoding="utf-8")
    return load_registry(file)


def _context(reschedules: int = 0) -> dict[str, Any]:
    return {"run_id": "scheduled__2026-11-04T02:00:00+00:00", "task_reschedule_count": reschedules}


def test_missing_partition_before_expected_by_waits_quietly(registry: Registry, webhook: Receiver) -> None:
    with pytest.raises(AirflowRescheduleException) as info:
        wait_for_landing(_context(), registry, "leads", DAY, now=_at(2, 50))
    assert info.value.reschedule_date == _at(3, 0)  # looks again exactly at expected_by
    assert webhook.bodies == []


def test_the_look_at_expected_by_sends_one_late_notice(registry: Registry, webhook: Receiver) -> None:
    with pytest.raises(AirflowRescheduleException) as info:
        wait_for_landing(_context(reschedules=3), registry, "leads", DAY, now=_at(3, 0))
    assert info.value.reschedule_date == _at(3, 15)
    with pytest.raises(AirflowRescheduleException):
        wait_for_landing(_context(reschedules=4), registry, "leads", DAY, now=_at(3, 15))
    ((path, body),) = webhook.bodies  # the second look sent nothing
    assert path == "/alerts"
    assert body["event"] == "late_data"
    assert body["message"].startswith("dataset 'leads', partition 2026-11-04: late: not landed yet")


def test_at_the_deadline_the_task_validates(registry: Registry, webhook: Receiver) -> None:
    assert wait_for_landing(_context(reschedules=12), registry, "leads", DAY, now=_at(6, 0)) is None
    assert webhook.bodies == []


def test_a_landed_partition_or_a_dataset_without_landing_never_waits(
    registry: Registry, steward_home: Path, webhook: Receiver
) -> None:
    # lead_scoring_predictions declares no landing: a missing partition fails at once, as before
    assert wait_for_landing(_context(), registry, "lead_scoring_predictions", DAY, now=_at(2, 0)) is None
    folder = steward_home / "lake" / "leads" / f"date={DAY}"
    folder.mkdir(parents=True)
    (folder / "part-0.parquet").write_bytes(b"x")
    assert wait_for_landing(_context(), registry, "leads", DAY, now=_at(2, 0)) is None
    assert webhook.bodies == []
