-- Pre-rollup confusion counts: one row per distinct combination of every key (protected groups, window,
-- model version, score bin, decision, label), the only pass over the rows. compute_group_counts.sql rolls
-- these rows up into groups, intersections and the overall row; steward.fairness also stores them per
-- window (fairness_counts) so that a later night adds only the rows whose label arrived since.
-- Template filled by steward.fairness (Python str.format; every name is a checked, quoted identifier):
--   source_sql       the input relation: protected attribute columns, the prediction column,
--                    the score column (optional) and label (0/1, NULL = not yet labelled)
--   group_columns    one "coalesce(cast(<attr> as varchar), 'unknown') as g_<i>" per attribute
--   predicted_expr   the model's decision as an integer (prediction column, or score >= threshold)
--   score_expr       the score as double precision, or NULL when the model has no score
--   bin_expr         the score's calibration bin (0 .. bins-1), or NULL
--   favourable_prediction, favourable_label  integer literals
--   group_keys       g_0, g_1, ... then steward_version and steward_window when counted
-- Many windows at once: group_columns then also carries "cast(<window column> as date) as steward_window".
-- Model versions in the same pass (optional): group_columns also carries "cast(<version> as varchar) as
-- steward_version" and last_* carry the latest timestamp per row (steward_last).
-- Portable SQL: runs unchanged on DuckDB and PostgreSQL.

with source as (
    select * from ({source_sql}) s
),

prepared as (
    select
        {group_columns},
        case when {predicted_expr} = {favourable_prediction} then 1 else 0 end as predicted_favourable,
        case
            when cast(label as integer) is null then null
            when cast(label as integer) = {favourable_label} then 1
            else 0
        end as label_favourable,
        cast(label as integer) as label_value,
        {score_expr} as score_probability,
        -- the score as an exact decimal for sums; values that are not finite stay out of them
        case when {score_expr} > -1e23 and {score_expr} < 1e23
            then cast({score_expr} as decimal(38, 14)) end as score_exact,
        {bin_expr} as score_bin{last_prepared}
    from source
),

partial as (
    -- Decimal sums stay exact when re-summed (and when a later night adds or subtracts rows).
    select
        {group_keys},
        score_bin,
        predicted_favourable,
        label_favourable,
        label_value,
        count(*) as n_rows,
        count(score_probability) as n_scored,
        count(score_exact) as n_summed,
        sum(score_exact) as score_exact_sum,
        count(case when label_value is not null then score_probability end) as n_scored_labelled{last_partial}
    from prepared
    group by {group_keys}, score_bin, predicted_favourable, label_favourable, label_value
)

select * from partial
