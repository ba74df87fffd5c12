"""Decisions evaluated late read what their night knew (the per-night history of DDL 0021).

The demo's lead_scoring gets its labels 2 to 9 days late, so every monitoring night re-measures the
windows of its label horizon. Deciding each night right after its monitoring, then again after later
nights have run (a rerun, a backfill, the demo's order), must record the very same decisions: action,
reason, signals and evidence.
"""

from __future__ import annotations

import datetime as dt
import json
from decimal import Decimal
from pathlib import Path
from typing import Any

import duckdb
import pytest

from steward.demo import DEMO_START, generate
from steward.monitoring import monitor_night
from steward.monitoring._asof import asof_writes
from steward.registry import load_registry
from steward.triggers import (
    decision_row,
    evaluate_all,
    evaluate_policies,
    read_evidence,
    record_decisions,
    request_retraining,
)
from steward.warehouse import connect

FIRST = [DEMO_START + dt.timedelta(days=i) for i in range(5)]  # decided right after each night
LATER = [DEMO_START + dt.timedelta(days=i) for i in range(5, 8)]  # labels of FIRST's windows arrive


def _clock(night: dt.date) -> dt.datetime:
    return dt.datetime.combine(night + dt.timedelta(days=1), dt.time(4), tzinfo=dt.UTC)


@pytest.fixture(scope="module")
def fortnight(tmp_path_factory: pytest.TempPathFactory) -> Any:
    home = tmp_path_factory.mktemp("home")
    mp = pytest.MonkeyPatch()
    mp.setenv("STEWARD_HOME", str(home))
    generate(home, datasets=["lead_scoring_training", "lead_scoring_predictions", "lead_scoring_labels"])
    registry = load_registry()
    model = registry.model("lead_scoring")
    wh = connect(f"duckdb:///{home / 'wh.duckdb'}")
    wh.migrate()

    def monitor(night: dt.date) -> None:
        monitor_night(
            model, night, registry=registry, warehouse=wh, run_id=f"mon-{night}", write_report=False
        )

    def decide(night: dt.date) -> list[Any]:
        return evaluate_all(wh, [model], night, now=_clock(night), run_id=f"trig-{night}")

    first: dict[dt.date, dict[str, Any]] = {}
    labelled_then: dict[dt.date, int] = {}
    for night in FIRST:
        monitor(night)
        decisions = decide(night)
        record_decisions(wh, decisions)
        first[night] = decision_row(decisions[0])
        labelled_then[night] = _labelled_rows(wh)
    for night in LATER:
        monitor(night)
    yield {
        "wh": wh,
        "home": home,
        "model": model,
        "first": first,
        "decide": decide,
        "labelled_then": labelled_then,
    }
    wh.close()
    mp.undo()


def _labelled_rows(wh: Any) -> int:
    """Labelled rows of the positive_rate windows as the latest-only table holds them now."""
    rows = wh.fetch(
        "select sum(n_labelled) as n from model_performance "
        "where model = 'lead_scoring' and metric = 'positive_rate'"
    )
    return int(rows[0]["n"] or 0)


def test_the_later_nights_did_remeasure_the_earlier_windows(fortnight: Any) -> None:
    # the premise: the latest-only table now holds more labels for the first nights' windows than any
    # of those nights saw (else the test below would pass for the wrong reason)
    assert _labelled_rows(fortnight["wh"]) > max(fortnight["labelled_then"].values())


@pytest.mark.parametrize("night", FIRST, ids=str)
def test_a_night_decided_again_after_later_nights_records_the_same_decision(
    fortnight: Any, night: dt.date
) -> None:
    again = decision_row(fortnight["decide"](night)[0])
    first = fortnight["first"][night]
    for column in ("decision_id", "action", "guard", "policy", "reason", "signals_json", "evidence_json"):
        assert again[column] == first[column], column
    assert json.loads(again["evidence_json"])["evidence_asof"] == f"night {night}"


def _labels_known(home: Path, night: dt.date) -> list[tuple[dt.date, int, float]]:
    """Per scored day: the labelled leads and their positive rate with the labels arrived by ``night``.

    Counted straight from the demo lake's files (labels are partitioned by arrival date), not from
    anything Steward wrote.
    """
    lake = home / "lake"
    con = duckdb.connect()
    rows = con.execute(
        f"""
        select p.date, count(*), avg(l.converted)
        from read_parquet('{lake}/lead_scoring_predictions/*/*.parquet', hive_partitioning = true) as p
        join read_parquet('{lake}/lead_scoring_labels/*/*.parquet', hive_partitioning = true) as l
            using (lead_id)
        where p.date <= ? and l.date <= ?
        group by p.date
        order by p.date
        """,
        [night, night],
    ).fetchall()
    con.close()
    return [(d, int(n), float(rate)) for d, n, rate in rows]


