"""Run ids: one format for every run Steward starts itself (the CLI, library calls, fired retrainings).

A run id is ``<kind>__<key>``: ``kind`` says who ran (``cli``, ``cli_audit``, ``cli_finance``,
``demo_finance``, ``manual``, ``retraining``), ``key`` tells runs of one kind apart: the UTC start
time as ``YYYYmmddTHHMMSS`` (``cli__20261130T052501``), or a deterministic key where a rerun must find
the same run (``retraining__<decision id>``). Airflow's own run ids have the same ``<type>__<key>``
shape (``scheduled__2026-11-14T02:00:00+00:00``, ``manual__...``, ``backfill__...``); the DAG tasks
store them as Airflow gives them.
"""

from __future__ import annotations

import datetime as dt
import re

__all__ = ["new_run_id"]

_KIND = re.compile(r"[a-z][a-z0-9]*(_[a-z0-9]+)*")


def new_run_id(kind: str, key: str | None = None, *, now: dt.datetime | None = None) -> str:
    """Return the run id ``<kind>__<key>``; ``key`` defaults to the UTC time ``YYYYmmddTHHMMSS``.

    Parameters
    ----------
    kind
        Who runs: lowercase words joined by single underscores (never ``__``, the separator).
    key
        A deterministic key (a decision id); ``None`` for the start time ``now`` (default: now).

    Raises
    ------
    ValueError
        ``kind`` is not lowercase words joined by single underscores, or ``key`` is empty.

    Examples
    --------
    >>> new_run_id("cli", now=dt.datetime(2026, 11, 30, 5, 25, 1, tzinfo=dt.UTC))
    'cli__20261130T052501'
    >>> new_run_id("retraining", "rd-1")
    'retraining__rd-1'
    """
    if not _KIND.fullmatch(kind):
        raise ValueError(
            f"run id kind {kind!r}: use lowercase words joined by single underscores (e.g. 'cli_audit')"
        )
    if key is None:
        key = f"{(now or dt.datetime.now(dt.UTC)).astimezone(dt.UTC):%Y%m%dT%H%M%S}"
    if not key:
        raise ValueError(f"run id of kind {kind!r}: the key is empty; pass a decision id or leave it out")
    return f"{kind}__{key}"
