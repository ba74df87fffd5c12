"""One demo lake per test session (default parameters), shared by the demo tests."""

from __future__ import annotations

import pytest

from steward.demo import DemoManifest, generate


@pytest.fixture(scope="session")
def demo(tmp_path_factory: pytest.TempPathFactory) -> DemoManifest:
    """The default demo lake: 14 days x 2,000 rows from 2026-11-01, seed 42."""
    return generate(tmp_path_factory.mktemp("demo-home"))
