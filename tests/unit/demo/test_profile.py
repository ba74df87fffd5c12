"""The demo's hourly profile: the committed file is what steward.demo writes, and it is a valid profile."""

import csv
import math
from pathlib import Path

import pytest

from steward import paths
from steward.demo import DEMO_PROFILE_REGIONS, hourly_profile_rows, write_hourly_profile
from steward.finance import load_profile
from steward.registry import load_registry


def test_committed_profile_is_the_generated_one(tmp_path: Path) -> None:
    written = write_hourly_profile(tmp_path / "p.csv").read_text()
    assert (paths.project_dir() / "include/finance/hourly_profile_demo.csv").read_text() == written


def test_registry_points_at_a_valid_profile() -> None:
    fin = load_registry().finance
    assert fin.hourly_profile is not None
    profile = load_profile(paths.project_dir() / fin.hourly_profile)
    assert tuple(profile.hours) == tuple(sorted(DEMO_PROFILE_REGIONS))


def test_shape_by_hand() -> None:
    rows = [r for r in hourly_profile_rows() if r["region"] == "aws:us-east-1"]
    g = {int(r["hour_utc"]): float(r["gco2e_per_kwh"]) for r in rows}
    p = {int(r["hour_utc"]): float(r["price_per_hour"]) for r in rows}
    # cleanest at 06:00, dirtiest at 18:00 (+/- 12% around the grid factor); cheapest at 05:00 (0.23 x 0.32)
    assert min(g, key=g.__getitem__) == 6 and max(g, key=g.__getitem__) == 18
    assert g[18] / g[6] == pytest.approx(1.12 / 0.88, rel=1e-3)
    assert p[5] == pytest.approx(0.23 * 0.32, abs=1e-4) and p[17] == pytest.approx(0.23 * 0.48, abs=1e-4)
    assert g[0] == pytest.approx(g[12], rel=1e-3)  # cos is symmetric about 18:00 and 06:00
    assert math.isclose(sum(g.values()) / 24, (g[6] + g[18]) / 2, rel_tol=1e-3)
    with (paths.project_dir() / "include/finance/hourly_profile_demo.csv").open() as f:
        assert len(list(csv.DictReader(f))) == 24 * len(DEMO_PROFILE_REGIONS)
