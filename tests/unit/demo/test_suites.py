"""The GX suites in include/expectations/ against the demo lake.

Clean partitions pass every critical and warning expectation; the two injected data-quality
problems fail exactly the expectations meant to catch them. The default run validates every
partition of the two raw feeds (where the problems are) and four days of every other dataset
(first day, drift day, an unfair-segment day, last day); ``-m slow`` validates every partition.
"""

from __future__ import annotations

import datetime as dt
import json
import logging
import os
from collections.abc import Callable
from typing import Any

import pandas as pd
import pyarrow.parquet as pq
import pytest

from steward import paths
from steward.demo import DEMO_DATASETS, DemoManifest
from tests.unit.demo._read import read_day

NULLS_DAY = dt.date(2026, 11, 4)
OUT_OF_RANGE_DAY = dt.date(2026, 11, 6)
SAMPLE_OFFSETS = (0, 7, 10, 13)

Failure = tuple[str, str, str | None]
Validate = Callable[[str, pd.DataFrame], list[Failure]]


def _suite(dataset: str) -> dict[str, Any]:
    return json.loads((paths.expectations_dir() / f"{dataset}.json").read_text(encoding="utf-8"))


@pytest.fixture(scope="module")
def validate() -> Validate:
    """Validate a DataFrame against a dataset's suite as the quality runner does; return the failures."""
    os.environ.setdefault("GX_ANALYTICS_ENABLED", "false")
    logging.getLogger("great_expectations").setLevel(logging.ERROR)
    import great_expectations as gx
    from great_expectations.data_context.types.base import ProgressBarsConfig

    context = gx.get_context(mode="ephemeral")
    context.variables.progress_bars = ProgressBarsConfig(globally=False, metric_calculations=False)
    batch_definition = (
        context.data_sources.add_pandas("steward")
        .add_dataframe_asset("x")
        .add_batch_definition_whole_dataframe("b")
    )
    suites = {name: gx.ExpectationSuite(**_suite(name)) for name in DEMO_DATASETS}

    def run(dataset: str, frame: pd.DataFrame) -> list[Failure]:
        batch = batch_definition.get_batch(batch_parameters={"dataframe": frame})
        result = batch.validate(suites[dataset], result_format="SUMMARY")
        assert len(result.results) == len(_suite(dataset)["expectations"])
        failed = [r.expectation_config for r in result.results if not r.success]
        return sorted((c.severity.value, c.type, c.kwargs.get("column")) for c in failed)

    return run


def _partitions(demo: DemoManifest, *, every_day: bool) -> list[tuple[str, dt.date | None]]:
    out: list[tuple[str, dt.date | None]] = []
    for dataset in DEMO_DATASETS:
        if dataset.endswith("_training"):
            out.append((dataset, None))
        elif every_day or dataset in ("leads", "loan_applications"):
            out.extend((dataset, day) for day in demo.days)
        else:
            out.extend((dataset, demo.days[i]) for i in SAMPLE_OFFSETS)
    return out


def _check(demo: DemoManifest, validate: Validate, partitions: list[tuple[str, dt.date | None]]) -> None:
    unexpected = {}
    for dataset, day in partitions:
        failures = [f for f in validate(dataset, read_day(demo, dataset, day)) if f[0] != "info"]
        if (dataset, day) == ("leads", NULLS_DAY):
            expected = [("critical", "expect_column_values_to_not_be_null", "form_score")]
        elif (dataset, day) == ("loan_applications", OUT_OF_RANGE_DAY):
            expected = [("warning", "expect_column_values_to_be_between", "debt_to_income")]
        else:
            expected = []
        if failures != expected:
            unexpected[(dataset, day)] = failures
    assert unexpected == {}


def test_clean_partitions_pass_and_injected_problems_fail_as_intended(
    demo: DemoManifest, validate: Validate
) -> None:
    partitions = _partitions(demo, every_day=False)
    assert ("leads", NULLS_DAY) in partitions
    assert ("loan_applications", OUT_OF_RANGE_DAY) in partitions
    _check(demo, validate, partitions)


@pytest.mark.slow
def test_every_partition(demo: DemoManifest, validate: Validate) -> None:
    _check(demo, validate, _partitions(demo, every_day=True))


def test_suites_catch_what_they_are_for(demo: DemoManifest, validate: Validate) -> None:
    day = demo.days[1]
    predictions = read_day(demo, "credit_risk_predictions", day)
    broken = predictions.assign(score=predictions["score"] * 2, sex=predictions["sex"].str.upper())
    broken = pd.concat([broken, broken.head(1)], ignore_index=True)
    failures = validate("credit_risk_predictions", broken)
    assert ("critical", "expect_column_values_to_be_between", "score") in failures
    assert ("critical", "expect_column_values_to_be_in_set", "sex") in failures
    assert ("critical", "expect_column_values_to_be_unique", "application_id") in failures
    renamed = read_day(demo, "billing_aws", day).rename(columns={"resource_tags": "tags"})
    failures = validate("billing_aws", renamed)
    assert ("critical", "expect_table_columns_to_match_set", None) in failures
    labels = read_day(demo, "lead_scoring_labels", day)
    failures = validate("lead_scoring_labels", labels.assign(scored_date=labels["event_date"]))
    assert failures == [("critical", "expect_column_pair_values_a_to_be_greater_than_b", None)]


@pytest.mark.parametrize("dataset", DEMO_DATASETS)
def test_suite_files_are_well_formed(demo: DemoManifest, dataset: str) -> None:
    suite = _suite(dataset)
    assert suite["name"] == dataset
    day = None if dataset.endswith("_training") else demo.start
    columns = set(pq.read_schema(demo.path(dataset, day)).names)
    types = set()
    for e in suite["expectations"]:
        assert e["severity"] in ("critical", "warning", "info"), e
        assert e["meta"]["notes"], e
        types.add(e["type"])
        kwargs = e["kwargs"]
        referenced = {kwargs.get(k) for k in ("column", "column_A", "column_B")} - {None}
        referenced |= set(kwargs.get("column_list", []))
        assert referenced <= columns, (dataset, referenced - columns)
        if e["type"] == "expect_table_columns_to_match_set":
            assert set(kwargs["column_set"]) == columns
        if e["type"] == "expect_table_row_count_to_be_between":
            assert 1 <= kwargs["min_value"] <= 1000  # valid from 1,000 rows a day
    assert {
        "expect_table_columns_to_match_set",
        "expect_table_row_count_to_be_between",
        "expect_column_values_to_not_be_null",
        "expect_column_values_to_be_of_type",
    } <= types
