import datetime as dt
import json
from decimal import Decimal
from pathlib import Path
from typing import Any

from steward.finance import parse_period, workload_costs
from steward.registry import WorkloadRule
from steward.warehouse import Warehouse
from tests.unit.finance import _data

D = Decimal


def _line(cost: str, tags: dict[str, str], **extra: Any) -> dict[str, Any]:
    row = _data.cost_line(dt.date(2026, 11, 4), cost, cost)
    row.update({"Tags": json.dumps(tags), **extra, "x_SourceRowHash": f"{cost}-{tags}-{extra}"})
    return row


LEAD = {"BusinessUnit": "Marketing", "model": "Lead-Scoring"}  # the model's cost_tags, another spelling
LINES = [
    _line("5.00", LEAD, x_Operation="CreateTrainingJob", x_UsageType="USE1-Train:ml.g5.2xlarge"),
    _line("7.25", LEAD, x_Operation="RunInstance", x_UsageType="USE1-Host:ml.m5.xlarge"),
    _line("1.00", LEAD, x_Operation="StandardStorage", x_UsageType="USE1-TimedStorage-ByteHrs"),
    _line("2.50", {"model": "credit-risk"}, ChargeDescription="Vertex AI: Batch Prediction N1"),
    _line("9.99", {"team": "platform"}, x_Operation="CreateTrainingJob"),  # no model: shared, not here
]


def test_a_models_tagged_cost_by_workload(tmp_path: Path, warehouse: Warehouse) -> None:
    warehouse.replace_partition("cost_line_daily", {"x_SourceName": "test"}, LINES)
    reg = _data.registry(tmp_path, None)
    rows = workload_costs(warehouse, reg, parse_period("2026-11"))
    assert [(r["model"], r["workload"], r["effective_cost"]) for r in rows] == [
        ("credit_risk", "inference", D("2.5")),
        ("lead_scoring", "inference", D("7.25")),
        ("lead_scoring", "other", D("1")),
        ("lead_scoring", "training", D("5")),
    ]


def test_rules_come_from_the_registry(tmp_path: Path, warehouse: Warehouse) -> None:
    warehouse.replace_partition("cost_line_daily", {"x_SourceName": "test"}, LINES)
    reg = _data.registry(tmp_path, None, workloads=[{"workload": "training", "contains": ["storage"]}])
    assert reg.finance.workloads == [WorkloadRule(workload="training", contains=["storage"])]
    rows = workload_costs(warehouse, reg, parse_period("2026-11"))
    assert {(r["model"], r["workload"]): r["effective_cost"] for r in rows} == {
        ("credit_risk", "other"): D("2.5"),
        ("lead_scoring", "other"): D("12.25"),  # 5.00 + 7.25
        ("lead_scoring", "training"): D("1"),
    }
