-- 0016 finance: the cost ledger beside the FOCUS lines, the finance marts and the ROI reviews (issue 12).
-- Portable SQL: runs unchanged on DuckDB and PostgreSQL. JSON is stored as text.
-- Money is numeric(38,10) in the review currency (registry finance.currency); periods are labels
-- ('2026-11' for a month, '2026-Q4' for a quarter) with their [period_start, period_end) dates.

-- Costs beyond the cloud bill (personnel, data acquisition, licences, support, maintenance), one row
-- per ledger line, FOCUS-shaped (FOCUS 1.2 column IDs, quoted, plus x_ columns). Written by
-- steward.finance.load_ledger: replaced by "BillingPeriodStart" (one month) in one transaction.
create table finance_ledger_lines (
    "BillingPeriodStart" timestamptz not null,
    "BillingPeriodEnd" timestamptz not null,
    "ChargePeriodStart" timestamptz not null,
    "ChargePeriodEnd" timestamptz not null,
    "ChargeCategory" text not null,          -- Purchase (FOCUS: a ledger line is bought, not consumed)
    "ChargeFrequency" text not null,         -- Recurring | One-Time
    "ChargeDescription" text,
    "BilledCost" numeric(38,10) not null,
    "EffectiveCost" numeric(38,10) not null, -- equals BilledCost: ledger lines are not amortized
    "BillingCurrency" text not null,
    "x_CostCategory" text not null,          -- personnel | data_acquisition | licences | support | maintenance | infrastructure
    "x_BusinessUnit" text not null,
    "x_ModelId" text,                        -- NULL: the business unit's cost, not one model's
    "x_LedgerFile" text not null,
    "x_LedgerLine" integer not null,         -- 1-based line (CSV) or item number (YAML) in the file
    "x_PipelineRunId" text not null,
    "x_IngestedAt" timestamptz not null
);

create index finance_ledger_lines_period_idx on finance_ledger_lines ("BillingPeriodStart");

-- Total cost of ownership: period x business unit x model x cost category x workload, from
-- cost_allocated_daily (category infrastructure) and finance_ledger_lines. Mart: include/sql/marts/tco.sql.
create table finance_tco (
    period text not null,
    period_start date not null,
    period_end date not null,
    business_unit text,                      -- NULL: cloud cost left UNALLOCATED
    model text,                              -- NULL: business-unit cost shared by its models
    cost_category text not null,
    workload text not null,                  -- direct (tagged to the model) | shared (allocated by a rule) | ledger | unallocated
    currency text not null,
    billed_cost numeric(38,10) not null,
    effective_cost numeric(38,10) not null,
    run_id text not null,
    computed_at timestamptz not null
);

create index finance_tco_period_idx on finance_tco (period);

-- Showback (EffectiveCost, commitments amortized) and chargeback (BilledCost, as invoiced) per
-- business unit and month. Mart: include/sql/marts/showback.sql.
create table finance_showback (
    period text not null,
    period_start date not null,
    period_end date not null,
    month date not null,                     -- first day of the month
    business_unit text,                      -- NULL: UNALLOCATED
    currency text not null,
    cloud_billed_cost numeric(38,10) not null,
    cloud_effective_cost numeric(38,10) not null,
    ledger_cost numeric(38,10) not null,
    chargeback_cost numeric(38,10) not null, -- cloud BilledCost + ledger
    showback_cost numeric(38,10) not null,   -- cloud EffectiveCost + ledger
    run_id text not null,
    computed_at timestamptz not null
);

create index finance_showback_period_idx on finance_showback (period);

-- Training vs inference: a model's directly tagged cloud cost per workload (steward.finance.workload_costs:
-- tags resolved like the allocation, lines classified by finance.workloads). Shared cost is in finance_tco.
create table finance_workloads (
    period text not null,
    period_start date not null,
    period_end date not null,
    model text not null,
    workload text not null,                  -- training | inference | other
    currency text not null,
    billed_cost numeric(38,10) not null,
    effective_cost numeric(38,10) not null,
    run_id text not null,
    computed_at timestamptz not null
);

create index finance_workloads_period_idx on finance_workloads (period);

-- Cost and carbon per 1,000 predictions: period x model. Mart: include/sql/marts/unit_costs.sql.
create table finance_unit_costs (
    period text not null,
    period_start date not null,
    period_end date not null,
    model text not null,
    business_unit text,
    currency text not null,
    tco_cost numeric(38,10) not null,             -- EffectiveCost, cloud + ledger
    cloud_cost numeric(38,10) not null,
    predictions bigint not null,                  -- rows scanned by monitoring (monitoring_runs)
    cost_per_1k_predictions numeric(38,10),       -- NULL without predictions
    co2e_kg double precision,                     -- carbon_allocated_daily + carbon_training_runs
    co2e_kg_per_1k_predictions double precision,
    first_half_cost_per_1k numeric(38,10),        -- cloud cost per 1k predictions, first half of the days
    second_half_cost_per_1k numeric(38,10),
    run_id text not null,
    computed_at timestamptz not null
);

create index finance_unit_costs_period_idx on finance_unit_costs (period);

