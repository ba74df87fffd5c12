"""Finance: total cost of ownership, cost per prediction, benefit and ROI, and the periodic review.

The cost ledger (personnel, data acquisition, licences, support, maintenance) is validated and
stored FOCUS-shaped beside the cloud lines (``finance_ledger_lines``). The marts
(``include/sql/marts/*.sql``) compute TCO, showback/chargeback and cost per 1,000 predictions inside
the warehouse; :func:`review` adds each model's realized KPI with an interval, its benefit in money,
ROI, payback and flags, writes the HTML review with extracts, and records the review.

Modules
-------
``_commitments``
    Commitment findings: what a savings plan or committed use discount would have saved on the steady floor.
``_kpi``
    Realized KPI of a period: a ratio of sums with a delta-method interval, and its value in money.
``_ledger``
    The cost ledger: costs beyond the cloud bill, declared per month (YAML or CSV), validated, FOCUS-shaped.
``_marts``
    The finance marts (``include/sql/marts/*.sql``): run for one period, inside the warehouse.
``_periods``
    Review periods: a month (``2026-11``) or a quarter (``2026-Q4``), and whether one is closed.
``_regions``
    Training jobs whose data lives in another region: the data-transfer finding on retraining runs.
``_report``
    The review as files: a self-contained HTML page with charts, and CSV + Parquet extracts for finance.
``_review``
    The ROI review of one period: marts refreshed, KPI realized vs projected, ROI, flags, the review recorded.
``_transfer``
    Data-transfer cost by source and destination, read from the provider's usage types and descriptions.
``_windows``
    Off-peak and low-carbon windows: when Steward's jobs ran against the cheapest and cleanest hours allowed.
``_workloads``
    Training vs inference: a model's directly tagged cloud cost, split by what each line does.
"""

from steward.finance._commitments import (
    DEFAULT_DISCOUNTS,
    CommitmentFinding,
    CommitmentOffer,
    DiscountTable,
    commitment_findings,
    load_discounts,
)
from steward.finance._kpi import Benefit, RatioEstimate, kpi_benefit, ratio_interval
from steward.finance._ledger import (
    COST_CATEGORIES,
    LEDGER_TABLE,
    LedgerError,
    LedgerLine,
    ledger_path,
    load_ledger,
    read_ledger,
)
from steward.finance._marts import MART_TABLES, MartRows, mart_params, run_marts
from steward.finance._periods import Period, parse_period
from steward.finance._regions import AWS_REGION_CODES, RegionFinding, region_findings
from steward.finance._report import review_dir, write_review
from steward.finance._review import (
    FinanceError,
    ModelRoi,
    Review,
    format_roi,
    format_tco,
    model_roi,
    realized_kpi,
    review,
    unit_value,
)
from steward.finance._transfer import classify_transfer, data_transfer
from steward.finance._windows import (
    MIN_SAVING_SHARE,
    HourlyProfile,
    JobWindow,
    ProfileError,
    best_window,
    load_profile,
    window_findings,
    window_summary,
    window_totals,
)
from steward.finance._workloads import classify_workload, workload_costs

__all__ = [
    # periods
    "Period",
    "parse_period",
    # cost ledger
    "COST_CATEGORIES",
    "LEDGER_TABLE",
    "LedgerError",
    "LedgerLine",
    "ledger_path",
    "load_ledger",
    "read_ledger",
    # marts
    "MART_TABLES",
    "MartRows",
    "mart_params",
    "run_marts",
    # KPI and benefit
    "Benefit",
    "RatioEstimate",
    "kpi_benefit",
    "ratio_interval",
    # training vs inference
    "classify_workload",
    "workload_costs",
    # optimization findings
    "classify_transfer",
    "data_transfer",
    "CommitmentFinding",
    "CommitmentOffer",
    "DEFAULT_DISCOUNTS",
    "DiscountTable",
    "commitment_findings",
    "load_discounts",
    "AWS_REGION_CODES",
    "RegionFinding",
    "region_findings",
    "HourlyProfile",
    "JobWindow",
    "MIN_SAVING_SHARE",
    "ProfileError",
    "best_window",
    "load_profile",
    "window_findings",
    "window_summary",
    "window_totals",
    # the review
    "FinanceError",
    "format_roi",
    "format_tco",
    "ModelRoi",
    "Review",
    "model_roi",
    "realized_kpi",
    "review",
    "review_dir",
    "unit_value",
    "write_review",
]
