"""Has a partition landed, and if not, how long to wait for it (the registry's ``landing`` times).

The nightly validation asks :func:`partition_landed` first. When the partition is missing and the
dataset declares ``landing``, :func:`landing_wait` says when to look again (never past the deadline,
and exactly at ``expected_by`` when that comes first) and whether this look is the one that should
send the "late" notice; ``None`` means the deadline has passed: validate now and fail as before.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from typing import TYPE_CHECKING

from steward.sources._read import SourceError, matching_files

if TYPE_CHECKING:
    from steward.registry import Dataset, Landing
    from steward.warehouse import Warehouse

__all__ = ["LandingWait", "landing_wait", "partition_landed"]


def partition_landed(dataset: Dataset, day: dt.date, *, warehouse: Warehouse | None = None) -> bool:
    """Return whether ``dataset``'s partition for ``day`` is there: a file matches, or the table has rows.

    Cheap: lists files (or counts one day's rows) without reading them. A present but empty or corrupt
    partition counts as landed; validation reports what is wrong with it.
    """
    table = dataset.source.table
    if table is not None:
        if warehouse is None or not warehouse.table_exists(table):
            return False
        if dataset.partition_column is None:
            return True
        rows = warehouse.fetch(
            f'select count(*) as n from "{table}" where cast("{dataset.partition_column}" as date) = :day',
            {"day": day},
        )
        return bool(rows and int(str(rows[0]["n"])) > 0)
    try:
        matching_files(dataset, day)
    except SourceError as exc:
        if exc.kind == "missing":
            return False
        raise
    return True


@dataclass(frozen=True)
class LandingWait:
    """Wait for a missing partition: look again at ``until``; ``late`` says to send the late notice now."""

    until: dt.datetime
    late: bool
    message: str


def landing_wait(
    landing: Landing, dataset: str, day: dt.date, now: dt.datetime, *, first_look: bool
) -> LandingWait | None:
    """Decide what to do about ``dataset``'s missing partition of ``day`` at ``now``.

    Parameters
    ----------
    landing
        The dataset's ``landing`` times.
    dataset
        The dataset's name (for the message).
    day
        The partition date.
    now
        The current time (timezone-aware).
    first_look
        True on the task's first look (no reschedule yet): a run that starts after ``expected_by``
        sends the late notice on its first look.

    Returns
    -------
    LandingWait or None
        None once the deadline has passed (validate and fail with the "has not landed" message).
        Else when to look again: ``poke_minutes`` later, but at ``expected_by`` when that comes
        first, and never after the deadline. ``late`` is true on exactly one look after
        ``expected_by`` (the first look, or the look at ``expected_by``), provided looks are not
        delayed by more than ``poke_minutes``.

    Examples
    --------
    >>> from steward.registry import Landing
    >>> w = landing_wait(Landing(expected_by="03:00", deadline="06:00"), "leads", dt.date(2026, 11, 4),
    ...                  dt.datetime(2026, 11, 5, 2, 55, tzinfo=dt.UTC), first_look=True)
    >>> w.until.isoformat(), w.late
    ('2026-11-05T03:00:00+00:00', False)
    """
    deadline = landing.deadline_at(day)
    if now >= deadline:
        return None
    expected = landing.expected_at(day)
    poke = dt.timedelta(minutes=landing.poke_minutes)
    until = min(now + poke, deadline)
    if now < expected:
        until = min(until, expected)
    late = now >= expected and (first_look or now < expected + poke)
    state = "late: " if now >= expected else ""
    message = (
        f"dataset {dataset!r}, partition {day}: {state}not landed yet (expected by "
        f"{expected:%Y-%m-%d %H:%M} UTC); looking again at {until:%H:%M} UTC, waiting until the deadline "
        f"{deadline:%Y-%m-%d %H:%M} UTC"
    )
    return LandingWait(until=until, late=late, message=message)
