-- Every warehouse partition written by a run that read one dataset partition (:dataset, :partition),
-- or all of the dataset at once ('*'): what a quarantined partition may have reached.
with reads as (
    select * from lineage_edges
    where source_kind = 'dataset' and source_name = :dataset and source_partition in (:partition, '*')
)

select distinct target_kind, target_name, target_partition, run_id, task
from reads
where target_kind = 'table'
order by target_name, target_partition
