"""Stored per-window counts updated with tonight's labels equal a full recount, night after night.

The reference is :func:`steward.fairness.evaluate_windows` over every window's rows joined with every
label partition of the night (a full recount from scratch, the path used before counts were stored).
"""

from __future__ import annotations

import datetime as dt
from pathlib import Path

import numpy as np
import pyarrow as pa
import pyarrow.parquet as pq
import pytest

from steward.fairness import (
    COUNT_TABLES,
    FairnessResult,
    HorizonNight,
    Partition,
    evaluate_horizon,
    evaluate_windows,
    forget_windows,
)
from steward.registry import Model
from steward.warehouse import Warehouse, connect
from tests.unit.fairness.data_for_test import model as base_model

FIRST = dt.date(2026, 11, 1)
HORIZON = 3  # label horizon: each night evaluates 4 windows
DAYS = 7


def _model() -> Model:
    spec = base_model(min_group_size=5).model_dump(exclude_none=True)
    spec["labels"] = {"dataset": "test_labels", "join_key": "lead", "label_column": "outcome"}
    spec["columns"]["version"] = "version"
    return Model.model_validate(spec)


class World:
    """Predictions by day and labels by arrival day in an in-memory DuckDB engine, with fingerprints."""

    def __init__(self, seed: int, folder: Path, rows: int = 120) -> None:
        rng = np.random.default_rng(seed)
        self.engine = connect("duckdb:///:memory:")
        days, ids, sexes, ages, scores, preds, versions, stamps = [], [], [], [], [], [], [], []
        arrivals, keys, outcomes = [], [], []
        for d in range(DAYS):
            day = FIRST + dt.timedelta(days=d)
            n = rows + int(rng.integers(0, 50))
            start = d * 10_000
            score = rng.random(n)
            for i in range(n):
                days.append(day)
                ids.append(start + i)
                sexes.append([None, "F", "M", "X"][int(rng.choice(4, p=[0.05, 0.45, 0.45, 0.05]))])
                ages.append(["young", "mid", "old"][int(rng.integers(0, 3))])
                scores.append(None if rng.random() < 0.03 else float(score[i]))
                preds.append(int(score[i] >= 0.5))
                versions.append("1.0" if rng.random() < 0.6 else "1.1")
                stamps.append(
                    dt.datetime(2026, 11, 1) + dt.timedelta(days=d, seconds=int(rng.integers(0, 86_000)))
                )
                # a label arrives 0..5 days later (or never); some keys get a second, different label later
                if rng.random() < 0.8:
                    late = int(rng.integers(0, 6))
                    arrivals.append(day + dt.timedelta(days=late))
                    keys.append(start + i)
                    outcomes.append(int(rng.random() < 0.3 + 0.2 * score[i]))
                    if rng.random() < 0.1:
                        arrivals.append(day + dt.timedelta(days=late + int(rng.integers(1, 3))))
                        keys.append(start + i)
                        outcomes.append(1 - outcomes[-1])
                    elif rng.random() < 0.05:  # a NULL label that never counts
                        arrivals.append(day + dt.timedelta(days=late + 1))
                        keys.append(start + i)
                        outcomes.append(None)
        self.engine.execute("set TimeZone = 'UTC'")
        self._load(folder / "preds.parquet", pa.table({
            "day": pa.array(days, pa.date32()), "id": ids, "sex": sexes, "age_band": ages,
            "score": pa.array(scores, pa.float64()), "pred": preds, "version": versions,
            "ts": pa.array(stamps, pa.timestamp("us")),
        }))  # fmt: skip
        self._load(folder / "labels.parquet", pa.table({
            "arrival": pa.array(arrivals, pa.date32()), "lead": keys,
            "outcome": pa.array(outcomes, pa.int64()),
        }))  # fmt: skip
        self.versioned_from = FIRST
        self.versions = {"preds": {}, "labels": {}}  # type: dict[str, dict[dt.date, int]]

    def _load(self, path: Path, table: pa.Table) -> None:
        pq.write_table(table, path)
        self.engine.execute(f"create table {path.stem} as select * from read_parquet('{path}')")

    def touch(self, table: str, day: dt.date) -> None:
        """Mark ``day`` of ``table`` as rewritten (its fingerprint changes)."""
        self.versions[table][day] = self.versions[table].get(day, 0) + 1

    def window(self, day: dt.date) -> Partition:
        older = " exclude (version)" if day < self.versioned_from else ""  # the log gained a column later
        sql = f"select *{older} from preds where day = cast('{day}' as date)"
        return Partition(day, sql, f"preds {day} v{self.versions['preds'].get(day, 0)}")

    def label(self, day: dt.date) -> Partition | None:
        n = self.engine.fetch(f"select count(*) as n from labels where arrival = cast('{day}' as date)")
        if not n[0]["n"]:
            return None
        sql = f"select * from labels where arrival = cast('{day}' as date)"
        return Partition(day, sql, f"labels {day} v{self.versions['labels'].get(day, 0)}")

    def horizon(
        self, night: dt.date, skip: tuple[dt.date, ...] = ()
    ) -> tuple[list[Partition], list[Partition]]:
        days = [
            night - dt.timedelta(days=i)
            for i in range(HORIZON, -1, -1)
            if night - dt.timedelta(days=i) >= FIRST
        ]
        windows = [self.window(d) for d in days if d not in skip]
        labels = [p for p in (self.label(d) for d in days) if p is not None]
        return windows, labels

    def night(self, store: Warehouse, night: dt.date, skip: tuple[dt.date, ...] = ()) -> HorizonNight:
        windows, labels = self.horizon(night, skip)
        result = evaluate_horizon(
            self.engine, store, _model(), windows=windows, labels=labels, earlier_labels=self.label,
            run_id=f"night {night}", version_column="version", timestamp_column="ts",
        )  # fmt: skip
        store.replace_partitions([*result.writes, *forget_windows(_model(), skip)])
        return result

    def recount(self, night: dt.date, skip: tuple[dt.date, ...] = ()) -> dict[dt.date, FairnessResult]:
        """A full recount from scratch: every row of every window with every label partition's labels."""
        windows, labels = self.horizon(night, skip)
        union = " union all by name ".join(
            f"select cast('{w.day}' as date) as steward_window, * from ({w.sql}) as w" for w in windows
        )
        arrived = " union all ".join(p.sql for p in labels) or "select * from labels where 1 = 0"
        source = (
            f"select w.*, l.label from ({union}) as w left join (select lead, max(outcome) as label "
            f"from ({arrived}) as a where outcome is not null group by lead) as l on w.id = l.lead"
        )
        return evaluate_windows(
            self.engine, _model(), source_sql=source, windows=[w.day for w in windows], run_id="recount",
            version_column="version", timestamp_column="ts",
        )  # fmt: skip


