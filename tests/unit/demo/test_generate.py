"""The demo generator: determinism, layout, manifest, and every injected problem on its days only."""

from __future__ import annotations

import datetime as dt
import json
import re
import time
from pathlib import Path

import numpy as np
import pandas as pd
import pyarrow as pa
import pyarrow.parquet as pq
import pytest
from sklearn.metrics import roc_auc_score

from steward.demo import (
    DEMO_DATASETS,
    DEMO_DAYS,
    DEMO_START,
    INJECTED_PROBLEMS,
    DemoManifest,
    generate,
    injected_problems,
)
from steward.demo._io import ChunkWriter
from tests.unit.demo._read import read_all, read_day

DAYS = [DEMO_START + dt.timedelta(days=i) for i in range(DEMO_DAYS)]
NULLS_DAY = dt.date(2026, 11, 4)
OUT_OF_RANGE_DAY = dt.date(2026, 11, 6)
DRIFT_DAY = dt.date(2026, 11, 8)
UNFAIR_DAYS = [dt.date(2026, 11, 10), dt.date(2026, 11, 11), dt.date(2026, 11, 12)]
DAILY = [d for d in DEMO_DATASETS if not d.endswith("_training")]


def _files(lake: Path) -> dict[str, bytes]:
    return {p.relative_to(lake).as_posix(): p.read_bytes() for p in sorted(lake.rglob("*")) if p.is_file()}


# ------------------------------------------------------------------------------------ determinism
def test_same_parameters_give_byte_identical_files(demo: DemoManifest, tmp_path: Path) -> None:
    again = generate(tmp_path)
    assert not again.reused
    first, second = _files(demo.lake), _files(again.lake)
    assert sorted(first) == sorted(second)
    assert "_manifest.json" in first
    differing = [name for name in first if first[name] != second[name]]
    assert differing == []


def test_a_day_does_not_depend_on_the_window_but_does_on_the_seed(demo: DemoManifest, tmp_path: Path) -> None:
    short = generate(tmp_path / "short", days=2, datasets=["leads", "billing_aws"])
    other_seed = generate(tmp_path / "seed", days=2, seed=43, datasets=["leads", "billing_aws"])
    for dataset in ("leads", "billing_aws"):
        default_bytes = demo.path(dataset, DEMO_START).read_bytes()
        assert short.path(dataset, DEMO_START).read_bytes() == default_bytes
        assert other_seed.path(dataset, DEMO_START).read_bytes() != default_bytes
    assert not read_day(other_seed, "leads", DEMO_START).equals(read_day(demo, "leads", DEMO_START))


def test_rerun_with_same_parameters_skips_work(demo: DemoManifest) -> None:
    before = {p: p.stat().st_mtime_ns for p in demo.lake.rglob("*.parquet")}
    started = time.perf_counter()
    again = generate(demo.lake.parent)
    elapsed = time.perf_counter() - started
    assert again.reused
    assert again == demo
    assert elapsed < 1.0
    assert {p: p.stat().st_mtime_ns for p in demo.lake.rglob("*.parquet")} == before


def test_other_parameters_regenerate_and_drop_stale_partitions(tmp_path: Path) -> None:
    first = generate(tmp_path, days=3, rows_per_day=1000, datasets=["leads", "business_outcomes"])
    stale = first.path("leads", DAYS[2])
    (tmp_path / "lake" / "keep.txt").write_text("not ours")
    second = generate(tmp_path, days=2, rows_per_day=1000, datasets=["leads"])
    assert not second.reused
    assert not stale.exists()
    assert not (tmp_path / "lake" / "business_outcomes").exists()
    assert (tmp_path / "lake" / "keep.txt").read_text() == "not ours"
    assert [p.key for p in second.partitions["leads"]] == [DAYS[0].isoformat(), DAYS[1].isoformat()]
    third = generate(tmp_path, days=2, rows_per_day=1000, datasets=["leads"])
    assert third.reused


def test_a_damaged_file_regenerates(tmp_path: Path) -> None:
    first = generate(tmp_path, days=1, rows_per_day=1000, datasets=["leads"])
    file = first.path("leads", DEMO_START)
    good = file.read_bytes()
    file.write_bytes(good[:100])
    again = generate(tmp_path, days=1, rows_per_day=1000, datasets=["leads"])
    assert not again.reused
    assert file.read_bytes() == good


