"""PageGuard and with_backoff: page loops end (page limit, time budget, repeated tokens), throttling waits
stay inside the time budget."""

from __future__ import annotations

import pytest
from botocore.exceptions import ClientError

from steward.costs import CostSourceError, FetchTimeoutError, PageGuard, PaginationError, with_backoff


def _throttled() -> ClientError:
    return ClientError({"Error": {"Code": "ThrottlingException", "Message": "Rate exceeded"}}, "Op")


def test_tokens_are_remembered_per_scope() -> None:
    guard = PageGuard("src")
    assert guard.page("t1", scope="account 1") and guard.page("t1", scope="account 2")
    with pytest.raises(
        PaginationError, match=r"src: the provider returned the same page token twice \(account 1\)"
    ):
        guard.page("t1", scope="account 1")
    assert isinstance(PaginationError("x"), CostSourceError)  # the ingest task fails without retrying


def test_the_last_page_may_be_the_max_page_but_not_one_more() -> None:
    guard = PageGuard("src", max_pages=3)
    assert guard.page("a") and guard.page("b")
    assert guard.page(None) is False  # page 3 of 3 ends the loop: fine
    guard = PageGuard("src", max_pages=3)
    guard.page("a")
    guard.page("b")
    with pytest.raises(PaginationError, match="more than max_pages=3"):
        guard.page("c")  # page 3 of 3 asks for a fourth


def test_bad_limits_are_refused() -> None:
    with pytest.raises(ValueError, match="max_pages must be >= 1"):
        PageGuard("src", max_pages=0)
    with pytest.raises(ValueError, match="time_budget_s > 0"):
        PageGuard("src", time_budget_s=0)


def test_backoff_checks_the_budget_before_each_try_and_never_sleeps_past_it() -> None:
    now = [0.0]
    guard = PageGuard("src", time_budget_s=10, clock=lambda: now[0])
    calls: list[int] = []

    def call() -> str:
        calls.append(1)
        if len(calls) < 3:
            raise _throttled()
        return "ok"

    def sleep(s: float) -> None:
        now[0] += s

    assert with_backoff(call, what="src", sleep=sleep, guard=guard) == "ok"  # waits of <= 1 s and <= 2 s
    assert len(calls) == 3

    now[0] = 11.0  # budget spent: the next call is not made
    with pytest.raises(FetchTimeoutError, match="over its time budget of 10 s"):
        with_backoff(call, what="src", sleep=sleep, guard=guard)
    assert len(calls) == 3


def test_without_a_guard_backoff_behaves_as_before() -> None:
    waits: list[float] = []
    with pytest.raises(ClientError):
        with_backoff(lambda: (_ for _ in ()).throw(_throttled()), what="src", attempts=3, sleep=waits.append)
    assert len(waits) == 2
