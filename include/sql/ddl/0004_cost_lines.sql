-- 0004 cost lines: cloud billing normalized to FinOps FOCUS 1.2 (issue 5).
-- Portable SQL: runs unchanged on DuckDB and PostgreSQL. JSON is stored as text.
-- Column names are FOCUS 1.2 column IDs verbatim (CamelCase, so always double-quoted) plus Steward's x_ columns.
-- Money and quantities are numeric(38,10); date/times are timestamptz in UTC.
-- Written only by steward.costs.ingest: Warehouse.replace_partitions by ("x_SourceName", "BillingPeriodStart").

-- One row per source x day x billed line (account, service, SKU, resource, tags, ...).
create table cost_line_daily (
    "AvailabilityZone" text,
    "BilledCost" numeric(38,10) not null,
    "BillingAccountId" text,
    "BillingAccountName" text,
    "BillingAccountType" text,
    "BillingCurrency" text not null,
    "BillingPeriodEnd" timestamptz not null,
    "BillingPeriodStart" timestamptz not null,
    "CapacityReservationId" text,
    "CapacityReservationStatus" text,
    "ChargeCategory" text not null,
    "ChargeClass" text,
    "ChargeDescription" text,
    "ChargeFrequency" text,
    "ChargePeriodEnd" timestamptz not null,
    "ChargePeriodStart" timestamptz not null,
    "CommitmentDiscountCategory" text,
    "CommitmentDiscountId" text,
    "CommitmentDiscountName" text,
    "CommitmentDiscountQuantity" numeric(38,10),
    "CommitmentDiscountStatus" text,
    "CommitmentDiscountType" text,
    "CommitmentDiscountUnit" text,
    "ConsumedQuantity" numeric(38,10),
    "ConsumedUnit" text,
    "ContractedCost" numeric(38,10),
    "ContractedUnitPrice" numeric(38,10),
    "EffectiveCost" numeric(38,10) not null,
    "InvoiceId" text,
    "InvoiceIssuerName" text,
    "ListCost" numeric(38,10),
    "ListUnitPrice" numeric(38,10),
    "PricingCategory" text,
    "PricingCurrency" text,
    "PricingCurrencyContractedUnitPrice" numeric(38,10),
    "PricingCurrencyEffectiveCost" numeric(38,10),
    "PricingCurrencyListUnitPrice" numeric(38,10),
    "PricingQuantity" numeric(38,10),
    "PricingUnit" text,
    "ProviderName" text,
    "PublisherName" text,
    "RegionId" text,
    "RegionName" text,
    "ResourceId" text,
    "ResourceName" text,
    "ResourceType" text,
    "ServiceCategory" text,
    "ServiceName" text,
    "ServiceSubcategory" text,
    "SkuId" text,
    "SkuMeter" text,
    "SkuPriceDetails" text,
    "SkuPriceId" text,
    "SubAccountId" text,
    "SubAccountName" text,
    "SubAccountType" text,
    "Tags" text not null,
    "x_SourceName" text not null,
    "x_SourceSystem" text not null,
    "x_SourceRowHash" text not null,
    "x_PipelineRunId" text not null,
    "x_IngestedAt" timestamptz not null,
    "x_Estimated" boolean not null,
    "x_Credits" numeric(38,10) not null,
    "x_UsageType" text,
    "x_Operation" text,
    "x_SourceLineCount" bigint not null
);

create index cost_line_daily_source_period_idx on cost_line_daily ("x_SourceName", "BillingPeriodStart");
create index cost_line_daily_charge_day_idx on cost_line_daily ("ChargePeriodStart");

-- Which export files were loaded per source and billing period (AWS Data Exports in S3): a billing
-- period is read again only when this list (key, etag, size) changes.
create table cost_source_files (
    source_name text not null,
    billing_period_start date not null,
    object_key text not null,
    etag text not null,
    size_bytes bigint,
    last_modified timestamptz,
    run_id text not null,
    loaded_at timestamptz not null,
    primary key (source_name, billing_period_start, object_key)
);