@pytest.mark.parametrize(
    ("kwargs", "message"),
    [
        ({"datasets": ["leads", "lead"]}, "unknown demo datasets ['lead']"),
        ({"datasets": []}, "choose from"),
        ({"rows_per_day": 0}, "rows_per_day=0"),
        ({"days": 0}, "days=0"),
        ({"chunk_rows": 0}, "chunk_rows=0"),
        ({"seed": -1}, "seed=-1"),
    ],
)
def test_bad_arguments_say_what_to_give(tmp_path: Path, kwargs: dict[str, object], message: str) -> None:
    with pytest.raises(ValueError, match=re.escape(message)):
        generate(tmp_path, **kwargs)  # type: ignore[arg-type]


# ------------------------------------------------------------------------------- layout and counts
def test_layout_and_row_counts(demo: DemoManifest) -> None:
    lake = demo.lake
    for dataset in DAILY:
        folders = sorted(p.name for p in (lake / dataset).iterdir())
        assert folders == [f"date={d.isoformat()}" for d in DAYS], dataset
    for dataset in ("lead_scoring_training", "credit_risk_training"):
        assert [p.name for p in (lake / dataset).iterdir()] == ["snapshot=v1"]
        assert pq.read_metadata(demo.path(dataset)).num_rows == 5 * 2000
    for dataset in ("leads", "loan_applications", "lead_scoring_predictions", "credit_risk_predictions"):
        for day in DAYS:
            assert pq.read_metadata(demo.path(dataset, day)).num_rows == 2000, (dataset, day)
    for day in DAYS:
        assert pq.read_metadata(demo.path("business_outcomes", day)).num_rows == 2
        assert 8 <= pq.read_metadata(demo.path("billing_aws", day)).num_rows <= 20
        assert 6 <= pq.read_metadata(demo.path("billing_gcp", day)).num_rows <= 20
        assert pq.read_metadata(demo.path("lead_scoring_labels", day)).num_rows > 1000
        assert pq.read_metadata(demo.path("credit_risk_labels", day)).num_rows > 500
    for dataset, parts in demo.partitions.items():
        for p in parts:
            assert pq.read_metadata(demo.lake / p.path).num_rows == p.rows, (dataset, p.key)


def test_column_types_are_deliberate(demo: DemoManifest) -> None:
    leads = pq.read_schema(demo.path("leads", DEMO_START))
    assert leads.field("lead_id").type == pa.int64()
    assert leads.field("created_at").type == pa.timestamp("us", tz="UTC")
    assert leads.field("channel").type == pa.string()
    assert leads.field("is_returning_visitor").type == pa.bool_()
    assert leads.field("pages_viewed").type == pa.int64()
    assert leads.field("form_score").type == pa.float64()
    for dataset in DAILY:
        schema = pq.read_schema(demo.path(dataset, DEMO_START))
        assert schema.field("event_date").type == pa.date32(), dataset
        assert not any(pa.types.is_dictionary(f.type) for f in schema), dataset
        table = pq.read_table(demo.path(dataset, DAYS[5]), columns=["event_date"])
        assert set(table.column("event_date").to_pylist()) == {DAYS[5]}, dataset


def test_manifest_records_parameters_partitions_and_problems(demo: DemoManifest) -> None:
    doc = json.loads((demo.lake / "_manifest.json").read_text())
    assert doc["company"] == "Northwind Lending & Growth"
    assert doc["parameters"] == {
        "start": "2026-11-01",
        "days": 14,
        "rows_per_day": 2000,
        "seed": 42,
        "chunk_rows": 1_000_000,
        "datasets": list(DEMO_DATASETS),
    }
    assert set(doc["datasets"]) == set(DEMO_DATASETS)
    assert len(doc["datasets"]["leads"]["partitions"]) == 14
    assert doc["datasets"]["leads"]["rows"] == 28_000
    assert doc["datasets"]["credit_risk_training"]["partitions"][0]["path"] == (
        "credit_risk_training/snapshot=v1/part-0.parquet"
    )
    assert doc["injected_problems"] == [p.to_dict() for p in INJECTED_PROBLEMS]
    assert DemoManifest.read(demo.lake) == demo


