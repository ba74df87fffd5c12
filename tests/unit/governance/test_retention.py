"""Retention on both backends: partitions and derived rows past retention go (or are archived), holds
keep theirs with the reason, everything is recorded, a dry run touches nothing, a rerun changes nothing."""

from __future__ import annotations

import datetime as dt
import os
from pathlib import Path

import pyarrow as pa
import pyarrow.parquet as pq
import pytest
import yaml

from steward import paths
from steward.governance import run_retention
from steward.registry import Registry, RegistryError, load_registry
from steward.warehouse import Warehouse

START = dt.date(2026, 11, 1)
AS_OF = dt.date(2026, 11, 8)  # retention_days 3: days before 11-05 go
NOW = dt.datetime(2026, 11, 8, 3, tzinfo=dt.UTC)


def _registry(tmp_path: Path, **retention: object) -> Registry:
    doc = yaml.safe_load((paths.include_dir() / "governance.yaml").read_text(encoding="utf-8"))
    leads = next(d for d in doc["datasets"] if d["name"] == "leads")
    leads["source"]["path"] = str(tmp_path / "lake" / "leads" / "date={date}" / "*.parquet")
    leads["retention_days"] = 3
    leads["retention"] = {"legal_basis": "GDPR Art. 6(1)(f)", "region": "EU", "derived_days": 2, **retention}
    doc["governance"] = {"archive_dir": str(tmp_path / "archive")}
    file = tmp_path / "governance.yaml"
    file.write_text(yaml.safe_dump(doc, sort_keys=False), encoding="utf-8")
    return load_registry(file, check_suites=False)


@pytest.fixture
def lake(tmp_path: Path) -> dict[dt.date, Path]:
    files = {}
    for i in range(6):
        day = START + dt.timedelta(days=i)
        folder = tmp_path / "lake" / "leads" / f"date={day}"
        folder.mkdir(parents=True)
        pq.write_table(pa.table({"lead_id": list(range(i + 1))}), folder / "part-0.parquet")
        files[day] = folder / "part-0.parquet"
    return files


def _dq_rows(wh: Warehouse) -> None:
    for i in range(6):
        day = START + dt.timedelta(days=i)
        row = {
            "suite": "leads",
            "expectation_type": "x",
            "severity": "critical",
            "run_id": "r",
            "validated_at": NOW,
        }
        wh.replace_partition("dq_results", {"dataset": "leads", "partition_date": day}, [row, row])
    quarantined = {"dataset": "leads", "partition_date": dt.date(2026, 11, 3)}
    wh.replace_partition("quarantine", quarantined, [{"reason": "critical expectations failed"}])


def _actions(wh: Warehouse, run_id: str) -> list[tuple[object, ...]]:
    rows = wh.fetch(
        "select location_kind, partition_label, action, rows_removed, bytes_removed, dry_run "
        "from retention_actions where run_id = :r order by location_kind, partition_label",
        {"r": run_id},
    )
    return [tuple(r.values()) for r in rows]


