"""Telling someone when a night is late or failed: a webhook (and e-mail) notifier for Steward's DAGs.

Destinations come from the registry's ``alerts`` section (see ``include/governance.yaml``): the
Airflow connection ``alerts.webhook_conn_id`` (default ``steward_alerts_webhook``) when it exists,
``alerts.webhook_url``, and ``alerts.email`` through Airflow's SMTP provider. Three events send a notice:

- ``failure``: a task failed for good (:class:`StewardNotifier` as the tasks' ``on_failure_callback``);
- ``late_data``: a dataset's partition is still missing after its ``landing.expected_by``
  (sent by the validation task, :func:`send_alert`);
- ``late_run``: a run is not done ``alerts.dags.<dag>.late_after_hours`` after it was queued
  (Airflow's deadline alert, :func:`deadline_alerts` and :func:`late_run_alert`).

The JSON body carries ``event``, ``dag_id``, ``run_id``, ``task_id``, ``map_index``, ``subject`` (the
dataset or model of a mapped task), ``partition_date``, ``try_number``, ``message`` and ``text`` (one
line, so a Slack incoming webhook takes it as is). A notice that cannot be sent is logged, never
raised: a broken webhook must not hide the task's own failure. URLs are never logged (a webhook URL
is a secret); only the host is.
"""

from __future__ import annotations

import asyncio
import datetime as dt
import html
import json
import logging
import urllib.error
import urllib.parse
import urllib.request
from collections.abc import Mapping
from typing import TYPE_CHECKING, Any

from airflow.sdk import BaseNotifier

if TYPE_CHECKING:
    from steward.registry import Alerts

__all__ = [
    "StewardNotifier",
    "alert_payload",
    "deadline_alerts",
    "failure_callbacks",
    "late_run_alert",
    "send_alert",
    "webhook_urls",
]

log = logging.getLogger(__name__)

#: Seconds a webhook may take to answer.
TIMEOUT_S = 10.0


def _connection_url(conn_id: str) -> str | None:
    """Return the webhook URL held by the Airflow connection ``conn_id``, or None when there is none."""
    try:
        from airflow.sdk import Connection

        conn = Connection.get(conn_id)
    except Exception as exc:  # any lookup failure means "not configured here"
        log.debug("no Airflow connection %s (%s)", conn_id, exc)
        return None
    extra = conn.extra_dejson or {}
    if extra.get("url"):
        return str(extra["url"])
    host = (conn.host or "").strip()
    if not host:
        log.warning("connection %s has neither host nor extra.url: no webhook notice sent", conn_id)
        return None
    if host.startswith(("http://", "https://")):
        return host
    scheme = conn.schema if conn.schema in ("http", "https") else "https"
    port = f":{conn.port}" if conn.port else ""
    return f"{scheme}://{host}{port}{extra.get('endpoint', '')}"


def webhook_urls(alerts: Alerts) -> list[str]:
    """Return the webhook URLs a notice goes to: the connection's, then ``webhook_url`` (no duplicates)."""
    urls = [u for u in (_connection_url(alerts.webhook_conn_id), alerts.webhook_url) if u]
    return list(dict.fromkeys(urls))


def _post(url: str, payload: Mapping[str, Any], timeout_s: float) -> bool:
    host = urllib.parse.urlsplit(url).hostname or "?"
    request = urllib.request.Request(  # noqa: S310 - the scheme is checked: http(s) only
        url,
        data=json.dumps(payload, default=str).encode(),
        headers={"Content-Type": "application/json", "User-Agent": "steward-alerts"},
        method="POST",
    )
    if not url.startswith(("http://", "https://")):
        log.error("webhook URL for %s is not http(s): no notice sent", host)
        return False
    try:
        with urllib.request.urlopen(request, timeout=timeout_s) as response:  # noqa: S310 - http(s) only
            status = int(response.status)
    except (urllib.error.URLError, OSError) as exc:
        log.error("could not send the %s notice to the webhook at %s: %s", payload.get("event"), host, exc)
        return False
    log.info("sent the %s notice to the webhook at %s (HTTP %d)", payload.get("event"), host, status)
    return True


def _email(addresses: list[str], payload: Mapping[str, Any]) -> bool:
    try:
        from airflow.providers.smtp.notifications.smtp import SmtpNotifier

        body = "<br>".join(f"<b>{k}</b>: {html.escape(str(v))}" for k, v in payload.items() if k != "text")
        SmtpNotifier(to=addresses, subject=f"[steward] {payload.get('text', '')}"[:200], html_content=body)(
            dict(payload)
        )
    except Exception as exc:  # a broken mail server must not hide the task's own failure
        log.error("could not e-mail the %s notice: %s", payload.get("event"), exc)
        return False
    return True


def send_alert(
    payload: Mapping[str, Any], *, alerts: Alerts | None = None, timeout_s: float = TIMEOUT_S
) -> int:
    """Send ``payload`` to each destination of ``alerts`` (default: the registry's); return how many."""
    if alerts is None:
        from steward.registry import load_registry

        alerts = load_registry(check_suites=False).alerts
    sent = sum(_post(url, payload, timeout_s) for url in webhook_urls(alerts))
    if alerts.email:
        sent += _email(alerts.email, payload)
    if not sent:
        log.info("no alert destination took the %s notice (registry 'alerts' section)", payload.get("event"))
    return sent


