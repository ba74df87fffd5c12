"""AWS Data Exports (CUR 2.0 Parquet with a resource_tags map) in S3 through real boto3 and moto:
only changed billing periods are read again, and a restated period replaces its lines."""

from __future__ import annotations

import io
import json
from decimal import Decimal
from typing import Any

import boto3
import pyarrow.parquet as pq
import pytest
from moto import mock_aws
from pydantic import TypeAdapter

from steward.costs import ingest
from steward.registry._cost_sources import AwsDataExportsSource, CostSource
from steward.warehouse import Warehouse
from tests.unit.costs import _source_data as data

D = Decimal
BUCKET = "northwind-billing"
PREFIX = "cur2/northwind/data/"


def _put(s3: Any, period: str, lines: list[dict[str, Any]], name: str = "part-0.parquet") -> None:
    buf = io.BytesIO()
    pq.write_table(data.cur_table(lines), buf)
    s3.put_object(Bucket=BUCKET, Key=f"{PREFIX}BILLING_PERIOD={period}/{name}", Body=buf.getvalue())


def _source() -> AwsDataExportsSource:
    src = TypeAdapter(CostSource).validate_python(
        {"name": "aws_exports", "kind": "aws_data_exports", "bucket": BUCKET, "prefix": "cur2/northwind/"}
    )
    assert isinstance(src, AwsDataExportsSource)
    return src


def _billed(wh: Warehouse) -> dict[str, Decimal]:
    rows = wh.fetch(
        'select cast("BillingPeriodStart" as date) as p, sum("BilledCost") as b '
        "from cost_line_daily group by 1"
    )
    return {f"{r['p']:%Y-%m}": D(str(r["b"])) for r in rows}  # type: ignore[str-format]


@pytest.mark.usefixtures("aws_env")
def test_exports_load_changed_periods_only(warehouse: Warehouse) -> None:
    with mock_aws():
        s3 = boto3.client("s3", region_name="us-east-1")
        s3.create_bucket(Bucket=BUCKET)
        _put(s3, "2026-10", data.CUR_OCT)
        _put(s3, "2026-11", data.CUR_NOV)
        s3.put_object(
            Bucket=BUCKET, Key="cur2/northwind/metadata/BILLING_PERIOD=2026-11/manifest.json", Body=b"{}"
        )
        periods = [data.OCT, data.NOV]

        first = ingest(
            _source(), warehouse=warehouse, billing_periods=periods, run_id="r1", clients={"s3": s3}
        )
        assert first.periods == periods
        assert _billed(warehouse) == {"2026-10": data.CUR_OCT_BILLED, "2026-11": data.CUR_NOV_BILLED}
        tags = warehouse.fetch(
            'select "Tags" from cost_line_daily where "ResourceId" = :r', {"r": "i-1"}
        )  # the map column, as AWS writes it
        assert json.loads(str(tags[0]["Tags"])) == {"BusinessUnit": "Marketing"}

        again = ingest(
            _source(), warehouse=warehouse, billing_periods=periods, run_id="r2", clients={"s3": s3}
        )
        assert again.periods == [] and again.rows == 0
        assert sum("unchanged since the last load" in w for w in again.warnings) == 2
        assert {
            r["x_PipelineRunId"] for r in warehouse.fetch('select "x_PipelineRunId" from cost_line_daily')
        } == {"r1"}

        _put(s3, "2026-11", data.CUR_NOV_RESTATED)  # AWS rewrites the period's file
        third = ingest(
            _source(), warehouse=warehouse, billing_periods=periods, run_id="r3", clients={"s3": s3}
        )

    assert third.periods == [data.NOV]
    assert _billed(warehouse) == {"2026-10": data.CUR_OCT_BILLED, "2026-11": data.CUR_NOV_RESTATED_BILLED}
    manifest = warehouse.fetch(
        "select billing_period_start as p, object_key as k, run_id from cost_source_files order by 1"
    )
    assert [(f"{r['p']:%Y-%m}", r["run_id"]) for r in manifest] == [("2026-10", "r1"), ("2026-11", "r3")]  # type: ignore[str-format]
    assert all(str(r["k"]).endswith("part-0.parquet") for r in manifest)


@pytest.mark.usefixtures("aws_env")
def test_a_malformed_export_file_names_the_s3_object(scratch_wh: Warehouse) -> None:
    from steward.costs import CostSourceError

    with mock_aws():
        s3 = boto3.client("s3", region_name="us-east-1")
        s3.create_bucket(Bucket=BUCKET)
        s3.put_object(Bucket=BUCKET, Key=f"{PREFIX}BILLING_PERIOD=2026-11/part-0.parquet", Body=b"truncated")
        with pytest.raises(
            CostSourceError, match=r"part-0.parquet.*downloaded from .*s3://northwind-billing"
        ):
            ingest(
                _source(), warehouse=scratch_wh, billing_periods=[data.NOV], run_id="r", clients={"s3": s3}
            )
    assert scratch_wh.fetch("select count(*) as n from cost_source_files") == [{"n": 0}]


@pytest.mark.usefixtures("aws_env")
def test_a_listing_whose_continuation_token_repeats_stops() -> None:
    from botocore.stub import Stubber

    from steward.costs import PaginationError
    from steward.costs._aws_exports import list_export_objects

    s3 = boto3.client("s3", region_name="us-east-1")
    key = f"{PREFIX}BILLING_PERIOD=2026-11/part-0.parquet"
    page = {"IsTruncated": True, "NextContinuationToken": "c1", "Contents": [{"Key": key, "ETag": '"e"'}]}
    with Stubber(s3) as stub:
        stub.add_response("list_objects_v2", page, {"Bucket": BUCKET, "Prefix": PREFIX})
        stub.add_response(
            "list_objects_v2", page, {"Bucket": BUCKET, "Prefix": PREFIX, "ContinuationToken": "c1"}
        )
        with pytest.raises(
            PaginationError, match=r"'aws' \(s3\): the provider returned the same page token twice"
        ):
            list_export_objects(s3, bucket=BUCKET, prefix=PREFIX, what="cost source 'aws' (s3)")
        stub.assert_no_pending_responses()
