"""validate_partition on real partitions, real GX, and both warehouse backends."""

from __future__ import annotations

import datetime as dt
import json
from pathlib import Path

import pyarrow as pa
import pyarrow.parquet as pq
import pytest

from steward.quality import load_suite, referenced_columns, validate_partition
from steward.quality._suites import SuiteError
from steward.registry import parse_registry

DAY = dt.date(2026, 11, 4)

SUITE = {
    "name": "orders",
    "expectations": [
        {
            "type": "expect_column_values_to_not_be_null",
            "kwargs": {"column": "order_id"},
            "severity": "critical",
        },
        {"type": "expect_column_values_to_be_unique", "kwargs": {"column": "order_id"}},
        {
            "type": "expect_column_values_to_be_between",
            "kwargs": {"column": "amount_usd", "min_value": 0, "max_value": 1000},
            "severity": "warning",
        },
        {
            "type": "expect_column_values_to_be_in_set",
            "kwargs": {"column": "channel", "value_set": ["web", "store"]},
            "severity": "info",
        },
    ],
}


@pytest.fixture
def project(tmp_path: Path, monkeypatch: pytest.MonkeyPatch):
    """A one-dataset project: its own expectations folder and lake."""
    exp_dir = tmp_path / "expectations"
    exp_dir.mkdir()
    (exp_dir / "orders.json").write_text(json.dumps(SUITE))
    monkeypatch.setattr("steward.paths.expectations_dir", lambda: exp_dir)
    registry = parse_registry(
        {
            "datasets": [
                {
                    "name": "orders",
                    "source": {"path": f"{tmp_path}/lake/orders/date={{date}}/*.parquet"},
                    "owner": "sales",
                }
            ]
        },
        expectations_dir=exp_dir,
    )

    def write(rows: dict, day: dt.date = DAY) -> Path:
        path = tmp_path / "lake" / "orders" / f"date={day}" / "part-0.parquet"
        path.parent.mkdir(parents=True, exist_ok=True)
        pq.write_table(pa.table(rows), path)
        return path

    return registry, write, tmp_path / "reports"


GOOD = {"order_id": [1, 2, 3, 4], "amount_usd": [10.0, 20.0, 30.0, 40.0], "channel": ["web"] * 4}


def _rows(wh, table: str) -> list[dict]:
    return wh.fetch(f"select * from {table} order by partition_date, dataset")


def test_clean_partition_passes(project, warehouse) -> None:
    registry, write, reports = project
    write(GOOD)
    out = validate_partition(registry, "orders", DAY, warehouse=warehouse, run_id="r1", reports_dir=reports)
    assert out.status == "passed" and out.ok and not out.quarantined
    assert out.row_count == 4 and out.evaluated == 4 and out.failed == 0
    results = warehouse.fetch("select * from dq_results order by expectation_id")
    assert [r["expectation_type"] for r in results] == [e["type"] for e in SUITE["expectations"]]
    assert {r["severity"] for r in results} == {"critical", "warning", "info"}
    assert all(r["success"] is True for r in results)
    assert _rows(warehouse, "quarantine") == []
    assert Path(out.report_path).is_file()
    assert "all 4 expectations passed" in Path(out.report_path).read_text()


def test_warning_is_recorded_without_failing(project, warehouse) -> None:
    registry, write, reports = project
    write({**GOOD, "amount_usd": [10.0, 20.0, 30.0, 4000.0], "channel": ["web", "web", "phone", "store"]})
    out = validate_partition(registry, "orders", DAY, warehouse=warehouse, run_id="r1", reports_dir=reports)
    assert out.status == "warning" and out.ok
    assert (out.warning_failed, out.critical_failed, out.failed) == (1, 0, 2)  # the info failure counts too
    row = warehouse.fetch(
        "select * from dq_results where expectation_type = 'expect_column_values_to_be_between'"
    )[0]
    assert row["success"] is False and row["unexpected_count"] == 1
    assert row["unexpected_percent"] == pytest.approx(25.0)
    assert _rows(warehouse, "quarantine") == []


