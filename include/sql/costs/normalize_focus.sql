-- FOCUS files (view raw_lines: every FOCUS 1.2 column present and typed, filled from the source's
-- defaults or null where the file lacks it) -> FOCUS 1.2 lines, unchanged but for canonical Tags.
-- Runs in Steward's DuckDB normalization engine (steward.costs). The file's own x_ columns are not kept.

with focus as (
    select * from raw_lines
)

select
    * exclude (tags_json),  -- every FOCUS 1.2 column but Tags, in order (raw_lines)
    tags_json as "Tags",
    'focus' as "x_SourceSystem",
    false as "x_Estimated",
    cast(0 as decimal(38, 10)) as "x_Credits",
    cast(null as varchar) as "x_UsageType",
    cast(null as varchar) as "x_Operation"
from focus
