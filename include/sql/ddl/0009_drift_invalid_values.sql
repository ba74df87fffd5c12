-- Invalid values in numeric columns (NaN, +/-inf, text that is not a number) are counted apart from
-- missing values (NULL): kept out of the bins and the means, reported per column and judged as a
-- missing-value-like signal. Reference profiles of a model are retired when a new set replaces them
-- (a changed files fingerprint), so each model has one active set per kind (feature, score).
-- Numeric profiles also keep the mean of each bin, where the Wasserstein distance places its mass.

alter table monitoring_reference_profiles add column n_invalid bigint;
alter table monitoring_reference_profiles add column retired_at timestamptz;
alter table monitoring_reference_profiles add column means_json text;

alter table drift_metrics add column n_invalid_current bigint;
alter table drift_metrics add column invalid_share_reference double precision;
alter table drift_metrics add column invalid_share_current double precision;
alter table drift_metrics add column invalid_alert boolean;
