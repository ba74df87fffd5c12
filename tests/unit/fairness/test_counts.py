"""The one SQL aggregation on both warehouses: given rows, expected counts (hand-computed)."""

from __future__ import annotations

import datetime as dt

import pytest

from steward.fairness import evaluate_window, group_counts_sql, write_fairness
from steward.warehouse import Warehouse
from tests.unit.fairness.data_for_test import model, one

DAY = dt.date(2026, 11, 10)
#          sex     age_band  pred score label
GIVEN = [
    ("F", "young", 1, 0.9, 1),
    ("F", "young", 0, 0.2, 1),
    ("F", "old", 1, 0.8, 0),
    (None, "old", 1, 0.7, None),
    ("M", "old", 0, 0.1, 0),
    ("M", "young", 1, 0.6, 1),
]
# (attribute, group): n, n_labelled, predicted_favourable, label_favourable, tp, fp, tn, fn
EXPECTED = {
    ("*", "*"): (6, 5, 4, 3, 2, 1, 1, 1),
    ("sex", "F"): (3, 3, 2, 2, 1, 1, 0, 1),
    ("sex", "M"): (2, 2, 1, 1, 1, 0, 1, 0),
    ("sex", "unknown"): (1, 0, 1, 0, 0, 0, 0, 0),
    ("age_band", "young"): (3, 3, 2, 3, 2, 0, 0, 1),
    ("age_band", "old"): (3, 2, 2, 0, 0, 1, 1, 0),
    ("sex*age_band", "F*young"): (2, 2, 1, 2, 1, 0, 0, 1),
    ("sex*age_band", "F*old"): (1, 1, 1, 0, 0, 1, 0, 0),
    ("sex*age_band", "unknown*old"): (1, 0, 1, 0, 0, 0, 0, 0),
    ("sex*age_band", "M*old"): (1, 1, 0, 0, 0, 0, 1, 0),
    ("sex*age_band", "M*young"): (1, 1, 1, 1, 1, 0, 0, 0),
}
FIELDS = ("n", "n_labelled", "predicted_favourable", "label_favourable", "tp", "fp", "tn", "fn")


def _load(wh: Warehouse) -> str:
    wh.execute(
        "create table preds "
        "(sex varchar, age_band varchar, pred integer, score double precision, label integer)"
    )
    values = ", ".join(
        "("
        + ", ".join("null" if v is None else f"'{v}'" if isinstance(v, str) else str(v) for v in row)
        + ")"
        for row in GIVEN
    )
    wh.execute(f"insert into preds values {values}")
    return "select * from preds"


def test_group_counts_on_both_warehouses(warehouse: Warehouse) -> None:
    source = _load(warehouse)
    result = evaluate_window(warehouse, model(min_group_size=1), source_sql=source, window=DAY, run_id="r1")
    got = {(c["attribute"], c["group_value"]): tuple(c[f] for f in FIELDS) for c in result.counts}
    assert got == EXPECTED


def test_calibration_bins_on_both_warehouses(warehouse: Warehouse) -> None:
    source = _load(warehouse)
    result = evaluate_window(warehouse, model(min_group_size=1), source_sql=source, window=DAY, run_id="r1")
    overall = {c["score_bin"]: c for c in result.calibration if c["attribute"] == "*"}
    assert sorted(overall) == [1, 2, 6, 7, 8, 9]
    assert overall[7]["n_scored"] == 1 and overall[7]["n_labelled"] == 0 and overall[7]["mean_score"] is None
    assert overall[9]["mean_score"] == pytest.approx(0.9) and overall[9]["observed_rate"] == 1.0
    assert overall[8]["observed_rate"] == 0.0 and (overall[8]["bin_low"], overall[8]["bin_high"]) == (
        pytest.approx((0.8, 0.9))
    )


