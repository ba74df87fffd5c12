"""The Dockerfile of docker-compose.yaml: the official Airflow image at our pinned version, plus our pins.

Docker cannot build here; these checks keep the file consistent with requirements.txt and with the
paths the compose file mounts.
"""

from __future__ import annotations

import re
import tomllib

from tests.deploy import _compose

DOCKERFILE = _compose.ROOT / "Dockerfile"


def _instructions() -> list[tuple[str, str]]:
    """Return (INSTRUCTION, arguments) pairs, with continuation lines joined and comments dropped."""
    text = re.sub(r"\\\n\s*", " ", DOCKERFILE.read_text())
    pairs = []
    for line in text.splitlines():
        line = line.strip()
        if line and not line.startswith("#"):
            word, _, rest = line.partition(" ")
            pairs.append((word.upper(), rest.strip()))
    return pairs


def _pin(name: str) -> str:
    match = re.search(rf"^{re.escape(name)}==(\S+)$", (_compose.ROOT / "requirements.txt").read_text(), re.M)
    assert match, f"{name} is not pinned in requirements.txt"
    return match.group(1)


def test_base_image_is_the_official_airflow_image_at_the_pinned_version() -> None:
    froms = [args for word, args in _instructions() if word == "FROM"]
    python = tomllib.loads((_compose.ROOT / "pyproject.toml").read_text())["tool"]["mypy"]["python_version"]
    # requirements.txt is compiled for the project's Python: the image runs the same one
    assert froms == [f"apache/airflow:{_pin('apache-airflow')}-python{python}"]


def test_requirements_are_installed_with_airflow_held_at_the_image_version() -> None:
    steps = _instructions()
    copies = [args for word, args in steps if word == "COPY"]
    runs = [args for word, args in steps if word == "RUN"]
    target = next(c.split()[-1] for c in copies if c.split()[-2] == "requirements.txt")
    installs = [r for r in runs if r.startswith("pip install")]
    assert installs == [f'pip install --no-cache-dir "apache-airflow==${{AIRFLOW_VERSION}}" -r {target}']
    # installed as the airflow user (the official image refuses root pip installs)
    users = [(i, args) for i, (word, args) in enumerate(steps) if word == "USER"]
    install_at = next(i for i, (word, args) in enumerate(steps) if word == "RUN" and args.startswith("pip"))
    assert [args for i, args in users if i < install_at][-1] == "airflow"
    # the celery provider the stack's executor needs is among the pins
    assert _pin("apache-airflow-providers-celery")


def test_the_image_holds_steward_where_the_compose_file_mounts_it() -> None:
    steps = _instructions()
    copies = {args.split()[-2]: args.split()[-1] for word, args in steps if word == "COPY"}
    mounts = dict(v.rsplit(":", 1) for v in _compose.load_raw()["x-airflow-common"]["volumes"])
    for folder in ("dags", "plugins", "include"):
        assert copies[f"{folder}/"].rstrip("/") == mounts[f"${{AIRFLOW_PROJ_DIR:-.}}/{folder}"]
    env = " ".join(args for word, args in steps if word == "ENV")
    assert "PYTHONPATH=/opt/airflow/plugins" in env
    assert "STEWARD_PROJECT_DIR=/opt/airflow" in env
    ignored = (_compose.ROOT / ".dockerignore").read_text().splitlines()
    assert {".env", ".venv", ".steward", ".git"} <= set(ignored)
