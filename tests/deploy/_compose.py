"""Read docker-compose.yaml the way Docker Compose does, without Docker: YAML with merge keys, then
``${VAR}`` interpolation (``${VAR:-default}``, ``${VAR-default}``, ``${VAR:?error}``, ``${VAR?error}``,
``$$`` for a literal ``$``) from a given environment, as the Compose specification defines it.

Used by ``tests/deploy/test_compose.py`` (the file's wiring) and by
``tests/integration/test_celery_stack.py`` (which runs the file's Airflow settings for real).
"""

from __future__ import annotations

import re
from collections.abc import Mapping
from pathlib import Path
from typing import Any

import yaml

ROOT = Path(__file__).resolve().parents[2]
COMPOSE_FILE = ROOT / "docker-compose.yaml"
ENV_EXAMPLE = ROOT / ".env.example"

# ${NAME}, ${NAME:-default}, ${NAME-default}, ${NAME:?err}, ${NAME?err}, ${NAME:+alt}, or $NAME
_VAR = re.compile(
    r"\$(?:\{(?P<braced>[A-Za-z_][A-Za-z0-9_]*)(?:(?P<op>:?[-?+])(?P<arg>[^}]*))?\}"
    r"|(?P<plain>[A-Za-z_][A-Za-z0-9_]*))"
)


class InterpolationError(ValueError):
    """A required variable (``${VAR:?...}``) is unset: Compose refuses to start."""


def load_raw(path: Path = COMPOSE_FILE) -> dict[str, Any]:
    """Return the compose file as YAML (anchors and ``<<`` merges resolved), not yet interpolated."""
    data = yaml.safe_load(path.read_text())
    assert isinstance(data, dict), f"{path}: not a mapping"
    return data


def variables(text: str) -> dict[str, str | None]:
    """Return every variable the text interpolates, with its operator (``":?"``, ``":-"``, ... or None)."""
    found: dict[str, str | None] = {}
    for m in _VAR.finditer(text.replace("$$", "")):
        name = m.group("braced") or m.group("plain")
        found.setdefault(name, m.group("op"))
        if m.group("op") in (":?", "?"):
            found[name] = m.group("op")
    return found


def interpolate(value: Any, env: Mapping[str, str]) -> Any:
    """Interpolate every string in ``value`` (recursively) from ``env``, as Compose does."""
    if isinstance(value, dict):
        return {k: interpolate(v, env) for k, v in value.items()}
    if isinstance(value, list):
        return [interpolate(v, env) for v in value]
    if not isinstance(value, str):
        return value
    parts = value.split("$$")
    return "$".join(_VAR.sub(lambda m: _substitute(m, env), p) for p in parts)


def _substitute(m: re.Match[str], env: Mapping[str, str]) -> str:
    name = m.group("braced") or m.group("plain")
    op, arg = m.group("op"), m.group("arg") or ""
    current = env.get(name)
    unset_or_empty = not current
    if op == ":-":
        return arg if unset_or_empty else str(current)
    if op == "-":
        return arg if current is None else current
    if op in (":?", "?"):
        if (op == ":?" and unset_or_empty) or current is None:
            raise InterpolationError(f"required variable {name} is missing a value: {arg}")
        return str(current)
    if op == ":+":
        return "" if unset_or_empty else arg
    if op == "+":
        return "" if current is None else arg
    return current or ""


def load(env: Mapping[str, str], path: Path = COMPOSE_FILE) -> dict[str, Any]:
    """Return the compose file interpolated from ``env``."""
    data = interpolate(load_raw(path), env)
    assert isinstance(data, dict)
    return data


def env_example(path: Path = ENV_EXAMPLE) -> dict[str, str]:
    """Return the ``KEY=value`` lines of ``.env.example``."""
    pairs: dict[str, str] = {}
    for line in path.read_text().splitlines():
        line = line.strip()
        if line and not line.startswith("#"):
            key, sep, value = line.partition("=")
            assert sep, f"{path}: not a KEY=value line: {line!r}"
            pairs[key.strip()] = value.strip()
    return pairs


def filled_env_example() -> dict[str, str]:
    """``.env.example`` with each ``<placeholder>`` replaced by a distinct URL-safe test value."""
    return {
        k: (f"test{k.lower().replace('_', '')}" if v.startswith("<") else v) for k, v in env_example().items()
    }
