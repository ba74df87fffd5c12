-- The dataset partitions behind a model's warehouse rows: every recorded edge from a dataset
-- partition into a partition keyed by the model (monitoring, performance, fairness rows), with the
-- run, the code version and the files' fingerprint. :needle is '%model=<model>%'.
with edges as (
    select * from lineage_edges
    where source_kind = 'dataset' and target_partition like :needle
)

select
    'monitoring' as produced,
    cast(null as text) as model_version,
    source_name as dataset,
    source_partition as partition_label,
    source_fingerprint as fingerprint,
    target_name,
    target_partition,
    run_id,
    task,
    code_version,
    recorded_at
from edges