def test_write_fairness_replaces_its_partition(warehouse: Warehouse) -> None:
    warehouse.migrate()
    source = _load(warehouse)
    m = model(min_group_size=1)
    result = evaluate_window(warehouse, m, source_sql=source, window=DAY, run_id="r1")
    written = write_fairness(warehouse, m, DAY, result)
    assert written == len(result.rows)
    write_fairness(warehouse, m, DAY, result)  # a rerun
    other = evaluate_window(warehouse, m, source_sql=source, window=DAY + dt.timedelta(days=1), run_id="r2")
    write_fairness(warehouse, m, DAY + dt.timedelta(days=1), other)
    rows = warehouse.fetch(
        "select window_date, count(*) as n from fairness_metrics group by window_date order by window_date"
    )
    assert [int(r["n"]) for r in rows] == [len(result.rows), len(other.rows)]  # type: ignore[call-overload]
    counts = warehouse.fetch(
        "select tp, fn from fairness_group_counts where window_date = :d and attribute = 'sex' "
        "and group_value = 'F'",
        {"d": DAY},
    )
    assert counts == [{"tp": 1, "fn": 1}]
    unknown = warehouse.fetch(
        "select status, note from fairness_metrics where window_date = :d and attribute = 'sex' "
        "and group_value = 'unknown' and metric = 'true_positive_rate'",
        {"d": DAY},
    )
    assert unknown[0]["status"] == "undefined" and "no labelled rows" in str(unknown[0]["note"])


def test_the_sql_is_a_single_aggregation_with_grouping_sets() -> None:
    sql = group_counts_sql(model(), source_sql="select * from t", score_column="score")
    assert sql.count("group by grouping sets") == 1
    assert "((g_0), (g_0, score_bin), (g_1), (g_1, score_bin), (g_0, g_1), (g_0, g_1, score_bin), (), " in sql


def test_null_and_unknown_groups_are_one_explicit_group() -> None:
    from steward.fairness import evaluate_arrow
    from tests.unit.fairness.data_for_test import log

    result = evaluate_arrow(model(), log(2000, null_sex_share=0.1), window=DAY, run_id="r")
    unknown = one(result.rows, attribute="sex", group_value="unknown", metric="group_size")
    assert 150 < unknown["n"] < 250


@pytest.mark.parametrize(("column", "bad"), [("label", "2"), ("pred", "2"), ("label", "0.7")])
def test_values_outside_the_two_outcomes_are_refused_not_counted(
    warehouse: Warehouse, column: str, bad: str
) -> None:
    source = _load(warehouse)
    warehouse.execute("alter table preds alter column label type double precision")
    warehouse.execute(f"update preds set {column} = {bad} where sex = 'M'")
    role = "label" if column == "label" else "prediction"
    with pytest.raises(ValueError, match=rf"{role} column '{column}' holds values that are neither outcome"):
        evaluate_window(warehouse, model(min_group_size=1), source_sql=source, window=DAY, run_id="r1")
    with pytest.raises(ValueError, match=r"\(2\); the registry declares 0/1 with 1 favourable"):
        evaluate_window(warehouse, model(min_group_size=1), source_sql=source, window=DAY, run_id="r1")


def _windows_table(wh: Warehouse) -> list[dt.date]:
    """Three windows of a seeded log with all, half and none of their labels arrived; return the days."""
    from tests.unit.fairness.data_for_test import log

    days = [DAY + dt.timedelta(days=i) for i in range(3)]
    wh.execute(
        "create table horizon (sex varchar, age_band varchar, score double precision, pred integer, "
        "label integer, x_num double precision, x_cat varchar, steward_window date)"
    )
    for i, (day, share) in enumerate(zip(days, (1.0, 0.5, 0.0), strict=True)):
        part = log(600 + 100 * i, seed=11 + i, gap=0.1 * i, label_share=share, null_sex_share=0.05)
        wh.replace_partition("horizon", {"steward_window": day}, part)
    return days


def _canonical(result: object) -> tuple[object, ...]:
    fields = ("rows", "counts", "calibration")
    lists = tuple(sorted(repr(r) for r in getattr(result, f)) for f in fields)
    rest = {k: v for k, v in vars(result).items() if k not in fields}
    return (*lists, repr(rest), result.summary())  # type: ignore[attr-defined]


