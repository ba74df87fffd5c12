-- 0002 model monitoring: reference profiles, drift, performance with late labels, control charts,
-- the low-confidence review queue, breaches and one outcome row per model x window.
-- Portable SQL (DuckDB and PostgreSQL). JSON is stored as text. Never edit: add a new file.

-- Reference profile of a model: per column, bin edges (numeric) or category counts, and moments.
-- Computed once per reference (a hash of its files, features and settings), read every night.
create table monitoring_reference_profiles (
    model text not null,
    reference_id text not null,
    role text not null,              -- feature | score
    feature text not null,
    column_type text not null,       -- numeric | categorical
    n_rows bigint not null,
    n bigint not null,               -- non-missing values
    n_missing bigint not null,
    distinct_count bigint,
    mean double precision,
    std double precision,
    minimum double precision,
    maximum double precision,
    edges_json text,                 -- numeric: bin edges, first -inf and last +inf (as null)
    counts_json text not null,       -- numeric: counts per bin; categorical: {category: count}
    source text not null,            -- files or table the profile was computed from
    computed_at timestamptz not null,
    run_id text not null,
    primary key (model, reference_id, feature)
);

-- One row per model x window x column: the drift verdict and its evidence.
create table drift_metrics (
    model text not null,
    window_date date not null,
    feature text not null,
    role text not null,              -- feature | score
    column_type text,
    status text not null,            -- ok | missing_column | all_null | too_few_rows | all_new_categories | no_reference
    significance_method text,
    statistic double precision,
    p_value double precision,
    q_value double precision,        -- Benjamini-Hochberg adjusted across the model's columns that night
    effect_method text,
    effect_size double precision,
    effect_threshold double precision,
    alpha double precision,
    significant boolean,
    drifted boolean,
    n_reference bigint,
    n_current bigint,
    missing_share_reference double precision,
    missing_share_current double precision,
    missing_alert boolean,
    new_category_share double precision,
    new_categories_json text,
    new_category_alert boolean,
    current_mean double precision,
    reference_mean double precision,
    reference_std double precision,
    current_counts_json text,        -- the window's counts in the reference bins (for reports)
    message text,
    reference_id text,
    run_id text not null,
    computed_at timestamptz not null
);

create index drift_metrics_model_window_idx on drift_metrics (model, window_date);

-- Realized (once labels arrive) and estimated (confidence-based, before labels) performance.
create table model_performance (
    model text not null,
    model_version text,
    window_date date not null,
    metric text not null,            -- auc | accuracy | precision | recall | f1 | log_loss | brier | ece | ...
    realized_value double precision,
    realized_status text not null,   -- ok | no_labels | single_class | undefined
    realized_bound double precision, -- largest error of the binned computation (auc), if any
    estimated_value double precision,
    estimated_status text not null,
    estimate_error double precision, -- estimated - realized, when both exist
    n bigint not null,
    n_labelled bigint not null,
    label_coverage double precision not null,
    baseline double precision,
    breach boolean not null,
    message text,
    run_id text not null,
    computed_at timestamptz not null
);

create index model_performance_model_window_idx on model_performance (model, window_date);

-- Control-chart points of every monitored series (drift effect sizes, feature means, performance).
create table control_chart_points (
    model text not null,
    series text not null,            -- e.g. drift:time_on_site_s, mean:pages_viewed, performance:auc
    chart text not null,             -- ewma | cusum | shewhart
    window_date date not null,
    value double precision,
    center double precision,
    sigma double precision,
    statistic double precision,
    lcl double precision,
    ucl double precision,
    warn_low double precision,
    warn_high double precision,
    state text not null,             -- learning | in_control | warning | out_of_control | no_data
    run_id text not null,
    computed_at timestamptz not null
);

create index control_chart_points_model_idx on control_chart_points (model, series, window_date);

-- Segments whose share of low-confidence scores (near the decision threshold) calls for human review.
create table review_queue (
    model text not null,
    window_date date not null,
    segment_feature text not null,
    segment_value text not null,
    n bigint not null,
    n_low_confidence bigint not null,
    low_confidence_share double precision not null,
    overall_share double precision not null,
    example_ids_json text,
    run_id text not null,
    computed_at timestamptz not null
);

-- What crossed a line, with its evidence: retraining policies read this table.
create table monitoring_breaches (
    model text not null,
    window_date date not null,
    kind text not null,              -- drift | performance | control_chart | fairness
    subject text not null,           -- the column, metric or series
    value double precision,
    threshold double precision,
    message text not null,
    evidence_json text,
    run_id text not null,
    detected_at timestamptz not null
);

-- One row per model x window: what the night concluded.
create table monitoring_runs (
    model text not null,
    window_date date not null,
    status text not null,            -- ok | drift | breach | error
    rows_scanned bigint,
    features_checked integer,
    features_drifted integer,
    drift_share double precision,
    dataset_drift boolean,
    prediction_drift boolean,
    performance_breach boolean,
    review_segments integer,
    report_path text,
    message text,
    duration_s double precision,
    run_id text not null,
    computed_at timestamptz not null,
    primary key (model, window_date)
);
