"""Erasure on both backends: a subject's rows leave every lake partition and warehouse table that
declares the identifier, the other rows stay exactly as they were, each location searched is evidence,
an unknown subject is recorded as such, and the report proves completion."""

from __future__ import annotations

import datetime as dt
from pathlib import Path

import pyarrow as pa
import pyarrow.parquet as pq
import pytest
import yaml

from steward import paths
from steward.governance import request_erasure, run_erasure, subject_digest
from steward.registry import Registry, load_registry
from steward.warehouse import Warehouse

DEADLINE = dt.date(2026, 12, 15)
NOW = dt.datetime(2026, 11, 20, 9, tzinfo=dt.UTC)
IDS = {dt.date(2026, 11, 1): [5, 7, 9], dt.date(2026, 11, 2): [7, 11]}


@pytest.fixture
def registry(tmp_path: Path, warehouse: Warehouse, steward_home: Path) -> Registry:
    # steward_home: the other datasets that declare lead_id point at an empty lake, whatever other
    # tests of the session generated in the shared STEWARD_HOME
    for day, ids in IDS.items():
        folder = tmp_path / "lake" / f"date={day}"
        folder.mkdir(parents=True)
        pq.write_table(pa.table({"lead_id": ids, "score": [i / 100 for i in ids]}), folder / "part-0.parquet")
    warehouse.execute("create table crm_contacts (contact_lead text, email text)")
    warehouse.execute(
        "insert into crm_contacts values ('7', 'a@x.example'), ('7', 'b@x.example'), ('8', 'c')"
    )
    doc = yaml.safe_load((paths.include_dir() / "governance.yaml").read_text(encoding="utf-8"))
    leads = next(d for d in doc["datasets"] if d["name"] == "leads")
    leads["source"]["path"] = str(tmp_path / "lake" / "date={date}" / "*.parquet")
    leads["identifier_columns"] = {"lead_id": "lead_id"}
    crm = {
        "name": "crm_contacts",
        "owner": "crm@x.example",
        "cadence": "snapshot",
        "source": {"table": "crm_contacts"},
    }
    doc["datasets"].append(crm | {"identifier_columns": {"lead_id": "contact_lead"}})
    file = tmp_path / "governance.yaml"
    file.write_text(yaml.safe_dump(doc, sort_keys=False), encoding="utf-8")
    return load_registry(file, check_suites=False)


def _ids(tmp_path: Path) -> dict[str, list[int]]:
    return {
        day.isoformat(): pq.read_table(tmp_path / "lake" / f"date={day}" / "part-0.parquet")
        .column("lead_id")
        .to_pylist()
        for day in IDS
    }


def test_a_subject_is_erased_everywhere_with_evidence(
    registry: Registry, warehouse: Warehouse, tmp_path: Path
) -> None:
    rid = request_erasure(
        warehouse, registry, "7", dataset_key="lead_id", deadline=DEADLINE, requested_by="dpo"
    )
    (out,) = run_erasure(
        registry, warehouse=warehouse, run_id="er-run-1", reports_dir=tmp_path / "reports", now=NOW
    )

    assert _ids(tmp_path) == {"2026-11-01": [5, 9], "2026-11-02": [11]}  # the others, in their order
    scores = (
        pq.read_table(tmp_path / "lake" / "date=2026-11-01" / "part-0.parquet").column("score").to_pylist()
    )
    assert scores == [0.05, 0.09]
    assert warehouse.fetch("select contact_lead, email from crm_contacts") == [
        {"contact_lead": "8", "email": "c"}
    ]
    assert (out.request_id, out.status, out.rows_removed) == (rid, "completed", 4)
    assert sorted(
        (e.location_kind, Path(e.location).parent.name or e.location, e.rows_removed) for e in out.evidence
    ) == [
        ("partition", "date=2026-11-01", 1),
        ("partition", "date=2026-11-02", 1),
        ("table", "crm_contacts", 2),
    ]
    request = warehouse.fetch("select subject_sha256, status, run_id, deadline from erasure_requests")
    assert request == [
        {
            "subject_sha256": subject_digest("7"),
            "status": "completed",
            "run_id": "er-run-1",
            "deadline": DEADLINE,
        }
    ]
    md, html = out.report_paths
    assert (
        "status: **completed**" in md.read_text()
        and "| table `crm_contacts` | contact_lead | 2 |" in md.read_text()
    )
    assert "completed" in html.read_text()
    assert f"subject sha256: `{subject_digest('7')}`" in md.read_text()
    # carried out: a rerun handles nothing, and the same request again does not reopen it
    assert (
        run_erasure(registry, warehouse=warehouse, run_id="er-run-2", reports_dir=tmp_path / "reports") == []
    )
    again = request_erasure(
        warehouse, registry, "7", dataset_key="lead_id", deadline=DEADLINE, requested_by="dpo"
    )
    assert (
        again == rid and run_erasure(registry, warehouse=warehouse, run_id="r3", reports_dir=tmp_path) == []
    )


def test_an_unknown_subject_is_recorded_as_such(
    registry: Registry, warehouse: Warehouse, tmp_path: Path
) -> None:
    request_erasure(warehouse, registry, "404", dataset_key="lead_id", deadline=DEADLINE, requested_by="dpo")
    (out,) = run_erasure(registry, warehouse=warehouse, run_id="er-run-1", reports_dir=tmp_path / "reports")
    assert out.status == "subject_unknown" and out.rows_removed == 0
    assert len(out.evidence) == 3  # every location searched is evidence, 0 rows included
    assert _ids(tmp_path) == {d.isoformat(): ids for d, ids in IDS.items()}
    assert warehouse.fetch("select status from erasure_requests") == [{"status": "subject_unknown"}]


def test_an_undeclared_identifier_kind_is_refused_naming_the_declared_ones(
    registry: Registry, warehouse: Warehouse
) -> None:
    with pytest.raises(ValueError, match=r"--dataset-key 'email'.*declared: \['lead_id'\]"):
        request_erasure(
            warehouse, registry, "a@x.example", dataset_key="email", deadline=DEADLINE, requested_by="x"
        )
    assert warehouse.fetch("select count(*) as n from erasure_requests") == [{"n": 0}]


def test_the_cli_records_and_carries_out_a_request(
    registry: Registry, warehouse_url: str, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    from steward.cli import main

    reg = ["--registry", str(tmp_path / "governance.yaml")]
    args = ["erasure", "request", "9", "--dataset-key", "lead_id", "--deadline", "2026-12-15"]
    assert main([*args, "--url", warehouse_url, *reg]) == 0
    assert "recorded (deadline 2026-12-15)" in capsys.readouterr().out
    assert main(["erasure", "run", "--url", warehouse_url, *reg]) == 0
    assert "completed, 1 row(s) removed from 1 of 3 location(s) searched" in capsys.readouterr().out
    assert _ids(tmp_path)["2026-11-01"] == [5, 7]
