"""Fairness over the label horizon: one aggregation over every window equals evaluating each window alone."""

from __future__ import annotations

import datetime as dt
from pathlib import Path

import pytest

from steward.demo import DEMO_START, generate
from steward.demo._company import CREDIT_RISK_VERSION
from steward.fairness import evaluate_window
from steward.monitoring._fairness import fairness_night, fairness_source_sql
from steward.monitoring._reference import horizon_days
from steward.monitoring._relation import dataset_relation, scan_engine
from steward.registry import load_registry
from steward.sources import SourceError
from steward.warehouse import Warehouse

DATASETS = ["credit_risk_training", "credit_risk_predictions", "credit_risk_labels"]


def _canonical(result: object) -> tuple[object, ...]:
    fields = ("rows", "counts", "calibration")
    lists = tuple(sorted(repr(r) for r in getattr(result, f)) for f in fields)
    # the one pass also carries the model versions it counted (a window alone counts none)
    rest = {k: v for k, v in vars(result).items() if k not in (*fields, "versions")}
    return (*lists, repr(rest))


def test_the_horizon_in_one_pass_equals_each_window_evaluated_alone(
    steward_home: Path, warehouse: Warehouse
) -> None:
    generate(steward_home, datasets=DATASETS, days=7)  # loan labels arrive 5-20 days late
    registry = load_registry()
    model = registry.model("credit_risk")
    assert model.labels is not None
    day = DEMO_START + dt.timedelta(days=6)
    night = fairness_night(model, day, registry=registry, warehouse=warehouse, run_id="r1")
    assert not isinstance(night, str)
    # the reference: each window of the horizon that landed, one scan each, as before the one pass
    engine = scan_engine()
    log_ds = registry.dataset(model.prediction_log)
    days = horizon_days(day, model.monitoring.label_horizon_days)
    labels = dataset_relation(
        registry.dataset(model.labels.dataset), days, warehouse=warehouse, engine=engine, skip_missing=True
    )
    landed = [DEMO_START + dt.timedelta(days=i) for i in range(7)]
    metric_writes = [w for w in night.writes if w[0] == "fairness_metrics"]
    assert night.redone == 6 and [w[1]["window_date"] for w in metric_writes] == landed
    by_window = {w[1]["window_date"]: w for w in metric_writes}
    for window in landed:
        relation = dataset_relation(log_ds, [window], warehouse=warehouse, engine=engine)
        alone = evaluate_window(
            engine, model, source_sql=fairness_source_sql(model, relation, labels), window=window, run_id="r1"
        )
        metrics = by_window[window][2].to_pylist() if window != day else None
        if window == day:
            assert _canonical(night.result) == _canonical(alone)
            # tonight's versions came from the same pass: every row of the window, one version
            total = sum(c["n"] for c in alone.counts if c["attribute"] == "*")
            assert [(v["version"], v["n"]) for v in night.result.versions] == [(CREDIT_RISK_VERSION, total)]
        else:
            assert metrics is not None
            got = sorted(repr({k: v for k, v in r.items() if k != "computed_at"}) for r in metrics)
            # every row also names the model version that scored the window (the log's, 1.8.2)
            expected = (
                {**r, "window_date": window, "model_version": CREDIT_RISK_VERSION} for r in alone.rows
            )
            assert got == sorted(repr(r) for r in expected)
    # labels arrive late: the earliest window has more labelled rows than tonight's
    counts = {w[1]["window_date"]: w[2] for w in night.writes if w[0] == "fairness_group_counts"}
    labelled = {
        d: sum(r["n_labelled"] for r in t.to_pylist() if r["attribute"] == "*") for d, t in counts.items()
    }
    assert labelled[landed[0]] > labelled[landed[1]] > labelled[day] == 0


def test_nights_from_stored_counts_equal_each_window_recounted_and_skip_a_quarantined_one(
    steward_home: Path, warehouse: Warehouse
) -> None:
    generate(steward_home, datasets=DATASETS, days=10)
    registry = load_registry()
    model = registry.model("credit_risk")
    assert model.labels is not None
    log_ds = registry.dataset(model.prediction_log)
    quarantined = DEMO_START + dt.timedelta(days=7)
    nights = [DEMO_START + dt.timedelta(days=i) for i in (6, 7, 8, 9)]
    for day in nights:
        if day == nights[-1]:  # an earlier window is quarantined after its counts were stored
            warehouse.execute(
                "insert into quarantine (dataset, partition_date, reason) values (:d, :p, 'test')",
                {"d": log_ds.name, "p": quarantined},
            )
        night = fairness_night(model, day, registry=registry, warehouse=warehouse, run_id=f"r{day}")
        assert not isinstance(night, str)
        warehouse.replace_partitions(night.writes)
    assert night.summary(None)["windows_counted"]["delta"] > 0
    assert quarantined not in night.counted and night.counted[nights[-1]] == "full"
    stored = warehouse.fetch("select distinct window_date from fairness_count_windows order by window_date")
    assert quarantined not in [r["window_date"] for r in stored] and len(stored) == 9
    engine = scan_engine()
    days = horizon_days(nights[-1], model.monitoring.label_horizon_days)
    labels = dataset_relation(
        registry.dataset(model.labels.dataset), days, warehouse=warehouse, engine=engine, skip_missing=True
    )
    metric_writes = {w[1]["window_date"]: w[2] for w in night.writes if w[0] == "fairness_metrics"}
    assert sorted(metric_writes) == sorted(night.counted)
    for window, table in metric_writes.items():
        relation = dataset_relation(log_ds, [window], warehouse=warehouse, engine=engine)
        alone = evaluate_window(
            engine, model, source_sql=fairness_source_sql(model, relation, labels), window=window, run_id="x"
        )
        got = sorted(
            repr({k: v for k, v in r.items() if k not in ("computed_at", "run_id")})
            for r in table.to_pylist()
        )
        expected = (
            {
                **{k: v for k, v in r.items() if k != "run_id"},
                "window_date": window,
                "model_version": CREDIT_RISK_VERSION,
            }
            for r in alone.rows
        )
        assert got == sorted(repr(r) for r in expected), window


def test_before_any_label_arrives_only_tonight_is_counted(steward_home: Path, warehouse: Warehouse) -> None:
    generate(steward_home, datasets=DATASETS[:2], days=3)  # no label partition has landed
    registry = load_registry()
    day = DEMO_START + dt.timedelta(days=2)
    night = fairness_night(
        registry.model("credit_risk"), day, registry=registry, warehouse=warehouse, run_id="r"
    )
    assert not isinstance(night, str)
    assert night.redone == 0 and night.counted == {day: "full"}
    assert {w[1]["window_date"] for w in night.writes} == {day}


def test_a_missing_night_is_named_even_when_the_horizon_has_landed(
    steward_home: Path, warehouse: Warehouse
) -> None:
    generate(steward_home, datasets=DATASETS, days=2)
    registry = load_registry()
    tonight = DEMO_START + dt.timedelta(days=2)  # not generated; the two days before it are
    with pytest.raises(SourceError, match=rf"credit_risk_predictions.*{tonight.isoformat()}"):
        fairness_night(
            registry.model("credit_risk"), tonight, registry=registry, warehouse=warehouse, run_id="r"
        )
