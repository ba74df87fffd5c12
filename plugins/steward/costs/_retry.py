"""Bounded provider calls: throttling retries with exponential backoff, and page loops that end.

:func:`with_backoff` retries a call on throttling (AWS ``ThrottlingException``, HTTP 429) with
tenacity (waits, stop, retry predicate), adding the fetch's time budget to it.
:class:`PageGuard` bounds one fetch's page loop: at most ``max_pages`` pages, at most
``time_budget_s`` seconds (throttling waits included), and never the same page token twice.
"""

from __future__ import annotations

import logging
import random
import time
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import TypeVar

import tenacity

from steward.costs._engine import CostSourceError
from steward.registry._cost_sources import DEFAULT_MAX_PAGES, DEFAULT_TIME_BUDGET_S

__all__ = [
    "DEFAULT_MAX_PAGES",
    "DEFAULT_TIME_BUDGET_S",
    "THROTTLING_CODES",
    "FetchTimeoutError",
    "PageGuard",
    "PaginationError",
    "is_throttling",
    "with_backoff",
]

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


class PaginationError(CostSourceError):
    """A page loop got a page token twice or went past its page limit: a retry would do the same."""


class FetchTimeoutError(TimeoutError):
    """A fetch used up its time budget (a later retry, when the provider is faster, may succeed)."""


@dataclass
class PageGuard:
    """Bound one fetch's page loops: pages, wall-clock time and repeated page tokens.

    Create one per fetch, call :meth:`page` after every page with the token of the next one, and
    :meth:`check_time` before any other provider call. Tokens are remembered per request ``scope``:
    a token seen twice in one scope means the provider would send the loop round forever.

    Parameters
    ----------
    what
        Names the source in errors, e.g. ``"cost source 'aws' (Cost Explorer)"``.
    max_pages
        Pages allowed over the whole fetch.
    time_budget_s
        Seconds allowed over the whole fetch, from the guard's creation.
    clock
        Monotonic seconds (default :func:`time.monotonic`; tests pass a fake).

    Examples
    --------
    >>> guard = PageGuard("demo", max_pages=3)
    >>> guard.page("t1"), guard.page(None)
    (True, False)
    """

    what: str
    max_pages: int = DEFAULT_MAX_PAGES
    time_budget_s: float = DEFAULT_TIME_BUDGET_S
    clock: Callable[[], float] | None = None
    pages: int = field(default=0, init=False)
    _seen: dict[str, set[str]] = field(default_factory=dict, init=False, repr=False)
    _start: float = field(default=0.0, init=False, repr=False)

    def __post_init__(self) -> None:
        if self.max_pages < 1 or self.time_budget_s <= 0:
            raise ValueError(f"{self.what}: max_pages must be >= 1 and time_budget_s > 0")
        self._start = self._now()

    def _now(self) -> float:
        return (self.clock or time.monotonic)()

    def elapsed_s(self) -> float:
        """Seconds since the guard was created."""
        return self._now() - self._start

    def remaining_s(self) -> float:
        """Seconds left of the budget (0 when spent)."""
        return max(0.0, self.time_budget_s - self.elapsed_s())

    def check_time(self) -> None:
        """Raise :class:`FetchTimeoutError` when the time budget is spent."""
        elapsed = self.elapsed_s()
        if elapsed > self.time_budget_s:
            raise FetchTimeoutError(
                f"{self.what}: the fetch took {elapsed:.0f} s, over its time budget of "
                f"{self.time_budget_s:.0f} s, after {self.pages} page(s); the rows loaded before are kept. "
                "Fix: rerun later (the provider may be slow or throttling), or raise the source's "
                "time_budget_s in include/governance.yaml"
            )

    def page(self, next_token: str | None, *, scope: str = "") -> bool:
        """Count one page; return whether to fetch the next (``next_token`` is set).

        Raises
        ------
        PaginationError
            ``next_token`` came before in this ``scope``, or another page would pass ``max_pages``.
        FetchTimeoutError
            The time budget is spent.
        """
        self.pages += 1
        if not next_token:
            return False
        seen = self._seen.setdefault(scope, set())
        if next_token in seen:
            where = f" ({scope})" if scope else ""
            raise PaginationError(
                f"{self.what}: the provider returned the same page token twice{where} after "
                f"{self.pages} page(s), so paging would never end; nothing was written. "
                "Fix: rerun; if it repeats, report it to the provider with the request"
            )
        seen.add(next_token)
        if self.pages >= self.max_pages:
            raise PaginationError(
                f"{self.what}: more than max_pages={self.max_pages} pages in one fetch; nothing was "
                "written. Fix: raise the source's max_pages in include/governance.yaml if the data "
                "really is that large, or narrow the request (fewer tag keys, accounts or months)"
            )
        self.check_time()
        return True


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
    guard: PageGuard | None = None,
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
    guard
        The fetch's :class:`PageGuard`: its time budget is checked before each try, and a wait that
        would outlast it raises :class:`FetchTimeoutError` instead of sleeping.

    Returns
    -------
    object
        What ``call`` returns.

    Raises
    ------
    Exception
        The last throttling error when every attempt was throttled, or any other error at once.
    FetchTimeoutError
        The ``guard``'s time budget is spent.

    Examples
    --------
    >>> with_backoff(lambda: 42, what="noop")
    42
    """
    exponential = tenacity.wait_exponential(multiplier=base_s, max=max_s)

    def jittered(state: tenacity.RetryCallState) -> float:  # between half and all of the exponential wait
        return exponential(state) * (0.5 + random.random() / 2)  # noqa: S311

    def before_sleep(state: tenacity.RetryCallState) -> None:
        wait, attempt = state.upcoming_sleep, state.attempt_number
        if guard is not None and wait > guard.remaining_s():
            raise FetchTimeoutError(
                f"{what}: still throttled after {attempt} attempt(s) and the next wait ({wait:.0f} s) "
                f"would pass the fetch's time budget of {guard.time_budget_s:.0f} s; the rows loaded "
                "before are kept. Fix: rerun later, or raise the source's time_budget_s"
            ) from (state.outcome.exception() if state.outcome else None)
        _log.warning("%s throttled (attempt %d of %d); retrying in %.1f s", what, attempt, attempts, wait)

    retrying = tenacity.Retrying(
        retry=tenacity.retry_if_exception(is_throttling),
        stop=tenacity.stop_after_attempt(max(attempts, 1)),
        wait=jittered,
        before=lambda _: guard.check_time() if guard is not None else None,
        before_sleep=before_sleep,
        sleep=sleep or time.sleep,
        reraise=True,
    )
    return retrying(call)
