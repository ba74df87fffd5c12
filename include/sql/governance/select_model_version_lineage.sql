-- The dataset partitions read by the run that produced each version of a model (model_versions.run_id),
-- with the files' fingerprint and the code version: "which snapshot and code produced this version".
with versions as (
    select model, cast(version as text) as model_version, run_id from model_versions
    where model = :model
),

reads as (
    select * from lineage_edges where source_kind = 'dataset'
)

select distinct
    'model_version' as produced,
    v.model_version,
    r.source_name as dataset,
    r.source_partition as partition_label,
    r.source_fingerprint as fingerprint,
    r.target_name,
    r.target_partition,
    r.run_id,
    r.task,
    r.code_version,
    r.recorded_at
from versions as v
inner join reads as r on r.run_id = v.run_id
