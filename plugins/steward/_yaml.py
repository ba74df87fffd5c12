"""YAML reading for Steward's own files: libyaml's C parser when PyYAML has it, else the Python one."""

from __future__ import annotations

from typing import Any

import yaml

__all__ = ["safe_load"]

#: The safe loader, in C when available: every Airflow task reads the registry, and the pure-Python
#: parser spends about 0.1 s on it, most of what a short task does besides Airflow's own steps.
_LOADER: Any = getattr(yaml, "CSafeLoader", yaml.SafeLoader)


def safe_load(text: str) -> Any:
    """Parse ``text`` like :func:`yaml.safe_load` (the same tags only); errors are ``yaml.YAMLError``.

    Examples
    --------
    >>> safe_load("a: [1, 2]")
    {'a': [1, 2]}
    """
    return yaml.load(text, Loader=_LOADER)  # noqa: S506 - a safe loader (CSafeLoader or SafeLoader)