def test_the_evidence_holds_the_labels_of_its_night_not_the_later_ones(fortnight: Any) -> None:
    wh, model, home = fortnight["wh"], fortnight["model"], fortnight["home"]
    night = FIRST[-1]
    ev = read_evidence(wh, model, night, now=_clock(night))
    then, now = _labels_known(home, night), _labels_known(home, LATER[-1])
    assert ev.asof == f"night {night}"
    assert ev.labelled_days is not None
    assert [(r["window_date"], r["n_labelled"]) for r in ev.labelled_days] == [(d, n) for d, n, _ in then]
    assert [r["positive_rate"] for r in ev.labelled_days] == pytest.approx([rate for _, _, rate in then])
    # the later nights' labels for those days exist, and the evidence did not take them
    later = {d: n for d, n, _ in now}
    assert sum(later[d] for d, _, _ in then) > sum(n for _, n, _ in then)


# --- the as-of reads on hand-made nights, on DuckDB and PostgreSQL ---------------------------------

N1, N2 = dt.date(2026, 11, 1), dt.date(2026, 11, 2)
PRE = dt.date(2026, 10, 31)  # a window measured before the warehouse kept history
T = dt.datetime(2026, 11, 3, tzinfo=dt.UTC)


def _perf(auc: float, n_labelled: int, run: str) -> dict[str, Any]:
    return {"metric": "auc", "realized_value": auc, "realized_status": "ok", "estimated_status": "undefined",
            "n": 100, "n_labelled": n_labelled, "label_coverage": n_labelled / 100, "breach": False,
            "run_id": run, "computed_at": T}  # fmt: skip


def _gap(status: str, run: str) -> dict[str, Any]:
    return {"attribute": "age_band", "group_value": "18-25", "metric": "disparate_impact_ratio",
            "value": 0.5 if status == "breach" else 0.9, "tolerance": 0.8, "status": status,
            "note": "gap", "run_id": run, "computed_at": T}  # fmt: skip


def _monitoring_night(
    wh: Any, night: dt.date, perf: dict[dt.date, tuple[float, int]], gaps: dict[dt.date, str]
) -> None:
    """Write a night the way monitoring does: latest-only rows and their history in one transaction."""
    run = f"mon-{night}"
    key = lambda w: {"model": "credit_risk", "window_date": w}  # noqa: E731
    writes: list[Any] = [("model_performance", key(w), [_perf(a, n, run)]) for w, (a, n) in perf.items()]
    writes += [("fairness_metrics", key(w), [_gap(s, run)]) for w, s in gaps.items()]
    wh.replace_partitions([*writes, *asof_writes("credit_risk", night, writes, run_id=run, now=T)])


@pytest.fixture
def two_nights(warehouse: Any) -> Any:
    # written before 0021's history: the latest-only row of an old window
    warehouse.replace_partition("model_performance", {"model": "credit_risk", "window_date": PRE},
                                [_perf(0.9, 90, "mon-old")])  # fmt: skip
    _monitoring_night(warehouse, N1, {N1: (0.8, 10)}, {N1: "breach"})
    # night 2 re-measures window 1 with the labels that arrived since: the gap is no breach after all
    _monitoring_night(warehouse, N2, {N1: (0.7, 50), N2: (0.6, 5)}, {N1: "ok", N2: "ok"})
    return warehouse


@pytest.mark.parametrize(
    ("night", "performance", "breaches"),
    [
        (N1, [(PRE, 0.9, "mon-old"), (N1, 0.8, f"mon-{N1}")], [(N1, f"mon-{N1}")]),
        (N2, [(PRE, 0.9, "mon-old"), (N1, 0.7, f"mon-{N2}"), (N2, 0.6, f"mon-{N2}")], []),
    ],
    ids=["night-1", "night-2"],
)
def test_each_night_reads_the_measurements_of_its_own_night(
    two_nights: Any, night: dt.date, performance: list[Any], breaches: list[Any]
) -> None:
    registry = load_registry(check_suites=False)
    ev = read_evidence(two_nights, registry.model("credit_risk"), night, now=_clock(night))
    assert ev.asof == f"night {night}"
    assert [(r["window_date"], r["realized_value"], r["run_id"]) for r in ev.performance] == performance
    assert [(r["window_date"], r["run_id"]) for r in ev.fairness_breaches] == breaches


