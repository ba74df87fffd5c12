"""Steward in the Airflow UI: the HTML reports served by the api-server, with a nav entry.

Registered by ``plugins/steward_ui.py``. The reports under ``$STEWARD_HOME/reports`` are served
at ``/steward/`` and "Data quality" appears under Browse. Plugin endpoints are not behind
Airflow's auth manager, so serving is opt-in: ``STEWARD_SERVE_REPORTS=true`` (set by the local
setup, ``steward.airflow.local``). A shared deployment should put them behind its own auth.
"""

from __future__ import annotations

import os
from typing import TYPE_CHECKING

from airflow.plugins_manager import AirflowPlugin

from steward import paths

if TYPE_CHECKING:
    from fastapi import FastAPI

__all__ = ["StewardPlugin", "reports_app", "serving_enabled"]


def serving_enabled() -> bool:
    """Whether ``STEWARD_SERVE_REPORTS`` asks for the reports to be served."""
    return os.environ.get("STEWARD_SERVE_REPORTS", "").lower() in ("1", "true", "yes")


def reports_app() -> FastAPI:
    """Build the FastAPI app that serves ``$STEWARD_HOME/reports`` as static files."""
    from fastapi import FastAPI
    from fastapi.staticfiles import StaticFiles

    directory = paths.reports_dir()
    directory.mkdir(parents=True, exist_ok=True)
    app = FastAPI(title="Steward reports", docs_url=None, redoc_url=None, openapi_url=None)
    app.mount("/", StaticFiles(directory=directory, html=True), name="reports")
    return app


class StewardPlugin(AirflowPlugin):
    """Adds Steward's reports to the Airflow UI (when serving is enabled)."""

    name = "steward"
    if serving_enabled():
        fastapi_apps = [{"app": reports_app(), "url_prefix": "/steward", "name": "Steward reports"}]
        external_views = [
            {
                "name": "Data quality",
                "href": "steward/data_quality/index.html",
                "destination": "nav",
                "category": "browse",
                "url_route": "steward_data_quality",
            },
            {
                "name": "Model monitoring",
                "href": "steward/monitoring/index.html",
                "destination": "nav",
                "category": "browse",
                "url_route": "steward_model_monitoring",
            },
        ]
