"""When data is expected, how long the night waits for it, and who is told when a night is late or fails.

``Landing`` belongs to a dataset: its partition for day D is expected by ``expected_by`` and given up
at ``deadline``, both times of day (UTC) on D + 1. ``Alerts`` is the registry's top-level ``alerts``
section: where notices go (a webhook through an Airflow connection or a URL, e-mail through Airflow's
SMTP provider) and, per DAG, whether failures are sent and when a run counts as late.
"""

from __future__ import annotations

import datetime as dt
import re
from typing import Annotated, Any

from pydantic import BeforeValidator, Field, field_validator, model_validator

from steward.registry._base import Strict

__all__ = ["Alerts", "DagAlerts", "Landing", "STEWARD_DAGS", "TimeOfDay"]

#: The DAGs Steward ships (``dags/``): keys of ``alerts.dags`` must be one of them.
STEWARD_DAGS = (
    "carbon",
    "cloud_costs",
    "data_export",
    "data_quality",
    "esg_extract",
    "governance_nightly",
    "model_lifecycle",
    "model_monitoring",
    "model_retraining",
    "retention",
    "retraining_trigger",
    "roi_review",
)

_HHMM = re.compile(r"^([01]?\d|2[0-3]):([0-5]\d)$")


def _time_of_day(value: Any) -> Any:
    """Read ``"HH:MM"``; YAML 1.1 reads an unquoted ``03:00`` as the base-60 integer 180 (minutes)."""
    if isinstance(value, bool):
        raise ValueError(f"expected a time of day 'HH:MM' (UTC), got {value!r}")
    if isinstance(value, int):
        if not 0 <= value < 24 * 60:
            raise ValueError(f"expected a time of day 'HH:MM' (UTC), got {value!r}")
        return dt.time(value // 60, value % 60)
    if isinstance(value, str):
        match = _HHMM.match(value.strip())
        if not match:
            raise ValueError(f"expected a time of day 'HH:MM' (UTC, 00:00-23:59), got {value!r}")
        return dt.time(int(match.group(1)), int(match.group(2)))
    return value


#: A time of day in UTC, written ``"HH:MM"``.
TimeOfDay = Annotated[dt.time, BeforeValidator(_time_of_day)]


class Landing(Strict):
    """When a daily dataset's partition lands, and how long the nightly run waits for it.

    The partition of day D is expected by ``expected_by`` on D + 1 (UTC) and the run gives up at
    ``deadline`` on D + 1: until then a missing partition puts the validation task up for reschedule
    every ``poke_minutes`` (no worker slot is held); after the deadline it fails with the "has not
    landed" message. A partition still missing after ``expected_by`` is late: one notice is sent.

    Examples
    --------
    >>> landing = Landing(expected_by="03:00", deadline="09:30")
    >>> landing.deadline_at(dt.date(2026, 11, 4)).isoformat()
    '2026-11-05T09:30:00+00:00'
    """

    expected_by: TimeOfDay
    deadline: TimeOfDay
    poke_minutes: int = Field(default=10, ge=1, le=240)

    @model_validator(mode="after")
    def _deadline_after_expected(self) -> Landing:
        if self.deadline < self.expected_by:
            raise ValueError(
                f"deadline {self.deadline:%H:%M} is before expected_by {self.expected_by:%H:%M}: both are "
                "times (UTC) on the day after the partition; set deadline at or after expected_by"
            )
        return self

    def expected_at(self, day: dt.date) -> dt.datetime:
        """Return when the partition of ``day`` is expected (``expected_by`` on the next day, UTC)."""
        return dt.datetime.combine(day + dt.timedelta(days=1), self.expected_by, tzinfo=dt.UTC)

    def deadline_at(self, day: dt.date) -> dt.datetime:
        """Return when waiting for the partition of ``day`` stops (``deadline`` on the next day, UTC)."""
        return dt.datetime.combine(day + dt.timedelta(days=1), self.deadline, tzinfo=dt.UTC)


class DagAlerts(Strict):
    """Alert settings of one DAG (``alerts.dags.<dag_id>``)."""

    #: Send a notice when a task of the DAG fails for good (after its retries).
    on_failure: bool = True
    #: Send a notice when a run is not done this many hours after it was queued (Airflow deadline alert).
    late_after_hours: float | None = Field(default=None, gt=0, le=72)


class Alerts(Strict):
    """Where notices go when a night is late or failed (the registry's ``alerts`` section).

    Notices are sent to every destination configured: the webhook connection when it exists in
    Airflow (``webhook_conn_id``), ``webhook_url`` when given, and ``email`` through Airflow's SMTP
    connection. With none of them, failures are only in Airflow's UI and logs.
    """

    #: Airflow connection holding the webhook URL (type http: host, port, schema, or ``extra.url``).
    webhook_conn_id: str = Field(default="steward_alerts_webhook", min_length=1)
    #: Or the URL itself; keep secret URLs (a Slack webhook) in ``${VAR}`` or the connection.
    webhook_url: str | None = None
    #: Addresses that get the notices by e-mail (Airflow's SMTP provider, connection ``smtp_default``).
    email: list[str] = Field(default_factory=list)
    #: Send a notice when a dataset's partition is still missing after its ``landing.expected_by``.
    late_data: bool = True
    #: Settings per DAG (``data_quality``, ``model_monitoring``, ``cloud_costs``, ``carbon``).
    dags: dict[str, DagAlerts] = Field(default_factory=dict)

    @field_validator("webhook_url")
    @classmethod
    def _http_url(cls, value: str | None) -> str | None:
        if value is not None and not value.startswith(("http://", "https://")):
            raise ValueError("webhook_url must start with http:// or https://")
        return value

    @field_validator("email")
    @classmethod
    def _addresses(cls, value: list[str]) -> list[str]:
        bad = [a for a in value if "@" not in a or any(c.isspace() for c in a)]
        if bad:
            raise ValueError(f"not e-mail addresses: {bad}")
        return value

    @field_validator("dags")
    @classmethod
    def _known_dags(cls, value: dict[str, DagAlerts]) -> dict[str, DagAlerts]:
        unknown = sorted(set(value) - set(STEWARD_DAGS))
        if unknown:
            raise ValueError(f"unknown DAG id(s) {unknown}; Steward's DAGs are {list(STEWARD_DAGS)}")
        return value

    def for_dag(self, dag_id: str) -> DagAlerts:
        """Return the settings of ``dag_id`` (the defaults when the registry names none)."""
        return self.dags.get(dag_id, DagAlerts())
