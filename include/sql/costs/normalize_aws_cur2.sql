-- AWS CUR 2.0 lines (view raw_lines, every optional column present, possibly null) -> FOCUS 1.2 lines.
-- Runs in Steward's DuckDB normalization engine (steward.costs), one output row per CUR line.
-- BilledCost = unblended cost; EffectiveCost = amortized net cost (savings plan / reservation effective
-- cost for covered usage, 0 for the fees amortized into it, net unblended cost otherwise);
-- ListCost = public on-demand cost; ContractedCost = unblended cost.
-- ProviderName = InvoiceIssuerName = 'AWS' (AWS invoices its own and Marketplace charges); PublisherName
-- is the Marketplace seller where line_item_legal_entity names one. InvoiceId is bill_invoice_id
-- (null until AWS issues the invoice). Units follow the FOCUS UnitFormat.

with cur as (
    select * from raw_lines
),

typed as (
    select
        cur.*,
        case
            when line_item_line_item_type in ('Usage', 'DiscountedUsage', 'SavingsPlanCoveredUsage') then 'Usage'
            when line_item_line_item_type in ('RIFee', 'SavingsPlanRecurringFee', 'SavingsPlanUpfrontFee', 'Fee')
                then 'Purchase'
            when line_item_line_item_type = 'Tax' then 'Tax'
            when line_item_line_item_type in (
                'Credit', 'Refund', 'EdpDiscount', 'PrivateRateDiscount', 'BundledDiscount', 'Discount',
                'DistributorDiscount', 'SavingsPlanNegation'
            ) then 'Credit'
            else 'Adjustment'
        end as charge_category,
        cast(line_item_unblended_cost as decimal(38, 10)) as unblended_cost,
        cast(line_item_net_unblended_cost as decimal(38, 10)) as net_unblended_cost,
        nullif(savings_plan_savings_plan_a_r_n, '') as savings_plan_arn,
        nullif(reservation_reservation_a_r_n, '') as reservation_arn,
        coalesce(
            bill_billing_period_start_date,
            date_trunc('month', line_item_usage_start_date)
        ) as billing_period_start
    from cur
)

