"""Render Jinja templates shipped in ``steward/reports/templates`` (autoescaped)."""

from __future__ import annotations

from functools import lru_cache
from pathlib import Path
from typing import Any

import jinja2

__all__ = ["render", "write_report"]


@lru_cache(maxsize=1)
def _env() -> jinja2.Environment:
    return jinja2.Environment(
        loader=jinja2.PackageLoader("steward.reports", "templates"),
        autoescape=jinja2.select_autoescape(["html", "j2"]),
        undefined=jinja2.StrictUndefined,
        trim_blocks=True,
        lstrip_blocks=True,
    )


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
