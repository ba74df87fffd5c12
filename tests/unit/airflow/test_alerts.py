"""Alert notices reach a real HTTP receiver (and SMTP server) on 127.0.0.1: failure, late data, late runs, the
Airflow connection's URL, and a dead webhook that is logged (without its secret URL) instead of raised."""

from __future__ import annotations

import asyncio
import datetime as dt
import email
import json
import logging
import socket
import threading
import warnings
from pathlib import Path
from types import SimpleNamespace
from typing import Any

import pytest
import yaml

from steward import paths
from steward.airflow.alerts import (
    StewardNotifier,
    alert_payload,
    deadline_alerts,
    failure_callbacks,
    late_run_alert,
    send_alert,
    webhook_urls,
)
from steward.registry import Alerts
from tests.fixtures.webhook import Receiver


def _closed_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])  # closed when the block ends: nothing listens there


def _context(**extra: Any) -> dict[str, Any]:
    ti = SimpleNamespace(
        dag_id="data_quality", task_id="validate", map_index=2, rendered_map_index="leads", try_number=1
    )
    return {
        "ti": ti,
        "run_id": "scheduled__2026-11-30T02:00:00+00:00",
        "params": {"date": None},
        "data_interval_start": dt.datetime(2026, 11, 30, 2, tzinfo=dt.UTC),
        **extra,
    }


def test_failure_notice_reaches_the_webhook(webhook: Receiver) -> None:
    error = RuntimeError(
        "dataset 'leads', partition 2026-11-30: no file matches ...: the partition has not landed"
    )
    notifier = StewardNotifier(
        alerts=Alerts(webhook_conn_id="no_such_conn", webhook_url=f"{webhook.url}/hook")
    )
    notifier(_context(exception=error))
    assert len(webhook.bodies) == 1
    path, body = webhook.bodies[0]
    assert path == "/hook"
    assert {k: body[k] for k in ("event", "dag_id", "run_id", "task_id", "map_index", "subject")} == {
        "event": "failure",
        "dag_id": "data_quality",
        "run_id": "scheduled__2026-11-30T02:00:00+00:00",
        "task_id": "validate",
        "map_index": 2,
        "subject": "leads",
    }
    assert body["partition_date"] == "2026-11-30"  # from the data interval when no date param is given
    assert body["message"] == str(error)
    assert body["text"].startswith("Steward failure: data_quality.validate [leads] (scheduled__")


def test_a_running_task_is_named_by_the_key_its_map_index_template_reads() -> None:
    # while the task runs, Airflow has not rendered the map index yet: the task's own context key names it
    running = _context(steward_dataset="billing_aws")
    running["ti"].rendered_map_index = None
    assert alert_payload(running, event="late_data", message="late")["subject"] == "billing_aws"
    job = _context(steward_job="credit_risk 2026-11-30")
    job["ti"].rendered_map_index = None
    assert alert_payload(job, event="failure")["subject"] == "credit_risk 2026-11-30"


def test_the_date_param_names_the_partition() -> None:
    payload = alert_payload(_context(params={"date": "2026-11-12"}), event="late_data", message="late")
    assert (payload["partition_date"], payload["message"], payload["event"]) == (
        "2026-11-12",
        "late",
        "late_data",
    )


def test_the_airflow_connection_names_the_url(webhook: Receiver, monkeypatch: pytest.MonkeyPatch) -> None:
    conn = {"conn_type": "http", "extra": {"url": f"{webhook.url}/from-connection"}}
    monkeypatch.setenv("AIRFLOW_CONN_STEWARD_ALERTS_WEBHOOK", json.dumps(conn))
    alerts = Alerts(webhook_url=f"{webhook.url}/from-registry")
    assert webhook_urls(alerts) == [f"{webhook.url}/from-connection", f"{webhook.url}/from-registry"]
    assert send_alert({"event": "failure", "text": "x"}, alerts=alerts) == 2
    assert sorted(p for p, _ in webhook.bodies) == ["/from-connection", "/from-registry"]


def test_host_and_port_of_a_connection(monkeypatch: pytest.MonkeyPatch) -> None:
    conn = {"conn_type": "http", "host": "hooks.example", "port": 8443, "extra": {"endpoint": "/steward"}}
    monkeypatch.setenv("AIRFLOW_CONN_STEWARD_ALERTS_WEBHOOK", json.dumps(conn))
    assert webhook_urls(Alerts()) == ["https://hooks.example:8443/steward"]


def test_no_destination_sends_nothing_and_raises_nothing(caplog: pytest.LogCaptureFixture) -> None:
    caplog.set_level(logging.INFO, logger="steward.airflow.alerts")
    assert send_alert({"event": "failure"}, alerts=Alerts(webhook_conn_id="no_such_conn")) == 0
    assert "no alert destination took the failure notice" in caplog.text