def test_critical_failure_quarantines(project, warehouse) -> None:
    registry, write, reports = project
    write({**GOOD, "order_id": [1, 2, 2, None]})
    out = validate_partition(registry, "orders", DAY, warehouse=warehouse, run_id="r1", reports_dir=reports)
    assert out.status == "failed" and out.quarantined and not out.ok
    assert out.critical_failed == 2
    assert "'orders'" in out.message and "2026-11-04" in out.message
    assert "order_id: expect_column_values_to_not_be_null" in out.message
    q = _rows(warehouse, "quarantine")
    assert [(r["dataset"], r["partition_date"]) for r in q] == [("orders", DAY)]
    run = _rows(warehouse, "dq_runs")[0]
    assert (run["status"], run["critical_failed"]) == ("failed", 2)


def test_renamed_column_names_the_likely_new_name(project, warehouse) -> None:
    registry, write, reports = project
    # amount_usd is used only by a warning-severity check: its absence is a warning, not a quarantine
    write({"order_id": [1, 2], "amount_usd_v2": [1.0, 2.0], "channel": ["web", "web"]})
    out = validate_partition(registry, "orders", DAY, warehouse=warehouse, run_id="r1", reports_dir=reports)
    assert out.status == "warning" and not out.quarantined
    assert "passed with 1 warning(s)" in out.message
    assert "column 'amount_usd' is missing (renamed to 'amount_usd_v2'?)" in out.message
    assert out.message.count("is missing") == 1 and "error:" not in out.message  # said once, not GX text
    run = _rows(warehouse, "dq_runs")[0]
    assert (run["status"], run["warning_failed"], run["critical_failed"]) == ("warning", 1, 0)
    assert _rows(warehouse, "quarantine") == []


def test_a_missing_column_used_by_a_critical_check_quarantines_with_agreeing_counts(
    project, warehouse
) -> None:
    registry, write, reports = project
    write({"id": [1, 2], "amount_usd": [1.0, 2.0], "channel": ["web", "web"]})
    out = validate_partition(registry, "orders", DAY, warehouse=warehouse, run_id="r1", reports_dir=reports)
    assert out.status == "failed" and out.quarantined
    # order_id is used by the critical not-null check and by the unique check (critical by default)
    assert out.critical_failed == 2 and "failed 2 critical check(s)" in out.message
    assert out.message.count("column 'order_id' is missing") == 2
    run = _rows(warehouse, "dq_runs")[0]
    assert (run["critical_failed"], run["expectations_failed"]) == (2, out.failed)
    assert "failed 2 critical check(s)" in Path(out.report_path).read_text()


def test_failed_checks_keep_a_sample_of_unexpected_values(project, warehouse) -> None:
    registry, write, reports = project
    write({**GOOD, "channel": ["web", "phone", "phone", "fax"]})
    out = validate_partition(registry, "orders", DAY, warehouse=warehouse, run_id="r1", reports_dir=reports)
    row = warehouse.fetch("select unexpected_sample_json from dq_results where column_name = 'channel'")[0]
    assert json.loads(row["unexpected_sample_json"]) == [
        {"value": "phone", "count": 2},
        {"value": "fax", "count": 1},
    ]
    assert "e.g. 'phone' x2, 'fax' x1" in out.failed_expectations[0]
    assert "<code>phone</code>&times;2" in Path(out.report_path).read_text()

    secret = registry.model_copy(
        update={"datasets": [registry.datasets[0].model_copy(update={"sensitivity": "restricted"})]}
    )
    out = validate_partition(secret, "orders", DAY, warehouse=warehouse, run_id="r2", reports_dir=reports)
    row = warehouse.fetch("select unexpected_sample_json from dq_results where column_name = 'channel'")[0]
    assert json.loads(row["unexpected_sample_json"]) == [
        {"value": "<masked: restricted>", "count": 2},
        {"value": "<masked: restricted>", "count": 1},
    ]
    report = Path(out.report_path).read_text()
    assert "phone" not in report and "phone" not in out.message


