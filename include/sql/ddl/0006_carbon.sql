-- 0006 carbon: training runs (codecarbon), provider carbon data, usage-based estimates (CCF),
-- carbon allocated to business units and models, and the candidate-region comparison.
-- Portable SQL: runs unchanged on DuckDB and PostgreSQL. JSON is stored as text.
-- Column names of the usage tables follow cost_line_daily (FOCUS 1.2 IDs, quoted, plus x_ columns)
-- so that carbon is allocated with the same code as cost.

-- One row per training run (steward.carbon.track_training), written when the run ends.
create table carbon_training_runs (
    run_id text not null,
    model text not null,
    status text not null,                -- succeeded | failed
    error_message text,
    started_at timestamptz not null,
    ended_at timestamptz not null,
    duration_s double precision,
    cpu_energy_kwh double precision,
    gpu_energy_kwh double precision,
    ram_energy_kwh double precision,
    energy_kwh double precision,         -- cpu + gpu + ram, PUE included
    co2e_kg double precision,
    cpu_power_w double precision,        -- mean over the run, PUE included
    gpu_power_w double precision,
    ram_power_w double precision,
    grid_gco2e_per_kwh double precision, -- co2e_kg / energy_kwh, as codecarbon applied it
    pue double precision,
    country_iso_code text,
    country_name text,
    region text,
    cloud_provider text,
    cloud_region text,
    hardware text,
    cpu_model text,
    cpu_count integer,
    gpu_model text,
    gpu_count integer,
    gpu_utilization_pct double precision, -- mean NVML utilization; NULL without NVIDIA GPUs
    ram_total_gb double precision,
    tracking_mode text,
    codecarbon_version text,
    recorded_at timestamptz not null,
    primary key (run_id, model)
);

-- Provider-reported emissions per month (AWS sustainability API, GCP Carbon Footprint export).
-- Replaced by (provider, account_id, usage_month).
create table carbon_provider_monthly (
    provider text not null,              -- aws | gcp
    source_name text not null,           -- the registry's costs.carbon.providers[].name
    account_id text not null,            -- AWS usage account / GCP billing account
    usage_month date not null,           -- first day of the month
    project_id text,                     -- GCP project
    service text,
    region text,
    location_based_co2e_kg double precision,
    market_based_co2e_kg double precision,
    scope1_co2e_kg double precision,
    scope2_location_based_co2e_kg double precision,
    scope2_market_based_co2e_kg double precision,
    scope3_location_based_co2e_kg double precision,
    scope3_market_based_co2e_kg double precision,
    model_version text,
    run_id text,
    loaded_at timestamptz not null
);

create index carbon_provider_monthly_key_idx on carbon_provider_monthly (provider, account_id, usage_month);

-- Usage-based estimates, one row per usage line of cost_line_daily. Replaced by day.
create table carbon_usage_daily (
    "x_ChargeDate" date not null,
    "ChargePeriodStart" timestamptz,
    "BillingPeriodStart" timestamptz,
    "BillingAccountId" text,
    "SubAccountId" text,
    "ProviderName" text,
    "ServiceName" text,
    "ServiceCategory" text,
    "RegionId" text,
    "ResourceId" text,
    "SkuId" text,
    "ChargeDescription" text,
    "x_UsageType" text,
    "ConsumedQuantity" double precision,
    "ConsumedUnit" text,
    "BilledCost" double precision,
    "EffectiveCost" double precision,
    "BillingCurrency" text,
    "Tags" text,
    "x_SourceName" text,
    "x_UsageCategory" text not null,     -- compute | gpu | memory | storage | network | unestimated
    "x_UsageRuleId" text,
    "x_VcpuHours" double precision,
    "x_GpuHours" double precision,
    "x_GpuModel" text,
    "x_MemoryGbHours" double precision,
    "x_StorageTbHours" double precision,
    "x_NetworkGb" double precision,
    "x_ItEnergyKwh" double precision,    -- before PUE; NULL when unestimated
    "x_Pue" double precision,
    "x_EnergyKwh" double precision,      -- after PUE
    "x_GridGco2ePerKwh" double precision,
    "x_GridRegionKnown" boolean,
    "x_Co2eKg" double precision,
    "x_CpuUtilization" double precision,
    "x_EstimateNote" text,
    "x_CoefficientsVersion" text not null,
    "x_RunId" text,
    "x_EstimatedAt" timestamptz
);

create index carbon_usage_daily_day_idx on carbon_usage_daily ("x_ChargeDate");

-- Usage-based emissions allocated to business units, projects and models by steward.costs.allocate
-- (the same rules as cost; carbon measures rounded to 6 decimals). Replaced by day.
create table carbon_allocated_daily (
    "x_ChargeDate" date not null,
    "ChargePeriodStart" timestamptz not null,
    "BillingPeriodStart" timestamptz,
    "BillingAccountId" text not null,
    "SubAccountId" text,
    "BillingCurrency" text not null,
    "ProviderName" text,
    "ServiceName" text,
    "ServiceCategory" text,
    "RegionId" text,
    "x_Co2eKg" double precision,          -- usage-based estimate; unestimated usage carries only cost
    "x_EnergyKwh" double precision,
    "BilledCost" decimal(38, 10),
    "x_BusinessUnit" text,               -- NULL only on UNALLOCATED rows
    "x_Project" text,
    "x_ModelId" text,
    "x_Environment" text,
    "x_AllocationMethod" text not null,  -- DIRECT | PROPORTIONAL | EVEN | FIXED | UNALLOCATED
    "x_AllocationRuleId" text,
    "x_AllocationShare" double precision,
    "x_CoefficientsVersion" text not null,
    "x_RunId" text,
    "x_AllocatedAt" timestamptz not null
);

create index carbon_allocated_daily_day_idx on carbon_allocated_daily ("x_ChargeDate");

-- What the same workload (IT energy) would emit in each candidate region. Replaced by day.
create table carbon_region_comparison (
    charge_date date not null,
    provider text not null,
    region text,
    candidate_provider text not null,
    candidate_region text not null,
    it_energy_kwh double precision,
    co2e_kg double precision,            -- as estimated where it runs
    candidate_pue double precision,
    candidate_grid_gco2e_per_kwh double precision,
    candidate_co2e_kg double precision,
    delta_co2e_kg double precision,      -- candidate minus actual (negative: the candidate emits less)
    coefficients_version text not null,
    run_id text,
    computed_at timestamptz not null
);
