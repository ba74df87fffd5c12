-- 0003 fairness: group metrics with intervals and verdicts, group counts, calibration, training-data bias.
-- Portable SQL: runs unchanged on DuckDB and PostgreSQL. Never edit once applied: add a new file.

-- One row per model x window x attribute (or intersection 'sex*age_band', or '*' overall) x group x metric.
-- Rates (selection_rate, true_positive_rate, ...) carry a Wilson interval; disparities against the
-- reference group (statistical_parity_difference, disparate_impact_ratio, equal_opportunity_difference,
-- false_positive_rate_difference, equalized_odds_difference, average_odds_difference) and between-group
-- summaries (group_value '*': demographic_parity_difference/ratio, equalized_odds_difference/ratio)
-- carry an interval, a p-value and, when judged, the adjusted p-value and a verdict.
create table fairness_metrics (
    model text not null,
    window_date date not null,
    attribute text not null,
    group_value text not null,
    reference_group text,
    metric text not null,
    value double precision,
    ci_low double precision,
    ci_high double precision,
    p_value double precision,
    p_adjusted double precision,
    test text,                          -- fisher_exact | chi_square | sidak(...) | z_pooled | chi_square_k
    n bigint,                           -- rows in the group
    n_labelled bigint,                  -- rows of the group with a label
    denominator bigint,                 -- the rate's (or comparison's smaller) denominator
    reference_n bigint,                 -- the reference group's denominator
    tolerance double precision,         -- the gap (or four-fifths ratio) the verdict was judged with
    min_detectable_gap double precision, -- for insufficient_data: smallest gap detectable at this size
    status text not null,               -- ok | breach | insufficient_data | undefined | single_group | info
    note text,
    run_id text not null,
    computed_at timestamptz not null
);

create index fairness_metrics_model_window_idx on fairness_metrics (model, window_date);

-- The confusion counts every metric is computed from (favourable = positive), per group.
create table fairness_group_counts (
    model text not null,
    window_date date not null,
    attribute text not null,
    group_value text not null,
    n bigint not null,
    n_labelled bigint not null,
    predicted_favourable bigint not null,
    label_favourable bigint not null,
    tp bigint not null,
    fp bigint not null,
    tn bigint not null,
    fn bigint not null,
    n_scored bigint,
    score_sum double precision,
    run_id text not null,
    computed_at timestamptz not null
);

create index fairness_group_counts_model_window_idx on fairness_group_counts (model, window_date);

-- Calibration within group: mean score vs observed rate of label 1 per score bin (labelled rows).
create table fairness_calibration (
    model text not null,
    window_date date not null,
    attribute text not null,
    group_value text not null,
    score_bin integer not null,
    bin_low double precision not null,
    bin_high double precision not null,
    n_scored bigint not null,
    n_labelled bigint not null,
    mean_score double precision,
    observed_rate double precision,
    ci_low double precision,
    ci_high double precision,
    run_id text not null,
    computed_at timestamptz not null
);

create index fairness_calibration_model_window_idx on fairness_calibration (model, window_date);

-- Bias assessment of a training dataset version, per attribute x group (or '*') x check (x feature).
-- checks: group_share, group_size, label_base_rate, missing_rate (per feature), proxy_cramers_v,
-- proxy_correlation_ratio (per feature, group_value '*').
create table bias_assessment (
    model text not null,
    dataset_version text not null,
    attribute text not null,
    group_value text not null,
    feature text,
    check_name text not null,
    value double precision,
    ci_low double precision,
    ci_high double precision,
    n bigint,
    threshold double precision,
    verdict text not null,              -- ok | flagged | insufficient_data | undefined | info
    note text,
    run_id text not null,
    computed_at timestamptz not null
);

create index bias_assessment_model_version_idx on bias_assessment (model, dataset_version);