select
    cast(nullif(line_item_availability_zone, '') as varchar) as "AvailabilityZone",
    unblended_cost as "BilledCost",
    cast(bill_payer_account_id as varchar) as "BillingAccountId",
    cast(bill_payer_account_name as varchar) as "BillingAccountName",
    cast(null as varchar) as "BillingAccountType",
    line_item_currency_code as "BillingCurrency",
    coalesce(bill_billing_period_end_date, billing_period_start + interval 1 month) as "BillingPeriodEnd",
    billing_period_start as "BillingPeriodStart",
    cast(null as varchar) as "CapacityReservationId",
    cast(null as varchar) as "CapacityReservationStatus",
    charge_category as "ChargeCategory",
    case when line_item_line_item_type = 'Refund' then 'Correction' end as "ChargeClass",
    coalesce(
        nullif(line_item_line_item_description, ''),
        line_item_product_code || ' ' || line_item_usage_type
            || coalesce(' ' || nullif(line_item_operation, ''), '')
    ) as "ChargeDescription",
    case
        when charge_category = 'Usage' then 'Usage-Based'
        when line_item_line_item_type in ('RIFee', 'SavingsPlanRecurringFee') then 'Recurring'
        else 'One-Time'
    end as "ChargeFrequency",
    line_item_usage_end_date as "ChargePeriodEnd",
    line_item_usage_start_date as "ChargePeriodStart",
    case when savings_plan_arn is not null then 'Spend' when reservation_arn is not null then 'Usage' end
        as "CommitmentDiscountCategory",
    coalesce(savings_plan_arn, reservation_arn) as "CommitmentDiscountId",
    cast(null as varchar) as "CommitmentDiscountName",
    cast(null as decimal(38, 10)) as "CommitmentDiscountQuantity",
    case
        when line_item_line_item_type in ('DiscountedUsage', 'SavingsPlanCoveredUsage') then 'Used'
    end as "CommitmentDiscountStatus",
    case
        when savings_plan_arn is not null then 'Savings Plan'
        when reservation_arn is not null then 'Reserved Instance'
    end as "CommitmentDiscountType",
    cast(null as varchar) as "CommitmentDiscountUnit",
    case when charge_category = 'Usage' then cast(line_item_usage_amount as decimal(38, 10)) end
        as "ConsumedQuantity",
    case when charge_category = 'Usage' then focus_unit(pricing_unit) end as "ConsumedUnit",
    unblended_cost as "ContractedCost",
    cast(line_item_unblended_rate as decimal(38, 10)) as "ContractedUnitPrice",
    case
        when line_item_line_item_type = 'SavingsPlanCoveredUsage' then cast(coalesce(
            savings_plan_net_savings_plan_effective_cost, savings_plan_savings_plan_effective_cost
        ) as decimal(38, 10))
        when line_item_line_item_type = 'DiscountedUsage' then cast(coalesce(
            reservation_net_effective_cost, reservation_effective_cost
        ) as decimal(38, 10))
        when line_item_line_item_type in ('SavingsPlanNegation', 'SavingsPlanUpfrontFee', 'SavingsPlanRecurringFee')
            then cast(0 as decimal(38, 10))
        else coalesce(net_unblended_cost, unblended_cost)
    end as "EffectiveCost",
    cast(nullif(bill_invoice_id, '') as varchar) as "InvoiceId",
    'AWS' as "InvoiceIssuerName",
    coalesce(cast(pricing_public_on_demand_cost as decimal(38, 10)), unblended_cost) as "ListCost",
    cast(pricing_public_on_demand_rate as decimal(38, 10)) as "ListUnitPrice",
    case
        when charge_category not in ('Usage', 'Purchase') then null
        when line_item_line_item_type in ('DiscountedUsage', 'SavingsPlanCoveredUsage') then 'Committed'
        when pricing_term = 'Spot' then 'Dynamic'
        else 'Standard'
    end as "PricingCategory",
    cast(null as varchar) as "PricingCurrency",
    cast(null as decimal(38, 10)) as "PricingCurrencyContractedUnitPrice",
    cast(null as decimal(38, 10)) as "PricingCurrencyEffectiveCost",
    cast(null as decimal(38, 10)) as "PricingCurrencyListUnitPrice",
    cast(line_item_usage_amount as decimal(38, 10)) as "PricingQuantity",
    focus_unit(pricing_unit) as "PricingUnit",
    'AWS' as "ProviderName",
    case
        when line_item_legal_entity is null or line_item_legal_entity like 'Amazon%' then 'AWS'
        else line_item_legal_entity
    end as "PublisherName",
    cast(nullif(product_region_code, '') as varchar) as "RegionId",
    cast(nullif(product_region_code, '') as varchar) as "RegionName",
    cast(nullif(line_item_resource_id, '') as varchar) as "ResourceId",
    cast(null as varchar) as "ResourceName",
    cast(null as varchar) as "ResourceType",
    focus_service_category('AWS', line_item_product_code) as "ServiceCategory",
    coalesce(nullif(product_product_name, ''), line_item_product_code) as "ServiceName",
    focus_service_subcategory('AWS', line_item_product_code) as "ServiceSubcategory",
    coalesce(nullif(product_sku, ''), line_item_usage_type) as "SkuId",
    cast(null as varchar) as "SkuMeter",
    cast(null as varchar) as "SkuPriceDetails",
    cast(nullif(pricing_rate_id, '') as varchar) as "SkuPriceId",
    cast(line_item_usage_account_id as varchar) as "SubAccountId",
    cast(line_item_usage_account_name as varchar) as "SubAccountName",
    cast(null as varchar) as "SubAccountType",
    tags_json as "Tags",
    'aws_cur2' as "x_SourceSystem",
    false as "x_Estimated",
    cast(0 as decimal(38, 10)) as "x_Credits",
    cast(line_item_usage_type as varchar) as "x_UsageType",
    cast(nullif(line_item_operation, '') as varchar) as "x_Operation"
from typed