def alert_payload(context: Mapping[str, Any], *, event: str, message: str | None = None) -> dict[str, Any]:
    """Build the notice for ``event`` from a task's Airflow context (missing keys become None)."""
    ti = context.get("ti") or context.get("task_instance")
    dag_run = context.get("dag_run")
    dag = context.get("dag")
    dag_id = getattr(dag, "dag_id", None) or getattr(dag_run, "dag_id", None) or getattr(ti, "dag_id", None)
    run_id = context.get("run_id") or getattr(dag_run, "run_id", None)
    task_id = getattr(ti, "task_id", None)
    map_index = getattr(ti, "map_index", None)
    # the dataset or model of a mapped task: its rendered map index once rendered (at the task's end),
    # before that the name the task put in its context for the map index template
    subject = (
        getattr(ti, "rendered_map_index", None)
        or context.get("steward_dataset")
        or context.get("steward_job")
    )
    params = context.get("params") or {}
    partition = params.get("date") if isinstance(params, Mapping) else None
    if partition is None and context.get("data_interval_start") is not None:
        partition = context["data_interval_start"].date().isoformat()
    if message is None:
        exc = context.get("exception")
        message = str(exc) if exc is not None else ""
    what = f"{dag_id}.{task_id}" + (f" [{subject}]" if subject else "")
    return {
        "event": event,
        "dag_id": dag_id,
        "run_id": run_id,
        "task_id": task_id,
        "map_index": map_index,
        "subject": subject,
        "partition_date": str(partition) if partition else None,
        "try_number": getattr(ti, "try_number", None),
        "message": message,
        "sent_at": dt.datetime.now(dt.UTC).isoformat(timespec="seconds"),
        "text": f"Steward {event}: {what} ({run_id}): {message}"[:3000],
    }


class StewardNotifier(BaseNotifier):
    """Airflow notifier that sends a task's failure to the registry's alert destinations.

    Parameters
    ----------
    event
        The notice's ``event`` (``failure`` for ``on_failure_callback``).
    alerts
        The destinations; default: read from the registry when the notice is sent.

    Examples
    --------
    >>> @task(on_failure_callback=[StewardNotifier()])  # doctest: +SKIP
    ... def validate(dataset: str): ...
    """

    def __init__(self, *, event: str = "failure", alerts: Alerts | None = None) -> None:
        super().__init__()
        self.event = event
        self.alerts = alerts

    def notify(self, context: Any) -> None:
        """Send the notice (errors are logged, never raised)."""
        send_alert(alert_payload(context, event=self.event), alerts=self.alerts)


def failure_callbacks(dag_id: str) -> list[StewardNotifier]:
    """Return the ``on_failure_callback`` list of ``dag_id``'s tasks (empty when its alerts say no).

    Read when the DAG file is parsed (a small YAML file); the destinations are read when a notice is sent.
    """
    from steward.registry import load_registry

    return [StewardNotifier()] if load_registry(check_suites=False).alerts.for_dag(dag_id).on_failure else []


async def late_run_alert(context: Mapping[str, Any] | None = None, dag_id: str = "") -> None:
    """Deadline-alert callback (runs in the triggerer): the run is not done in time."""
    run = dict((context or {}).get("dag_run") or {})
    deadline = dict((context or {}).get("deadline") or {})
    payload = {
        "event": "late_run",
        "dag_id": run.get("dag_id") or dag_id,
        "run_id": run.get("dag_run_id") or run.get("run_id"),
        "task_id": None,
        "map_index": None,
        "subject": None,
        "partition_date": (run.get("conf") or {}).get("date"),
        "try_number": None,
        "message": f"the run is not done by its deadline {deadline.get('deadline_time')}",
        "sent_at": dt.datetime.now(dt.UTC).isoformat(timespec="seconds"),
    }
    payload["text"] = f"Steward late_run: {payload['dag_id']} ({payload['run_id']}): {payload['message']}"
    await asyncio.to_thread(send_alert, payload)


def deadline_alerts(dag_id: str) -> list[Any]:
    """Return ``dag_id``'s deadline alerts: one when ``alerts.dags.<dag_id>.late_after_hours`` is set."""
    from steward.registry import load_registry

    hours = load_registry(check_suites=False).alerts.for_dag(dag_id).late_after_hours
    if hours is None:
        return []
    from airflow.sdk.definitions.callback import AsyncCallback
    from airflow.sdk.definitions.deadline import DeadlineAlert, DeadlineReference

    return [
        DeadlineAlert(
            reference=DeadlineReference.DAGRUN_QUEUED_AT,
            interval=dt.timedelta(hours=hours),
            callback=AsyncCallback(late_run_alert, kwargs={"dag_id": dag_id}),
            name=f"{dag_id}_late",
        )
    ]
