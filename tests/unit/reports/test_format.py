"""P-values print one way everywhere; an underflowed p-value is never shown as an exact 0."""

from __future__ import annotations

import pytest
from scipy.stats import fisher_exact

from steward.reports import format_p


@pytest.mark.parametrize(
    ("p", "shown"),
    [(0.5, "0.5"), (0.0123, "0.012"), (0.001, "0.001"), (2.4e-13, "2.4e-13"), (0.0, "< 1e-300"), (None, "—")],
)
def test_format_p(p: float | None, shown: str) -> None:
    assert format_p(p) == shown


def test_a_huge_sample_underflows_to_zero_and_prints_as_a_bound() -> None:
    p = fisher_exact([[90_000, 10_000], [10_000, 90_000]]).pvalue  # scipy underflows to 0.0
    assert p == 0.0
    assert format_p(p) == "< 1e-300"
