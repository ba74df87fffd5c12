"""Registry keys for landing times and alerts: read as documented, mistakes named with the key and the fix."""

from __future__ import annotations

import datetime as dt
from pathlib import Path
from typing import Any

import pytest
import yaml

from steward import paths
from steward.registry import RegistryError, load_registry

GOVERNANCE = paths.include_dir() / "governance.yaml"


@pytest.fixture
def base_doc() -> dict[str, Any]:
    return yaml.safe_load(GOVERNANCE.read_text(encoding="utf-8"))


def _load(tmp_path: Path, doc: dict[str, Any] | str) -> Any:
    file = tmp_path / "governance.yaml"
    file.write_text(doc if isinstance(doc, str) else yaml.safe_dump(doc, sort_keys=False), encoding="utf-8")
    return load_registry(file)


def test_landing_times_are_utc_on_the_day_after_the_partition(
    base_doc: dict[str, Any], tmp_path: Path
) -> None:
    base_doc["datasets"][0]["landing"] = {"expected_by": "03:00", "deadline": "09:30", "poke_minutes": 5}
    landing = _load(tmp_path, base_doc).dataset("leads").landing
    assert landing is not None
    day = dt.date(2026, 11, 30)
    assert landing.expected_at(day) == dt.datetime(2026, 12, 1, 3, 0, tzinfo=dt.UTC)
    assert landing.deadline_at(day) == dt.datetime(2026, 12, 1, 9, 30, tzinfo=dt.UTC)
    assert landing.poke_minutes == 5


def test_unquoted_times_in_yaml_read_as_clock_times(base_doc: dict[str, Any], tmp_path: Path) -> None:
    # YAML 1.1 reads an unquoted 03:00 as the base-60 integer 180: it must still mean 03:00, not an error.
    text = yaml.safe_dump(base_doc, sort_keys=False)
    text = text.replace(
        "  cadence: daily\n", "  cadence: daily\n  landing: {expected_by: 03:00, deadline: 23:45}\n", 1
    )
    landing = _load(tmp_path, text).datasets[0].landing
    assert (landing.expected_by, landing.deadline) == (dt.time(3, 0), dt.time(23, 45))


def test_no_landing_and_default_alerts_when_the_registry_says_nothing(
    base_doc: dict[str, Any], tmp_path: Path
) -> None:
    registry = _load(tmp_path, base_doc)
    assert all(d.landing is None for d in registry.datasets)
    assert registry.alerts.webhook_conn_id == "steward_alerts_webhook"
    assert registry.alerts.webhook_url is None
    assert registry.alerts.for_dag("data_quality").on_failure is True
    assert registry.alerts.for_dag("data_quality").late_after_hours is None
    assert registry.models[0].monitoring.catch_up_days == 7


def test_alerts_per_dag(base_doc: dict[str, Any], tmp_path: Path) -> None:
    base_doc["alerts"] = {
        "webhook_url": "http://127.0.0.1:9/hook",
        "email": ["oncall@northwind.example"],
        "dags": {"model_monitoring": {"on_failure": False, "late_after_hours": 6}},
    }
    alerts = _load(tmp_path, base_doc).alerts
    assert alerts.for_dag("model_monitoring").on_failure is False
    assert alerts.for_dag("model_monitoring").late_after_hours == 6
    assert alerts.for_dag("data_quality").on_failure is True
    assert alerts.email == ["oncall@northwind.example"]


BAD = {
    "deadline before expected": (
        lambda d: d["datasets"][0].update(landing={"expected_by": "06:00", "deadline": "05:00"}),
        [
            "datasets[0] (leads).landing",
            "deadline 05:00 is before expected_by 06:00",
            "set deadline at or after",
        ],
    ),
    "not a time": (
        lambda d: d["datasets"][0].update(landing={"expected_by": "3am", "deadline": "05:00"}),
        ["datasets[0] (leads).landing.expected_by", "expected a time of day 'HH:MM' (UTC", "'3am'"],
    ),
    "landing on a snapshot": (
        lambda d: d["datasets"][1].update(landing={"expected_by": "03:00", "deadline": "05:00"}),
        ["datasets[1] (lead_scoring_training)", "'landing' applies to daily datasets only"],
    ),
    "unknown dag": (
        lambda d: d.update(alerts={"dags": {"data_qualty": {}}}),
        ["alerts.dags", "unknown DAG id(s) ['data_qualty']", "'data_quality'"],
    ),
    "webhook url without scheme": (
        lambda d: d.update(alerts={"webhook_url": "hooks.example/x"}),
        ["alerts.webhook_url", "must start with http:// or https://"],
    ),
    "bad email": (
        lambda d: d.update(alerts={"email": ["oncall"]}),
        ["alerts.email", "not e-mail addresses: ['oncall']"],
    ),
    "catch-up negative": (
        lambda d: d["models"][0].setdefault("monitoring", {}).update(catch_up_days=-1),
        ["models[0] (lead_scoring).monitoring.catch_up_days"],
    ),
}


@pytest.mark.parametrize("case", list(BAD))
def test_bad_schedule_keys_name_the_key_and_the_fix(
    case: str, base_doc: dict[str, Any], tmp_path: Path
) -> None:
    edit, fragments = BAD[case]
    edit(base_doc)
    with pytest.raises(RegistryError) as info:
        _load(tmp_path, base_doc)
    for fragment in fragments:
        assert fragment in str(info.value), (fragment, str(info.value))
