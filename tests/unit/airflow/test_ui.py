"""The Airflow UI plugin serves the reports and adds a nav entry, only when asked to."""

from __future__ import annotations

import importlib
from pathlib import Path

import pytest
from fastapi.testclient import TestClient

import steward.airflow.ui as ui


def _reload(monkeypatch: pytest.MonkeyPatch, value: str) -> type:
    monkeypatch.setenv("STEWARD_SERVE_REPORTS", value)
    return importlib.reload(ui).StewardPlugin


def test_serves_reports_and_links_them_from_the_nav(
    steward_home: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    page = steward_home / "reports" / "data_quality" / "index.html"
    page.parent.mkdir(parents=True)
    page.write_text("<h1>Data quality overview</h1>")
    plugin = _reload(monkeypatch, "true")
    (app,) = plugin.fastapi_apps
    assert app["url_prefix"] == "/steward"
    client = TestClient(app["app"])
    response = client.get("/data_quality/index.html")
    assert response.status_code == 200 and "Data quality overview" in response.text
    assert client.get("/data_quality/missing.html").status_code == 404
    dq, monitoring = plugin.external_views
    assert dq["href"] == "steward/data_quality/index.html"  # relative: works behind a proxy prefix
    assert monitoring["href"] == "steward/monitoring/index.html"
    assert dq["destination"] == monitoring["destination"] == "nav"


def test_nothing_is_served_unless_enabled(monkeypatch: pytest.MonkeyPatch) -> None:
    plugin = _reload(monkeypatch, "")
    assert plugin.fastapi_apps == [] and plugin.external_views == []


def test_airflow_discovers_the_plugin_in_plugins_folder() -> None:
    from steward import paths

    entry = paths.project_dir() / "plugins" / "steward_ui.py"
    assert "from steward.airflow.ui import StewardPlugin" in entry.read_text()
    ignore = (paths.project_dir() / "plugins" / ".airflowignore").read_text().splitlines()
    assert ignore[-1] == "steward/"  # the same under the glob and the regexp syntax