-- Benefit and ROI per period x model, with the assumptions stored beside the numbers.
-- Written by steward.finance.review (KPI intervals are computed in Python from outcome aggregates).
create table finance_roi (
    period text not null,
    period_start date not null,
    period_end date not null,
    model text not null,
    business_unit text not null,
    currency text not null,
    kpi_name text,
    kpi_unit text,
    kpi_direction text,
    kpi_baseline double precision,
    kpi_projected double precision,
    kpi_realized double precision,
    kpi_low double precision,                 -- interval at finance.confidence
    kpi_high double precision,
    kpi_days integer,                         -- days with outcomes
    kpi_denominator double precision,         -- sum of the KPI's denominator (e.g. conversions)
    benefit double precision,                 -- realized benefit in money
    benefit_low double precision,
    benefit_high double precision,
    projected_benefit double precision,
    tco_cost numeric(38,10) not null,
    one_time_cost numeric(38,10) not null,    -- ledger One-Time lines within the TCO
    net_value double precision,               -- benefit - tco
    roi double precision,                     -- (benefit - tco) / tco
    payback_months double precision,          -- one-time cost / monthly recurring net value
    budget numeric(38,10),
    not_computable text,                      -- why benefit/ROI are NULL, when they are
    assumptions text not null,                -- JSON: the registry's KPI declaration as used
    flags text not null,                      -- JSON list of {flag, evidence}
    run_id text not null,
    computed_at timestamptz not null
);

create index finance_roi_period_idx on finance_roi (period);

-- Net value per business unit: its models' benefit against everything the unit pays (showback: cloud
-- EffectiveCost allocated to it + its ledger lines). Written by steward.finance.review.
create table finance_unit_value (
    period text not null,
    period_start date not null,
    period_end date not null,
    business_unit text not null,
    currency text not null,
    tco_cost numeric(38,10) not null,         -- finance_showback.showback_cost summed over the period
    benefit double precision,                 -- sum of its models' realized benefit; NULL when none is valued
    net_value double precision,               -- benefit - tco_cost
    roi double precision,                     -- net_value / tco_cost
    models_valued text not null,              -- JSON list of the models whose benefit is counted
    models_not_valued text not null,          -- JSON list of {model, reason}
    run_id text not null,
    computed_at timestamptz not null
);

create index finance_unit_value_period_idx on finance_unit_value (period);

-- Optimization finding: what committing to each service's steady daily on-demand floor would have saved
-- over the period (steward.finance.commitment_findings; discounts from a versioned, cited file).
create table finance_commitments (
    period text not null,
    period_start date not null,
    period_end date not null,
    provider text not null,
    service text not null,
    region text,
    currency text not null,
    offer_id text not null,                   -- the discount file's offer (e.g. aws_sagemaker_savings_plan)
    discount_pct double precision not null,
    discounts_version text not null,
    source text not null,                     -- where the discount is published
    billing_days integer not null,            -- days the bill covers in the period
    usage_days integer not null,              -- days with on-demand usage of this service
    on_demand_cost numeric(38,10) not null,   -- on-demand EffectiveCost over the period
    commitment_daily_cost numeric(38,10) not null,  -- the steady floor: smallest daily on-demand cost
    covered_cost numeric(38,10) not null,     -- floor x billing_days
    coverage double precision not null,       -- covered_cost / on_demand_cost
    estimated_saving numeric(38,10) not null, -- covered_cost x discount
    break_even_utilization double precision not null,  -- 1 - discount: below it the commitment loses money
    run_id text not null,
    computed_at timestamptz not null
);

create index finance_commitments_period_idx on finance_commitments (period);

-- Data-transfer cost by source region and destination (steward.finance.data_transfer: read from AWS usage
-- types and Google Cloud descriptions). kind: inter_region | internet | inter_zone | other.
create table finance_data_transfer (
    period text not null,
    period_start date not null,
    period_end date not null,
    provider text not null,
    source_region text not null,
    kind text not null,
    destination text not null,                -- a region code (AWS: USW2), a GCP continent, or internet
    currency text not null,
    effective_cost numeric(38,10) not null,
    run_id text not null,
    computed_at timestamptz not null
);

create index finance_data_transfer_period_idx on finance_data_transfer (period);

-- One row per reviewed period: its status, headline figures and the runs it read.
create table finance_reviews (
    period text primary key,
    period_start date not null,
    period_end date not null,
    status text not null,                     -- provisional | final
    currency text not null,
    cloud_billed_cost numeric(38,10) not null,    -- sum of cost_line_daily over the period
    cloud_effective_cost numeric(38,10) not null,
    ledger_cost numeric(38,10) not null,
    total_billed_cost numeric(38,10) not null,    -- cloud + ledger
    total_effective_cost numeric(38,10) not null,
    figures text not null,                    -- JSON: per-model TCO, benefit, ROI, flags
    source_run_ids text not null,             -- JSON: x_PipelineRunId of cost and ledger lines, monitoring run ids
    report_path text,
    run_id text not null,
    reviewed_at timestamptz not null
);

-- A re-run of a final (closed) period whose figures changed, e.g. outcome data arrived late.
create table finance_review_changes (
    period text not null,
    changed_at timestamptz not null,
    run_id text not null,
    previous_run_id text not null,
    previous_status text not null,
    previous_figures text not null,
    new_figures text not null,
    changed_keys text not null                -- JSON list of the figures that differ
);