def assert_same(
    got: dict[dt.date, FairnessResult], want: dict[dt.date, FairnessResult], *, versions: int | None = 2
) -> None:
    """Counts equal exactly, every float (sums, metrics, intervals, p-values) to 1e-12."""
    assert list(got) == list(want)
    for day in want:
        g, w = got[day], want[day]
        assert g.versions == w.versions and (versions is None or len(w.versions) == versions)
        for mine, theirs in ((g.counts, w.counts), (g.calibration, w.calibration), (g.rows, w.rows)):
            assert len(mine) == len(theirs), day
            for a, b in zip(sorted(mine, key=_key), sorted(theirs, key=_key), strict=True):
                assert a.keys() == b.keys()
                for k, v in b.items():
                    if k in ("run_id", "computed_at"):
                        continue
                    if isinstance(v, float):
                        assert a[k] == pytest.approx(v, rel=1e-12, abs=1e-12, nan_ok=True), (day, k, a, b)
                    else:
                        assert a[k] == v, (day, k, a, b)


def _key(row: dict[str, object]) -> tuple[str, ...]:
    names = ("attribute", "group_value", "reference_group", "metric", "score_bin")
    return tuple(str(row.get(k)) for k in names)


@pytest.mark.parametrize("seed", [1, pytest.param(2, marks=pytest.mark.slow)])
def test_nights_from_stored_counts_equal_a_full_recount(
    warehouse: Warehouse, seed: int, tmp_path: Path
) -> None:
    world = World(seed, tmp_path)
    how: list[str] = []
    for d in range(DAYS):
        night = FIRST + dt.timedelta(days=d)
        result = world.night(warehouse, night)
        assert_same(result.results, world.recount(night))
        how += list(result.counted.values())
    assert how.count("delta") >= 10 and "full" in how  # the delta path did the work


