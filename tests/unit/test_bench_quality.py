"""The GX engine comparison (issue 15) at a tiny size: both engines run, and the differences are real."""

from __future__ import annotations

from pathlib import Path

import pytest

from benchmarks import quality

pytestmark = pytest.mark.postgres


def test_pandas_and_postgres_agree_but_on_the_column_type_checks(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    for name in ("STEWARD_HOME", "XDG_RUNTIME_DIR", "STEWARD_BENCH_POSTGRES_URL"):
        monkeypatch.setenv(name, str(tmp_path))  # the case sets them: restored afterwards
    result = quality.gx_engines(rows=300, days=4)
    note = str(result["note"])
    assert result["pandas_s"] > 0 and result["sql_s"] > 0
    assert note.startswith("night 2026-11-04, 29 expectations")
    # leads.json checks 11 columns' types by pandas dtype name; Postgres reports BIGINT, TEXT, ...
    assert "11 column type checks" in note
    assert "lead_id): pandas (True, None, 'int64') vs SQL (False, None, 'BIGINT')" in note


def test_compare_engines_lists_only_the_expectations_that_differ() -> None:
    class Outcome:
        def __init__(self, kind: str, success: bool, count: int | None, observed: str | None) -> None:
            self.expectation_type, self.column_name = kind, "x"
            self.success, self.unexpected_count, self.observed_value = success, count, observed

    pandas = [Outcome("a", True, 0, None), Outcome("b", False, 3, None), Outcome("c", True, None, "1.0")]
    sql = [Outcome("a", True, 0, None), Outcome("b", False, 2, None), Outcome("c", True, None, "1.0")]
    assert quality.compare_engines(pandas, sql) == [("b(x)", (False, 3, None), (False, 2, None))]
    with pytest.raises(ValueError):  # a missing result is not silently ignored
        quality.compare_engines(pandas, sql[:2])
