-- Contingency counts of each protected attribute x each categorical feature (for Cramer's V), in
-- ONE aggregation: grouping sets (g_<i>, c_<j>) for every attribute i and categorical feature j.
-- Template filled by steward.fairness (Python str.format; names are checked, quoted identifiers):
--   source_sql, group_columns as in count_partial_groups.sql; grouping_flags, group_keys as in
--   compute_group_counts.sql
--   category_columns  "coalesce(cast(<feature> as varchar), 'missing') as c_<j>"
--   category_flags    "grouping(c_<j>) as cgrouped_<j>"
--   category_keys     "c_0, c_1, ..."
--   grouping_sets     "(g_i, c_j)" for every pair
-- Portable SQL: runs unchanged on DuckDB and PostgreSQL.

with source as (
    select * from ({source_sql}) s
),

prepared as (
    select
        {group_columns},
        {category_columns}
    from source
),

crossed as (
    select
        {grouping_flags},
        {category_flags},
        {group_keys},
        {category_keys},
        count(*) as n_rows
    from prepared
    group by grouping sets ({grouping_sets})
)

select * from crossed
