"""Run ids: one format for every run Steward starts itself (the CLI, library calls, fired retrainings).

A run id is ``<kind>__<key>``: ``kind`` says who ran (``cli``, ``cli_audit``, ``cli_finance``,
``demo_finance``, ``manual``, ``retraining``), ``key`` tells runs of one kind apart: the UTC start
time to the microsecond as ``YYYYmmddTHHMMSS.ffffff`` (``cli__20261130T052501.123456``), or a
deterministic key where a rerun must find the same run (``retraining__<decision id>``). Two commands
started within one second are two runs: their rows and lineage never replace each other's.
Airflow's own run ids have the same ``<type>__<key>`` shape (``scheduled__2026-11-14T02:00:00+00:00``,
``manual__...``, ``backfill__...``); the DAG tasks store them as Airflow gives them.
"""

from __future__ import annotations

import datetime as dt
import re
import threading

__all__ = ["new_run_id"]

_KIND = re.compile(r"[a-z][a-z0-9]*(_[a-z0-9]+)*")
_STAMP = "%Y%m%dT%H%M%S.%f"
_lock = threading.Lock()
_last_start: dt.datetime | None = None  # the latest default start time handed out by this process


def _start_time() -> dt.datetime:
    """Return now (UTC), strictly later than any start time this process handed out before."""
    global _last_start
    with _lock:
        now = dt.datetime.now(dt.UTC)
        if _last_start is not None and now <= _last_start:
            now = _last_start + dt.timedelta(microseconds=1)
        _last_start = now
        return now


def new_run_id(kind: str, key: str | None = None, *, now: dt.datetime | None = None) -> str:
    """Return the run id ``<kind>__<key>``; ``key`` defaults to the UTC time ``YYYYmmddTHHMMSS.ffffff``.

    Parameters
    ----------
    kind
        Who runs: lowercase words joined by single underscores (never ``__``, the separator).
    key
        A deterministic key (a decision id); ``None`` for the start time ``now``. Without ``now``, the
        current time, later than every default id this process made before, so ids never repeat.

    Raises
    ------
    ValueError
        ``kind`` is not lowercase words joined by single underscores, or ``key`` is empty.

    Examples
    --------
    >>> new_run_id("cli", now=dt.datetime(2026, 11, 30, 5, 25, 1, tzinfo=dt.UTC))
    'cli__20261130T052501.000000'
    >>> new_run_id("retraining", "rd-1")
    'retraining__rd-1'
    """
    if not _KIND.fullmatch(kind):
        raise ValueError(
            f"run id kind {kind!r}: use lowercase words joined by single underscores (e.g. 'cli_audit')"
        )
    if key is None:
        key = (now.astimezone(dt.UTC) if now else _start_time()).strftime(_STAMP)
    if not key:
        raise ValueError(f"run id of kind {kind!r}: the key is empty; pass a decision id or leave it out")
    return f"{kind}__{key}"