def test_a_dead_webhook_is_logged_without_its_url(caplog: pytest.LogCaptureFixture) -> None:
    url = f"http://127.0.0.1:{_closed_port()}/services/T000/SECRET-TOKEN"
    caplog.set_level(logging.INFO, logger="steward.airflow.alerts")
    notifier = StewardNotifier(alerts=Alerts(webhook_conn_id="no_such_conn", webhook_url=url))
    notifier(_context(exception=ValueError("boom")))  # must not raise
    assert "could not send the failure notice to the webhook at 127.0.0.1" in caplog.text
    assert "SECRET-TOKEN" not in caplog.text


def _registry_with(tmp_path: Path, alerts: dict[str, Any]) -> Path:
    doc = yaml.safe_load((paths.include_dir() / "governance.yaml").read_text(encoding="utf-8"))
    doc["alerts"] = alerts
    file = tmp_path / "governance.yaml"
    file.write_text(yaml.safe_dump(doc, sort_keys=False), encoding="utf-8")
    return file


def test_per_dag_settings_build_callbacks_and_deadline_alerts(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    from airflow.sdk import AsyncCallback, DeadlineAlert, DeadlineReference

    monkeypatch.setenv(
        "STEWARD_REGISTRY",
        str(
            _registry_with(tmp_path, {"dags": {"data_quality": {"late_after_hours": 6, "on_failure": False}}})
        ),
    )
    assert failure_callbacks("data_quality") == []
    assert [type(c) for c in failure_callbacks("model_monitoring")] == [StewardNotifier]
    assert deadline_alerts("model_monitoring") == []
    (alert,) = deadline_alerts("data_quality")
    assert isinstance(alert, DeadlineAlert)
    assert alert.reference == DeadlineReference.DAGRUN_QUEUED_AT
    assert alert.interval == dt.timedelta(hours=6)
    assert isinstance(alert.callback, AsyncCallback)
    assert alert.callback.path == "steward.airflow.alerts.late_run_alert"
    assert alert.callback.kwargs == {"dag_id": "data_quality"}


def test_late_run_callback_posts_from_the_deadline_context(
    webhook: Receiver, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv(
        "STEWARD_REGISTRY",
        str(
            _registry_with(
                tmp_path, {"webhook_conn_id": "no_such_conn", "webhook_url": f"{webhook.url}/late"}
            )
        ),
    )
    # the context Airflow's scheduler hands a deadline callback (models/deadline.py, handle_miss)
    context = {
        "dag_run": {
            "dag_id": "data_quality",
            "dag_run_id": "scheduled__2026-11-30T02:00:00+00:00",
            "conf": {},
        },
        "deadline": {"id": "x", "deadline_time": "2026-12-01T08:00:00+00:00"},
    }
    asyncio.run(late_run_alert(context, dag_id="data_quality"))
    ((path, body),) = webhook.bodies
    assert path == "/late"
    assert (body["event"], body["dag_id"], body["run_id"]) == (
        "late_run",
        "data_quality",
        "scheduled__2026-11-30T02:00:00+00:00",
    )
    assert "2026-12-01T08:00:00+00:00" in body["message"]


def test_email_goes_through_airflows_smtp_connection(monkeypatch: pytest.MonkeyPatch) -> None:
    with warnings.catch_warnings():  # the standard library's small SMTP server, deprecated but enough here
        warnings.simplefilter("ignore", DeprecationWarning)
        import asyncore
        import smtpd

    received: list[tuple[str, list[str], str]] = []

    class Server(smtpd.SMTPServer):
        def process_message(self, peer: Any, mailfrom: str, rcpttos: list[str], data: Any, **kw: Any) -> None:
            received.append((mailfrom, rcpttos, data))

    server = Server(("127.0.0.1", 0), None, decode_data=True)
    loop = threading.Thread(target=asyncore.loop, kwargs={"timeout": 0.1}, daemon=True)
    loop.start()
    try:
        port = server.socket.getsockname()[1]
        extra = {"from_email": "steward@northwind.example", "disable_tls": True, "disable_ssl": True}
        conn = {"conn_type": "smtp", "host": "127.0.0.1", "port": port, "extra": extra}
        monkeypatch.setenv("AIRFLOW_CONN_SMTP_DEFAULT", json.dumps(conn))
        payload = alert_payload(_context(exception=ValueError("<b>bad</b> partition")), event="failure")
        alerts = Alerts(webhook_conn_id="no_such_conn", email=["oncall@northwind.example"])
        assert send_alert(payload, alerts=alerts) == 1
    finally:
        server.close()
        loop.join(timeout=5)
    ((sender, recipients, data),) = received
    assert (sender, recipients) == ("steward@northwind.example", ["oncall@northwind.example"])
    message = email.message_from_string(data)
    assert str(message["Subject"]).startswith("[steward] Steward failure: data_quality.validate [leads]")
    (part,) = [p for p in message.walk() if p.get_content_type() == "text/html"]
    body = part.get_payload(decode=True).decode()
    assert "<b>subject</b>: leads" in body
    assert "&lt;b&gt;bad&lt;/b&gt; partition" in body  # the message is escaped, never HTML
