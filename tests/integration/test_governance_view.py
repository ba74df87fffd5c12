"""The Governance page in a real browser, served by a real Airflow api-server, behind its login.

Headless Chromium (Debian's ``chromium``, installed by ``scripts/ensure-system-packages.sh``) driven by
Playwright logs in through Airflow's simple auth manager login page, opens the Governance page in the
Airflow UI's nav and directly, follows one report link, and checks what a person would read: who is
logged in, the failed data-quality night, the drift breach and a cost figure. Anonymous requests are
refused. The warehouse is the hand-written three-night one of ``tests/fixtures/governance.py``.
Screenshots are kept in the test's folder, or in ``$STEWARD_SCREENSHOTS_DIR`` when set (the path is
printed; ``pytest -s`` shows it).
"""

from __future__ import annotations

import json
import os
import shutil
import subprocess
import sys
import urllib.error
import urllib.request
from collections.abc import Iterator
from pathlib import Path
from urllib.parse import quote

import pytest

from steward.airflow.local import apply_airflow_env
from steward.airflow.scheduler import guarded
from steward.warehouse import connect
from tests.fixtures.airflow_server import airflow_token, free_port, stop_group, wait_healthy
from tests.fixtures.governance import (
    COST_TOTALS,
    DRIFT_NIGHT,
    FAILED_NIGHT,
    NIGHTS,
    dq_run_id,
    monitoring_run_id,
    seed_governance,
)

pytestmark = [pytest.mark.integration, pytest.mark.timeout(300)]

AIRFLOW = str(Path(sys.executable).with_name("airflow"))
CHROMIUM = shutil.which("chromium") or "/usr/bin/chromium"
PASSWORD = "governance-test-password"  # a throwaway login of a test-only api-server


def _status(url: str) -> int:
    try:
        with urllib.request.urlopen(url, timeout=10) as response:
            return int(response.status)
    except urllib.error.HTTPError as exc:
        return exc.code


@pytest.fixture(scope="module")
def api_server(tmp_path_factory: pytest.TempPathFactory) -> Iterator[tuple[str, Path, dict[str, str]]]:
    """Seed a warehouse, migrate Airflow's metadata and start `airflow api-server` with the login on."""
    home = tmp_path_factory.mktemp("governance_view")
    port = free_port()
    env = dict(os.environ)
    apply_airflow_env(env, override=True, steward_home=home, port=port, parallelism=2)
    env["AIRFLOW__CORE__SIMPLE_AUTH_MANAGER_ALL_ADMINS"] = "False"  # the login is what is under test
    env["AIRFLOW__API_AUTH__JWT_SECRET"] = "governance-view-test-" + "s" * 64
    env["STEWARD_WAREHOUSE_URL"] = f"duckdb:///{home / 'warehouse.duckdb'}"
    env.pop("STEWARD_SERVE_REPORTS", None)  # served by default
    passwords = Path(env["AIRFLOW__CORE__SIMPLE_AUTH_MANAGER_PASSWORDS_FILE"])
    passwords.parent.mkdir(parents=True, exist_ok=True)
    passwords.write_text(json.dumps({"admin": PASSWORD}))
    with connect(env["STEWARD_WAREHOUSE_URL"]) as wh:
        wh.migrate()
        seed_governance(wh, home / "reports")
    log_path = home / "api-server.log"
    with log_path.open("wb") as log:
        subprocess.run([AIRFLOW, "db", "migrate"], env=env, stdout=log, stderr=subprocess.STDOUT, check=True)
        proc = subprocess.Popen(
            guarded([AIRFLOW, "api-server", "--port", str(port), "--workers", "1"]),
            env=env,
            stdout=log,
            stderr=subprocess.STDOUT,
            start_new_session=True,
        )
        base = f"http://127.0.0.1:{port}"
        try:
            wait_healthy(proc, base, log_path, timeout_s=120, every_s=1)
            yield base, home, env
        finally:
            stop_group(proc)


def test_anonymous_requests_are_refused(api_server: tuple[str, Path, dict[str, str]]) -> None:
    base, _home, _env = api_server
    assert _status(f"{base}/steward/governance") == 401
    assert _status(f"{base}/steward/data_quality/{FAILED_NIGHT}/leads.html") == 401
    assert _status(f"{base}/steward/runs/model_monitoring/x") == 401


