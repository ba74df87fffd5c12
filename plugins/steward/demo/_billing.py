"""Daily cloud billing lines: an AWS CUR 2.0 export and a flattened GCP BigQuery billing export.

The tagging is deliberately untidy, as in real accounts: the business-unit tag is spelled
``BusinessUnit`` (values capitalised) on some resources and ``business-unit`` / ``business_unit``
on others; model resources carry ``model: lead-scoring`` or ``model: credit-risk``; shared
platform costs (Kubernetes, data transfer, storage, the warehouse database) carry only
``team: platform``; and about 12% of the cost carries no tag at all (logs, sandbox machines).
Tag maps are written as JSON text with sorted keys.
"""

from __future__ import annotations

import datetime as dt
import json
from dataclasses import dataclass, field

import numpy as np
import pyarrow as pa

from steward.demo import _company as co
from steward.demo._entities import TS, day_start_us

__all__ = ["AWS_SCHEMA", "GCP_SCHEMA", "aws_lines", "gcp_lines"]

_PAYER = "111122223333"
_ML_PROD = "210987654321"
_DATA_PLATFORM = "345678901234"
_SANDBOX = "456789012345"
_GCP_BILLING_ACCOUNT = "01A2B3-C4D5E6-F7A8B9"

_MARKETING = {"BusinessUnit": "Marketing", "environment": "prod"}
_LENDING = {"business-unit": "lending", "environment": "prod"}
_PLATFORM = {"team": co.PLATFORM_TEAM, "environment": "prod"}


@dataclass(frozen=True)
class _Line:
    """One billed resource: its daily usage, price and tags."""

    service: str
    usage_type: str
    operation: str
    resource: str | None
    unit: str
    usage: float
    rate: float
    tags: dict[str, str] = field(default_factory=dict)
    account: str = _ML_PROD
    #: Weekdays (Monday=0) it runs on; None: every day.
    weekdays: tuple[int, ...] | None = None
    #: Discount off the public on-demand price (savings plans, committed use).
    discount: float = 0.0
    weekend_factor: float = 1.0


_AWS_LINES: tuple[_Line, ...] = (
    _Line(
        "AmazonSageMaker",
        "USE1-Host:ml.m5.xlarge",
        "RunInstance",
        f"arn:aws:sagemaker:us-east-1:{_ML_PROD}:endpoint/lead-scoring-prod",
        "Hrs",
        48.0,
        0.23,
        {**_MARKETING, "project": "lead-scoring", "model": "lead-scoring"},
    ),
    _Line(
        "AmazonSageMaker",
        "USE1-Host:ml.c5.2xlarge",
        "RunInstance",
        f"arn:aws:sagemaker:us-east-1:{_ML_PROD}:endpoint/credit-risk-prod",
        "Hrs",
        48.0,
        0.408,
        {**_LENDING, "project": "credit-risk", "model": "credit-risk"},
    ),
    _Line(
        "AmazonSageMaker",
        "USE1-Train:ml.g5.2xlarge",
        "CreateTrainingJob",
        f"arn:aws:sagemaker:us-east-1:{_ML_PROD}:training-job/credit-risk-weekly",
        "Hrs",
        6.0,
        1.515,
        {"BusinessUnit": "Lending", "environment": "prod", "project": "credit-risk", "model": "credit-risk"},
        weekdays=(6,),
    ),
    _Line(
        "AmazonEC2",
        "USE1-BoxUsage:m5.2xlarge",
        "RunInstances",
        "i-0a1b2c3d4e5f60718",
        "Hrs",
        6.0,
        0.384,
        {**_LENDING, "model": "credit-risk", "project": "credit-risk"},
        discount=0.28,
    ),
    _Line(
        "AmazonS3",
        "USE1-TimedStorage-ByteHrs",
        "StandardStorage",
        "northwind-marketing-leads",
        "GB-Mo",
        28.0,
        0.023,
        {**_MARKETING, "project": "lead-scoring"},
    ),
    _Line(
        "AmazonS3",
        "USE1-TimedStorage-ByteHrs",
        "StandardStorage",
        "northwind-data-lake",
        "GB-Mo",
        400.0,
        0.023,
        dict(_PLATFORM),
        account=_DATA_PLATFORM,
    ),
    _Line(
        "AmazonEKS",
        "USE1-AmazonEKS-Hours:perCluster",
        "CreateOperation",
        f"arn:aws:eks:us-east-1:{_DATA_PLATFORM}:cluster/northwind-ml",
        "Hrs",
        24.0,
        0.10,
        dict(_PLATFORM),
        account=_DATA_PLATFORM,
    ),
    _Line(
        "AmazonEC2",
        "USE1-BoxUsage:m5.4xlarge",
        "RunInstances",
        "i-0f9e8d7c6b5a40312",
        "Hrs",
        72.0,
        0.768,
        dict(_PLATFORM),
        account=_DATA_PLATFORM,
        discount=0.28,
    ),
    _Line(
        "AWSDataTransfer",
        "USE1-DataTransfer-Out-Bytes",
        "",
        None,
        "GB",
        300.0,
        0.09,
        {"team": co.PLATFORM_TEAM},
        account=_DATA_PLATFORM,
    ),
    _Line(
        "AmazonRDS",
        "USE1-InstanceUsage:db.r6g.large",
        "CreateDBInstance:0014",
        f"arn:aws:rds:us-east-1:{_DATA_PLATFORM}:db:steward-warehouse",
        "Hrs",
        24.0,
        0.225,
        dict(_PLATFORM),
        account=_DATA_PLATFORM,
    ),
    _Line(
        "AmazonCloudWatch",
        "USE1-DataProcessing-Bytes",
        "PutLogEvents",
        None,
        "GB",
        30.0,
        0.5,
    ),
    _Line(
        "AmazonEC2",
        "USE1-BoxUsage:g4dn.xlarge",
        "RunInstances",
        "i-07e6d5c4b3a291807",
        "Hrs",
        10.0,
        0.526,
        account=_SANDBOX,
        weekdays=(0, 1, 2, 3, 4),
    ),
)

