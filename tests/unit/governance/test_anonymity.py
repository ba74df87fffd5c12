"""k and l measured in SQL agree with pycanon (the independent reference); generalizations coarsen in SQL."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from pycanon import anonymity as pycanon

from steward.governance import generalized_sql, measure_anonymity
from steward.monitoring import scan_engine
from steward.registry import Generalization
from steward.warehouse import Warehouse


def _values_sql(frame: pd.DataFrame) -> str:
    rows = ", ".join(
        "(" + ", ".join(f"'{v}'" if isinstance(v, str) else str(v) for v in r) + ")"
        for r in frame.itertuples(index=False)
    )
    return f"select * from (values {rows}) as t({', '.join(frame.columns)})"


def _frame(seed: int, n: int) -> pd.DataFrame:
    rng = np.random.default_rng(seed)
    return pd.DataFrame(
        {
            "age": rng.integers(20, 26, n),
            "zip": rng.choice(["94107", "94110", "10001"], n),
            "sex": rng.choice(["f", "m"], n),
            "diagnosis": rng.choice(["flu", "cold", "asthma", "none"], n),
        }
    )


@settings(max_examples=12, deadline=None)
@given(st.integers(0, 10_000), st.integers(1, 80))
def test_k_and_l_agree_with_pycanon_on_duckdb(seed: int, n: int) -> None:
    frame = _frame(seed, n)
    qi = ["age", "zip", "sex"]
    engine = scan_engine(memory_limit="256MB", threads=1)
    try:
        got = measure_anonymity(
            engine, _values_sql(frame), quasi_identifiers=qi, sensitive_attribute="diagnosis"
        )
    finally:
        engine.close()
    assert got.k == pycanon.k_anonymity(frame, qi)
    assert got.l == pycanon.l_diversity(frame, qi, ["diagnosis"])
    assert got.equivalence_classes == len(frame.groupby(qi))
    assert got.row_count == n


def test_k_and_l_agree_with_pycanon_on_both_backends(warehouse: Warehouse) -> None:
    frame = _frame(7, 60)
    qi = ["age", "sex"]
    got = measure_anonymity(
        warehouse, _values_sql(frame), quasi_identifiers=qi, sensitive_attribute="diagnosis"
    )
    assert (got.k, got.l) == (pycanon.k_anonymity(frame, qi), pycanon.l_diversity(frame, qi, ["diagnosis"]))
    no_l = measure_anonymity(warehouse, _values_sql(frame), quasi_identifiers=["zip", "sex"])
    assert no_l.l is None
    assert no_l.k == pycanon.k_anonymity(frame, ["zip", "sex"])


def test_generalizing_raises_k_to_what_pycanon_measures_on_the_coarsened_frame(warehouse: Warehouse) -> None:
    frame = _frame(11, 40)
    rules = {"age": Generalization(bands=[22, 24]), "zip": Generalization(prefix=3)}
    sql = generalized_sql(_values_sql(frame), ["age", "zip", "diagnosis"], rules)
    got = measure_anonymity(warehouse, sql, quasi_identifiers=["age", "zip"], sensitive_attribute="diagnosis")
    coarse = frame.assign(
        age=pd.cut(frame["age"], [-np.inf, 22, 24, np.inf], right=False).astype(str),
        zip=frame["zip"].str[:3] + "**",
    )
    assert got.k == pycanon.k_anonymity(coarse, ["age", "zip"])
    assert got.l == pycanon.l_diversity(coarse, ["age", "zip"], ["diagnosis"])
    assert got.k > measure_anonymity(warehouse, _values_sql(frame), quasi_identifiers=["age", "zip"]).k  # type: ignore[operator]
    labels = {r["age"] for r in warehouse.fetch(sql)} | {r["zip"] for r in warehouse.fetch(sql)}
    assert labels == {"< 22", "[22, 24)", ">= 24", "941**", "100**"}


def test_no_rows_measures_none_and_no_quasi_identifier_is_an_error(warehouse: Warehouse) -> None:
    empty = "select 1 as age, 'x' as dx where 1 = 0"
    got = measure_anonymity(warehouse, empty, quasi_identifiers=["age"], sensitive_attribute="dx")
    assert (got.k, got.l, got.row_count) == (None, None, 0)
    with pytest.raises(ValueError, match="at least one quasi-identifier"):
        measure_anonymity(warehouse, empty, quasi_identifiers=[])