def test_injected_problem_schedule() -> None:
    by_kind = {(p.dataset, p.kind): p for p in INJECTED_PROBLEMS}
    assert by_kind[("leads", "nulls")].day == by_kind[("leads", "nulls")].last_day == NULLS_DAY
    assert by_kind[("loan_applications", "out_of_range")].day == OUT_OF_RANGE_DAY
    assert by_kind[("leads", "drift")].day == DRIFT_DAY
    assert by_kind[("leads", "drift")].last_day == DAYS[-1]
    assert by_kind[("leads", "creep")].day == DEMO_START
    unfair = by_kind[("credit_risk_predictions", "unfair_segment")]
    assert (unfair.day, unfair.last_day) == (UNFAIR_DAYS[0], UNFAIR_DAYS[-1])
    assert all(p.expected_effect and p.detail for p in INJECTED_PROBLEMS)
    # A shorter window keeps only what falls inside it, cut at its last day.
    short = injected_problems(DEMO_START, 9)
    assert ("credit_risk_predictions", "unfair_segment") not in {(p.dataset, p.kind) for p in short}
    assert {p.last_day for p in short} <= {NULLS_DAY, OUT_OF_RANGE_DAY, DAYS[8]}


# --------------------------------------------------------------------------- injected problems
def test_form_score_nulls_only_on_their_day(demo: DemoManifest) -> None:
    for day in DAYS:
        share = read_day(demo, "leads", day)["form_score"].isna().mean()
        if day == NULLS_DAY:
            assert share == pytest.approx(0.08, abs=0.005)
        else:
            assert share == 0, day
    # The scoring service was not affected: the prediction log has every form_score.
    assert read_day(demo, "lead_scoring_predictions", NULLS_DAY)["form_score"].notna().all()


def test_debt_to_income_out_of_range_only_on_its_day(demo: DemoManifest) -> None:
    for day in DAYS:
        dti = read_day(demo, "loan_applications", day)["debt_to_income"]
        above = int((dti > 3).sum())
        if day == OUT_OF_RANGE_DAY:
            assert 5 <= above <= 10
            assert dti.max() <= 9
        else:
            assert above == 0, day
        assert dti.min() >= 0


def test_time_on_site_shifts_abruptly_from_the_drift_day(demo: DemoManifest) -> None:
    for dataset in ("leads", "lead_scoring_predictions"):
        means = {d: read_day(demo, dataset, d)["time_on_site_s"].mean() for d in DAYS}
        before = [means[d] for d in DAYS if d < DRIFT_DAY]
        after = [means[d] for d in DAYS if d >= DRIFT_DAY]
        assert max(before) / min(before) < 1.3, dataset
        assert min(after) / max(before) > 2.5, dataset
    training = read_day(demo, "lead_scoring_training")["time_on_site_s"].mean()
    assert training == pytest.approx(means[DEMO_START], rel=0.1)


def test_pages_viewed_creeps_slowly(demo: DemoManifest) -> None:
    means = np.array([read_day(demo, "leads", d)["pages_viewed"].mean() for d in DAYS])
    slope = np.polyfit(np.arange(len(DAYS)), means, 1)[0]
    assert 0.08 < slope < 0.2  # pages per day, about 2.5% of a mean of 5
    assert means[-1] / means[0] > 1.2
    assert np.abs(np.diff(means)).max() < 0.4  # never a visible jump from one day to the next
    training = read_day(demo, "lead_scoring_training")["pages_viewed"].mean()
    assert training == pytest.approx(means[0], rel=0.05)


def test_age_band_18_25_declined_more_only_on_the_unfair_days(demo: DemoManifest) -> None:
    for day in DAYS:
        frame = read_day(demo, "credit_risk_predictions", day)
        young = frame["age_band"] == "18-25"
        gap = frame.loc[young, "predicted_label"].mean() - frame.loc[~young, "predicted_label"].mean()
        if day in UNFAIR_DAYS:
            assert gap > 0.25, day
        else:
            assert gap < 0.1, day


