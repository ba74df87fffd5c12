"""The ``steward`` CLI runs the same functions as the DAG tasks, for one dataset and day."""

from __future__ import annotations

import datetime as dt
import getpass
import subprocess
import sys
from pathlib import Path

import pytest

from steward.cli import main
from steward.demo import DEMO_START, generate
from steward.warehouse import connect


def test_every_command_has_help() -> None:
    for argv in (
        [],
        ["demo"],
        ["generate-demo"],
        ["registry", "check"],
        ["warehouse", "migrate"],
        ["warehouse", "query"],
        ["dq", "validate"],
        ["dq", "report"],
        ["lineage", "show"],
        ["airflow-ui"],
    ):
        out = subprocess.run(
            [sys.executable, "-m", "steward", *argv, "--help"], capture_output=True, text=True, check=True
        )
        assert "usage: steward" in out.stdout


def test_registry_check_lists_what_is_declared(capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["registry", "check"]) == 0
    out = capsys.readouterr().out
    assert "registry OK: 12 datasets, 2 models" in out
    assert "credit_risk" in out and "high" in out


def test_invalid_registry_exits_2(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    bad = tmp_path / "gov.yaml"
    bad.write_text('datasets:\n  - name: Leads\n    owner: x\n    source: {path: "a_{date}.csv"}\n')
    assert main(["registry", "check", "--registry", str(bad)]) == 2
    err = capsys.readouterr().err
    assert str(bad) in err and "datasets[0] (Leads).name" in err


def test_dq_validate_one_dataset_and_day(steward_home: Path, capsys: pytest.CaptureFixture[str]) -> None:
    generate(steward_home, days=4, rows_per_day=1000, datasets=["leads"])
    clean, nulls = DEMO_START, DEMO_START + dt.timedelta(days=3)
    assert main(["dq", "validate", "--dataset", "leads", "--date", clean.isoformat()]) == 0
    assert "PASSED" in capsys.readouterr().out
    assert main(["dq", "validate", "--dataset", "leads", "--date", nulls.isoformat()]) == 1
    out = capsys.readouterr().out
    assert "FAILED" in out and "form_score" in out and "report:" in out
    with connect() as wh:
        rows = wh.fetch("select partition_date, status from dq_runs order by partition_date")
    assert [(r["partition_date"], r["status"]) for r in rows] == [(clean, "passed"), (nulls, "failed")]
    assert main(["dq", "report"]) == 0
    assert (steward_home / "reports" / "data_quality" / "index.html").is_file()
    # each command recorded what it read, as the OS user, and the partitions it wrote
    with connect() as wh:
        access = wh.fetch("select actor, task, dataset, partition_label from dataset_access order by 4")
        targets = wh.fetch(
            "select distinct target_name from lineage_edges where source_partition = :p", {"p": str(clean)}
        )
    assert [tuple(r.values()) for r in access] == [
        (getpass.getuser(), "steward dq validate", "leads", str(clean)),
        (getpass.getuser(), "steward dq validate", "leads", str(nulls)),
    ]
    assert {"dq_runs", "dq_results"} <= {r["target_name"] for r in targets}


def test_lineage_show_answers_by_partition_and_by_model(
    steward_home: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    assert main(["lineage", "show", "--partition", "credit_risk_predictions", "2026-11-04"]) == 0
    assert capsys.readouterr().out.split() == ["credit_risk", "declared"]  # nothing ran: the registry says
    assert main(["lineage", "show", "--model", "lead_scoring"]) == 0
    assert "(no rows)" in capsys.readouterr().out
    assert main(["lineage", "show", "--partition", "nope", "2026-11-04"]) == 2
    assert "dataset 'nope' is not registered" in capsys.readouterr().err
    assert main(["lineage", "show", "--partition", "leads", "11/04"]) == 2
    assert "the date must be YYYY-MM-DD" in capsys.readouterr().err


def test_bad_date_is_refused(capsys: pytest.CaptureFixture[str]) -> None:
    with pytest.raises(SystemExit):
        main(["dq", "validate", "--date", "yesterday"])
    assert "expected a date YYYY-MM-DD" in capsys.readouterr().err


@pytest.mark.parametrize(
    "sql",
    [
        "drop table quarantine",
        "delete from quarantine",
        "select 1; drop table quarantine",
        "commit; set transaction read write; drop table quarantine",
        "with gone as (delete from quarantine returning *) select count(*) from gone",
    ],
)
def test_warehouse_query_is_read_only(
    warehouse_url: str, sql: str, capsys: pytest.CaptureFixture[str]
) -> None:
    key = {"dataset": "leads", "partition_date": dt.date(2026, 11, 20)}
    with connect(warehouse_url) as wh:
        wh.migrate()
        wh.replace_partition("quarantine", key, [{"reason": "nulls in score"}])
    assert main(["warehouse", "query", sql, "--url", warehouse_url]) == 2
    captured = capsys.readouterr()
    assert captured.out == ""
    lines = captured.err.strip().splitlines()
    assert len(lines) == 1
    assert lines[0].startswith("steward: error: read-only query failed")
    assert "Fix: run a single read-only query" in lines[0]
    with connect(warehouse_url) as wh:
        assert wh.fetch("select reason from quarantine") == [{"reason": "nulls in score"}]
    assert main(["warehouse", "query", "select reason from quarantine", "--url", warehouse_url]) == 0
    assert capsys.readouterr().out == '{"reason": "nulls in score"}\n'


@pytest.mark.parametrize(
    "argv",
    [
        ["dq", "validate", "--date", "0001-11-20"],
        ["monitor", "run", "--date", "9999-12-31"],
        ["monitor", "run", "--date", "2100-12-30", "--days", "3"],
        ["costs", "ingest", "--date", "0001-01-01"],
        ["costs", "allocate", "--date", "2026-11-01", "--date", "9999-01-01"],
        ["carbon", "estimate", "--date", "0001-01-01"],
        ["costs", "spend", "--start", "2026-11-01", "--end", "9999-12-31"],
    ],
)
def test_dates_outside_the_range_exit_2_before_the_warehouse_is_touched(
    tmp_path: Path, argv: list[str], capsys: pytest.CaptureFixture[str]
) -> None:
    path = tmp_path / "wh.duckdb"
    with connect(f"duckdb:///{path}") as wh:
        wh.migrate()
        wh.replace_partition(
            "quarantine", {"dataset": "leads", "partition_date": dt.date(2026, 11, 20)}, [{"reason": "r"}]
        )
    before = path.read_bytes()
    assert main([*argv, "--url", f"duckdb:///{path}"]) == 2
    err = capsys.readouterr().err.strip().splitlines()
    assert len(err) == 1
    assert "is outside the dates Steward accepts (1970-01-01..2100-12-31)" in err[0]
    assert path.read_bytes() == before  # not even opened for writing
    fresh = tmp_path / "fresh.duckdb"
    assert main([*argv, "--url", f"duckdb:///{fresh}"]) == 2
    assert not fresh.exists()


def test_a_failed_commands_lineage_never_hides_its_error(
    tmp_path: Path, caplog: pytest.LogCaptureFixture
) -> None:
    import argparse

    from steward._tracking import Read, Tracker
    from steward.cli import _record_cli_lineage
    from steward.warehouse import WarehouseError

    tracker = Tracker([Read("leads", "2026-11-04", ("a.parquet",), "f")])
    args = argparse.Namespace(command="dq", sub="validate", url=f"duckdb:///{tmp_path}")  # a folder: unusable
    _record_cli_lineage(args, tracker, failing=True)
    assert "the lineage of this failed command was not recorded" in caplog.text
    with pytest.raises(WarehouseError):
        _record_cli_lineage(args, tracker)
