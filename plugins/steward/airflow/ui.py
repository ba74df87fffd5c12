"""Steward in the Airflow UI: the Governance page and the HTML reports, behind Airflow's login.

Registered by ``plugins/steward_ui.py``. The api-server serves, under ``/steward/``:

- ``/steward/governance``: per dataset and model, the latest data-quality status, drift, performance,
  fairness, retraining decisions and costs, each row linking to its run in Airflow and to its report
  (``steward.reports.governance_overview``, read from the warehouse on read-only connections);
- ``/steward/runs/<dag_id>/<run_id>``: what one run wrote and its reports (every task of Steward's
  DAGs links there: the "Steward report" extra link);
- ``/steward/<path>``: the reports under ``$STEWARD_HOME/reports``.

Every route depends on Airflow's own security dependencies (``requires_access_view`` and the
authenticated user from ``airflow.api_fastapi.core_api.security``): the browser's ``_token`` cookie
(set by the login page) or an ``Authorization: Bearer`` token; without one the answer is 401. The
nav has "Governance", "Data quality" and "Model monitoring" under Browse. ``STEWARD_SERVE_REPORTS=false``
turns all of it off, for deployments that publish the reports elsewhere.
"""

# No `from __future__ import annotations`: FastAPI reads the routes' annotations, which name
# types imported inside steward_app (kept lazy), at definition time.
import datetime as dt
import logging
import os
from html import escape as html_escape
from pathlib import Path
from typing import TYPE_CHECKING, Any
from urllib.parse import quote

from airflow.plugins_manager import AirflowPlugin
from airflow.sdk import BaseOperatorLink

from steward import paths
from steward.airflow.context import URL_PREFIX, report_url

if TYPE_CHECKING:
    from fastapi import FastAPI

    from steward.warehouse import Warehouse

__all__ = [
    "DAG_OF_KIND",
    "URL_PREFIX",
    "StewardPlugin",
    "StewardReportLink",
    "reports_app",
    "serving_enabled",
    "steward_app",
]

log = logging.getLogger(__name__)

#: The DAG that writes each kind of row on the Governance page (its run ids are that DAG's).
DAG_OF_KIND = {
    "data_quality": "data_quality",
    "monitoring": "model_monitoring",
    "costs": "cloud_costs",
    "retraining": "retraining_trigger",  # writes retraining_decisions (issue 11)
}
#: Steward's DAGs: their tasks get the "Steward report" link.
STEWARD_DAGS = frozenset({*DAG_OF_KIND.values(), "carbon", "model_retraining"})
#: How long a page waits for the DuckDB file while a nightly task writes it.
_LOCK_WAIT_S = 5.0


def serving_enabled() -> bool:
    """Whether Steward's pages are served (``STEWARD_SERVE_REPORTS``, on unless ``false``/``0``/``no``)."""
    return os.environ.get("STEWARD_SERVE_REPORTS", "true").strip().lower() not in ("0", "false", "no", "off")


def run_url(dag_id: str, run_id: str) -> str:
    """Return the Airflow UI page of a DAG run.

    Examples
    --------
    >>> run_url("data_quality", "scheduled__2026-11-02T02:00:00+00:00")
    '/dags/data_quality/runs/scheduled__2026-11-02T02%3A00%3A00%2B00%3A00'
    """
    return f"/dags/{quote(dag_id, safe='')}/runs/{quote(run_id, safe='')}"


def _kind_run_url(kind: str, run_id: object) -> str | None:
    dag_id = DAG_OF_KIND.get(kind)
    return run_url(dag_id, str(run_id)) if dag_id and run_id else None


def _warehouse() -> "Warehouse":
    """Connect to the warehouse the DAGs write (the ``steward_warehouse`` connection, else the default)."""
    from airflow.exceptions import AirflowNotFoundException
    from airflow.models.connection import Connection

    from steward.airflow.connections import WAREHOUSE_CONN_ID, warehouse_url_of
    from steward.warehouse import connect, default_url

    try:
        conn = Connection.get_connection_from_secrets(WAREHOUSE_CONN_ID)
    except AirflowNotFoundException:
        url = default_url()
    else:
        url = warehouse_url_of(conn)
    return connect(url, lock_timeout_s=_LOCK_WAIT_S)