_GCP_PROJECTS = {
    "nw-growth-analytics": "Growth Analytics",
    "nw-ml-platform": "ML Platform",
    "nw-sandbox": "Sandbox",
}
_GCP_MARKETING = {"business-unit": "marketing", "environment": "prod"}

# For GCP, ``usage_type`` holds the SKU id, ``operation`` the SKU description, ``resource`` the project.
_GCP_LINES: tuple[_Line, ...] = (
    _Line(
        "BigQuery",
        "F17B-412E-CB64",
        "Analysis",
        "nw-growth-analytics",
        "tebibyte",
        1.2,
        6.25,
        {**_GCP_MARKETING, "project": "growth-analytics"},
        weekend_factor=0.3,
    ),
    _Line(
        "BigQuery",
        "9E26-3A9B-3C0B",
        "Active Logical Storage",
        "nw-growth-analytics",
        "gibibyte month",
        66.0,
        0.02,
        {"business_unit": "marketing", "environment": "prod", "project": "growth-analytics"},
    ),
    _Line(
        "Vertex AI",
        "6B5F-1D9A-7C33",
        "Custom Training: N1 Predefined Instance Core running in Americas",
        "nw-growth-analytics",
        "hour",
        32.0,
        0.375,
        {**_GCP_MARKETING, "project": "lead-scoring", "model": "lead-scoring"},
        weekdays=(0,),
    ),
    _Line(
        "Vertex AI",
        "A1C2-44E0-9B17",
        "Vertex AI: Batch Prediction N1 Predefined Instance Core running in Americas",
        "nw-growth-analytics",
        "hour",
        16.0,
        0.375,
        {"business_unit": "marketing", "environment": "prod", "model": "lead-scoring"},
    ),
    _Line(
        "Kubernetes Engine",
        "B561-BFBD-1264",
        "Regional Kubernetes Clusters",
        "nw-ml-platform",
        "hour",
        24.0,
        0.10,
        dict(_PLATFORM),
    ),
    _Line(
        "Compute Engine",
        "CF4E-A0C7-E3BF",
        "N2 Instance Core running in Americas",
        "nw-ml-platform",
        "hour",
        96.0,
        0.031611,
        dict(_PLATFORM),
        discount=0.2,
    ),
    _Line(
        "Cloud Storage",
        "E5F0-6A5D-7BAD",
        "Standard Storage US Multi-region",
        "nw-ml-platform",
        "gibibyte month",
        166.0,
        0.026,
        dict(_PLATFORM),
    ),
    _Line(
        "Networking",
        "9DE9-9092-B3BC",
        "Network Internet Data Transfer Out from Americas to Americas",
        "nw-ml-platform",
        "gibibyte",
        80.0,
        0.12,
        dict(_PLATFORM),
    ),
    _Line(
        "Compute Engine",
        "2E27-4F75-95CD",
        "Nvidia Tesla T4 GPU running in Americas",
        "nw-sandbox",
        "hour",
        14.0,
        0.35,
    ),
)

AWS_SCHEMA = pa.schema(
    [
        ("bill_payer_account_id", pa.string()),
        ("line_item_usage_account_id", pa.string()),
        ("line_item_line_item_type", pa.string()),
        ("line_item_usage_start_date", TS),
        ("line_item_usage_end_date", TS),
        ("line_item_product_code", pa.string()),
        ("line_item_usage_type", pa.string()),
        ("line_item_operation", pa.string()),
        ("line_item_resource_id", pa.string()),
        ("line_item_usage_amount", pa.float64()),
        ("pricing_unit", pa.string()),
        ("pricing_public_on_demand_cost", pa.float64()),
        ("line_item_unblended_cost", pa.float64()),
        ("line_item_net_unblended_cost", pa.float64()),
        ("line_item_currency_code", pa.string()),
        ("product_region_code", pa.string()),
        ("resource_tags", pa.string()),
        ("event_date", pa.date32()),
    ]
)