def test_windows_from_before_the_log_had_a_column_count_it_as_missing(
    warehouse: Warehouse, tmp_path: Path
) -> None:
    world = World(5, tmp_path)
    world.versioned_from = FIRST + dt.timedelta(days=2)
    for d in range(5):
        night = FIRST + dt.timedelta(days=d)
        result = world.night(warehouse, night)
        assert_same(result.results, world.recount(night), versions=None)


def test_rewritten_label_partition_changed_predictions_and_quarantine_recount_in_full(
    warehouse: Warehouse, tmp_path: Path
) -> None:
    world = World(3, tmp_path)
    for d in range(5):
        world.night(warehouse, FIRST + dt.timedelta(days=d))
    night = FIRST + dt.timedelta(days=5)
    rewritten, changed = FIRST + dt.timedelta(days=3), FIRST + dt.timedelta(days=4)
    quarantined = FIRST + dt.timedelta(days=3)
    # an applied label partition rewritten: flip its labels (same keys)
    world.engine.execute(
        f"update labels set outcome = 1 - outcome where arrival = cast('{rewritten}' as date)"
    )
    world.touch("labels", rewritten)
    # a window's predictions rewritten
    world.engine.execute(
        f"update preds set pred = 1 - pred where day = cast('{changed}' as date) and sex = 'F'"
    )
    world.touch("preds", changed)
    result = world.night(warehouse, night, skip=(quarantined,))
    assert_same(result.results, world.recount(night, skip=(quarantined,)))
    assert set(result.counted.values()) == {"full"}  # every window had applied the rewritten partition
    stored = warehouse.fetch(
        "select count(*) as n from fairness_count_windows where model = :m and window_date = :d",
        {"m": "test_model", "d": quarantined},
    )
    assert stored[0]["n"] == 0  # the quarantined window's counts are gone: it is recounted when back
    night = night + dt.timedelta(days=1)
    result = world.night(warehouse, night)
    assert_same(result.results, world.recount(night))
    assert result.counted[changed] == "delta" and result.counted[quarantined] == "full"


def test_rerun_writes_the_same_rows_and_a_backfill_gives_the_full_recount(
    warehouse: Warehouse, tmp_path: Path
) -> None:
    world = World(4, tmp_path)
    for d in range(7):
        world.night(warehouse, FIRST + dt.timedelta(days=d))
    last = FIRST + dt.timedelta(days=6)

    def stored() -> list[dict[str, object]]:
        return warehouse.fetch(
            "select window_date, group_values, model_version, score_bin, predicted_favourable, label_value, "
            "n_rows, n_scored, n_summed, cast(score_sum as varchar) as s, n_scored_labelled, last_at "
            "from fairness_counts order by 1, 2, 3, 4, 5, 6"
        )

    before = stored()
    rerun = world.night(warehouse, last)
    assert stored() == before
    assert set(rerun.counted.values()) == {"stored", "full"}
    assert_same(rerun.results, world.recount(last))
    # a backfill of an earlier night: the windows' applied partitions include later arrivals, taken out again
    back = FIRST + dt.timedelta(days=4)
    result = world.night(warehouse, back)
    assert_same(result.results, world.recount(back))
    assert "delta" in result.counted.values()
    for table in COUNT_TABLES:
        assert warehouse.fetch(f"select count(*) as n from {table}")[0]["n"] > 0