def _now() -> str:
    return dt.datetime.now(dt.UTC).strftime("%Y-%m-%d %H:%M:%S UTC")


def _report_file(relpath: str) -> Path | None:
    """Return the report file a URL path names, or None when it is not a file under the reports folder."""
    root = paths.reports_dir().resolve()
    target = (root / relpath).resolve()
    if not target.is_relative_to(root):
        return None
    if target.is_dir():
        target = target / "index.html"
    return target if target.is_file() else None


async def _logged_in_user(request: Any, bearer: Any) -> Any:
    """Return the request's user through Airflow's own security dependencies, or raise 401/403.

    ``get_user`` reads an ``Authorization: Bearer`` token, else the UI's ``_token`` cookie (the login
    page sets it; the browser sends it to every same-origin page, including the UI's plugin iframes);
    ``requires_access_view`` asks the auth manager whether that user may read the website. They are
    imported per request (already loaded in the api-server) so that loading the plugin stays cheap
    in the scheduler and task processes, which never serve it.
    """
    from airflow.api_fastapi.auth.managers.models.resource_details import AccessView
    from airflow.api_fastapi.core_api.security import get_user, requires_access_view

    user = await get_user(request, None, bearer)
    requires_access_view(AccessView.WEBSITE)(request, user)
    return user


def steward_app() -> "FastAPI":
    """Build the FastAPI app mounted at ``/steward``: the Governance page, run pages and reports."""
    from typing import Annotated

    from fastapi import Depends, FastAPI, HTTPException, Request
    from fastapi.responses import FileResponse, HTMLResponse, JSONResponse, RedirectResponse, Response
    from fastapi.security import HTTPAuthorizationCredentials, HTTPBearer
    from starlette.exceptions import HTTPException as StarletteHTTPException

    bearer_scheme = HTTPBearer(auto_error=False)

    async def logged_in_user(
        request: Request, bearer: Annotated[HTTPAuthorizationCredentials | None, Depends(bearer_scheme)]
    ) -> Any:
        return await _logged_in_user(request, bearer)

    User = Annotated[Any, Depends(logged_in_user)]

    app = FastAPI(
        title="Steward",
        docs_url=None,
        redoc_url=None,
        openapi_url=None,
        # every route: a logged-in user allowed to read the website (401 without a login)
        dependencies=[Depends(logged_in_user)],
    )

    @app.exception_handler(StarletteHTTPException)
    async def refused(request: Request, exc: StarletteHTTPException) -> Response:
        """Answer a browser that is not logged in with a page linking to the login, same status."""
        if exc.status_code in (401, 403) and "text/html" in request.headers.get("accept", ""):
            from airflow.api_fastapi.app import get_auth_manager

            login = html_escape(get_auth_manager().get_url_login(next_url=str(request.url)))
            body = (
                "<!doctype html><title>Steward: log in</title><p>Steward's pages need an Airflow login "
                f'({html_escape(str(exc.detail))}). <a href="{login}">Log in</a>, then reload this page.</p>'
            )
            return HTMLResponse(body, status_code=exc.status_code)
        return JSONResponse({"detail": exc.detail}, status_code=exc.status_code, headers=exc.headers)

    def page(html: str) -> HTMLResponse:
        return HTMLResponse(html, headers={"Cache-Control": "no-store"})

    @app.get("/governance", response_class=HTMLResponse)
    def governance(user: User) -> HTMLResponse:
        # imported per request: loading the plugin (every Airflow process) stays free of the warehouse drivers
        from steward.reports import GovernanceOverview, governance_overview, render_governance
        from steward.warehouse import WarehouseError

        notice = None
        try:
            with _warehouse() as wh:
                overview = governance_overview(wh)
        except WarehouseError as exc:
            log.warning("Governance page: %s", exc)
            overview, notice = GovernanceOverview(), str(exc)
        return page(
            render_governance(
                overview,
                user=user.get_name(),
                run_url=_kind_run_url,
                report_url=report_url,
                generated_at=_now(),
                notice=notice,
            )
        )

    @app.get("/runs/{dag_id}/{run_id:path}", response_class=HTMLResponse)
    def run_page(dag_id: str, run_id: str, user: User, subject: str | None = None) -> Response:
        """Show what one run wrote; with ``subject`` (a mapped task's dataset or model), open its report."""
        from steward.reports import render_run_outputs, run_outputs
        from steward.warehouse import WarehouseError

        try:
            with _warehouse() as wh:
                outputs = run_outputs(wh, run_id)
        except WarehouseError as exc:
            raise HTTPException(503, str(exc)) from exc
        if subject is not None:
            outputs = [o for o in outputs if o.subject == subject]
            reports = {url for o in outputs if (url := report_url(o.report_path))}
            if len(reports) == 1:  # the task produced one report: open it
                return RedirectResponse(reports.pop(), status_code=307)
        return page(
            render_run_outputs(
                outputs,
                dag_id=dag_id,
                run_id=run_id,
                user=user.get_name(),
                run_url=run_url(dag_id, run_id),
                report_url=report_url,
                generated_at=_now(),
            )
        )

    @app.get("/{relpath:path}")
    def report(relpath: str) -> FileResponse:
        target = _report_file(relpath)
        if target is None:
            raise HTTPException(404, f"no report {relpath!r} under {URL_PREFIX}/ (see /steward/governance)")
        return FileResponse(target)

    return app


