-- Training-data bias profile: per protected group (and intersection, and overall) the group size,
-- labelled rows, favourable labels, and per feature the non-missing count (plus sum and sum of
-- squares for numeric features, for the correlation ratio). ONE aggregation with grouping sets.
-- Template filled by steward.fairness (Python str.format; names are checked, quoted identifiers):
--   source_sql, group_columns as in count_partial_groups.sql; grouping_flags, group_keys, grouping_sets
--   as in compute_group_counts.sql
--   feature_columns  the features, each "<expr> as f_<j>" (numeric ones cast to double precision)
--   feature_aggregates  "count(f_<j>) as present_<j>" (+ "sum(f_<j>) as sum_<j>",
--                       "sum(f_<j> * f_<j>) as sumsq_<j>" for numeric features)
--   favourable_label  integer literal
-- Portable SQL: runs unchanged on DuckDB and PostgreSQL.

with source as (
    select * from ({source_sql}) s
),

prepared as (
    select
        {group_columns},
        case
            when cast(label as integer) is null then null
            when cast(label as integer) = {favourable_label} then 1
            else 0
        end as label_favourable,
        {feature_columns}
    from source
),

profiled as (
    select
        {grouping_flags},
        {group_keys},
        count(*) as n_rows,
        count(label_favourable) as n_labelled,
        coalesce(sum(label_favourable), 0) as label_favourable,
        {feature_aggregates}
    from prepared
    group by grouping sets ({grouping_sets})
)

select * from profiled