GCP_SCHEMA = pa.schema(
    [
        ("billing_account_id", pa.string()),
        ("service_description", pa.string()),
        ("sku_id", pa.string()),
        ("sku_description", pa.string()),
        ("usage_start_time", TS),
        ("usage_end_time", TS),
        ("project_id", pa.string()),
        ("project_name", pa.string()),
        ("labels", pa.string()),
        ("location_region", pa.string()),
        ("cost", pa.float64()),
        ("currency", pa.string()),
        ("credits_amount", pa.float64()),
        ("usage_amount", pa.float64()),
        ("usage_unit", pa.string()),
        ("invoice_month", pa.string()),
        ("cost_type", pa.string()),
        ("event_date", pa.date32()),
    ]
)

#: EDP discount applied on top of every AWS line's unblended cost.
_AWS_EDP = 0.05


def _active(lines: tuple[_Line, ...], day: dt.date) -> list[_Line]:
    return [ln for ln in lines if ln.weekdays is None or day.weekday() in ln.weekdays]


def _usage(rng: np.random.Generator, lines: list[_Line], day: dt.date) -> np.ndarray:
    weekend = day.weekday() >= 5
    base = np.array([ln.usage * (ln.weekend_factor if weekend else 1.0) for ln in lines])
    return np.round(base * np.clip(rng.normal(1.0, 0.06, size=len(lines)), 0.7, 1.3), 6)


def _tags(tags: dict[str, str]) -> str:
    return json.dumps(tags, sort_keys=True, separators=(",", ":"))


def aws_lines(rng: np.random.Generator, day: dt.date) -> pa.Table:
    """Return one day of AWS CUR 2.0 usage lines (daily granularity, ``us-east-1``).

    Parameters
    ----------
    rng
        The day's generator.
    day
        Usage day.

    Returns
    -------
    pyarrow.Table
        Rows in :data:`AWS_SCHEMA`.
    """
    lines = _active(_AWS_LINES, day)
    usage = _usage(rng, lines, day)
    public = np.round(usage * np.array([ln.rate for ln in lines]), 6)
    unblended = np.round(public * (1.0 - np.array([ln.discount for ln in lines])), 6)
    net = np.round(unblended * (1.0 - _AWS_EDP), 6)
    n = len(lines)
    start = np.full(n, day_start_us(day), dtype=np.int64)
    return pa.table(
        {
            "bill_payer_account_id": [_PAYER] * n,
            "line_item_usage_account_id": [ln.account for ln in lines],
            "line_item_line_item_type": ["Usage"] * n,
            "line_item_usage_start_date": pa.array(start).view(TS),
            "line_item_usage_end_date": pa.array(start + 86_400_000_000).view(TS),
            "line_item_product_code": [ln.service for ln in lines],
            "line_item_usage_type": [ln.usage_type for ln in lines],
            "line_item_operation": [ln.operation for ln in lines],
            "line_item_resource_id": [ln.resource for ln in lines],
            "line_item_usage_amount": usage,
            "pricing_unit": [ln.unit for ln in lines],
            "pricing_public_on_demand_cost": public,
            "line_item_unblended_cost": unblended,
            "line_item_net_unblended_cost": net,
            "line_item_currency_code": ["USD"] * n,
            "product_region_code": ["us-east-1"] * n,
            "resource_tags": [_tags(ln.tags) for ln in lines],
            "event_date": pa.array([day] * n, pa.date32()),
        },
        schema=AWS_SCHEMA,
    )


def gcp_lines(rng: np.random.Generator, day: dt.date) -> pa.Table:
    """Return one day of GCP billing export lines (standard export, flattened, ``us-central1``).

    Parameters
    ----------
    rng
        The day's generator.
    day
        Usage day.

    Returns
    -------
    pyarrow.Table
        Rows in :data:`GCP_SCHEMA`; ``credits_amount`` is the (negative) sum of the line's credits.
    """
    lines = _active(_GCP_LINES, day)
    usage = _usage(rng, lines, day)
    cost = np.round(usage * np.array([ln.rate for ln in lines]), 6)
    credits = np.round(-cost * np.array([ln.discount for ln in lines]), 6) + 0.0
    n = len(lines)
    start = np.full(n, day_start_us(day), dtype=np.int64)
    return pa.table(
        {
            "billing_account_id": [_GCP_BILLING_ACCOUNT] * n,
            "service_description": [ln.service for ln in lines],
            "sku_id": [ln.usage_type for ln in lines],
            "sku_description": [ln.operation for ln in lines],
            "usage_start_time": pa.array(start).view(TS),
            "usage_end_time": pa.array(start + 86_400_000_000).view(TS),
            "project_id": [ln.resource for ln in lines],
            "project_name": [_GCP_PROJECTS[str(ln.resource)] for ln in lines],
            "labels": [_tags(ln.tags) for ln in lines],
            "location_region": ["us-central1"] * n,
            "cost": cost,
            "currency": ["USD"] * n,
            "credits_amount": credits,
            "usage_amount": usage,
            "usage_unit": [ln.unit for ln in lines],
            "invoice_month": [day.strftime("%Y%m")] * n,
            "cost_type": ["regular"] * n,
            "event_date": pa.array([day] * n, pa.date32()),
        },
        schema=GCP_SCHEMA,
    )