def test_retention_removes_what_is_past_and_keeps_what_is_held(
    warehouse: Warehouse, tmp_path: Path, lake: dict[dt.date, Path]
) -> None:
    registry = _registry(
        tmp_path, holds=[{"start": "2026-11-02", "end": "2026-11-02", "reason": "litigation"}]
    )
    _dq_rows(warehouse)
    size = {d: os.path.getsize(f) for d, f in lake.items()}  # measured before anything goes

    out = run_retention(registry, AS_OF, warehouse=warehouse, run_id="ret1", datasets=["leads"])

    # raw: 11-01..11-04 are past 3 days; 11-02 has a hold, 11-03 is quarantined. derived: before 11-06.
    assert _actions(warehouse, "ret1") == [
        ("partition", "2026-11-01", "deleted", None, size[START], False),
        ("partition", "2026-11-02", "held", None, None, False),
        ("partition", "2026-11-03", "held", None, None, False),
        ("partition", "2026-11-04", "deleted", None, size[dt.date(2026, 11, 4)], False),
        ("table", "2026-11-01", "deleted", 2, None, False),
        ("table", "2026-11-02", "held", None, None, False),
        ("table", "2026-11-03", "held", None, None, False),
        ("table", "2026-11-04", "deleted", 2, None, False),
        ("table", "2026-11-05", "deleted", 2, None, False),
    ]
    assert [d for d, f in lake.items() if f.exists()] == [START + dt.timedelta(days=i) for i in (1, 2, 4, 5)]
    assert not lake[START].parent.exists()  # the emptied partition folder goes too
    left = warehouse.fetch("select partition_date, count(*) as n from dq_results group by 1 order by 1")
    assert [(r["partition_date"].day, r["n"]) for r in left] == [(2, 2), (3, 2), (6, 2)]
    reasons = {i.partition_label: i.reason for i in out.items if i.location_kind == "partition"}
    assert reasons["2026-11-02"] == "hold: litigation"
    assert "quarantined" in reasons["2026-11-03"]
    assert "GDPR Art. 6(1)(f)" in reasons["2026-11-01"] and "region EU" in reasons["2026-11-01"]
    assert out.summary() == "retention 2026-11-08 (run ret1): 5 item(s) removed, 4 held"

    # the same run again: nothing more goes, and its records stay as they were
    before = _actions(warehouse, "ret1")
    again = run_retention(registry, AS_OF, warehouse=warehouse, run_id="ret1", datasets=["leads"])
    assert again.count("deleted") == 0 and _actions(warehouse, "ret1") == before


def test_a_dry_run_lists_what_would_go_and_touches_nothing(
    warehouse: Warehouse, tmp_path: Path, lake: dict[dt.date, Path]
) -> None:
    registry = _registry(tmp_path)
    _dq_rows(warehouse)
    out = run_retention(registry, AS_OF, warehouse=warehouse, run_id="dry1", dry_run=True, datasets=["leads"])
    assert {i.action for i in out.items} == {"would_delete", "held"}
    assert all(f.exists() for f in lake.values())
    assert warehouse.fetch("select count(*) as n from dq_results") == [{"n": 12}]
    assert {row[-1] for row in _actions(warehouse, "dry1")} == {True}


def test_archive_moves_the_partition_files_to_the_archive_folder(
    warehouse: Warehouse, tmp_path: Path, lake: dict[dt.date, Path]
) -> None:
    registry = _registry(tmp_path, action="archive")
    run_retention(registry, AS_OF, warehouse=warehouse, run_id="arc1", datasets=["leads"])
    archived = tmp_path / "archive" / "leads" / "2026-11-01" / "part-0.parquet"
    assert pq.read_table(archived).column("lead_id").to_pylist() == [0]
    assert not lake[START].exists()


def test_bad_retention_keys_are_one_clear_error(tmp_path: Path) -> None:
    with pytest.raises(RegistryError, match=r"leads.*retention.*keep_days"):
        _registry(tmp_path, keep_days=3)
    with pytest.raises(RegistryError, match=r"ends .* before it starts"):
        _registry(tmp_path, holds=[{"start": "2026-11-05", "end": "2026-11-01", "reason": "x"}])


def test_the_cli_dry_run_prints_what_would_go(
    tmp_path: Path, lake: dict[dt.date, Path], duckdb_url: str, capsys: pytest.CaptureFixture[str]
) -> None:
    from steward.cli import main

    _registry(tmp_path)
    argv = ["retention", "run", "--dry-run", "--date", "2026-11-08", "--dataset", "leads"]
    assert main([*argv, "--url", duckdb_url, "--registry", str(tmp_path / "governance.yaml")]) == 0
    out = capsys.readouterr().out.splitlines()
    assert out[0].startswith("would_delete  leads 2026-11-01 ") and "GDPR Art. 6(1)(f)" in out[0]
    assert out[-1].startswith("retention 2026-11-08 (dry run cli__") and out[-1].endswith(
        "4 item(s) would go, 0 held"
    )
    assert all(f.exists() for f in lake.values())
    assert main(["retention", "run", "--dataset", "nope", "--url", duckdb_url]) == 2
    assert "dataset 'nope' is not registered" in capsys.readouterr().err
