"""Finance: total cost of ownership, cost per prediction, benefit and ROI, and the periodic review.

The cost ledger (personnel, data acquisition, licences, support, maintenance) is validated and
stored FOCUS-shaped beside the cloud lines (``finance_ledger_lines``). The marts
(``include/sql/marts/*.sql``) compute TCO, showback/chargeback and cost per 1,000 predictions inside
the warehouse; :func:`review` adds each model's realized KPI with an interval, its benefit in money,
ROI, payback and flags, writes the HTML review with extracts, and records the review.
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
