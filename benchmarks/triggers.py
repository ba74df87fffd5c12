"""Benchmark: one night's retraining decisions for N models over D nights of warehouse history.

The warehouse (a DuckDB file) is filled with synthetic monitoring history per model: control-chart
points of 10 features x 3 charts (a few out of control), realized and estimated AUC, fairness
breaches, monitoring runs, earlier decisions and a month of allocated cost and training runs. The
timed section is what the trigger DAG's task does for the last night: read the evidence, decide and
record one decision per model.
"""

from __future__ import annotations

import datetime as dt
import random
import resource
import time
from decimal import Decimal
from typing import Any

FEATURES = [f"f{i}" for i in range(10)]
START = dt.date(2026, 8, 1)


def _peak_mib() -> float:
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024


def _registry(models: int) -> Any:
    from steward.registry import Registry

    doc = {
        "datasets": [
            {"name": "preds", "owner": "ml@x.example", "source": {"path": "/data/p/date={date}/*.parquet"}}
        ],
        "models": [
            {
                "name": f"m{i:03d}",
                "owner": "ml@x.example",
                "business_unit": "bu",
                "risk_tier": "limited",
                "prediction_log": "preds",
                "columns": {"id": "id", "timestamp": "ts", "score": "score", "prediction": "pred"},
                "features": FEATURES,
                "thresholds": {"min_auc": 0.7},
                "retraining": {
                    "guards": {
                        "cooldown_days": 7,
                        "monthly_cost_budget": 10_000,
                        "monthly_carbon_budget_kg": 50,
                        "preferred_window": {"off_peak_utc": "22-04", "deadline_hours": 36},
                    }
                },
            }
            for i in range(models)
        ],
    }
    return Registry.model_validate(doc)


def _history(models: int, nights: int) -> dict[str, list[dict[str, Any]]]:
    rng = random.Random(0)
    t = dt.datetime(2026, 11, 1, tzinfo=dt.UTC)
    out: dict[str, list[dict[str, Any]]] = {
        k: []
        for k in (
            "control_chart_points",
            "model_performance",
            "monitoring_breaches",
            "monitoring_runs",
            "cost_allocated_daily",
            "carbon_training_runs",
        )
    }
    for i in range(models):
        model = f"m{i:03d}"
        for n in range(nights):
            day = START + dt.timedelta(days=n)
            run = f"mon-{model}-{day}"
            for f in FEATURES:
                for chart in ("ewma", "cusum", "shewhart"):
                    state = "out_of_control" if rng.random() < 0.02 else "in_control"
                    out["control_chart_points"].append(
                        {"model": model, "series": f"drift:{f}", "chart": chart, "window_date": day,
                         "value": rng.random(), "state": state, "run_id": run, "computed_at": t}
                    )  # fmt: skip
            auc = 0.78 + rng.gauss(0, 0.03)
            out["model_performance"].append(
                {"model": model, "window_date": day, "metric": "auc", "realized_value": auc,
                 "realized_status": "ok", "estimated_value": auc + rng.gauss(0, 0.01),
                 "estimated_status": "ok",
                 "estimate_error": rng.gauss(0, 0.01), "n": 1000, "n_labelled": 900, "label_coverage": 0.9,
                 "breach": auc < 0.7, "run_id": run, "computed_at": t}
            )  # fmt: skip
            if rng.random() < 0.03:
                out["monitoring_breaches"].append(
                    {"model": model, "window_date": day, "kind": "fairness", "subject": "sex:f:spd",
                     "value": 0.2, "threshold": 0.1, "message": "gap", "run_id": run, "detected_at": t}
                )  # fmt: skip
            out["monitoring_runs"].append(
                {"model": model, "window_date": day, "status": "ok", "run_id": run, "computed_at": t}
            )
            out["cost_allocated_daily"].append(
                {"ChargePeriodStart": dt.datetime.combine(day, dt.time(), tzinfo=dt.UTC),
                 "BillingPeriodStart": dt.datetime(day.year, day.month, 1, tzinfo=dt.UTC),
                 "BillingAccountId": "a",
                 "BillingCurrency": "USD", "BilledCost": Decimal("12.5"), "EffectiveCost": Decimal("12.5"),
                 "x_BusinessUnit": "bu", "x_ModelId": model, "x_AllocationMethod": "DIRECT",
                 "x_AllocationShare": 1.0, "x_PipelineRunId": "c", "x_AllocatedAt": t}
            )  # fmt: skip
        started = dt.datetime.combine(START, dt.time(2), tzinfo=dt.UTC)
        out["carbon_training_runs"].append(
            {"run_id": f"t-{model}", "model": model, "status": "succeeded", "started_at": started,
             "ended_at": started + dt.timedelta(hours=1), "energy_kwh": 1.0, "co2e_kg": 0.4, "recorded_at": t}
        )  # fmt: skip
    return out


def evaluate_night(models: int = 100, nights: int = 90) -> dict[str, object]:
    """Time reading, deciding and recording the last night's decision for ``models`` models."""
    import tempfile
    from pathlib import Path

    from steward.triggers import evaluate_all, record_decisions
    from steward.warehouse import connect

    registry = _registry(models)
    folder = Path(tempfile.mkdtemp(prefix="bench-triggers-"))
    wh = connect(f"duckdb:///{folder / 'wh.duckdb'}")
    wh.migrate()
    history = _history(models, nights)
    wh.replace_partitions(w for table, rows in history.items() for w in _writes(table, rows))
    night = START + dt.timedelta(days=nights - 1)
    now = dt.datetime.combine(night + dt.timedelta(days=1), dt.time(4), tzinfo=dt.UTC)
    started = time.perf_counter()
    decisions = evaluate_all(wh, registry.models, night, now=now, run_id="bench")
    record_decisions(wh, decisions)
    seconds = time.perf_counter() - started
    wh.close()
    points = len(history["control_chart_points"])
    actions: dict[str, int] = {}
    for d in decisions:
        actions[d.action] = actions.get(d.action, 0) + 1
    return {
        "seconds": seconds,
        "peak_rss_mib": _peak_mib(),
        "note": f"{models} models x {nights} nights ({points:,} chart points); "
        f"{seconds / models * 1000:.0f} ms a model; "
        + ", ".join(f"{k} {v}" for k, v in sorted(actions.items())),
    }


def _writes(table: str, rows: list[dict[str, Any]]) -> list[tuple[str, dict[str, Any], Any]]:
    import pyarrow as pa

    key = "BillingAccountId" if table == "cost_allocated_daily" else "model"
    return [
        (table, {key: value}, pa.Table.from_pylist([r for r in rows if r[key] == value]))
        for value in sorted({r[key] for r in rows})
    ]


def plan(quick: bool) -> list[dict[str, object]]:
    """The trigger case ``make bench`` runs."""
    models = 10 if quick else 100
    return [
        {
            "title": f"retraining decisions, {models} models x 90 nights of history, DuckDB file",
            "fn": "triggers.evaluate_night",
            "args": {"models": models, "nights": 90},
            "repeat": 1,
        }
    ]


if __name__ == "__main__":  # pragma: no cover
    import sys

    print(evaluate_night(int(sys.argv[1]) if len(sys.argv) > 1 else 10, 90))
