"""The demo company's hourly carbon intensity and price profile (``finance.hourly_profile``).

Synthetic, stated as such: each region's grid factor (Steward's CCF coefficient file) shaped over the day
by a cosine, cleanest at 06:00 UTC and dirtiest at 18:00 UTC (the evening peak of US-East and European
grids, gas peakers on), +/- 12%; the price of one hour of a batch job's compute is an ml.m5.xlarge
(0.23 USD on demand in us-east-1) at a spot-like 40% +/- 8%, cheapest at 05:00 UTC. Written to
``include/finance/hourly_profile_demo.csv`` by :func:`write_hourly_profile`; a test keeps the committed
file equal to it.
"""

from __future__ import annotations

import csv
import math
from pathlib import Path

from steward.carbon import load_coefficients

__all__ = ["DEMO_PROFILE_REGIONS", "hourly_profile_rows", "write_hourly_profile"]

#: The regions the demo's jobs and candidate regions use.
DEMO_PROFILE_REGIONS = ("aws:us-east-1", "aws:eu-west-1", "aws:eu-north-1", "aws:us-west-2")


def hourly_profile_rows() -> list[dict[str, str]]:
    """Return the profile's rows: 24 hours per region, intensity in g CO2e/kWh, price per hour in USD."""
    coefficients = load_coefficients()
    rows = []
    for region in DEMO_PROFILE_REGIONS:
        provider, _, name = region.partition(":")
        found = coefficients.provider(provider)
        assert found is not None
        factor, _known = found.grid(name)
        for hour in range(24):
            intensity = factor * 1000 * (1 + 0.12 * math.cos(2 * math.pi * (hour - 18) / 24))
            price = 0.23 * (0.40 + 0.08 * math.cos(2 * math.pi * (hour - 17) / 24))
            rows.append(
                {
                    "region": region,
                    "hour_utc": str(hour),
                    "gco2e_per_kwh": f"{intensity:.1f}",
                    "price_per_hour": f"{price:.4f}",
                }
            )
    return rows


def write_hourly_profile(path: Path) -> Path:
    """Write :func:`hourly_profile_rows` as CSV to ``path``; return it."""
    path.parent.mkdir(parents=True, exist_ok=True)
    with path.open("w", newline="") as f:
        writer = csv.DictWriter(f, fieldnames=["region", "hour_utc", "gco2e_per_kwh", "price_per_hour"])
        writer.writeheader()
        writer.writerows(hourly_profile_rows())
    return path