def reports_app() -> "FastAPI":
    """Build the app served at ``/steward`` (kept name: the reports, now with the Governance page)."""
    return steward_app()


class StewardReportLink(BaseOperatorLink):
    """The "Steward report" button of every task of Steward's DAGs: what its run wrote, with reports."""

    name = "Steward report"

    def get_link(self, operator: Any, *, ti_key: Any) -> str:
        """Return ``/steward/runs/<dag_id>/<run_id>`` for Steward's DAGs (else nothing).

        A mapped task (one dataset or model each) links to its own report: the page gets the task's
        subject, the first word of its map index label (``leads``, ``credit_risk 2026-11-03``).
        """
        if ti_key.dag_id not in STEWARD_DAGS:
            return ""
        url = f"{URL_PREFIX}/runs/{quote(ti_key.dag_id, safe='')}/{quote(ti_key.run_id, safe='')}"
        label = _map_index_label(ti_key) if getattr(ti_key, "map_index", -1) >= 0 else None
        return f"{url}?subject={quote(label.split()[0], safe='')}" if label else url


def _map_index_label(ti_key: Any) -> str | None:
    """Return a mapped task instance's rendered map index label from Airflow's metadata database."""
    from airflow.models.taskinstance import TaskInstance
    from airflow.utils.session import create_session
    from sqlalchemy import select

    with create_session(scoped=False) as session:
        label = session.scalar(
            select(TaskInstance._rendered_map_index).where(  # the label the map_index_template rendered
                TaskInstance.dag_id == ti_key.dag_id,
                TaskInstance.run_id == ti_key.run_id,
                TaskInstance.task_id == ti_key.task_id,
                TaskInstance.map_index == ti_key.map_index,
            )
        )
    return str(label) if label else None


_NAV = [
    ("Governance", "governance", "steward_governance"),
    ("Data quality", "data_quality/index.html", "steward_data_quality"),
    ("Model monitoring", "monitoring/index.html", "steward_model_monitoring"),
]


class StewardPlugin(AirflowPlugin):
    """Adds Steward's Governance page, run pages and reports to the Airflow UI (unless opted out)."""

    name = "steward"
    if serving_enabled():
        fastapi_apps = [{"app": steward_app(), "url_prefix": URL_PREFIX, "name": "Steward"}]
        external_views = [
            {
                "name": name,
                "href": f"{URL_PREFIX.lstrip('/')}/{href}",
                "destination": "nav",
                "category": "browse",
                "url_route": route,
            }
            for name, href, route in _NAV
        ]
        global_operator_extra_links = [StewardReportLink()]
