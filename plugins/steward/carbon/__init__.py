"""Carbon: codecarbon around training runs, provider carbon data, usage-based estimates (CCF).

Modules
-------
``_coefficients``
    The versioned Cloud Carbon Footprint coefficients (``include/carbon/ccf_coefficients_<version>.yaml``).
``_estimate``
    Daily usage estimates in the warehouse: read ``cost_line_daily``, estimate, allocate, compare regions.
``_providers``
    Provider carbon data: the AWS ``sustainability`` API and the GCP Carbon Footprint BigQuery export.
``_regions``
    What the same workload would emit in another region: the candidate-region comparison.
``_training``
    Energy and emissions of training runs, measured by codecarbon's offline tracker.
``_usage``
    Usage-based emission estimates from billed usage lines (Cloud Carbon Footprint methodology).
"""

from steward.carbon._coefficients import (
    Coefficients,
    CoefficientsError,
    GpuSpec,
    InstanceSpec,
    ProviderCoefficients,
    UsageRule,
    coefficients_path,
    load_coefficients,
)
from steward.carbon._estimate import (
    ALLOCATED_TABLE,
    CARBON_MEASURES,
    COMPARISON_TABLE,
    USAGE_TABLE,
    CarbonDaysResult,
    allocate_carbon,
    carbon_summary,
    estimate_days,
    read_usage_lines,
    usage_days,
)
from steward.carbon._providers import (
    AWS_EMISSIONS_TYPES,
    PROVIDER_COLUMNS,
    PROVIDER_TABLE,
    fetch_aws_emissions,
    fetch_gcp_emissions,
    months_back,
    write_provider_months,
)
from steward.carbon._regions import REGION_COMPARISON_COLUMNS, compare_regions
from steward.carbon._training import (
    TRAINING_TABLE,
    TrainingEmissions,
    TrainingRun,
    track_training,
    training_tracker,
    write_training_run,
)
from steward.carbon._usage import (
    USAGE_COLUMNS,
    UsageEstimate,
    classify_usage,
    estimate_usage_batches,
    estimate_usage_emissions,
)

__all__ = [
    # coefficients (versioned data file)
    "Coefficients",
    "CoefficientsError",
    "GpuSpec",
    "InstanceSpec",
    "ProviderCoefficients",
    "UsageRule",
    "coefficients_path",
    "load_coefficients",
    # training runs (codecarbon)
    "TRAINING_TABLE",
    "TrainingEmissions",
    "TrainingRun",
    "track_training",
    "training_tracker",
    "write_training_run",
    # usage estimates (Cloud Carbon Footprint)
    "USAGE_COLUMNS",
    "UsageEstimate",
    "classify_usage",
    "estimate_usage_batches",
    "estimate_usage_emissions",
    # daily estimates in the warehouse, allocation, region comparison
    "ALLOCATED_TABLE",
    "CARBON_MEASURES",
    "COMPARISON_TABLE",
    "USAGE_TABLE",
    "CarbonDaysResult",
    "REGION_COMPARISON_COLUMNS",
    "allocate_carbon",
    "carbon_summary",
    "compare_regions",
    "estimate_days",
    "read_usage_lines",
    "usage_days",
    # provider data (AWS sustainability API, GCP Carbon Footprint export)
    "AWS_EMISSIONS_TYPES",
    "PROVIDER_COLUMNS",
    "PROVIDER_TABLE",
    "fetch_aws_emissions",
    "fetch_gcp_emissions",
    "months_back",
    "write_provider_months",
]
