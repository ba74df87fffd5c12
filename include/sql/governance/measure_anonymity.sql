-- k-anonymity and l-diversity of a relation over its quasi-identifiers: k is the size of the smallest
-- equivalence class (rows sharing every quasi-identifier value), l the fewest distinct values of the
-- sensitive attribute in a class. ONE aggregation; only three numbers come back.
-- Template filled by steward.governance (Python str.format; names are checked, quoted identifiers):
--   source_sql          the rows to be shared (already generalized when hierarchies apply)
--   quasi_identifiers   the quasi-identifier columns, comma-separated
--   sensitive_distinct  "count(distinct <sensitive attribute>)", or "cast(null as bigint)" without one
-- Portable SQL: runs unchanged on DuckDB and PostgreSQL.

with source as (
    select * from ({source_sql}) s
),

classes as (
    select
        count(*) as class_size,
        {sensitive_distinct} as sensitive_values
    from source
    group by {quasi_identifiers}
)

select
    min(class_size) as k_anonymity,
    min(sensitive_values) as l_diversity,
    count(*) as equivalence_classes,
    coalesce(sum(class_size), 0) as row_count
from classes
