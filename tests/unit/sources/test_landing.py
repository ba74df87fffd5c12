"""Waiting for late partitions: landed or not (files, tables), and when to look again as the clock runs."""

from __future__ import annotations

import datetime as dt
from pathlib import Path

import pytest

from steward.registry import Dataset, Landing
from steward.sources import landing_wait, partition_landed
from steward.warehouse import connect

DAY = dt.date(2026, 11, 4)
LANDING = Landing(expected_by="03:00", deadline="06:00", poke_minutes=10)


def _at(hh: int, mm: int) -> dt.datetime:
    return dt.datetime(2026, 11, 5, hh, mm, tzinfo=dt.UTC)  # the day after the partition


def test_a_file_present_is_landed_and_an_absent_one_is_not(tmp_path: Path) -> None:
    ds = Dataset.model_validate(
        {"name": "leads", "source": {"path": f"{tmp_path}/leads/date={{date}}/*.parquet"}, "owner": "t"}
    )
    assert partition_landed(ds, DAY) is False
    folder = tmp_path / "leads" / f"date={DAY}"
    folder.mkdir(parents=True)
    (folder / "part-0.parquet").write_bytes(b"corrupt")  # present: validation will say what is wrong
    assert partition_landed(ds, DAY) is True
    assert partition_landed(ds, DAY + dt.timedelta(days=1)) is False


def test_a_table_partition_is_landed_when_it_has_rows_of_the_day() -> None:
    ds = Dataset.model_validate(
        {"name": "leads", "source": {"table": "raw_leads"}, "partition_column": "event_date", "owner": "t"}
    )
    with connect("duckdb:///:memory:") as wh:
        assert partition_landed(ds, DAY, warehouse=wh) is False  # no table yet
        wh.execute("create table raw_leads (event_date date, x integer)")
        wh.execute("insert into raw_leads values (:d, 1)", {"d": DAY})
        assert partition_landed(ds, DAY, warehouse=wh) is True
        assert partition_landed(ds, DAY - dt.timedelta(days=1), warehouse=wh) is False


# (now, first look) -> (look again at, late notice now); None: past the deadline, fail now
SCHEDULE = {
    "run starts early: wait for expected_by": ((_at(2, 0), True), (_at(2, 10), False)),
    "last look before expected_by lands on it": ((_at(2, 55), False), (_at(3, 0), False)),
    "the look at expected_by is late": ((_at(3, 0), False), (_at(3, 10), True)),
    "a look slightly after it still is": ((_at(3, 4), False), (_at(3, 14), True)),
    "the next look is not late again": ((_at(3, 10), False), (_at(3, 20), False)),
    "a run that starts late says so at once": ((_at(4, 30), True), (_at(4, 40), True)),
    "the last look is at the deadline": ((_at(5, 55), False), (_at(6, 0), False)),
    "at the deadline: stop waiting": ((_at(6, 0), False), None),
    "backfill of an old night: fail at once": ((_at(23, 0) + dt.timedelta(days=20), True), None),
}


@pytest.mark.parametrize("case", list(SCHEDULE))
def test_look_again_schedule(case: str) -> None:
    (now, first), expected = SCHEDULE[case]
    wait = landing_wait(LANDING, "leads", DAY, now, first_look=first)
    if expected is None:
        assert wait is None
        return
    assert wait is not None
    assert (wait.until, wait.late) == expected


def test_the_wait_message_names_dataset_partition_and_times() -> None:
    wait = landing_wait(LANDING, "leads", DAY, _at(3, 30), first_look=False)
    assert wait is not None
    assert wait.message == (
        "dataset 'leads', partition 2026-11-04: late: not landed yet (expected by 2026-11-05 03:00 UTC); "
        "looking again at 03:40 UTC, waiting until the deadline 2026-11-05 06:00 UTC"
    )
