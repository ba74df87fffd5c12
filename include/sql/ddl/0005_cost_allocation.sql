-- 0005 cost allocation: billing allocated to business units, projects, models; tag coverage.
-- Portable SQL: runs unchanged on DuckDB and PostgreSQL. Column names are FinOps FOCUS 1.2 column IDs
-- (quoted: they are case-sensitive) plus our x_ columns. Written by steward.costs.allocate_days, which
-- replaces one "BillingPeriodStart" of both tables in one transaction.

-- Day x account x service x region x business unit x project x model x environment x allocation rule.
-- Per day, billing account and currency, BilledCost and EffectiveCost sum exactly to the source
-- totals of cost_line_daily rounded to the cent.
create table cost_allocated_daily (
    "ChargePeriodStart" timestamptz not null,
    "BillingPeriodStart" timestamptz not null,
    "BillingAccountId" text not null,
    "SubAccountId" text,
    "BillingCurrency" text not null,
    "ProviderName" text,
    "ServiceName" text,
    "ServiceCategory" text,
    "RegionId" text,
    "BilledCost" decimal(38, 10) not null,
    "EffectiveCost" decimal(38, 10) not null,
    "x_BusinessUnit" text,              -- NULL only on UNALLOCATED rows
    "x_Project" text,
    "x_ModelId" text,                   -- a registered model's name
    "x_Environment" text,
    "x_AllocationMethod" text not null, -- DIRECT | PROPORTIONAL | EVEN | FIXED | UNALLOCATED
    "x_AllocationRuleId" text,          -- the shared-cost rule (governance.yaml costs.allocation.shared)
    "x_AllocationShare" double precision not null,  -- share of the matched cost this row received (0..1)
    "x_PipelineRunId" text not null,
    "x_AllocatedAt" timestamptz not null
);

create index cost_allocated_daily_period_idx on cost_allocated_daily ("BillingPeriodStart");
create index cost_allocated_daily_day_idx on cost_allocated_daily ("ChargePeriodStart");

-- Day x account x service x business unit x tag status: how much of the cost is tagged.
-- "Tagged" means the tags resolve a business unit (x_TagStatus = 'business_unit').
create table tag_coverage_daily (
    "ChargePeriodStart" timestamptz not null,
    "BillingPeriodStart" timestamptz not null,
    "BillingAccountId" text not null,
    "SubAccountId" text,
    "ProviderName" text,
    "ServiceName" text,
    "BillingCurrency" text not null,
    "x_BusinessUnit" text,
    "x_TagStatus" text not null,        -- business_unit | other_tags (tags, but no business unit) | untagged
    "x_LineCount" bigint not null,
    "BilledCost" decimal(38, 10) not null,
    "EffectiveCost" decimal(38, 10) not null,
    "x_ServiceEffectiveCost" decimal(38, 10) not null,  -- the day x account x service total
    "x_EffectiveCostShare" double precision,            -- EffectiveCost / x_ServiceEffectiveCost
    "x_PipelineRunId" text not null,
    "x_ComputedAt" timestamptz not null
);

create index tag_coverage_daily_period_idx on tag_coverage_daily ("BillingPeriodStart");
