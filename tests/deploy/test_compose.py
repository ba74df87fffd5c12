"""docker-compose.yaml, checked without Docker: the Compose specification's JSON schema, then its wiring.

The file is the official Airflow 3 layout adapted for Steward (see its header). Docker cannot run on
our machines; ``tests/integration/test_celery_stack.py`` runs the same Airflow settings as local
processes. Here: the schema, one image and one set of settings for every Airflow service, the
CeleryExecutor's broker and result backend on their services, health checks behind every
``service_healthy``, the warehouse connection on the warehouse service, the project folders mounted,
and no secret written in the file.
"""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path
from typing import Any
from urllib.parse import urlsplit

import pytest
import yaml

from steward.warehouse import default_url
from tests.deploy import _compose

AIRFLOW_SERVICES = {
    "airflow-apiserver",
    "airflow-scheduler",
    "airflow-dag-processor",
    "airflow-worker",
    "airflow-triggerer",
    "airflow-init",
    "airflow-cli",
    "flower",
}
LONG_RUNNING = AIRFLOW_SERVICES - {"airflow-init", "airflow-cli"}
SECRET_WORDS = ("PASSWORD", "SECRET", "FERNET", "KEY")


@pytest.fixture(scope="module")
def env() -> dict[str, str]:
    """.env.example with its placeholders filled in, as a user's .env would be."""
    return _compose.filled_env_example()


@pytest.fixture(scope="module")
def compose(env: dict[str, str]) -> dict[str, Any]:
    return _compose.load(env)


@pytest.fixture(scope="module")
def services(compose: dict[str, Any]) -> dict[str, Any]:
    return dict(compose["services"])


def _check_jsonschema(path: Path) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [sys.executable, "-m", "check_jsonschema", "--builtin-schema", "vendor.compose-spec", str(path)],
        capture_output=True,
        text=True,
        timeout=120,
        check=False,
    )


def test_the_file_is_valid_against_the_compose_specification_schema() -> None:
    out = _check_jsonschema(_compose.COMPOSE_FILE)
    assert out.returncode == 0, out.stdout + out.stderr
    assert "ok -- validation done" in out.stdout


def test_the_schema_check_rejects_a_broken_file(tmp_path: Path) -> None:
    """The validator can fail: a depends_on condition Compose does not know is an error."""
    raw = _compose.COMPOSE_FILE.read_text()
    broken = tmp_path / "docker-compose.yaml"
    broken.write_text(raw.replace("condition: service_completed_successfully", "condition: when_ready", 1))
    out = _check_jsonschema(broken)
    assert out.returncode == 1, out.stdout + out.stderr
    assert "when_ready" in out.stdout + out.stderr


def test_the_stack_has_the_official_services_plus_the_warehouse(services: dict[str, Any]) -> None:
    assert set(services) == AIRFLOW_SERVICES | {"postgres", "redis", "warehouse"}
    assert services["postgres"]["image"].startswith("postgres:")
    assert services["warehouse"]["image"].startswith("postgres:")
    assert services["redis"]["image"].startswith("redis:")
    # metadata and warehouse are two servers with their own data volumes
    assert services["postgres"]["volumes"] != services["warehouse"]["volumes"]


def test_every_airflow_service_shares_one_image_and_one_set_of_settings(
    compose: dict[str, Any], services: dict[str, Any]
) -> None:
    common = compose["x-airflow-common"]
    assert common["build"] == "."
    assert (_compose.ROOT / "Dockerfile").is_file()
    for name in AIRFLOW_SERVICES:
        svc = services[name]
        assert svc["build"] == common["build"], name
        assert svc["image"] == common["image"], name
        assert svc["volumes"] == common["volumes"], name
        env = svc["environment"]
        # a service may add settings (the worker's DUMB_INIT_SETSID), never change a shared one
        assert {k: env.get(k) for k in common["environment"]} == common["environment"], name
        assert "_PIP_ADDITIONAL_REQUIREMENTS" not in env, name


