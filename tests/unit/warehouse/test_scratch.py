"""The scratch engine: DuckDB settings set in one place, Arrow tables by name, dict rows."""

from __future__ import annotations

from pathlib import Path

import pyarrow as pa
import pytest

from steward.warehouse import EngineError, ScratchEngine, WarehouseError, bind_params, scratch
from steward.warehouse._scratch import checked_size, spill_dir


def _setting(engine: ScratchEngine, name: str) -> object:
    return engine.fetch(f"select current_setting('{name}') as v")[0]["v"]


def test_engine_settings_are_applied_once_from_the_arguments(tmp_path: Path) -> None:
    with scratch(memory_limit="256MB", threads=1, spill=tmp_path) as eng:
        # DuckDB reports its own rounding of the limit (256 MiB -> "244.1 MiB" in decimal-ish units)
        limit = str(_setting(eng, "memory_limit"))
        assert limit.endswith("MiB") and 230 < float(limit.split()[0]) < 260
        assert _setting(eng, "threads") == 1
        assert _setting(eng, "temp_directory") == str(tmp_path)
        assert _setting(eng, "preserve_insertion_order") is False
        assert _setting(eng, "TimeZone") == "UTC"
        assert _setting(eng, "parquet_can_have_nan") is True


def test_defaults_spill_under_steward_home_and_keep_duckdb_memory_when_asked(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("STEWARD_HOME", str(tmp_path))
    assert spill_dir() == tmp_path / "tmp" / "duckdb"
    with scratch(memory_limit=None, preserve_insertion_order=True) as eng:
        assert _setting(eng, "temp_directory") == str(tmp_path / "tmp" / "duckdb")
        assert _setting(eng, "preserve_insertion_order") is True
        with scratch() as bounded:  # the default budget is 1GB: smaller than DuckDB's own default here
            assert _setting(bounded, "memory_limit") != _setting(eng, "memory_limit")


def test_register_and_fetch_dict_rows_with_named_parameters() -> None:
    table = pa.table({"team": ["a", "b", "a"], "cost_usd": [1.5, 2.0, 3.0]})
    with scratch(threads=1) as eng:
        eng.register("costs", table)
        rows = eng.fetch(
            "select team, sum(cost_usd) as cost_usd from costs where cost_usd > :low "
            "group by team order by team",
            {"low": 1.6},
        )
        assert rows == [{"team": "a", "cost_usd": 3.0}, {"team": "b", "cost_usd": 2.0}]
        eng.unregister("costs")
        with pytest.raises(WarehouseError, match="costs"):
            eng.fetch("select * from costs")


def test_cursors_share_the_database_but_not_registered_tables() -> None:
    with scratch() as eng:
        eng.execute("create table shared_t as select 42 as x")
        one, two = eng.cursor(), eng.cursor()
        try:
            assert one.execute("select x from shared_t").fetchall() == [(42,)]
            assert one.execute("select current_setting('TimeZone')").fetchall() == [("UTC",)]
            one.register("mine", pa.table({"y": [1]}))
            with pytest.raises(EngineError, match="mine"):
                two.execute("select * from mine")
        finally:
            one.close()
            two.close()


def test_a_closed_engine_is_gone() -> None:
    eng = scratch()
    con = eng.con
    eng.close()
    with pytest.raises(EngineError):
        con.execute("select 1")


@pytest.mark.parametrize("text", ["lots", "12", "1.5 XB", "GB"])
def test_a_memory_limit_that_is_not_a_size_is_one_line(text: str) -> None:
    with pytest.raises(ValueError, match=r"memory_limit .* must look like '512MB' or '2GB'"):
        scratch(memory_limit=text)


def test_checked_size_normalizes_spelling() -> None:
    assert checked_size(" 1.5 gb ") == "1.5GB"


def test_bind_params_lets_code_that_drives_con_use_named_parameters() -> None:
    query = "select :a + :b as s, '1'::integer as one, ':not_a_param' as t"
    sql, values = bind_params(query, {"a": 1, "b": 2})
    assert values == {"a": 1, "b": 2}
    with scratch() as eng:
        assert eng.con.execute(sql, values).fetchall() == [(3, 1, ":not_a_param")]
