-- The rows of stored windows whose label may have changed since their counts were stored: every row
-- whose key is in a label partition added (tonight's) or removed (left the horizon) since, with its label
-- before (the largest over the partitions applied then) and now (the largest over tonight's partitions).
-- One scan of the label partitions and one of the windows' rows; the counts are then taken twice from
-- these few rows (old label subtracted, new label added).
-- Template filled by steward.fairness (Python str.format; names are checked, quoted identifiers):
--   changed_sql   steward_key of every labelled row of the added and removed partitions
--   labels_sql    steward_key, steward_label (integer), steward_before and steward_now (1 when the row's
--                 partition was applied before / is in tonight's horizon, else 0), labelled rows only
--   windows_sql   the windows' rows (the columns the counts need and steward_window)
--   id            the windows' id column (what labels join on)
-- Portable SQL: runs unchanged on DuckDB and PostgreSQL.

with labels as (
    select steward_key, steward_label, steward_before, steward_now
    from ({labels_sql}) l
    where steward_key in (select steward_key from ({changed_sql}) c)
),

relabelled as (
    select
        steward_key,
        max(case when steward_before = 1 then steward_label end) as steward_label_before,
        max(case when steward_now = 1 then steward_label end) as steward_label_now
    from labels
    group by steward_key
    -- a key whose label is the same before and now moves no row
    having max(case when steward_before = 1 then steward_label end)
        is distinct from max(case when steward_now = 1 then steward_label end)
)

select w.*, r.steward_label_before, r.steward_label_now
from ({windows_sql}) w
join relabelled r on w.{id} = r.steward_key