def test_celery_executor_with_redis_broker_and_postgres_result_backend(
    compose: dict[str, Any], services: dict[str, Any], env: dict[str, str]
) -> None:
    common = compose["x-airflow-common"]["environment"]
    assert common["AIRFLOW__CORE__EXECUTOR"] == "CeleryExecutor"
    assert urlsplit(common["AIRFLOW__CELERY__BROKER_URL"]).hostname == "redis"
    for key in (
        "AIRFLOW__DATABASE__SQL_ALCHEMY_CONN",
        "AIRFLOW__DATABASE__SQL_ALCHEMY_CONN_ASYNC",
        "AIRFLOW__CELERY__RESULT_BACKEND",
    ):
        url = urlsplit(common[key])
        assert url.hostname == "postgres", key
        assert url.username == services["postgres"]["environment"]["POSTGRES_USER"], key
        assert url.password == services["postgres"]["environment"]["POSTGRES_PASSWORD"], key
        assert url.password == env["AIRFLOW_DB_PASSWORD"], key
        assert url.path == "/" + services["postgres"]["environment"]["POSTGRES_DB"], key
    # the worker runs Celery and can be scaled: no fixed name, no published port
    worker = services["airflow-worker"]
    assert worker["command"] == "celery worker"
    assert "container_name" not in worker and "ports" not in worker


def test_one_jwt_secret_and_execution_api_url_for_every_service(
    compose: dict[str, Any], services: dict[str, Any], env: dict[str, str]
) -> None:
    """A JWT secret or execution API URL that differs between services fails every task."""
    for name in AIRFLOW_SERVICES:
        svc_env = services[name]["environment"]
        assert svc_env["AIRFLOW__API_AUTH__JWT_SECRET"] == env["AIRFLOW_JWT_SECRET"], name
        assert svc_env["AIRFLOW__CORE__FERNET_KEY"] == env["AIRFLOW_FERNET_KEY"], name
        api = urlsplit(svc_env["AIRFLOW__CORE__EXECUTION_API_SERVER_URL"])
        assert (api.hostname, api.port, api.path) == ("airflow-apiserver", 8080, "/execution/"), name
    # the URL reaches the api-server's container port
    assert services["airflow-apiserver"]["command"] == "api-server"
    assert any(str(p).endswith(":8080") for p in services["airflow-apiserver"]["ports"])


def test_start_order_waits_on_health_checks(services: dict[str, Any]) -> None:
    for name in AIRFLOW_SERVICES:
        deps = services[name]["depends_on"]
        for backing in ("postgres", "redis", "warehouse"):
            assert deps[backing] == {"condition": "service_healthy"}, (name, backing)
        if name in LONG_RUNNING:
            assert deps["airflow-init"] == {"condition": "service_completed_successfully"}, name
    assert services["airflow-worker"]["depends_on"]["airflow-apiserver"] == {"condition": "service_healthy"}
    # every service someone waits on as healthy has a health check, and so has every long-running one
    waited = {dep for svc in services.values() for dep, c in svc.get("depends_on", {}).items()
              if c["condition"] == "service_healthy"}  # fmt: skip
    for name in waited | LONG_RUNNING | {"postgres", "redis", "warehouse"}:
        check = services[name].get("healthcheck")
        assert check and check["test"][0] in ("CMD", "CMD-SHELL"), name
    assert "/api/v2/monitor/health" in " ".join(services["airflow-apiserver"]["healthcheck"]["test"])
    assert services["airflow-scheduler"]["environment"]["AIRFLOW__SCHEDULER__ENABLE_HEALTH_CHECK"] == "true"


def test_the_warehouse_connection_points_at_the_warehouse_service(
    compose: dict[str, Any], services: dict[str, Any], env: dict[str, str], monkeypatch: pytest.MonkeyPatch
) -> None:
    conn = compose["x-airflow-common"]["environment"]["AIRFLOW_CONN_STEWARD_WAREHOUSE"]
    wh_env = services["warehouse"]["environment"]
    url = urlsplit(conn)
    assert url.hostname == "warehouse"
    assert url.port == 5432
    assert url.username == wh_env["POSTGRES_USER"]
    assert url.password == wh_env["POSTGRES_PASSWORD"] == env["WAREHOUSE_DB_PASSWORD"]
    assert url.path == "/" + wh_env["POSTGRES_DB"]
    assert wh_env["POSTGRES_PASSWORD"] != services["postgres"]["environment"]["POSTGRES_PASSWORD"]
    # Steward reads it as the warehouse (what the tasks and `steward warehouse migrate` in airflow-init use)
    monkeypatch.delenv("STEWARD_WAREHOUSE_URL", raising=False)
    monkeypatch.setenv("AIRFLOW_CONN_STEWARD_WAREHOUSE", conn)
    assert urlsplit(default_url()).hostname == "warehouse"
    init = " ".join(services["airflow-init"]["command"])
    assert "steward.cli warehouse migrate" in init


