"""The deterministic demo company, Northwind Lending & Growth, used by ``make demo`` and the tests.

Two business units (marketing, lending) and a shared platform team run two models:
``lead_scoring`` (scores web leads for conversion) and ``credit_risk`` (scores loan applications
for probability of default). :func:`generate` writes their raw data, prediction logs, late labels,
training snapshots, cloud billing exports and business outcomes as a Parquet lake, with known
problems planted on known days (:data:`INJECTED_PROBLEMS`) for the pipelines to find.
``include/governance.yaml`` registers every dataset and both models.

Modules
-------
``_billing``
    Daily cloud billing lines: an AWS CUR 2.0 export and a flattened GCP BigQuery billing export.
``_champions``
    The demo company's models in production before the window starts: registered and promoted champions.
``_company``
    Northwind Lending & Growth: the fictitious company behind the demo.
``_entities``
    Leads and loan applications: features, true outcome probabilities, model scores and labels.
``_feedback``
    The demo's user feedback: a few reports a day from sales reps and loan officers on predictions.
``_flows``
    The two modelled flows: raw entities -> prediction log -> late labels, plus a training snapshot.
``_generate``
    Write the demo company's data lake: daily Parquet partitions, training snapshots, a manifest.
``_io``
    Parquet writing with fixed settings, so the same rows always give the same bytes.
``_manifest``
    The demo lake's manifest: parameters, partitions with row counts, injected problems.
``_outcomes``
    Daily business outcomes per business unit: what finance's ROI review reads.
``_problems``
    The problems injected into the demo data on known days, with the effect each should have.
``_profile``
    The demo company's hourly carbon intensity and price profile (``finance.hourly_profile``).
``_summary``
    The summary ``steward demo`` prints after its nights: what each pipeline found, per area.
``_trainers``
    The demo company's trainers: scikit-learn pipelines the retraining flow calls by dotted path.
"""

from steward.demo._champions import DEMO_CHAMPIONS, register_champions
from steward.demo._company import COMPANY, DEMO_DAYS, DEMO_ERASURE_REQUESTS, DEMO_START
from steward.demo._company import DATASET_NAMES as DEMO_DATASETS
from steward.demo._generate import generate
from steward.demo._manifest import DemoManifest, Partition
from steward.demo._problems import INJECTED_PROBLEMS, InjectedProblem, injected_problems
from steward.demo._profile import DEMO_PROFILE_REGIONS, hourly_profile_rows, write_hourly_profile
from steward.demo._summary import DEMO_APPROVER, print_summary, retraining_line
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
    # the summary after the nights
    "DEMO_APPROVER",
    "print_summary",
    "retraining_line",
    # trainers (retraining.trainer in include/governance.yaml)
    "train_credit_risk",
    "train_lead_scoring",
]
