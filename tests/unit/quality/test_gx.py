"""prepare_gx: the GX context is built once, ahead of the first validation, and then reused."""

from __future__ import annotations

import pandas as pd

from steward.quality import prepare_gx, run_suite
from steward.quality._gx import _context

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
