-- Outcome values a fairness evaluation cannot place: a label or prediction that is neither outcome
-- (e.g. 2, 0.7 or 'yes' where 0/1 is declared). Counted before anything is computed, so a value is
-- never silently taken as the unfavourable outcome.
-- Template filled by steward.fairness (Python str.format; names are checked, quoted identifiers):
--   source_sql         the input relation (as in count_partial_groups.sql)
--   prediction_values  a query like the label one for the prediction column, or an empty relation
-- Portable SQL: runs unchanged on DuckDB and PostgreSQL.

with source as (
    select * from ({source_sql}) s
),

outside as (
    select 'label' as role, cast(label as varchar) as value, count(*) as n
    from source
    where label is not null and cast(label as varchar) not in ('0', '1', '0.0', '1.0', 'true', 'false')
    group by cast(label as varchar)
    union all
    {prediction_values}
)

select role, value, n from outside order by role, n desc, value
