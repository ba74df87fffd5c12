"""prepare_gx: the GX context is built once, ahead of the first validation, and then reused.

And GX 1.24's kwargs lookups, replaced to build an expectation's configuration once per call, give
GX's own values.
"""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import pandas as pd
import pyarrow.parquet as pq
import pytest

from steward import paths
from steward.quality import ExpectationOutcome, prepare_gx, run_suite
from steward.quality._gx import GX_KWARGS_METHODS, _context, _gx, _read_kwargs_once

SUITE = {
    "name": "tiny",
    "expectations": [{"type": "expect_column_values_to_not_be_null", "kwargs": {"column": "a"}}],
}


def test_prepare_gx_builds_the_context_that_validations_then_use() -> None:
    _context.cache_clear()
    prepare_gx()
    assert _context.cache_info().currsize == 1
    built = _context()
    outcomes = run_suite(pd.DataFrame({"a": [1, None, 3]}), SUITE, asset_name="tiny")
    assert _context() is built and _context.cache_info().misses == 1  # no second context
    assert [(o.success, o.unexpected_count) for o in outcomes] == [(False, 1)]


def _suites() -> dict[str, dict[str, Any]]:
    return {
        p.stem: json.loads(p.read_text(encoding="utf-8"))
        for p in sorted(paths.expectations_dir().glob("*.json"))
    }


def test_the_kwargs_lookups_are_replaced_for_the_pinned_gx() -> None:
    gx = _gx()
    from great_expectations.expectations.expectation import Expectation

    assert gx.__version__.startswith("1.24.")  # the pin: a new GX needs its methods compared again
    assert set(GX_KWARGS_METHODS) == {
        "_get_success_kwarg",
        "_get_domain_kwargs",
        "_get_success_kwargs",
        "_get_runtime_kwargs",
    }
    for name, original in GX_KWARGS_METHODS.items():
        assert Expectation.__dict__[name] is not original
        assert original.__module__ == "great_expectations.expectations.expectation"
    assert not _read_kwargs_once("1.25.0")  # another version keeps GX's own methods


def test_the_replaced_lookups_return_what_gx_returns_for_every_suite() -> None:
    gx = _gx()
    compared = 0
    for name, suite in _suites().items():
        for exp in gx.ExpectationSuite(**suite).expectations:
            for method in ("_get_domain_kwargs", "_get_success_kwargs", "_get_runtime_kwargs"):
                assert getattr(exp, method)() == GX_KWARGS_METHODS[method](exp), (
                    name,
                    exp.expectation_type,
                    method,
                )
            for runtime in ({"result_format": "SUMMARY"}, {"result_format": {"result_format": "COMPLETE"}}):
                assert exp._get_runtime_kwargs(runtime) == GX_KWARGS_METHODS["_get_runtime_kwargs"](
                    exp, runtime
                )
            for key in (*exp.success_keys, *exp.domain_keys, *exp.runtime_keys, "mostly", "no_such_key"):
                assert exp._get_success_kwarg(key, "dflt") == GX_KWARGS_METHODS["_get_success_kwarg"](
                    exp, key, "dflt"
                )
            compared += 1
    assert compared > 300  # every expectation of the twelve suites


def test_validations_give_the_same_results_with_gx_own_lookups(
    steward_home: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    from great_expectations.expectations.expectation import Expectation

    from steward.demo import generate

    manifest = generate(steward_home, days=6, rows_per_day=300, datasets=["leads", "loan_applications"])
    suites = _suites()
    frames = [
        (dataset, day, pq.read_table(manifest.path(dataset, day)).to_pandas())
        for dataset in ("leads", "loan_applications")
        for day in manifest.days
    ]

    def outcomes() -> list[list[ExpectationOutcome]]:
        return [run_suite(frame, suites[ds], asset_name=ds) for ds, _, frame in frames]

    replaced = outcomes()
    with monkeypatch.context() as m:
        for name, original in GX_KWARGS_METHODS.items():
            m.setattr(Expectation, name, original)
        own = outcomes()
    assert replaced == own
    failed = {
        (ds, str(day))
        for (ds, day, _), out in zip(frames, replaced, strict=True)
        if not all(o.success for o in out)
    }
    assert ("leads", "2026-11-04") in failed  # the injected nulls are caught either way
