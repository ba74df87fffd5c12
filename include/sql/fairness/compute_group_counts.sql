-- Confusion counts per protected group, per intersection and overall, in ONE aggregation.
-- Template filled by steward.fairness (Python str.format; every name is a checked, quoted identifier):
--   partial_sql      the pre-rollup rows of count_partial_groups.sql (filled there over the source rows,
--                    or the per-window counts stored in fairness_counts plus tonight's changes)
--   grouping_flags   one "grouping(g_<i>) as grouped_<i>" per attribute (1 = rolled up)
--   group_keys       g_0, g_1, ... then steward_version and steward_window when counted
--   bin_flag         "grouping(score_bin)", or 1 when there is no score (no set holds score_bin)
--   bin_key          score_bin, or a NULL integer named score_bin when there is no score
--   grouping_sets    the sets: each attribute, each intersection, overall; each again with score_bin
-- Many windows at once: group_keys ends with steward_window and every grouping set starts with it.
-- Model versions (optional): grouping_flags also has "grouping(steward_version) as grouped_version",
-- last_counted carries the latest timestamp per cell, and one more set (steward_window, steward_version)
-- counts each window's versions.
-- Portable SQL: runs unchanged on DuckDB and PostgreSQL.

with partial as (
    select * from ({partial_sql}) p
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
