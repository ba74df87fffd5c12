-- 0019 fairness counts (issue 15): each window's pre-rollup confusion counts, kept between nights so that
-- a night over the label horizon counts only the rows whose label arrived since (an exact delta).
-- Portable SQL: runs unchanged on DuckDB and PostgreSQL. Never edit: add a new file.

-- One row per model x window x pre-rollup key: the rows of count_partial_groups.sql for the window.
-- group_values is the JSON array of the protected attributes' values (registry order, 'unknown' for
-- NULL). score_sum is an exact decimal, so adding and subtracting rows never rounds.
create table fairness_counts (
    model text not null,
    window_date date not null,
    group_values text not null,
    model_version text,                       -- NULL when the log has no version column
    score_bin integer,                        -- NULL when the row has no score
    predicted_favourable integer not null,
    label_favourable integer,                 -- NULL: not yet labelled
    label_value integer,
    n_rows bigint not null,
    n_scored bigint not null,
    n_summed bigint not null,                 -- rows whose score enters score_sum (finite scores)
    score_sum numeric(38,14),
    n_scored_labelled bigint not null,
    last_at timestamp                         -- the latest prediction timestamp among the rows
);

create index fairness_counts_model_window_idx on fairness_counts (model, window_date);

-- What each window's stored counts were computed from: a fingerprint of the counting settings (the
-- registry's fairness settings, columns and the SQL), and of the window's prediction partition
-- (its files' paths, sizes and modification times). Either changing means a full recount.
create table fairness_count_windows (
    model text not null,
    window_date date not null,
    settings_fingerprint text not null,
    predictions_fingerprint text not null,
    run_id text not null,
    computed_at timestamptz not null
);

create index fairness_count_windows_model_window_idx on fairness_count_windows (model, window_date);

-- The label partitions (dataset x arrival day, with a fingerprint of their files) applied to each
-- window's stored counts. A partition not yet applied is added as a delta; one that changed is a recount.
create table fairness_count_labels (
    model text not null,
    window_date date not null,
    dataset text not null,
    partition_date date not null,
    fingerprint text not null
);

create index fairness_count_labels_model_window_idx on fairness_count_labels (model, window_date);
