"""Carbon settings: codecarbon location and PUE, provider carbon sources, usage-estimate coefficients."""

from __future__ import annotations

import re
from typing import Literal

from pydantic import Field, field_validator, model_validator

from steward.registry._base import Name, Strict
from steward.registry._cost_sources import DEFAULT_MAX_PAGES, DEFAULT_TIME_BUDGET_S, MAX_TIME_BUDGET_S

__all__ = ["CandidateRegion", "CarbonConfig", "CarbonProvider", "TrainingLocation"]

_ISO3 = re.compile(r"^[A-Z]{3}$")
_VERSION = re.compile(r"^[A-Za-z0-9][A-Za-z0-9._-]*$")


class TrainingLocation(Strict):
    """Where training runs on this team's machines draw their electricity (codecarbon, offline).

    ``country_iso_code`` is the 3-letter ISO code codecarbon looks up in its bundled
    ``global_energy_mix.json``; ``region`` is a US state or Canadian province name
    (``virginia``, ``quebec``) for codecarbon's sub-national grid data; ``pue`` the data
    centre's power usage effectiveness (1.0 on a laptop).
    """

    country_iso_code: str = "USA"
    region: str | None = None
    pue: float = Field(default=1.0, ge=1.0, le=3.0)
    #: codecarbon's cloud table (GCP regions only) when training runs on GCP, e.g. ("gcp", "us-central1").
    cloud_provider: Literal["gcp"] | None = None
    cloud_region: str | None = None

    @field_validator("country_iso_code")
    @classmethod
    def _iso3(cls, v: str) -> str:
        v = v.upper()
        if not _ISO3.match(v):
            raise ValueError(
                f"country_iso_code must be a 3-letter ISO code such as 'USA' or 'DEU', got {v!r}"
            )
        return v

    @field_validator("region")
    @classmethod
    def _lower_region(cls, v: str | None) -> str | None:
        return v.lower() if v else None

    @model_validator(mode="after")
    def _cloud_pair(self) -> TrainingLocation:
        if (self.cloud_provider is None) != (self.cloud_region is None):
            raise ValueError("set both cloud_provider and cloud_region, or neither")
        return self


class CarbonProvider(Strict):
    """A provider's own carbon data, loaded monthly.

    ``aws_sustainability``: the AWS ``sustainability`` API (``GetEstimatedCarbonEmissions``) through
    the Airflow connection ``connection_id`` (default ``aws_default``); ``region_name`` is the API's
    region. ``gcp_carbon_footprint``: the Carbon Footprint export table in BigQuery
    (``table: project.dataset.table``) through ``connection_id`` (default ``google_cloud_default``).
    """

    name: Name
    kind: Literal["aws_sustainability", "gcp_carbon_footprint"]
    connection_id: str | None = None
    region_name: str = "us-east-1"
    table: str | None = None
    #: Months before the current one reloaded every night (providers publish with a lag and restate).
    lookback_months: int = Field(default=3, ge=0, le=36)
    #: Pages one fetch may read; more fails the provider, naming this setting.
    max_pages: int = Field(default=DEFAULT_MAX_PAGES, ge=1)
    #: Seconds one fetch may take, throttling waits included; more fails the provider (Airflow retries it).
    time_budget_s: float = Field(default=DEFAULT_TIME_BUDGET_S, gt=0, le=MAX_TIME_BUDGET_S)

    @model_validator(mode="after")
    def _needs_table(self) -> CarbonProvider:
        if self.kind == "gcp_carbon_footprint" and not self.table:
            raise ValueError(
                f"carbon provider {self.name!r}: kind gcp_carbon_footprint needs `table` "
                "(the Carbon Footprint export, e.g. my-project.carbon.carbon_footprint)"
            )
        if self.table and not re.fullmatch(r"[A-Za-z0-9_.:-]+", self.table):
            raise ValueError(
                f"carbon provider {self.name!r}: table {self.table!r} is not a BigQuery table id"
            )
        return self

    @property
    def conn_id(self) -> str:
        """The Airflow connection holding this provider's credentials."""
        if self.connection_id:
            return self.connection_id
        return "aws_default" if self.kind == "aws_sustainability" else "google_cloud_default"


class CandidateRegion(Strict):
    """A region the same workload could run in, for the region comparison."""

    provider: Literal["aws", "gcp"]
    region: str


class CarbonConfig(Strict):
    """How emissions are measured and estimated.

    Examples
    --------
    >>> CarbonConfig(cpu_utilization=0.4).coefficients
    '2026.11'
    """

    #: codecarbon settings for training runs.
    training: TrainingLocation = TrainingLocation()
    #: Provider carbon data sources (none: the provider task is skipped).
    providers: list[CarbonProvider] = Field(default_factory=list)
    #: Version of ``include/carbon/ccf_coefficients_<version>.yaml`` used by usage estimates.
    coefficients: str = "2026.11"
    #: Average CPU/GPU utilization assumed for billed instance hours (CCF uses 0.5); None: the file's value.
    cpu_utilization: float | None = Field(default=None, ge=0.0, le=1.0)
    #: Regions compared with the regions the workload runs in.
    candidate_regions: list[CandidateRegion] = Field(default_factory=list)

    @field_validator("coefficients")
    @classmethod
    def _version(cls, v: str) -> str:
        if not _VERSION.match(v):
            raise ValueError(f"coefficients version {v!r} may hold only letters, digits, '.', '_' and '-'")
        return v

    @model_validator(mode="after")
    def _unique_providers(self) -> CarbonConfig:
        names = [p.name for p in self.providers]
        dupes = sorted({n for n in names if names.count(n) > 1})
        if dupes:
            raise ValueError(f"carbon provider names must be unique: {', '.join(dupes)} repeated")
        return self