def test_all_windows_in_one_aggregation_equal_each_window_alone(warehouse: Warehouse) -> None:
    from steward.fairness import evaluate_windows

    days = _windows_table(warehouse)
    empty = DAY + dt.timedelta(days=5)  # requested, no rows: evaluated alone, as before
    m = model(min_group_size=20)
    together = evaluate_windows(
        warehouse, m, source_sql="select * from horizon", windows=[*days, empty], run_id="r1"
    )
    assert list(together) == [*days, empty]
    for day in [*days, empty]:
        alone = evaluate_window(
            warehouse,
            m,
            source_sql=f"select * from horizon where steward_window = date '{day.isoformat()}'",
            window=day,
            run_id="r1",
        )
        # the same rows, counts, calibration bins and verdicts, bit for bit (repr: NaN included); the
        # engine returns groups in no particular order, so each list is compared as a sorted list
        assert _canonical(together[day]) == _canonical(alone)
    labelled = [c["n_labelled"] for d in days for c in together[d].counts if c["attribute"] == "*"]
    assert labelled[0] == 600 and 0 < labelled[1] < 700 and labelled[2] == 0
    assert together[empty].counts[0]["n"] == 0


def test_windows_need_their_window_column(warehouse: Warehouse) -> None:
    from steward.fairness import evaluate_windows

    _windows_table(warehouse)
    source = "select sex, age_band, score, pred, label from horizon"
    with pytest.raises(ValueError, match=r"lacks the window column 'steward_window'.*add the window's date"):
        evaluate_windows(warehouse, model(), source_sql=source, windows=[DAY], run_id="r1")


def test_the_windows_sql_groups_every_set_by_window() -> None:
    sql = group_counts_sql(
        model(), source_sql="select * from t", score_column="score", window_column="steward_window"
    )
    assert sql.count("group by grouping sets") == 1
    assert 'cast("steward_window" as date) as steward_window' in sql
    assert "((steward_window, g_0), (steward_window, g_0, score_bin), " in sql
    assert ", (steward_window), (steward_window, score_bin))" in sql


def test_model_versions_are_counted_in_the_same_pass(warehouse: Warehouse) -> None:
    from steward.fairness import evaluate_windows

    days = _windows_table(warehouse)
    warehouse.execute("alter table horizon add column model_version varchar")
    warehouse.execute("alter table horizon add column ts timestamp")
    # window 1 mixes two versions (score above 0.6: 1.1), window 2 has none; ts grows with the score
    warehouse.execute(
        "update horizon set model_version = case when score > 0.6 then '1.1' else '1.0' end, "
        "ts = timestamp '2026-11-10 00:00:00' + cast(floor(score * 1000) as integer) * interval '1 second' "
        f"where steward_window <= date '{days[1].isoformat()}'"
    )
    m = model(min_group_size=20)
    plain = evaluate_windows(warehouse, m, source_sql="select * from horizon", windows=days, run_id="r1")
    counted = evaluate_windows(
        warehouse,
        m,
        source_sql="select * from horizon",
        windows=days,
        run_id="r1",
        version_column="model_version",
        timestamp_column="ts",
    )
    reference = warehouse.fetch(
        "select steward_window as window_date, model_version as version, count(*) as n, max(ts) as last "
        "from horizon where model_version is not null group by 1, 2 order by 1, 2"
    )
    got = [v for d in days for v in counted[d].versions]
    assert [(v["window_date"], v["version"], v["n"]) for v in got] == [
        (r["window_date"], r["version"], r["n"]) for r in reference
    ]
    assert [v["last"] for v in got] == [r["last"] for r in reference]
    assert {v["version"] for v in counted[days[0]].versions} == {"1.0", "1.1"}
    assert not counted[days[2]].versions
    for day in days:  # the extra grouping set changes no count, rate or verdict
        assert _canonical(counted[day])[:3] == _canonical(plain[day])[:3]
        assert counted[day].breaches == plain[day].breaches


def test_versions_need_windows() -> None:
    with pytest.raises(ValueError, match="model versions are counted per window"):
        group_counts_sql(model(), source_sql="select * from t", score_column=None, version_column="v")
