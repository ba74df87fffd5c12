"""Great Expectations Core, imported lazily and quietly.

GX costs seconds to import and logs hundreds of INFO lines; nothing here imports it until
a validation actually runs, and its loggers and progress bars are turned down first.

GX 1.24 builds an expectation's configuration (a pydantic ``dict()`` and a new
``ExpectationConfiguration``) once per *key* it looks up in ``Expectation._get_domain_kwargs``,
``_get_success_kwargs`` and ``_get_runtime_kwargs``: about 90 builds per expectation and a third of
a small partition's validation. :func:`_read_kwargs_once` replaces those three methods (and
``_get_success_kwarg``) with the same code reading the kwargs once per call; the values are the same
(``tests/unit/quality/test_gx.py`` compares them with GX's own on every suite). Other GX versions are
left alone.
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
    _read_kwargs_once(gx.__version__)
    return gx


#: The GX versions whose ``Expectation`` kwargs methods :func:`_read_kwargs_once` reproduces.
_KWARGS_PATCH_FOR = "1.24."
#: GX's own methods, kept for the tests that compare them with the replacements.
GX_KWARGS_METHODS: dict[str, Any] = {}


def _read_kwargs_once(version: str) -> bool:
    """Replace GX 1.24's ``Expectation`` kwargs lookups with ones that build the configuration once.

    Each replacement is GX 1.24.1's method with ``self.configuration.kwargs`` read into a local
    before the loop instead of inside it. Returns whether the methods are replaced (never for
    another GX version, whose methods may differ).
    """
    if not version.startswith(_KWARGS_PATCH_FOR):
        return False
    if GX_KWARGS_METHODS:
        return True
    from great_expectations.expectations import expectation as gx_expectation

    cls = gx_expectation.Expectation
    names = ("_get_success_kwarg", "_get_domain_kwargs", "_get_success_kwargs", "_get_runtime_kwargs")
    GX_KWARGS_METHODS.update({name: cls.__dict__[name] for name in names})
    gx_log = gx_expectation.logger

    def success_kwarg(self: Any, kwargs: dict[str, Any], key: str, default: Any = None) -> Any:
        if key in kwargs:
            return kwargs[key]
        field = self.__fields__.get(key)
        if field is not None:
            return field.default if not field.required else default
        gx_log.warning(
            f'_get_success_kwarg called with key "{key}", '
            f"but it is not a known field of {type(self).__name__}"
        )
        return default

    def _get_success_kwarg(self: Any, key: str, default: Any = None) -> Any:
        return success_kwarg(self, self.configuration.kwargs, key, default)

    def _get_domain_kwargs(self: Any) -> dict[str, Any]:
        kwargs = self.configuration.kwargs
        domain_kwargs = {key: kwargs.get(key, self._get_default_value(key)) for key in self.domain_keys}
        missing = set(self.domain_keys) - set(domain_kwargs)
        if missing:
            raise gx_expectation.InvalidExpectationKwargsError(f"Missing domain kwargs: {list(missing)}")
        return domain_kwargs

    def _get_success_kwargs(self: Any) -> dict[str, Any]:
        domain_kwargs = self._get_domain_kwargs()
        kwargs = self.configuration.kwargs
        success_kwargs = {key: kwargs.get(key, self._get_default_value(key)) for key in self.success_keys}
        success_kwargs.update(domain_kwargs)
        return success_kwargs

    def _get_runtime_kwargs(self: Any, runtime_configuration: dict[str, Any] | None = None) -> dict[str, Any]:
        runtime_configuration = runtime_configuration or {}
        success_kwargs = self._get_success_kwargs()
        kwargs = self.configuration.kwargs
        runtime_kwargs = {
            key: runtime_configuration.get(key, success_kwarg(self, kwargs, key)) for key in self.runtime_keys
        }
        runtime_kwargs.update(success_kwargs)
        runtime_kwargs["result_format"] = gx_expectation.parse_result_format(runtime_kwargs["result_format"])
        return runtime_kwargs

    replacements = (_get_success_kwarg, _get_domain_kwargs, _get_success_kwargs, _get_runtime_kwargs)
    for name, method in zip(names, replacements, strict=True):
        method.__qualname__ = f"Expectation.{name}"
        setattr(cls, name, method)
    return True


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