def test_a_rerun_of_a_night_replaces_its_own_history(two_nights: Any) -> None:
    _monitoring_night(two_nights, N2, {N1: (0.65, 60), N2: (0.6, 5)}, {N1: "ok", N2: "breach"})
    rows = two_nights.fetch(
        "select measured_night, window_date, realized_value from model_performance_asof order by 1, 2"
    )
    assert [(r["measured_night"], r["window_date"], r["realized_value"]) for r in rows] == [
        (N1, N1, 0.8), (N2, N1, 0.65), (N2, N2, 0.6)
    ]  # fmt: skip
    windows = two_nights.fetch(
        "select measured_night, window_date, breaches from fairness_windows_asof order by 1, 2"
    )
    assert [(r["measured_night"], r["window_date"], r["breaches"]) for r in windows] == [
        (N1, N1, 1), (N2, N1, 0), (N2, N2, 1)
    ]  # fmt: skip
    assert [
        r["measured_night"] for r in two_nights.fetch("select * from evidence_asof_nights order by 2")
    ] == [N1, N2]


def test_a_night_before_the_history_reads_the_latest_rows_and_says_so(two_nights: Any) -> None:
    registry = load_registry(check_suites=False)
    model = registry.model("credit_risk")
    d = evaluate_policies(two_nights, registry, model, PRE, now=_clock(PRE))
    assert d.evidence["evidence_asof"] == f"latest (no history before {N1})"
    ev = read_evidence(two_nights, model, PRE, now=_clock(PRE))
    assert [(r["window_date"], r["realized_value"]) for r in ev.performance] == [(PRE, 0.9)]


def test_a_warehouse_without_history_reads_the_latest_rows_and_says_so(warehouse: Any) -> None:
    warehouse.replace_partition("model_performance", {"model": "credit_risk", "window_date": N1},
                                [_perf(0.8, 10, "mon-1")])  # fmt: skip
    warehouse.replace_partition("fairness_metrics", {"model": "credit_risk", "window_date": N1},
                                [_gap("breach", "mon-1")])  # fmt: skip
    registry = load_registry(check_suites=False)
    d = evaluate_policies(warehouse, registry, "credit_risk", N2, now=_clock(N2))
    assert d.evidence["evidence_asof"] == "latest (no history)"
    ev = read_evidence(warehouse, registry.model("credit_risk"), N2, now=_clock(N2))
    assert [(r["window_date"], r["realized_value"]) for r in ev.performance] == [(N1, 0.8)]
    assert [r["subject"] for r in ev.fairness_breaches] == ["age_band:18-25:disparate_impact_ratio"]


def test_costs_emissions_and_requests_after_the_clock_do_not_count(warehouse: Any) -> None:
    now = _clock(N2)  # 2026-11-03 04:00 UTC
    cost = [
        {"ChargePeriodStart": start, "BillingPeriodStart": dt.datetime(2026, 11, 1, tzinfo=dt.UTC),
         "BillingAccountId": "a", "BillingCurrency": "USD", "BilledCost": Decimal(c),
         "EffectiveCost": Decimal(c),
         "x_BusinessUnit": "lending", "x_ModelId": "credit_risk", "x_AllocationMethod": "DIRECT",
         "x_AllocationShare": 1.0, "x_PipelineRunId": "c", "x_AllocatedAt": T}
        for start, c in [(dt.datetime(2026, 11, 2, tzinfo=dt.UTC), "10"),
                         (dt.datetime(2026, 11, 3, tzinfo=dt.UTC), "5"),
                         (dt.datetime(2026, 11, 4, tzinfo=dt.UTC), "1000")]
    ]  # fmt: skip
    warehouse.replace_partition("cost_allocated_daily", {"BillingAccountId": "a"}, cost)
    runs = [
        {"run_id": f"t{i}", "model": "credit_risk", "status": "succeeded", "started_at": s,
         "ended_at": s + dt.timedelta(hours=1), "energy_kwh": 2.0, "co2e_kg": kg, "recorded_at": T}
        for i, (s, kg) in enumerate([(now - dt.timedelta(hours=1), 1.5), (now + dt.timedelta(hours=1), 9.0)])
    ]  # fmt: skip
    warehouse.replace_partition("carbon_training_runs", {"model": "credit_risk"}, runs)
    before = request_retraining(warehouse, "credit_risk", reason="audit", requested_by="ana",
                                requested_at=now - dt.timedelta(hours=2))  # fmt: skip
    request_retraining(
        warehouse, "credit_risk", reason="later", requested_by="ana", requested_at=now + dt.timedelta(hours=2)
    )
    registry = load_registry(check_suites=False)
    ev = read_evidence(warehouse, registry.model("credit_risk"), N2, now=now)
    assert ev.month_cost == {"USD": pytest.approx(15.0)}  # 10 + 5: the 11-04 charge is after the clock
    assert ev.month_training_co2e_kg == pytest.approx(1.5)
    assert [r["request_id"] for r in ev.requests] == [before]
