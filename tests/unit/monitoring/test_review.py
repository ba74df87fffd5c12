"""Review segments of point-mass bins: readable labels and example queries that select the bin's rows."""

from __future__ import annotations

import numpy as np

from steward.drift import bin_counts, numeric_profile
from steward.monitoring import scan_engine
from steward.monitoring._review import _label, _predicate


def test_point_bins_read_as_values_and_select_exactly_their_rows() -> None:
    rng = np.random.default_rng(5)
    x = rng.lognormal(2.0, 0.5, 500)
    x[rng.random(500) < 0.9] = 0.0
    profile = numeric_profile(x, bins=4)
    edges = profile.edges
    (zero,) = np.flatnonzero(profile.point_bins)
    assert _label(edges, zero) == "= 0"
    assert _label(edges, zero + 1) == f"(0, {edges[zero + 2]:.6g})"  # the bin after the zeros holds x > 0
    expected = bin_counts(profile, x)
    values = ", ".join(f"({v!r})" for v in x.tolist())
    engine = scan_engine(memory_limit="256MB", threads=1)
    try:
        for i in range(edges.size - 1):
            where = _predicate("x", edges, i)
            (row,) = engine.fetch(f"select count(*) as n from (values {values}) as r(x) where {where}")
            assert row["n"] == expected[i], (i, where)
    finally:
        engine.close()
