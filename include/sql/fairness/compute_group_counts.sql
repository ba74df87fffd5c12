-- Confusion counts per protected group, per intersection and overall, in ONE aggregation.
-- Template filled by steward.fairness (Python str.format; every name is a checked, quoted identifier):
--   source_sql       the input relation: protected attribute columns, the prediction column,
--                    the score column (optional) and label (0/1, NULL = not yet labelled)
--   group_columns    one "coalesce(cast(<attr> as varchar), 'unknown') as g_<i>" per attribute
--   predicted_expr   the model's decision as an integer (prediction column, or score >= threshold)
--   score_expr       the score as double precision, or NULL when the model has no score
--   bin_expr         the score's calibration bin (0 .. bins-1), or NULL
--   favourable_prediction, favourable_label  integer literals
--   grouping_flags   one "grouping(g_<i>) as grouped_<i>" per attribute (1 = rolled up)
--   bin_flag         "grouping(score_bin)", or 1 when there is no score (no set holds score_bin)
--   grouping_sets    the sets: each attribute, each intersection, overall; each again with score_bin
-- Many windows at once: group_columns then also carries "cast(<window column> as date) as steward_window",
-- group_keys ends with steward_window and every grouping set starts with it (one scan for all windows).
-- Model versions in the same pass (optional): group_columns also carries "cast(<version> as varchar) as
-- steward_version", last_* carry the latest timestamp per cell, grouping_flags "grouping(steward_version)
-- as grouped_version", and one more set (steward_window, steward_version) counts each window's versions.
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
    -- one row per distinct combination of every key (groups, window, bin, outcomes): the only pass over
    -- the rows; the grouping sets below roll up these few rows. Decimal sums stay exact when re-summed.
    select
        {group_keys},
        score_bin,
        predicted_favourable,
        label_favourable,
        label_value,
        count(*) as n_rows,
        count(score_probability) as n_scored,
        sum(score_exact) as score_exact_sum,
        count(case when label_value is not null then score_probability end) as n_scored_labelled{last_partial}
    from prepared
    group by {group_keys}, score_bin, predicted_favourable, label_favourable, label_value
),

counted as (
    select
        {grouping_flags},
        {bin_flag} as grouped_bin,
        {group_keys},
        {bin_key},
        sum(n_rows) as n_rows,
        sum(case when label_favourable is not null then n_rows else 0 end) as n_labelled,
        sum(predicted_favourable * n_rows) as predicted_favourable,
        coalesce(sum(label_favourable * n_rows), 0) as label_favourable,
        sum(case when label_favourable = 1 and predicted_favourable = 1 then n_rows else 0 end) as tp,
        sum(case when label_favourable = 0 and predicted_favourable = 1 then n_rows else 0 end) as fp,
        sum(case when label_favourable = 0 and predicted_favourable = 0 then n_rows else 0 end) as tn,
        sum(case when label_favourable = 1 and predicted_favourable = 0 then n_rows else 0 end) as fn,
        sum(n_scored) as n_scored,
        -- exact decimal sums (order-independent): a rerun stores the same bits as the first run
        cast(sum(score_exact_sum) as double precision) as score_sum,
        cast(sum(case when label_value is not null then score_exact_sum end) as double precision)
            as score_sum_labelled,
        sum(n_scored_labelled) as n_scored_labelled,
        sum(case when label_value = 1 then n_scored else 0 end) as label_one_scored{last_counted}
    from partial
    group by grouping sets ({grouping_sets})
)

select * from counted
