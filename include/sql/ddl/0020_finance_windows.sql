-- 0020 finance windows (issue 12): the two remaining optimization findings of the ROI review.
-- Portable SQL: runs unchanged on DuckDB and PostgreSQL. Never edit: add a new file.

-- Off-peak and low-carbon windows: one row per data-quality night, monitoring night and retraining run
-- of the period, against the best window of the same length its model's retraining preferred_window
-- allows (deadline_hours from its start), using the hourly profile (finance.hourly_profile).
-- Written by steward.finance.review, replaced by period.
create table finance_windows (
    period text not null,
    period_start date not null,
    period_end date not null,
    job_kind text not null,                   -- data_quality | monitoring | retraining
    job text not null,                        -- the dataset or model
    job_date date,                            -- the partition / window / decision night
    job_run_id text not null,
    region text,                              -- where it ran: measured cloud region, else training_region
    ran_start timestamptz,
    duration_s double precision,
    allowed_end timestamptz,                  -- ran_start + the preferred window's deadline_hours
    energy_kwh double precision,              -- codecarbon's (training) or finance.batch_power_kw x hours
    ran_gco2e_per_kwh double precision,       -- time-weighted intensity of the hours it ran
    ran_cost double precision,                -- the profile's price over the hours it ran
    low_carbon_start timestamptz,
    low_carbon_gco2e_per_kwh double precision,
    co2e_saving_kg double precision,          -- NULL: the job's energy is not known
    cheapest_start timestamptz,
    cost_saving double precision,
    currency text not null,
    finding boolean not null,                 -- a saving of at least 5% of carbon or money
    reason text not null,                     -- the finding, or why there is none, in words
    run_id text not null,
    computed_at timestamptz not null
);

create index finance_windows_period_idx on finance_windows (period);

-- Retraining runs whose training data (prediction log, labels) lives in another region than the run
-- trained in (datasets' registry region), with the period's transfer cost between the two when billed.
create table finance_training_regions (
    period text not null,
    period_start date not null,
    period_end date not null,
    model text not null,
    job_run_id text not null,
    job_date date,
    training_region text not null,
    data_region text not null,
    datasets text not null,                   -- JSON list of the datasets stored in data_region
    transfer_cost numeric(38,10),             -- NULL: the bill names no transfer between the pair
    currency text not null,
    evidence text not null,
    run_id text not null,
    computed_at timestamptz not null
);

create index finance_training_regions_period_idx on finance_training_regions (period);
