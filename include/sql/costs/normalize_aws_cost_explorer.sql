-- AWS Cost Explorer groups (view raw_lines: one row per day x linked account x service x tag values,
-- built by steward.costs from get_cost_and_usage results) -> FOCUS 1.2 lines.
-- Runs in Steward's DuckDB normalization engine (steward.costs).
-- BilledCost = ContractedCost = UnblendedCost; EffectiveCost = AmortizedCost; ListCost = UnblendedCost
-- (Cost Explorer has no list price); x_Credits = NetUnblendedCost - UnblendedCost (discounts, <= 0).
-- Cost Explorer groups mix record types (usage, credits, tax): ChargeCategory is 'Usage'. Use the
-- Data Exports source where charge categories matter.

with groups as (
    select * from raw_lines
)


select
    cast(null as varchar) as "AvailabilityZone",
    cast(unblended_cost as decimal(38, 10)) as "BilledCost",
    billing_account_id as "BillingAccountId",
    cast(null as varchar) as "BillingAccountName",
    cast(null as varchar) as "BillingAccountType",
    currency as "BillingCurrency",
    date_trunc('month', day_start) + interval 1 month as "BillingPeriodEnd",
    date_trunc('month', day_start) as "BillingPeriodStart",
    cast(null as varchar) as "CapacityReservationId",
    cast(null as varchar) as "CapacityReservationStatus",
    'Usage' as "ChargeCategory",
    cast(null as varchar) as "ChargeClass",
    service || ' (Cost Explorer daily group)' as "ChargeDescription",
    'Usage-Based' as "ChargeFrequency",
    day_start + interval 1 day as "ChargePeriodEnd",
    day_start as "ChargePeriodStart",
    cast(null as varchar) as "CommitmentDiscountCategory",
    cast(null as varchar) as "CommitmentDiscountId",
    cast(null as varchar) as "CommitmentDiscountName",
    cast(null as decimal(38, 10)) as "CommitmentDiscountQuantity",
    cast(null as varchar) as "CommitmentDiscountStatus",
    cast(null as varchar) as "CommitmentDiscountType",
    cast(null as varchar) as "CommitmentDiscountUnit",
    cast(usage_quantity as decimal(38, 10)) as "ConsumedQuantity",
    focus_unit(usage_unit) as "ConsumedUnit",
    cast(unblended_cost as decimal(38, 10)) as "ContractedCost",
    cast(null as decimal(38, 10)) as "ContractedUnitPrice",
    cast(amortized_cost as decimal(38, 10)) as "EffectiveCost",
    cast(null as varchar) as "InvoiceId",
    'AWS' as "InvoiceIssuerName",
    cast(unblended_cost as decimal(38, 10)) as "ListCost",
    cast(null as decimal(38, 10)) as "ListUnitPrice",
    'Standard' as "PricingCategory",
    cast(null as varchar) as "PricingCurrency",
    cast(null as decimal(38, 10)) as "PricingCurrencyContractedUnitPrice",
    cast(null as decimal(38, 10)) as "PricingCurrencyEffectiveCost",
    cast(null as decimal(38, 10)) as "PricingCurrencyListUnitPrice",
    cast(usage_quantity as decimal(38, 10)) as "PricingQuantity",
    focus_unit(usage_unit) as "PricingUnit",
    'AWS' as "ProviderName",
    'AWS' as "PublisherName",
    cast(null as varchar) as "RegionId",
    cast(null as varchar) as "RegionName",
    cast(null as varchar) as "ResourceId",
    cast(null as varchar) as "ResourceName",
    cast(null as varchar) as "ResourceType",
    focus_service_category('AWS', service) as "ServiceCategory",
    service as "ServiceName",
    focus_service_subcategory('AWS', service) as "ServiceSubcategory",
    cast(null as varchar) as "SkuId",
    cast(null as varchar) as "SkuMeter",
    cast(null as varchar) as "SkuPriceDetails",
    cast(null as varchar) as "SkuPriceId",
    account_id as "SubAccountId",
    account_name as "SubAccountName",
    cast(null as varchar) as "SubAccountType",
    tags_json as "Tags",
    'aws_cost_explorer' as "x_SourceSystem",
    estimated as "x_Estimated",
    cast(net_unblended_cost as decimal(38, 10)) - cast(unblended_cost as decimal(38, 10)) as "x_Credits",
    cast(null as varchar) as "x_UsageType",
    cast(null as varchar) as "x_Operation"
from groups