def test_prediction_log_matches_raw_features_and_threshold(demo: DemoManifest) -> None:
    for raw, predictions, threshold in (
        ("leads", "lead_scoring_predictions", 0.3),
        ("loan_applications", "credit_risk_predictions", 0.15),
    ):
        day = DAYS[1]
        left, right = read_day(demo, raw, day), read_day(demo, predictions, day)
        shared = [c for c in right.columns if c in left.columns and c != "event_date"]
        assert len(shared) >= 9
        pd.testing.assert_frame_equal(left[shared], right[shared])
        assert ((right["score"] >= threshold).astype("int64") == right["predicted_label"]).all()
        assert right["score"].between(0, 1).all()
        assert (right["scored_at"] >= left[left.columns[1]]).all()
        assert (right["scored_at"].dt.date == day).all()


# ------------------------------------------------------------------------------------- labels
@pytest.mark.parametrize(
    ("predictions", "labels", "key", "low", "high"),
    [
        ("lead_scoring_predictions", "lead_scoring_labels", "lead_id", 2, 9),
        ("credit_risk_predictions", "credit_risk_labels", "application_id", 5, 20),
    ],
)
def test_labels_arrive_late_with_partial_coverage_at_the_end(
    demo: DemoManifest, predictions: str, labels: str, key: str, low: int, high: int
) -> None:
    lab = read_all(demo, labels)
    delay = (pd.to_datetime(lab["event_date"]) - pd.to_datetime(lab["scored_date"])).dt.days
    assert delay.min() == low
    assert delay.max() == high
    assert lab[key].is_unique
    assert (lab["labeled_at"].dt.date == lab["event_date"]).all()
    # Labels arrive from the first day, for leads scored before the window.
    assert (lab["scored_date"] < DEMO_START).any()
    pred = read_all(demo, predictions)
    in_window = lab[lab["scored_date"] >= DEMO_START]
    assert in_window[key].isin(pred[key]).all()
    covered = pred[key].isin(lab[key]).groupby(pred["event_date"]).mean()
    first_uncovered = DAYS[-1] - dt.timedelta(days=low - 1)
    assert covered[DEMO_START] == pytest.approx(min(1.0, (DEMO_DAYS - low) / (high - low + 1)), abs=0.05)
    assert covered[first_uncovered] == 0
    assert covered.is_monotonic_decreasing


def test_scores_rank_outcomes_well_until_the_drift(demo: DemoManifest) -> None:
    pred = read_all(demo, "lead_scoring_predictions")
    joined = pred.merge(read_all(demo, "lead_scoring_labels"), on="lead_id")
    before = joined[joined["scored_date"] < DRIFT_DAY]
    after = joined[joined["scored_date"] >= DRIFT_DAY]
    auc_before = roc_auc_score(before["converted"], before["score"])
    auc_after = roc_auc_score(after["converted"], after["score"])
    assert 0.78 < auc_before < 0.88
    assert auc_after < auc_before - 0.08
    credit = read_all(demo, "credit_risk_predictions").merge(
        read_all(demo, "credit_risk_labels"), on="application_id"
    )
    assert 0.72 < roc_auc_score(credit["defaulted"], credit["score"]) < 0.85
    assert 0.04 < credit["defaulted"].mean() < 0.12
    assert 0.1 < before["converted"].mean() < 0.2


def test_training_snapshots_are_labelled_and_precede_the_window(demo: DemoManifest) -> None:
    for dataset, label, key in (
        ("lead_scoring_training", "converted", "lead_id"),
        ("credit_risk_training", "defaulted", "application_id"),
    ):
        frame = read_day(demo, dataset)
        assert set(frame[label].unique()) == {0, 1}
        assert frame[key].is_unique
        assert frame["event_date"].max() < DEMO_START - dt.timedelta(days=20)
    credit = read_day(demo, "credit_risk_training")
    assert {"sex", "age_band"} <= set(credit.columns)


