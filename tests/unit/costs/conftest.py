"""Fixtures for the cost source and normalization tests: billing files on disk (aws_env: tests/conftest)."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest

from steward.warehouse import Warehouse, connect
from tests.unit.costs import _source_data as data


@pytest.fixture
def cur_lake(tmp_path: Path) -> Path:
    """October and November CUR 2.0 lines in a ``date=YYYY-MM-DD`` lake (tags as JSON text, as the demo)."""
    root = tmp_path / "lake" / "billing_aws"
    for lines in (data.CUR_OCT, data.CUR_NOV):
        by_day: dict[str, list[dict[str, object]]] = {}
        for ln in lines:
            by_day.setdefault(f"{ln['line_item_usage_start_date']:%Y-%m-%d}", []).append(ln)
        for day, day_lines in by_day.items():
            data.write_parquet(
                data.cur_table(day_lines, tags_as_json=True), root / f"date={day}" / "part.parquet"
            )
    return root


@pytest.fixture(scope="session")
def scratch_wh(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Warehouse]:
    """One migrated DuckDB warehouse per test session, for tests that use their own source names."""
    path = tmp_path_factory.mktemp("scratch") / "steward.duckdb"
    with connect(f"duckdb:///{path}") as wh:
        wh.migrate()
        yield wh
