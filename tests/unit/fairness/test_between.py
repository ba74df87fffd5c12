"""Between-group homogeneity p-values against hand-computed chi-square statistics."""

from __future__ import annotations

import pytest
from scipy import special

from steward.fairness import GroupCounts, homogeneity_p


def _group(value: str, n: int, favourable: int) -> GroupCounts:
    return GroupCounts("age_band", value, n, 0, favourable, 0, 0, 0, 0, 0, 0, None)


def test_homogeneity_p_is_pearsons_chi_square_by_hand() -> None:
    # 3 x 2 table [[30, 70], [45, 55], [60, 40]]: column totals 135/165 of 300, expected 45/55 per row.
    groups = [_group("a", 100, 30), _group("b", 100, 45), _group("c", 100, 60)]
    chi2 = (15**2 / 45 + 15**2 / 55) * 2  # rows a and c; row b sits on its expectation
    assert chi2 == pytest.approx(18.1818, abs=1e-4)
    expected_p = float(special.chdtrc(2, chi2))
    assert homogeneity_p(groups, "predicted_favourable", "n") == pytest.approx(expected_p, rel=1e-12)


def test_two_groups_get_no_yates_correction() -> None:
    # 2 x 2 [[10, 40], [25, 25]]: expected 17.5 / 32.5 per row; Pearson without continuity correction.
    groups = [_group("a", 50, 10), _group("b", 50, 25)]
    chi2 = (7.5**2 / 17.5 + 7.5**2 / 32.5) * 2
    assert chi2 == pytest.approx(9.8901, abs=1e-4)
    assert homogeneity_p(groups, "predicted_favourable", "n") == pytest.approx(
        float(special.chdtrc(1, chi2)), rel=1e-12
    )


def test_no_favourable_outcome_at_all_is_no_evidence() -> None:
    groups = [_group("a", 50, 0), _group("b", 80, 0)]
    assert homogeneity_p(groups, "predicted_favourable", "n") == 1.0
