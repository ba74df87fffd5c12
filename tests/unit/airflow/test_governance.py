"""Incident notices reach the registry's alert destinations (a local webhook receiver)."""

from __future__ import annotations

import datetime as dt

from steward.airflow.governance import notify_incidents
from steward.governance import evaluate_incidents
from steward.registry import Alerts
from tests.fixtures.webhook import Receiver
from tests.unit.governance.test_incidents import _breach, _registry, night


def test_opened_and_resolved_incidents_are_posted_once_each(webhook: Receiver, duckdb_url: str) -> None:
    from steward.warehouse import connect

    registry = _registry(persist_nights=1)
    alerts = Alerts(webhook_url=f"{webhook.url}/incidents")
    with connect(duckdb_url) as wh:
        wh.migrate()
        _breach(wh, 1)
        opened = evaluate_incidents(registry, night(1), warehouse=wh)
        assert notify_incidents(opened, alerts) == 1
        cleared = evaluate_incidents(registry, night(2), warehouse=wh)
        assert notify_incidents(cleared, alerts) == 1
        persisting = evaluate_incidents(registry, night(2) + dt.timedelta(days=1), warehouse=wh)
        assert notify_incidents(persisting, alerts) == 0  # nothing new: no notice
    assert [(path, body["event"], body["severity"], body["owner"]) for path, body in webhook.bodies] == [
        ("/incidents", "incident_opened", "critical", "risk@example.com"),
        ("/incidents", "incident_resolved", "critical", "risk@example.com"),
    ]
    assert webhook.bodies[1][1]["text"].startswith(
        "Steward incident resolved [critical] credit performance (auc)"
    )
