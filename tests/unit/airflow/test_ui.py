"""The Airflow UI plugin: the Governance page, run pages and reports, behind Airflow's auth manager.

The app is exercised through FastAPI's test client with Airflow's real simple auth manager signing
the tokens; tests/integration/test_governance_view.py does the same through a real api-server and
a real browser.
"""

from __future__ import annotations

import importlib
from collections.abc import Iterator
from pathlib import Path
from types import SimpleNamespace

import pytest
from fastapi.testclient import TestClient

import steward.airflow.ui as ui
from steward.warehouse import connect
from tests.fixtures.governance import COSTS_RUN_ID, FAILED_NIGHT, dq_run_id, seed_governance

#: One signing key for the whole test session (Airflow caches its token validator); HS512 wants >= 64 bytes.
_JWT_SECRET = "steward-unit-tests-" + "k" * 64


def _reload(monkeypatch: pytest.MonkeyPatch, value: str | None) -> type:
    if value is None:
        monkeypatch.delenv("STEWARD_SERVE_REPORTS", raising=False)
    else:
        monkeypatch.setenv("STEWARD_SERVE_REPORTS", value)
    return importlib.reload(ui).StewardPlugin


@pytest.fixture
def auth_manager(monkeypatch: pytest.MonkeyPatch) -> Iterator[object]:
    """Airflow's simple auth manager with the login on (not every visitor an admin)."""
    monkeypatch.setenv("AIRFLOW__CORE__SIMPLE_AUTH_MANAGER_ALL_ADMINS", "False")
    monkeypatch.setenv("AIRFLOW__API_AUTH__JWT_SECRET", _JWT_SECRET)
    from airflow import settings
    from airflow.api_fastapi.app import create_auth_manager, purge_cached_app
    from airflow.models.revoked_token import RevokedToken

    # token checks look the token up in the revoked-token table of the (session's SQLite) metadata DB
    RevokedToken.__table__.create(settings.engine, checkfirst=True)  # type: ignore[attr-defined]
    purge_cached_app()
    manager = create_auth_manager()
    yield manager
    purge_cached_app()


def _token(manager: object, username: str, role: str) -> str:
    from airflow.api_fastapi.auth.managers.simple.user import SimpleAuthManagerUser

    return manager.generate_jwt(SimpleAuthManagerUser(username=username, role=role))  # type: ignore[attr-defined, no-any-return]


@pytest.fixture
def client(steward_home: Path, monkeypatch: pytest.MonkeyPatch, auth_manager: object) -> TestClient:
    """The plugin's app over a seeded warehouse in ``steward_home``."""
    with connect() as wh:
        wh.migrate()
        seed_governance(wh, steward_home / "reports")
    (app,) = _reload(monkeypatch, None).fastapi_apps
    assert app["url_prefix"] == "/steward"
    return TestClient(app["app"])


def test_every_page_refuses_a_request_without_a_login(client: TestClient) -> None:
    for path in (
        "/governance",
        f"/runs/data_quality/{dq_run_id(FAILED_NIGHT)}",
        f"/data_quality/{FAILED_NIGHT}/leads.html",
    ):
        response = client.get(path)
        assert response.status_code == 401, path
        assert response.json() == {"detail": "Not authenticated"}
        assert "Data quality" not in response.text
    assert client.get("/governance", headers={"Authorization": "Bearer forged"}).status_code == 403
    browser = client.get("/governance", headers={"Accept": "text/html"})
    assert browser.status_code == 401 and 'href="/auth/login?next=' in browser.text


def test_the_login_cookie_and_a_bearer_token_both_open_the_governance_page(
    client: TestClient, auth_manager: object
) -> None:
    token = _token(auth_manager, "ada", "viewer")
    client.cookies.set("_token", token)
    by_cookie = client.get("/governance")
    assert by_cookie.status_code == 200
    assert 'Signed in as <strong id="steward-user">ada</strong>' in by_cookie.text
    assert f'href="/dags/data_quality/runs/{ui.quote(dq_run_id(FAILED_NIGHT), safe="")}"' in by_cookie.text
    assert f'href="/steward/data_quality/{FAILED_NIGHT}/leads.html"' in by_cookie.text
    assert "900.75 USD" in by_cookie.text
    client.cookies.clear()
    by_bearer = client.get("/governance", headers={"Authorization": f"Bearer {token}"})
    assert by_bearer.status_code == 200 and "ada" in by_bearer.text


