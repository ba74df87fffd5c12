"""Run ids: one format, ``<kind>__<key>`` (steward._runs)."""

from __future__ import annotations

import datetime as dt
import re

import pytest

from steward import new_run_id


def test_the_key_defaults_to_the_utc_start_time() -> None:
    plus_two = dt.timezone(dt.timedelta(hours=2))
    at = dt.datetime(2026, 11, 30, 7, 25, 1, tzinfo=plus_two)
    assert new_run_id("cli", now=at) == "cli__20261130T052501.000000"
    before = dt.datetime.now(dt.UTC)
    made = new_run_id("cli_audit")
    after = dt.datetime.now(dt.UTC)
    assert re.fullmatch(r"cli_audit__\d{8}T\d{6}\.\d{6}", made)
    stamp = dt.datetime.strptime(made.split("__")[1], "%Y%m%dT%H%M%S.%f").replace(tzinfo=dt.UTC)
    assert before <= stamp <= after


def test_runs_started_within_one_second_or_microsecond_get_different_ids() -> None:
    # two CLI commands in one second were one run: the second replaced the first's lineage rows
    made = [new_run_id("cli") for _ in range(2000)]
    assert len(set(made)) == len(made)
    assert made == sorted(made)  # in the order they started


def test_a_deterministic_key_gives_the_same_id_every_time() -> None:
    assert new_run_id("retraining", "rd-1") == new_run_id("retraining", "rd-1") == "retraining__rd-1"


@pytest.mark.parametrize("kind", ["", "CLI", "cli__x", "cli-x", "_cli", "cli_", "1cli"])
def test_a_kind_outside_the_format_is_refused(kind: str) -> None:
    with pytest.raises(ValueError, match="lowercase words joined by single underscores"):
        new_run_id(kind)


def test_an_empty_key_is_refused() -> None:
    with pytest.raises(ValueError, match="the key is empty"):
        new_run_id("retraining", "")