def test_a_logged_in_browser_reads_the_governance_page_and_a_report(
    api_server: tuple[str, Path, dict[str, str]], tmp_path: Path
) -> None:
    from playwright.sync_api import expect, sync_playwright

    base, _home, _env = api_server
    # STEWARD_SCREENSHOTS_DIR keeps them where CI collects artifacts; by default, in the test's folder
    shots = Path(os.environ.get("STEWARD_SCREENSHOTS_DIR") or tmp_path / "screenshots")
    shots.mkdir(parents=True, exist_ok=True)
    for stale in shots.glob("*.png"):
        stale.unlink()
    with sync_playwright() as pw:
        browser = pw.chromium.launch(
            executable_path=CHROMIUM, args=["--no-sandbox", "--disable-gpu", "--disable-dev-shm-usage"]
        )
        try:
            anonymous = browser.new_page()
            refused = anonymous.goto(f"{base}/steward/governance")
            assert refused is not None and refused.status == 401
            expect(anonymous.get_by_role("link", name="Log in")).to_be_visible()
            anonymous.close()

            page = browser.new_page(viewport={"width": 1400, "height": 1000})
            page.goto(f"{base}/")  # Airflow sends the browser to its login page
            page.get_by_label("Username").fill("admin")
            page.get_by_label("Password").fill(PASSWORD)
            page.get_by_role("button", name="Sign in").click()
            page.wait_for_url(lambda url: "/auth/login" not in url, timeout=30_000)

            # In Airflow's own UI: Browse > Governance opens the page in the UI's frame.
            page.goto(f"{base}/plugin/steward_governance")
            frame = page.frame_locator("iframe").first
            expect(frame.locator("#steward-user")).to_have_text("admin", timeout=30_000)
            page.screenshot(path=shots / "airflow-ui-governance.png", full_page=True)

            page.goto(f"{base}/steward/governance")
            expect(page.locator("#steward-user")).to_have_text("admin")
            failed = page.locator("tr.dq-problem")
            expect(failed).to_have_count(1)
            expect(failed).to_contain_text(str(FAILED_NIGHT))
            expect(failed).to_contain_text("failed")
            drift = page.locator("tr.monitoring-alert")
            expect(drift).to_have_count(1)
            expect(drift).to_contain_text(str(DRIFT_NIGHT))
            expect(drift).to_contain_text("breach")
            run_link = drift.get_by_role("link", name=monitoring_run_id(DRIFT_NIGHT))
            run_path = f"/dags/model_monitoring/runs/{quote(monitoring_run_id(DRIFT_NIGHT), safe='')}"
            expect(run_link).to_have_attribute("href", run_path)
            expect(run_link).to_have_attribute("target", "_top")  # leaves the UI's frame for the run page
            lending = COST_TOTALS[("lending", "credit_risk")]
            expect(page.locator("tr.cost", has_text="lending")).to_contain_text(f"{lending:,.2f} USD")
            page.screenshot(path=shots / "governance.png", full_page=True)

            failed.get_by_role("link", name="report").click()
            page.wait_for_url(f"**/steward/data_quality/{FAILED_NIGHT}/leads.html")
            expect(page.locator("h1")).to_have_text(f"Data quality leads {FAILED_NIGHT}")
            page.screenshot(path=shots / "report.png", full_page=True)
        finally:
            browser.close()
    print(f"\nGovernance screenshots: {shots}")
    assert sorted(p.name for p in shots.iterdir()) == [
        "airflow-ui-governance.png",
        "governance.png",
        "report.png",
    ]


def test_airflow_lists_the_nav_entries_and_the_task_link(
    api_server: tuple[str, Path, dict[str, str]],
) -> None:
    base, _home, _env = api_server
    token = airflow_token(base, "admin", PASSWORD)
    listing = urllib.request.Request(f"{base}/api/v2/plugins", headers={"Authorization": f"Bearer {token}"})
    with urllib.request.urlopen(listing, timeout=10) as response:
        (plugin,) = [p for p in json.loads(response.read())["plugins"] if p["name"] == "steward"]
    assert [v["url_route"] for v in plugin["external_views"]] == [
        "steward_governance",
        "steward_data_quality",
        "steward_model_monitoring",
    ]
    assert [a["url_prefix"] for a in plugin["fastapi_apps"]] == ["/steward"]
    assert len(plugin["global_operator_extra_links"]) == 1
    assert "StewardReportLink" in plugin["global_operator_extra_links"][0]
    # the bearer token opens Steward's pages as it opens Airflow's API
    page = urllib.request.Request(f"{base}/steward/governance", headers={"Authorization": f"Bearer {token}"})
    with urllib.request.urlopen(page, timeout=10) as response:
        assert 'id="steward-user">admin<' in response.read().decode()


