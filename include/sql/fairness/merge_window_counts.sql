-- Each window's pre-rollup counts after tonight's labels: the stored rows (sign 1) of windows counted
-- on an earlier night, minus the rows whose label changed counted with their old label (sign -1), plus
-- the same rows with their new label (sign 1), plus the windows counted in full tonight (sign 1).
-- Exact: counts are integers and score sums decimals. A key left without rows disappears, as it would
-- from a full recount; a key whose sums lose every summed score gets a NULL sum, as a full recount does.
-- Template filled by steward.fairness (Python str.format; names are fixed by the package):
--   signed_sql   the union of the parts, in the columns of count_partial_groups.sql plus steward_sign
--   keys         g_0, g_1, ... [steward_version], steward_window
--   last_merged  ", max(steward_last) as steward_last" when versions are counted, else empty
-- Portable SQL: runs unchanged on DuckDB and PostgreSQL.

with signed as (
    select * from ({signed_sql}) s
),

merged as (
    select
        {keys},
        score_bin,
        predicted_favourable,
        label_favourable,
        label_value,
        sum(steward_sign * n_rows) as n_rows,
        sum(steward_sign * n_scored) as n_scored,
        sum(steward_sign * n_summed) as n_summed,
        case when sum(steward_sign * n_summed) = 0 then null
            else cast(sum(steward_sign * score_exact_sum) as decimal(38, 14)) end as score_exact_sum,
        sum(steward_sign * n_scored_labelled) as n_scored_labelled{last_merged}
    from signed
    group by {keys}, score_bin, predicted_favourable, label_favourable, label_value
    having sum(steward_sign * n_rows) <> 0
)

select * from merged
