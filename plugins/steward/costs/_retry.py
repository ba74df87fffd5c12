"""Retry a provider call on throttling (AWS ``ThrottlingException``, HTTP 429) with exponential backoff."""

from __future__ import annotations

import logging
import random
import time
from collections.abc import Callable
from typing import TypeVar

__all__ = ["THROTTLING_CODES", "is_throttling", "with_backoff"]

_log = logging.getLogger(__name__)

T = TypeVar("T")

#: AWS error codes that mean "slow down".
THROTTLING_CODES = frozenset(
    {
        "ThrottlingException",
        "Throttling",
        "TooManyRequestsException",
        "RequestLimitExceeded",
        "LimitExceededException",
        "SlowDown",
    }
)


def is_throttling(exc: BaseException) -> bool:
    """Return whether ``exc`` is a throttling error of boto3 (by error code) or google-api-core (429).

    Examples
    --------
    >>> from google.api_core.exceptions import TooManyRequests
    >>> is_throttling(TooManyRequests("quota")), is_throttling(ValueError("x"))
    (True, False)
    """
    response = getattr(exc, "response", None)
    if isinstance(response, dict):
        code = response.get("Error", {}).get("Code")
        if code in THROTTLING_CODES:
            return True
    return getattr(exc, "code", None) == 429


def with_backoff(
    call: Callable[[], T],
    *,
    what: str,
    attempts: int = 6,
    base_s: float = 1.0,
    max_s: float = 60.0,
    sleep: Callable[[float], None] | None = None,
) -> T:
    """Run ``call``; on a throttling error wait ``base_s * 2**k`` (with jitter, at most ``max_s``) and retry.

    Parameters
    ----------
    call
        The provider call, without arguments.
    what
        Named in logs and in the final error (never carries credentials).
    attempts
        Tries in all, at least 1.
    base_s, max_s
        First wait and the cap on any wait, in seconds.
    sleep
        Waits (default :func:`time.sleep`; tests pass a recorder).

    Returns
    -------
    object
        What ``call`` returns.

    Raises
    ------
    Exception
        The last throttling error when every attempt was throttled, or any other error at once.

    Examples
    --------
    >>> with_backoff(lambda: 42, what="noop")
    42
    """
    for attempt in range(1, max(attempts, 1) + 1):
        try:
            return call()
        except Exception as exc:
            if not is_throttling(exc) or attempt >= attempts:
                raise
            wait = min(max_s, base_s * 2 ** (attempt - 1)) * (0.5 + random.random() / 2)  # noqa: S311
            _log.warning("%s throttled (attempt %d of %d); retrying in %.1f s", what, attempt, attempts, wait)
            (sleep or time.sleep)(wait)
    raise AssertionError("unreachable")  # pragma: no cover