def test_dags_plugins_and_include_are_mounted_where_steward_looks(
    compose: dict[str, Any], services: dict[str, Any]
) -> None:
    common = compose["x-airflow-common"]
    mounts = dict(v.rsplit(":", 1) for v in common["volumes"])
    for folder in ("dags", "plugins", "include"):
        assert mounts[f"./{folder}"] == f"/opt/airflow/{folder}"
        assert (_compose.ROOT / folder).is_dir()
    env = common["environment"]
    assert env["STEWARD_PROJECT_DIR"] == "/opt/airflow"  # include/ = $STEWARD_PROJECT_DIR/include
    assert env["PYTHONPATH"] == "/opt/airflow/plugins"  # `import steward` in every process
    assert (_compose.ROOT / "plugins" / "steward" / "__init__.py").is_file()
    # Steward's state (lake, reports) is one volume shared by every worker
    assert mounts["steward-home"] == env["STEWARD_HOME"]
    assert "steward-home" in compose["volumes"]


def test_no_secret_is_written_in_the_file() -> None:
    """Every password and key is a required ${VAR:?...} that .env.example lists as a placeholder."""
    raw = _compose.load_raw()
    example = _compose.env_example()

    def secret_values(node: Any, path: str = "") -> list[tuple[str, str]]:
        if isinstance(node, dict):
            return [kv for k, v in node.items() for kv in secret_values(v, f"{path}.{k}")]
        if isinstance(node, list):
            return [kv for i, v in enumerate(node) for kv in secret_values(v, f"{path}[{i}]")]
        key = path.rsplit(".", 1)[-1].upper()
        if any(word in key for word in SECRET_WORDS) and not key.endswith("_USERNAME"):
            return [(path, str(node))]
        if isinstance(node, str) and "://" in node and "@" in node:
            return [(path, str(node))]  # a URL with credentials
        return []

    found = secret_values(raw)
    assert len(found) >= 8  # passwords, keys, connection URLs: the walk does find them
    for path, value in found:
        names = _compose.variables(value)
        if "://" in value:
            password = urlsplit(_compose.interpolate(value, dict.fromkeys(names, "X"))).password
            assert password in (None, "", "X"), f"{path}: the URL's password is not a variable"
        else:
            assert names, f"{path} holds a literal secret"
        for name, op in names.items():
            if name in ("AIRFLOW_PROJ_DIR",):
                continue
            assert op == ":?", f"{path}: ${{{name}}} must be required (${{{name}:?...}}), not defaulted"
            assert example.get(name, "").startswith("<"), f"{name} is not a placeholder in .env.example"


def test_every_variable_has_an_entry_in_env_example() -> None:
    used = _compose.variables(json.dumps(_compose.load_raw()))  # values only: comments are not interpolated
    example = _compose.env_example()
    assert set(used) - {"AIRFLOW_PROJ_DIR", "STEWARD_IMAGE_NAME"} <= set(example)
    # and every placeholder is used (no stale entries)
    assert {k for k, v in example.items() if v.startswith("<")} <= set(used)
    assert "<" not in "".join(v for k, v in example.items() if not any(w in k for w in SECRET_WORDS))


def test_compose_refuses_to_start_without_the_secrets(env: dict[str, str]) -> None:
    for name in ("AIRFLOW_JWT_SECRET", "WAREHOUSE_DB_PASSWORD", "AIRFLOW_DB_PASSWORD"):
        partial = {k: v for k, v in env.items() if k != name}
        with pytest.raises(_compose.InterpolationError, match=name):
            _compose.load(partial)


def test_the_env_file_stays_out_of_git_and_the_image() -> None:
    ignored = (_compose.ROOT / ".gitignore").read_text().splitlines()
    assert ".env" in ignored
    assert ".env" in (_compose.ROOT / ".dockerignore").read_text().splitlines()


def test_interpolation_follows_the_compose_rules() -> None:
    """The small interpolator the tests rely on, on hand-written cases from the Compose specification."""
    env = {"SET": "v", "EMPTY": ""}
    cases = {
        "${SET}": "v",
        "$SET/x": "v/x",
        "${UNSET}": "",
        "${UNSET:-d}": "d",
        "${EMPTY:-d}": "d",
        "${EMPTY-d}": "",
        "${SET:?boom}": "v",
        "$${HOSTNAME}": "${HOSTNAME}",
        "a$$b": "a$b",
    }
    assert {k: _compose.interpolate(k, env) for k in cases} == cases
    with pytest.raises(_compose.InterpolationError, match="EMPTY is missing a value: boom"):
        _compose.interpolate("${EMPTY:?boom}", env)
    assert yaml.safe_load("a: &x {b: 1}\nc: {<<: *x, d: 2}") == {"a": {"b": 1}, "c": {"b": 1, "d": 2}}
