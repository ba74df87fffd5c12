"""The deterministic demo company, Northwind Lending & Growth, used by ``make demo`` and the tests.

Two business units (marketing, lending) and a shared platform team run two models:
``lead_scoring`` (scores web leads for conversion) and ``credit_risk`` (scores loan applications
for probability of default). :func:`generate` writes their raw data, prediction logs, late labels,
training snapshots, cloud billing exports and business outcomes as a Parquet lake, with known
problems planted on known days (:data:`INJECTED_PROBLEMS`) for the pipelines to find.
``include/governance.yaml`` registers every dataset and both models.
"""

from steward.demo._champions import DEMO_CHAMPIONS, register_champions
from steward.demo._company import COMPANY, DEMO_DAYS, DEMO_ERASURE_REQUESTS, DEMO_START
from steward.demo._company import DATASET_NAMES as DEMO_DATASETS
from steward.demo._generate import generate
from steward.demo._manifest import DemoManifest, Partition
from steward.demo._problems import INJECTED_PROBLEMS, InjectedProblem, injected_problems
from steward.demo._profile import DEMO_PROFILE_REGIONS, hourly_profile_rows, write_hourly_profile
from steward.demo._trainers import train_credit_risk, train_lead_scoring

__all__ = [
    # the company
    "COMPANY",
    "DEMO_DATASETS",
    "DEMO_DAYS",
    "DEMO_ERASURE_REQUESTS",
    "DEMO_START",
    # generating
    "DEMO_CHAMPIONS",
    "DemoManifest",
    "Partition",
    "generate",
    "register_champions",
    # injected problems
    "INJECTED_PROBLEMS",
    "InjectedProblem",
    "injected_problems",
    # the hourly carbon and price profile (finance.hourly_profile)
    "DEMO_PROFILE_REGIONS",
    "hourly_profile_rows",
    "write_hourly_profile",
    # trainers (retraining.trainer in include/governance.yaml)
    "train_credit_risk",
    "train_lead_scoring",
]
