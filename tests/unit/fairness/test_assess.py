"""Training-data bias assessment on both warehouses: shares, base rates, missingness, proxies vs scipy."""

from __future__ import annotations

import numpy as np
import pytest
from scipy.stats.contingency import association

from steward.fairness import assess_training_data, write_bias_assessment
from steward.fairness._assess import correlation_ratio, cramers_v
from steward.warehouse import Warehouse
from tests.unit.fairness.data_for_test import model, one

#         sex        age   x_num  x_cat  label
GIVEN = [
    ("female", "young", 10.0, "a", 1),
    ("female", "young", 12.0, "a", 0),
    ("female", "old", 11.0, "a", 1),
    ("female", "old", None, "b", 1),
    ("male", "old", 20.0, "b", 0),
    ("male", "young", 22.0, "b", None),
    ("male", "old", 21.0, None, 1),
    (None, "old", 15.0, "a", 0),
]


def _load(wh: Warehouse) -> str:
    wh.execute(
        "create table train "
        "(sex varchar, age_band varchar, x_num double precision, x_cat varchar, label integer)"
    )
    values = ", ".join(
        "("
        + ", ".join("null" if v is None else f"'{v}'" if isinstance(v, str) else str(v) for v in row)
        + ")"
        for row in GIVEN
    )
    wh.execute(f"insert into train values {values}")
    return "select * from train"


def test_assessment_on_both_warehouses(warehouse: Warehouse) -> None:
    warehouse.migrate()
    m = model(min_group_size=1, proxy_threshold=0.5)
    rows = assess_training_data(warehouse, m, source_sql=_load(warehouse), dataset_version="v1", run_id="r")
    share = one(rows, attribute="sex", group_value="female", check_name="group_share")
    assert share["value"] == pytest.approx(4 / 8) and share["n"] == 4
    base = one(rows, attribute="sex", group_value="male", check_name="label_base_rate")
    assert base["value"] == pytest.approx(1 / 2) and base["n"] == 2  # one male row unlabelled
    missing = one(rows, attribute="sex", group_value="female", check_name="missing_rate", feature="x_num")
    assert missing["value"] == pytest.approx(1 / 4)
    inter = one(rows, attribute="sex*age_band", group_value="female*old", check_name="group_size")
    assert inter["value"] == 2
    # proxies against independent references
    sexes = ["female", "male", "unknown"]
    cats = ["a", "b", "missing"]
    table = np.array(
        [
            [sum(1 for r in GIVEN if (r[0] or "unknown") == s and (r[3] or "missing") == c) for c in cats]
            for s in sexes
        ]
    )
    v = one(rows, attribute="sex", check_name="proxy_cramers_v", feature="x_cat")
    assert v["value"] == pytest.approx(association(table, method="cramer"))
    x = np.array([r[2] for r in GIVEN if r[2] is not None])
    g = np.array([r[0] or "unknown" for r in GIVEN if r[2] is not None])
    between = sum((g == k).sum() * (x[g == k].mean() - x.mean()) ** 2 for k in set(g))
    eta = np.sqrt(between / ((x - x.mean()) ** 2).sum())
    proxy = one(rows, attribute="sex", check_name="proxy_correlation_ratio", feature="x_num")
    assert proxy["value"] == pytest.approx(eta) and proxy["verdict"] == "flagged"
    assert write_bias_assessment(warehouse, m, "v1", rows) == len(rows)
    assert write_bias_assessment(warehouse, m, "v1", rows) == len(rows)
    stored = warehouse.fetch("select count(*) as n from bias_assessment where dataset_version = 'v1'")
    assert int(stored[0]["n"]) == len(rows)  # type: ignore[call-overload]


def test_cramers_v_and_eta_helpers_against_references() -> None:
    table = np.array([[30, 10, 5], [10, 30, 7]])
    assert cramers_v(table) == pytest.approx(association(table, method="cramer"))
    assert np.isnan(cramers_v([[3, 4]]))
    assert correlation_ratio([2, 2], [2.0, 6.0], [2.0, 18.0]) == pytest.approx(1.0)
    assert np.isnan(correlation_ratio([3], [3.0], [3.0]))
