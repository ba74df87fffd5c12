"""Cloud billing sources: AWS Cost Explorer, AWS data exports in S3, GCP BigQuery export, local files.

A :data:`CostSource` is a discriminated union on ``kind``; each variant holds only what its reader
needs. Credentials never appear here: a source names an Airflow connection (``aws_default``,
``google_cloud_default`` unless overridden) and the Airflow layer builds the clients from it.

Examples
--------
>>> from pydantic import TypeAdapter
>>> src = TypeAdapter(CostSource).validate_python(
...     {"name": "aws_demo", "kind": "local_files", "format": "aws_cur2", "path": "lake/*.parquet"}
... )
>>> src.kind, src.provider
('local_files', 'AWS')
"""

from __future__ import annotations

from typing import Annotated, Literal

from pydantic import Field, field_validator

from steward.registry._base import Name, Strict

__all__ = [
    "DEFAULT_MAX_PAGES",
    "DEFAULT_TIME_BUDGET_S",
    "MAX_TIME_BUDGET_S",
    "AwsCostExplorerSource",
    "AwsDataExportsSource",
    "CeMetric",
    "CostFileFormat",
    "CostSource",
    "GcpBigQueryExportSource",
    "LocalFilesSource",
]

#: Shape of billing files: AWS CUR 2.0, a (flattened) GCP BigQuery billing export, or FOCUS 1.x.
CostFileFormat = Literal["aws_cur2", "gcp_billing_export", "focus"]

#: Cost Explorer ``get_cost_and_usage`` metrics (the API's own names).
CeMetric = Literal[
    "UnblendedCost",
    "AmortizedCost",
    "NetUnblendedCost",
    "NetAmortizedCost",
    "BlendedCost",
    "UsageQuantity",
    "NormalizedUsageAmount",
]
_DEFAULT_METRICS: list[CeMetric] = ["UnblendedCost", "AmortizedCost", "NetUnblendedCost", "UsageQuantity"]

_PROVIDER = {"aws_cur2": "AWS", "gcp_billing_export": "Google Cloud", "focus": None}


#: Pages one fetch may read (all its requests together) unless a source sets ``max_pages``.
DEFAULT_MAX_PAGES = 10_000
#: Seconds one fetch may take (throttling waits included) unless a source sets ``time_budget_s``.
DEFAULT_TIME_BUDGET_S = 1800.0
#: The largest time budget a source may set: the Airflow tasks that fetch stop at 2 hours.
MAX_TIME_BUDGET_S = 5400.0


class _SourceBase(Strict):
    """What every billing source has."""

    name: Name
    description: str = ""
    #: Switch a source off without deleting it (its loaded rows stay).
    enabled: bool = True


class _CloudFetch(Strict):
    """Bounds of one fetch from a cloud API (paginated calls end, even when the provider misbehaves)."""

    #: Pages one fetch may read; more fails the source, naming this setting.
    max_pages: int = Field(default=DEFAULT_MAX_PAGES, ge=1)
    #: Seconds one fetch may take, throttling waits included; more fails the source (Airflow retries it).
    time_budget_s: float = Field(default=DEFAULT_TIME_BUDGET_S, gt=0, le=MAX_TIME_BUDGET_S)


class AwsCostExplorerSource(_SourceBase, _CloudFetch):
    """AWS Cost Explorer ``get_cost_and_usage`` (daily, grouped by account, service and tag keys)."""

    kind: Literal["aws_cost_explorer"]
    connection_id: str = "aws_default"
    region: str = "us-east-1"
    #: The payer (management) account: FOCUS BillingAccountId. Default: each linked account bills itself.
    billing_account_id: str | None = None
    #: Cost-allocation tag keys, at most two (Cost Explorer groups by two keys per call).
    tag_keys: list[str] = Field(default_factory=list, max_length=2)
    #: Refuse unknown metric names early (the API's own list).
    metrics: list[CeMetric] = Field(default_factory=lambda: list(_DEFAULT_METRICS))

    @field_validator("metrics")
    @classmethod
    def _needs_costs(cls, v: list[str]) -> list[str]:
        missing = {"UnblendedCost", "AmortizedCost"} - set(v)
        if missing:
            raise ValueError(
                f"metrics must include {sorted(missing)}: they become BilledCost and EffectiveCost"
            )
        return v

    @property
    def provider(self) -> str:
        """FOCUS ``ProviderName``."""
        return "AWS"


class AwsDataExportsSource(_SourceBase, _CloudFetch):
    """AWS Data Exports (CUR 2.0 or FOCUS 1.2 Parquet) delivered to ``s3://bucket/prefix``."""

    kind: Literal["aws_data_exports"]
    connection_id: str = "aws_default"
    region: str = "us-east-1"
    bucket: str
    prefix: str = ""
    format: Literal["aws_cur2", "focus"] = "aws_cur2"

    @property
    def provider(self) -> str:
        """FOCUS ``ProviderName``."""
        return "AWS"


class GcpBigQueryExportSource(_SourceBase, _CloudFetch):
    """The GCP detailed (or standard) billing export table in BigQuery, plus billing metadata."""

    kind: Literal["gcp_bigquery_export"]
    connection_id: str = "google_cloud_default"
    #: ``project.dataset.gcp_billing_export_resource_v1_XXXXXX``.
    table: str = Field(pattern=r"^[A-Za-z0-9_\-]+\.[A-Za-z0-9_]+\.[A-Za-z0-9_]+$")
    #: Project that runs (and pays for) the queries; default: the table's project.
    job_project: str | None = None
    #: Read billing-account and project names through the Cloud Billing API.
    billing_metadata: bool = True

    @property
    def provider(self) -> str:
        """FOCUS ``ProviderName``."""
        return "Google Cloud"


class LocalFilesSource(_SourceBase):
    """Billing files on disk (CSV or Parquet): the demo lake or teams that already export FOCUS."""

    kind: Literal["local_files"]
    format: CostFileFormat
    #: A glob; ``${STEWARD_HOME}`` and ``~`` are expanded, relative paths are under STEWARD_HOME.
    path: str
    #: FOCUS files only: values for FOCUS columns the files lack, e.g. ``{BillingCurrency: USD}``.
    defaults: dict[str, str] = Field(default_factory=dict)

    @property
    def provider(self) -> str | None:
        """FOCUS ``ProviderName`` (``None``: taken from a FOCUS file or its ``defaults``)."""
        return _PROVIDER[self.format] or self.defaults.get("ProviderName")


#: One billing source of ``costs.sources``; ``kind`` picks the variant.
CostSource = Annotated[
    AwsCostExplorerSource | AwsDataExportsSource | GcpBigQueryExportSource | LocalFilesSource,
    Field(discriminator="kind"),
]
