"""
### Nightly governance records

Keeps the records an auditor asks for (EU AI Act Art. 12, 14, 72; ISO/IEC 42001 event logs). Settings
live in the governance registry (`include/governance.yaml`, `privacy:`).

- **PII scan** (`scan_pii_task`): every dataset's partition of the night (snapshots: all rows) is
  sampled and its columns' names and values go through offline recognizers (e-mail, phone, IBAN
  mod-97, card numbers Luhn, US SSN, UK NINO, IPv4/6) into `pii_findings`, with whether the column is
  declared (`privacy.declared_pii`) and whether the dataset's sensitivity class is lower than the
  entity warrants. Undeclared PII and low classes are logged as warnings.
- **Incidents** (`evaluate_incidents_task`): a performance or fairness breach on
  `privacy.incidents.persist_nights` consecutive nights, or a failed data-quality run of a critical
  dataset, opens an incident (`incidents`, timeline in `incident_events`); it resolves when the breach
  clears, or by hand (`steward incident resolve`). Opened and resolved incidents are sent to the
  registry's `alerts` destinations (webhook, e-mail).
- **User feedback** (`ingest_feedback_task`): the night's rows of each `privacy.feedback` dataset into
  `prediction_feedback` (skipped when none is declared).
- **Impact assessments** (`record_assessments_task`): the declared assessments into
  `impact_assessments`; each high-risk model's promotion status is logged.
- **Schedule**: 08:00 UTC, after data quality and monitoring; the `date` param pins the night.

Reruns replace exactly the night's rows: no duplicates.
"""

from __future__ import annotations

import datetime as dt

from airflow.sdk import dag
from airflow.timetables.interval import CronDataIntervalTimetable

from steward.airflow.alerts import failure_callbacks
from steward.airflow.context import date_param
from steward.airflow.governance import (
    evaluate_incidents_task,
    ingest_feedback_task,
    record_assessments_task,
    scan_pii_task,
)
from steward.airflow.pools import warehouse_pool_args

DEFAULT_ARGS = {
    "owner": "governance",
    "retries": 2,
    "retry_delay": dt.timedelta(minutes=5),
    "on_failure_callback": failure_callbacks("governance_nightly"),
    **warehouse_pool_args(),
}


@dag(
    dag_id="governance_nightly",
    schedule=CronDataIntervalTimetable("0 8 * * *", timezone="UTC"),
    start_date=dt.datetime(2026, 11, 1, tzinfo=dt.UTC),
    catchup=False,
    max_active_runs=1,
    default_args=DEFAULT_ARGS,
    params={"date": date_param("Night to process (YYYY-MM-DD). Empty: the run's data interval.")},
    tags=["steward", "governance", "privacy", "nightly"],
    doc_md=__doc__,
)
def governance_nightly() -> None:
    ingest_feedback_task() >> scan_pii_task() >> record_assessments_task() >> evaluate_incidents_task()


governance_nightly()