def test_a_user_without_a_role_is_forbidden(client: TestClient, auth_manager: object) -> None:
    from airflow.api_fastapi.auth.managers.simple.user import SimpleAuthManagerUser

    token = auth_manager.generate_jwt(SimpleAuthManagerUser(username="eve", role=None))  # type: ignore[attr-defined]
    client.cookies.set("_token", token)
    assert client.get("/governance").status_code == 403


def test_reports_and_run_pages_are_served_to_a_logged_in_user(
    client: TestClient, auth_manager: object
) -> None:
    client.cookies.set("_token", _token(auth_manager, "ada", "viewer"))
    report = client.get(f"/data_quality/{FAILED_NIGHT}/leads.html")
    assert report.status_code == 200 and f"Data quality leads {FAILED_NIGHT}" in report.text
    assert client.get("/data_quality/missing.html").status_code == 404
    assert client.get("/..%2F..%2Fetc%2Fpasswd").status_code == 404
    run = client.get(f"/runs/data_quality/{ui.quote(dq_run_id(FAILED_NIGHT), safe='')}")
    assert run.status_code == 200
    assert f'href="/steward/data_quality/{FAILED_NIGHT}/leads.html"' in run.text
    task = client.get(
        f"/runs/data_quality/{ui.quote(dq_run_id(FAILED_NIGHT), safe='')}?subject=leads",
        follow_redirects=False,
    )
    assert (task.status_code, task.headers["location"]) == (
        307,
        f"/steward/data_quality/{FAILED_NIGHT}/leads.html",
    )
    unknown = client.get(f"/runs/data_quality/{ui.quote(dq_run_id(FAILED_NIGHT), safe='')}?subject=nope")
    assert unknown.status_code == 200 and "leads" not in unknown.text
    costs = client.get(f"/runs/cloud_costs/{ui.quote(COSTS_RUN_ID, safe='')}")
    assert costs.status_code == 200 and "<td>costs</td>" in costs.text


def test_a_busy_warehouse_shows_a_notice_not_an_error(
    client: TestClient, auth_manager: object, monkeypatch: pytest.MonkeyPatch
) -> None:
    from steward.warehouse import WarehouseError

    def busy() -> object:
        raise WarehouseError("another process is writing to the DuckDB file", url="duckdb:///x")

    monkeypatch.setattr(ui, "_warehouse", busy)
    client.cookies.set("_token", _token(auth_manager, "ada", "viewer"))
    page = client.get("/governance")
    assert page.status_code == 200 and "another process is writing" in page.text


def test_nav_entries_and_the_task_link(monkeypatch: pytest.MonkeyPatch) -> None:
    plugin = _reload(monkeypatch, "true")
    assert [(v["name"], v["href"], v["category"]) for v in plugin.external_views] == [
        ("Governance", "steward/governance", "browse"),  # relative: works behind a proxy prefix
        ("Data quality", "steward/data_quality/index.html", "browse"),
        ("Model monitoring", "steward/monitoring/index.html", "browse"),
    ]
    (link,) = plugin.global_operator_extra_links
    key = SimpleNamespace(dag_id="data_quality", run_id="scheduled__2026-11-02T02:00:00+00:00")
    assert (
        link.get_link(None, ti_key=key)
        == "/steward/runs/data_quality/scheduled__2026-11-02T02%3A00%3A00%2B00%3A00"
    )
    assert link.get_link(None, ti_key=SimpleNamespace(dag_id="someone_elses", run_id="r")) == ""


@pytest.mark.parametrize("value", ["false", "0", "no"])
def test_the_opt_out_serves_nothing(monkeypatch: pytest.MonkeyPatch, value: str) -> None:
    plugin = _reload(monkeypatch, value)
    assert (
        plugin.fastapi_apps == [] and plugin.external_views == [] and plugin.global_operator_extra_links == []
    )


def test_airflow_discovers_the_plugin_in_plugins_folder() -> None:
    from steward import paths

    entry = paths.project_dir() / "plugins" / "steward_ui.py"
    assert "from steward.airflow.ui import StewardPlugin" in entry.read_text()
    ignore = (paths.project_dir() / "plugins" / ".airflowignore").read_text().splitlines()
    assert ignore[-1] == "steward/"  # the same under the glob and the regexp syntax
