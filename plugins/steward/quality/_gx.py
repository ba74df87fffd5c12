"""Great Expectations Core, imported lazily and quietly.

GX costs seconds to import and logs hundreds of INFO lines; nothing here imports it until
a validation actually runs, and its loggers and progress bars are turned down first.
"""

from __future__ import annotations

import json
import logging
import os
from dataclasses import dataclass
from functools import lru_cache
from typing import Any

import pandas as pd

__all__ = ["ExpectationOutcome", "prepare_gx", "run_suite", "validate_batch"]

_MAX_TEXT = 2000


@dataclass(frozen=True)
class ExpectationOutcome:
    """One expectation's result, flattened for the warehouse."""

    expectation_id: str
    expectation_type: str
    column_name: str | None
    kwargs_json: str
    severity: str
    success: bool
    observed_value: str | None
    element_count: int | None
    unexpected_count: int | None
    unexpected_percent: float | None
    exception_message: str | None
    #: JSON list of up to 10 unexpected values with their counts (GX's partial unexpected counts)
    unexpected_sample_json: str | None = None


@lru_cache(maxsize=1)
def _gx() -> Any:
    os.environ.setdefault("GX_ANALYTICS_ENABLED", "false")
    logging.getLogger("great_expectations").setLevel(logging.ERROR)
    import great_expectations as gx

    logging.getLogger("great_expectations").setLevel(logging.ERROR)
    return gx


@lru_cache(maxsize=1)
def _context() -> Any:
    gx = _gx()
    from great_expectations.data_context.types.base import ProgressBarsConfig

    context = gx.get_context(mode="ephemeral")
    context.variables.progress_bars = ProgressBarsConfig(globally=False, metric_calculations=False)
    context.data_sources.add_pandas("steward")
    return context


def prepare_gx() -> None:
    """Import Great Expectations and create its context now rather than at the first validation.

    A process that forks task processes (the demo's scheduler, see
    :func:`steward.airflow.scheduler.preload`) calls it once: every task then inherits the context
    instead of building its own (about a second each, several under load).
    """
    _context()


def _text(value: Any) -> str | None:
    if value is None:
        return None
    text = value if isinstance(value, str) else json.dumps(value, default=str, sort_keys=True)
    return text if len(text) <= _MAX_TEXT else text[: _MAX_TEXT - 1] + "…"


#: How many unexpected values a result keeps (with their counts).
SAMPLE_SIZE = 10


def _sample(details: dict[str, Any]) -> str | None:
    """Return up to SAMPLE_SIZE unexpected values with their counts, as JSON (None when there are none)."""
    counts = details.get("partial_unexpected_counts")
    if counts:
        pairs = [(str(c.get("value")), int(c.get("count", 0))) for c in counts if isinstance(c, dict)]
    else:
        values = details.get("partial_unexpected_list") or []
        tally: dict[str, int] = {}
        for v in values:
            tally[str(v)] = tally.get(str(v), 0) + 1
        pairs = sorted(tally.items(), key=lambda kv: (-kv[1], kv[0]))
    if not pairs:
        return None
    return json.dumps([{"value": v, "count": n} for v, n in pairs[:SAMPLE_SIZE]])


def _exception_message(info: Any) -> str | None:
    if not info:
        return None
    if isinstance(info, dict) and "raised_exception" in info:
        return info.get("exception_message") if info.get("raised_exception") else None
    if isinstance(info, dict):  # keyed by metric id
        messages = [
            v.get("exception_message")
            for v in info.values()
            if isinstance(v, dict) and v.get("raised_exception")
        ]
        return "; ".join(dict.fromkeys(m for m in messages if m)) or None  # GX repeats it per metric
    return None


def _int(value: Any) -> int | None:
    return None if value is None else int(value)


def _float(value: Any) -> float | None:
    return None if value is None else float(value)


def run_suite(frame: pd.DataFrame, suite: dict[str, Any], *, asset_name: str) -> list[ExpectationOutcome]:
    """Validate ``frame`` against ``suite`` (a GX 1.x suite dict) and flatten the results.

    Parameters
    ----------
    frame
        The partition's rows.
    suite
        ``{"name": ..., "expectations": [{"type": ..., "kwargs": ..., "severity": ...}, ...]}``.
    asset_name
        Names the GX data asset (the dataset).
    """
    context = _context()
    source = context.data_sources.get("steward")
    try:
        asset = source.get_asset(asset_name)
    except LookupError:
        asset = source.add_dataframe_asset(asset_name)
    try:
        batch_definition = asset.get_batch_definition("partition")
    except (KeyError, LookupError, ValueError):
        batch_definition = asset.add_batch_definition_whole_dataframe("partition")
    batch = batch_definition.get_batch(batch_parameters={"dataframe": frame})
    return validate_batch(batch, suite)


def validate_batch(batch: Any, suite: dict[str, Any]) -> list[ExpectationOutcome]:
    """Validate a GX batch (of any execution engine) against ``suite`` and flatten the results.

    :func:`run_suite` calls it on a pandas batch; the benchmarks also call it on a SQL one.
    """
    gx = _gx()
    # Tag each expectation with its position: GX does not promise to keep the suite's order.
    expectations = [
        {**{k: v for k, v in e.items() if k != "id"}, "meta": {**e.get("meta", {}), "steward_index": i}}
        for i, e in enumerate(suite["expectations"])
    ]
    gx_suite = gx.ExpectationSuite(name=suite["name"], expectations=expectations)
    result = batch.validate(gx_suite, result_format="SUMMARY")
    outcomes = []
    for r in sorted(result.results, key=lambda r: r.expectation_config.meta["steward_index"]):
        config = r.expectation_config
        i = config.meta["steward_index"]
        spec = suite["expectations"][i]
        kwargs = {k: v for k, v in config.kwargs.items() if k != "batch_id"}
        column = kwargs.get("column") or kwargs.get("column_A")
        details = r.result or {}
        outcomes.append(
            ExpectationOutcome(
                expectation_id=str(spec.get("id") or f"{suite['name']}:{i:03d}"),
                expectation_type=config.type,
                column_name=column,
                kwargs_json=json.dumps(kwargs, default=str, sort_keys=True),
                severity=str(spec.get("severity", "critical")),
                success=bool(r.success),
                observed_value=_text(details.get("observed_value")),
                element_count=_int(details.get("element_count")),
                unexpected_count=_int(details.get("unexpected_count")),
                unexpected_percent=_float(details.get("unexpected_percent")),
                exception_message=_text(_exception_message(r.exception_info)),
                unexpected_sample_json=_sample(details),
            )
        )
    return outcomes
