"""Render Jinja templates shipped in ``steward/reports/templates`` (autoescaped)."""

from __future__ import annotations

import json
from functools import lru_cache
from pathlib import Path
from typing import Any

import jinja2

__all__ = ["format_p", "render", "write_report"]

#: Below this a double cannot tell p-values apart (the smallest normal double is about 2.2e-308).
_P_FLOOR = 1e-300


def format_p(p: float | None) -> str:
    """Format a p-value the same way everywhere: 2 significant digits, scientific below 1e-3.

    A p-value that underflowed to 0 is printed as ``< 1e-300``, never as an exact 0.

    Examples
    --------
    >>> [format_p(v) for v in (0.5, 0.0123, 2.4e-13, 0.0, None)]
    ['0.5', '0.012', '2.4e-13', '< 1e-300', '—']
    """
    if p is None:
        return "—"
    if p < _P_FLOOR:
        return "< 1e-300"
    return f"{p:.2g}" if p >= 1e-3 else f"{p:.1e}".replace("e-0", "e-")


@lru_cache(maxsize=1)
def _env() -> jinja2.Environment:
    env = jinja2.Environment(
        loader=jinja2.PackageLoader("steward.reports", "templates"),
        autoescape=jinja2.select_autoescape(["html", "j2"]),
        undefined=jinja2.StrictUndefined,
        trim_blocks=True,
        lstrip_blocks=True,
    )
    env.filters["p_value"] = format_p
    env.filters["fromjson"] = json.loads
    return env


def prepare_templates() -> list[str]:
    """Compile every report template now rather than at its first render; return their names.

    A process that forks task processes (the demo's scheduler, see
    :func:`steward.airflow.scheduler.preload`) calls it once: each task then renders with the
    compiled templates it inherited instead of compiling its own (tens of milliseconds a task).
    """
    env = _env()
    names = env.list_templates(filter_func=lambda name: name.endswith(".j2"))
    for name in names:
        env.get_template(name)
    return names


def render(template: str, **context: Any) -> str:
    """Render ``templates/<template>`` with ``context``."""
    return _env().get_template(template).render(**context)


def write_report(path: Path, template: str, **context: Any) -> Path:
    """Render a template to ``path`` atomically (write a temp file, then rename) and return the path."""
    path.parent.mkdir(parents=True, exist_ok=True)
    tmp = path.with_suffix(path.suffix + ".tmp")
    tmp.write_text(render(template, **context), encoding="utf-8")
    tmp.replace(path)
    return path