_ANNOTATE = """
import datetime as dt, json, sys
from airflow.models.dagrun import DagRun
from airflow.utils.session import create_session
from steward.airflow.notes import annotate_runs

with create_session() as session:
    for dag_id, run_id, state, note in json.loads(sys.argv[1]):
        day = dt.datetime.fromisoformat(run_id.split("__")[1])
        session.add(DagRun(dag_id=dag_id, run_id=run_id, run_type=run_id.split("__")[0], state=state,
                           logical_date=day, run_after=day, note=note))
first, again = annotate_runs(), annotate_runs()
with create_session() as session:
    print(json.dumps({"written": [first, again], "notes": {r.run_id: r.note for r in session.query(DagRun)}}))
"""


def test_finished_runs_get_a_note_saying_what_the_night_found(
    api_server: tuple[str, Path, dict[str, str]],
) -> None:
    _base, _home, env = api_server
    runs = [
        ("data_quality", dq_run_id(FAILED_NIGHT), "failed", None),
        ("data_quality", dq_run_id(NIGHTS[0]), "success", "checked by hand: fine"),  # a person's note stays
        ("data_quality", dq_run_id(DRIFT_NIGHT), "running", None),  # not finished: no note yet
        ("model_monitoring", monitoring_run_id(DRIFT_NIGHT), "success", None),
    ]
    out = subprocess.run(
        [sys.executable, "-c", _ANNOTATE, json.dumps(runs)],
        env=env,
        capture_output=True,
        text=True,
        check=True,
    )
    result = json.loads(out.stdout.strip().splitlines()[-1])
    assert result["written"] == [2, 0]  # rerunning writes nothing twice
    notes = result["notes"]
    assert notes[dq_run_id(FAILED_NIGHT)].startswith(
        "Data quality: 1 of 2 not passed: **leads failed** (2026-11-02); passed: loan_applications."
    )
    assert (
        f"(/steward/runs/data_quality/{quote(dq_run_id(FAILED_NIGHT), safe='')})"
        in notes[dq_run_id(FAILED_NIGHT)]
    )
    assert notes[monitoring_run_id(DRIFT_NIGHT)].startswith(
        "Monitoring: 1 of 2 not ok: **credit_risk breach**"
    )
    assert notes[dq_run_id(NIGHTS[0])] == "checked by hand: fine"
    assert notes[dq_run_id(DRIFT_NIGHT)] is None


_TASK_LINK = """
import json, sys
from airflow.models.dagrun import DagRun
from airflow.models.taskinstance import TaskInstance
from airflow.models.taskinstancekey import TaskInstanceKey
from airflow.utils.session import create_session
from steward.airflow.ui import StewardReportLink

dag_id, run_id = sys.argv[1], sys.argv[2]
with create_session() as session:
    session.add(DagRun(dag_id=dag_id, run_id=run_id, run_type="manual", state="success"))
    session.flush()
    session.execute(TaskInstance.__table__.insert().values(
        dag_id=dag_id, run_id=run_id, task_id="validate", map_index=0, pool="default_pool",
        rendered_map_index="leads",
    ))
keys = [TaskInstanceKey(dag_id, "validate", run_id, 1, map_index) for map_index in (0, -1)]
print(json.dumps([StewardReportLink().get_link(None, ti_key=key) for key in keys]))
"""


def test_a_mapped_tasks_link_opens_its_own_report(api_server: tuple[str, Path, dict[str, str]]) -> None:
    _base, _home, env = api_server
    run_id = "manual__2026-11-02T09:00:00+00:00"
    out = subprocess.run(
        [sys.executable, "-c", _TASK_LINK, "data_quality", run_id],
        env=env,
        capture_output=True,
        text=True,
        check=True,
    )
    mapped, unmapped = json.loads(out.stdout.strip().splitlines()[-1])
    run_page = f"/steward/runs/data_quality/{quote(run_id, safe='')}"
    assert (mapped, unmapped) == (f"{run_page}?subject=leads", run_page)
