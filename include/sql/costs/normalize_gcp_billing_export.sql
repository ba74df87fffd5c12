-- GCP billing export lines, flattened (view raw_lines: the demo lake's shape, which is also what
-- extract_gcp_billing_export.sql returns from BigQuery) -> FOCUS 1.2 lines, one per export row.
-- Runs in Steward's DuckDB normalization engine (steward.costs).
-- BilledCost = EffectiveCost = cost + credits (net cost; credits are negative); x_Credits = the credits;
-- ContractedCost = cost (negotiated price, before credits); ListCost = cost at list price when exported.
-- ProviderName = InvoiceIssuerName = 'Google Cloud'; PublisherName is the Marketplace seller when exported.
-- The export carries no invoice number: InvoiceId is null (BillingPeriodStart is the invoice month).
-- Tags = project labels overlaid with the row's resource labels (the resource's value wins).

with export as (
    select * from raw_lines
),

typed as (
    select
        export.*,
        cast(cost as decimal(38, 10)) as cost_amount,
        cast(coalesce(credits_amount, 0) as decimal(38, 10)) as credits,
        case
            when cost_type = 'regular' then 'Usage'
            when cost_type = 'tax' then 'Tax'
            when cost_type = 'commitment' then 'Purchase'
            else 'Adjustment'
        end as charge_category,
        cast(strptime(invoice_month || '01', '%Y%m%d') as timestamptz) as billing_period_start
    from export
)

select
    cast(nullif(location_zone, '') as varchar) as "AvailabilityZone",
    cost_amount + credits as "BilledCost",
    cast(billing_account_id as varchar) as "BillingAccountId",
    cast(billing_account_name as varchar) as "BillingAccountName",
    cast(null as varchar) as "BillingAccountType",
    currency as "BillingCurrency",
    billing_period_start + interval 1 month as "BillingPeriodEnd",
    billing_period_start as "BillingPeriodStart",
    cast(null as varchar) as "CapacityReservationId",
    cast(null as varchar) as "CapacityReservationStatus",
    charge_category as "ChargeCategory",
    cast(null as varchar) as "ChargeClass",
    coalesce(sku_description, service_description || ' ' || sku_id) as "ChargeDescription",
    case when charge_category = 'Usage' then 'Usage-Based' else 'One-Time' end as "ChargeFrequency",
    usage_end_time as "ChargePeriodEnd",
    usage_start_time as "ChargePeriodStart",
    cast(null as varchar) as "CommitmentDiscountCategory",
    cast(null as varchar) as "CommitmentDiscountId",
    cast(null as varchar) as "CommitmentDiscountName",
    cast(null as decimal(38, 10)) as "CommitmentDiscountQuantity",
    cast(null as varchar) as "CommitmentDiscountStatus",
    cast(null as varchar) as "CommitmentDiscountType",
    cast(null as varchar) as "CommitmentDiscountUnit",
    case when charge_category = 'Usage' then cast(usage_amount as decimal(38, 10)) end as "ConsumedQuantity",
    case when charge_category = 'Usage' then focus_unit(usage_unit) end as "ConsumedUnit",
    cost_amount as "ContractedCost",
    cast(null as decimal(38, 10)) as "ContractedUnitPrice",
    cost_amount + credits as "EffectiveCost",
    cast(null as varchar) as "InvoiceId",
    'Google Cloud' as "InvoiceIssuerName",
    coalesce(cast(cost_at_list as decimal(38, 10)), cost_amount) as "ListCost",
    cast(null as decimal(38, 10)) as "ListUnitPrice",
    case when charge_category in ('Usage', 'Purchase') then 'Standard' end as "PricingCategory",
    cast(null as varchar) as "PricingCurrency",
    cast(null as decimal(38, 10)) as "PricingCurrencyContractedUnitPrice",
    cast(null as decimal(38, 10)) as "PricingCurrencyEffectiveCost",
    cast(null as decimal(38, 10)) as "PricingCurrencyListUnitPrice",
    cast(coalesce(usage_amount_in_pricing_units, usage_amount) as decimal(38, 10)) as "PricingQuantity",
    focus_unit(coalesce(usage_pricing_unit, usage_unit)) as "PricingUnit",
    'Google Cloud' as "ProviderName",
    coalesce(nullif(seller_name, ''), 'Google Cloud') as "PublisherName",
    cast(nullif(location_region, '') as varchar) as "RegionId",
    cast(nullif(location_region, '') as varchar) as "RegionName",
    cast(coalesce(nullif(resource_global_name, ''), nullif(resource_name, '')) as varchar) as "ResourceId",
    cast(nullif(resource_name, '') as varchar) as "ResourceName",
    cast(null as varchar) as "ResourceType",
    focus_service_category('Google Cloud', service_description) as "ServiceCategory",
    cast(service_description as varchar) as "ServiceName",
    focus_service_subcategory('Google Cloud', service_description) as "ServiceSubcategory",
    cast(sku_id as varchar) as "SkuId",
    cast(null as varchar) as "SkuMeter",
    cast(null as varchar) as "SkuPriceDetails",
    cast(null as varchar) as "SkuPriceId",
    cast(project_id as varchar) as "SubAccountId",
    cast(project_name as varchar) as "SubAccountName",
    case when project_id is not null then 'Project' end as "SubAccountType",
    tags_json as "Tags",
    'gcp_billing_export' as "x_SourceSystem",
    false as "x_Estimated",
    credits as "x_Credits",
    cast(sku_description as varchar) as "x_UsageType",
    cast(null as varchar) as "x_Operation"
from typed
