"""Run notes: each finished run of Steward's DAGs says, in Airflow's UI, what its night found.

Airflow 3.3's Task SDK cannot set a DAG run's note from a task (the execution API has no note
endpoint), so the notes are written afterwards by a process with metadata-database access: the local
UI's start (``steward airflow-ui`` / ``make airflow``) and anyone calling :func:`annotate_runs` (a demo
runner after its nights, a maintenance job). A note is written only where a run has none, so notes
people wrote are never replaced.
"""

from __future__ import annotations

import logging
from typing import TYPE_CHECKING, Any
from urllib.parse import quote

from steward.airflow.ui import STEWARD_DAGS, URL_PREFIX

if TYPE_CHECKING:
    from steward.warehouse import Warehouse

__all__ = ["annotate_runs"]

log = logging.getLogger(__name__)


def annotate_runs(*, warehouse: Warehouse | None = None, session: Any = None) -> int:
    """Write a note on every finished run of Steward's DAGs that has none; return how many were written.

    Parameters
    ----------
    warehouse
        Where the runs wrote (default: the warehouse the Governance page reads).
    session
        An Airflow metadata-database session (default: a new one, committed at the end).
    """
    from airflow.models.dagrun import DagRun
    from airflow.utils.session import create_session
    from airflow.utils.state import DagRunState
    from sqlalchemy import select

    from steward.airflow.ui import _warehouse
    from steward.reports import run_note, run_outputs

    if session is None:
        # not the thread's scoped session: looking up the warehouse connection closes that one
        with create_session(scoped=False) as new_session:
            return annotate_runs(warehouse=warehouse, session=new_session)
    # the warehouse first: Airflow's connection lookup may close the thread's scoped session, which
    # would detach the runs queried below and silently drop their notes
    wh = warehouse or _warehouse()
    try:
        runs = session.scalars(
            select(DagRun).where(
                DagRun.dag_id.in_(sorted(STEWARD_DAGS)),
                DagRun.state.in_([DagRunState.SUCCESS, DagRunState.FAILED]),
            )
        ).all()
        pending = [run for run in runs if not run.note]
        for run in pending:
            page = f"{URL_PREFIX}/runs/{quote(run.dag_id, safe='')}/{quote(run.run_id, safe='')}"
            run.note = run_note(run_outputs(wh, run.run_id), run_page=page)
    finally:
        if warehouse is None:
            wh.close()
    if not pending:
        return 0
    session.flush()
    log.info("wrote run notes on %d run(s) of %s", len(pending), ", ".join(sorted(STEWARD_DAGS)))
    return len(pending)