# ----------------------------------------------------------------------------- billing, outcomes
@pytest.mark.parametrize(
    ("dataset", "cost", "tags", "models"),
    [
        ("billing_aws", "line_item_unblended_cost", "resource_tags", {"lead-scoring", "credit-risk"}),
        ("billing_gcp", "cost", "labels", {"lead-scoring"}),
    ],
)
def test_billing_tags_are_realistically_untidy(
    demo: DemoManifest, dataset: str, cost: str, tags: str, models: set[str]
) -> None:
    frame = read_all(demo, dataset)
    parsed = frame[tags].map(json.loads)
    untagged = frame.loc[parsed.map(len) == 0, cost].sum() / frame[cost].sum()
    assert 0.08 < untagged < 0.16
    keys = set().union(*parsed.map(set))
    unit_keys = {"BusinessUnit", "business-unit", "business_unit"} & keys
    assert len(unit_keys) == 2
    assert {t.get("model") for t in parsed} - {None} == models
    platform_only = parsed.map(lambda t: t.get("team") == "platform" and not (unit_keys & set(t)))
    assert platform_only.any()
    assert (frame[cost] >= 0).all()
    assert frame["event_date"].nunique() == DEMO_DAYS


def test_business_outcomes_follow_the_injected_problems(tmp_path: Path) -> None:
    # Outcomes are a few rows a day whatever rows_per_day: a million leads a day makes the
    # effects stand clear of the binomial noise.
    manifest = generate(tmp_path, rows_per_day=1_000_000, datasets=["business_outcomes"])
    frame = read_all(manifest, "business_outcomes")
    assert len(frame) == 2 * DEMO_DAYS
    marketing = frame[frame["business_unit"] == "marketing"].set_index("event_date")
    lending = frame[frame["business_unit"] == "lending"].set_index("event_date")
    assert (marketing["leads_received"] == 1_000_000).all()
    assert (lending["applications_received"] == 1_000_000).all()
    rate = marketing["leads_converted"] / marketing["leads_received"]
    for day in DAYS:
        # Conversions on a day come from leads 2-9 days old; post-drift cohorts convert 25% less.
        post_drift_share = sum(day - dt.timedelta(days=d) >= DRIFT_DAY for d in range(2, 10)) / 8
        assert rate[day] == pytest.approx(0.145 * (1 - 0.25 * post_drift_share), abs=0.0015), day
    approval = lending["applications_approved"] / lending["applications_received"]
    for day in DAYS:
        assert approval[day] == pytest.approx(0.836 if day in UNFAIR_DAYS else 0.886, abs=0.002), day
    cac = marketing["marketing_spend_usd"] / marketing["leads_converted"]
    assert cac.min() > 150 and cac.max() < 500


# ------------------------------------------------------------------------------------- chunks
def test_large_days_are_written_in_chunks(tmp_path: Path) -> None:
    messages: list[str] = []
    manifest = generate(
        tmp_path,
        days=1,
        rows_per_day=250_000,
        chunk_rows=60_000,
        datasets=["leads", "lead_scoring_predictions"],
        progress=messages.append,
    )
    meta = pq.read_metadata(manifest.path("leads", DEMO_START))
    assert meta.num_rows == 250_000
    assert [meta.row_group(i).num_rows for i in range(meta.num_row_groups)] == [60_000] * 4 + [10_000]
    ids = pq.read_table(manifest.path("lead_scoring_predictions", DEMO_START), columns=["lead_id"]).column(0)
    assert ids.to_numpy().tolist() == list(range(2026110100000000, 2026110100250000))
    assert messages == ["leads 2026-11-01: 250,000 rows", "lead_scoring_predictions 2026-11-01: 250,000 rows"]


def test_chunk_writer_buffers_small_batches_into_full_row_groups(tmp_path: Path) -> None:
    schema = pa.schema([("x", pa.int64())])
    writer = ChunkWriter(tmp_path / "a" / "part-0.parquet", schema, chunk_rows=20)
    for i in range(10):
        writer.write(pa.table({"x": list(range(7 * i, 7 * i + 7))}, schema=schema))
    assert writer.close() == 70
    meta = pq.read_metadata(tmp_path / "a" / "part-0.parquet")
    assert [meta.row_group(i).num_rows for i in range(meta.num_row_groups)] == [20, 20, 20, 10]
    assert pq.read_table(tmp_path / "a" / "part-0.parquet").column("x").to_pylist() == list(range(70))
    empty = ChunkWriter(tmp_path / "b" / "part-0.parquet", schema, chunk_rows=20)
    assert empty.close() == 0
    assert pq.read_schema(tmp_path / "b" / "part-0.parquet").names == ["x"]
    with pytest.raises(ValueError, match="differs"):
        ChunkWriter(tmp_path / "c.parquet", schema, 5).write(pa.table({"y": [1]}))