def test_missing_partition_is_an_error_not_a_quarantine(project, warehouse) -> None:
    registry, _write, reports = project
    out = validate_partition(registry, "orders", DAY, warehouse=warehouse, run_id="r1", reports_dir=reports)
    assert out.status == "error" and not out.quarantined
    assert "has not landed" in out.message
    assert _rows(warehouse, "dq_runs")[0]["status"] == "error"
    assert _rows(warehouse, "quarantine") == []


def test_rerun_replaces_and_a_fixed_batch_leaves_quarantine(project, warehouse) -> None:
    registry, write, reports = project
    write({**GOOD, "order_id": [1, 1, 2, 3]})
    validate_partition(registry, "orders", DAY, warehouse=warehouse, run_id="r1", reports_dir=reports)
    write(GOOD, day=DAY + dt.timedelta(days=1))
    validate_partition(
        registry, "orders", DAY + dt.timedelta(days=1), warehouse=warehouse, run_id="r1", reports_dir=reports
    )
    assert len(_rows(warehouse, "quarantine")) == 1
    # the producer fixes the batch; the rerun replaces that partition's rows only
    write(GOOD)
    out = validate_partition(registry, "orders", DAY, warehouse=warehouse, run_id="r2", reports_dir=reports)
    assert out.status == "passed"
    assert _rows(warehouse, "quarantine") == []
    counts = warehouse.fetch("select partition_date, count(*) as n from dq_results group by 1 order by 1")
    assert [int(c["n"]) for c in counts] == [4, 4]
    runs = _rows(warehouse, "dq_runs")
    assert [(r["run_id"], r["status"]) for r in runs] == [("r2", "passed"), ("r1", "passed")]
    # the audit log keeps the history: the quarantine of r1 stays beside the rerun's pass
    audit = warehouse.fetch("select subject_id, action, run_id from audit_log order by subject_id, run_id")
    assert [(a["subject_id"], a["action"], a["run_id"]) for a in audit] == [
        ("orders/2026-11-04", "quarantine", "r1"),
        ("orders/2026-11-04", "validate:passed", "r2"),
        ("orders/2026-11-05", "validate:passed", "r1"),
    ]
    latest = warehouse.fetch("select subject_id, action from audit_log_latest order by subject_id")
    assert [(a["subject_id"], a["action"]) for a in latest] == [
        ("orders/2026-11-04", "validate:passed"),
        ("orders/2026-11-05", "validate:passed"),
    ]
    # a retry (attempt 2) of the same run is its own event; the same attempt again replaces itself
    for attempt in (2, 2):
        validate_partition(
            registry, "orders", DAY, warehouse=warehouse, run_id="r2", reports_dir=reports, attempt=attempt
        )
    attempts = warehouse.fetch(
        "select attempt from audit_log where subject_id = 'orders/2026-11-04' and run_id = 'r2' order by 1"
    )
    assert [a["attempt"] for a in attempts] == [1, 2]


def test_dataset_severity_is_the_suites_default(project, warehouse, monkeypatch) -> None:
    registry, write, reports = project
    lenient = registry.model_copy(
        update={"datasets": [registry.datasets[0].model_copy(update={"severity": "warning"})]}
    )
    write({**GOOD, "order_id": [1, 1, 2, 3]})  # breaks the uniqueness check, which sets no severity
    out = validate_partition(lenient, "orders", DAY, warehouse=warehouse, run_id="r1", reports_dir=reports)
    assert out.status == "warning" and not out.quarantined
    row = warehouse.fetch(
        "select severity from dq_results where expectation_type = 'expect_column_values_to_be_unique'"
    )
    assert row == [{"severity": "warning"}]


def test_suite_errors_are_explained(tmp_path: Path) -> None:
    with pytest.raises(SuiteError, match="not found"):
        load_suite("nope", tmp_path)
    (tmp_path / "bad.json").write_text("{not json")
    with pytest.raises(SuiteError, match="not valid JSON"):
        load_suite("bad", tmp_path)
    (tmp_path / "sev.json").write_text(json.dumps({"expectations": [{"type": "x", "severity": "fatal"}]}))
    with pytest.raises(SuiteError, match="use critical, warning or info"):
        load_suite("sev", tmp_path)


def test_referenced_columns() -> None:
    assert referenced_columns(SUITE) == ["order_id", "amount_usd", "channel"]
