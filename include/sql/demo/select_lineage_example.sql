-- One lineage edge for the summary to show: the last night's lead-scoring predictions feeding drift.
-- Parameters: :partition (the night, ISO date text).
select source_name, source_partition, target_name, target_partition, task
from lineage_edges
where source_name = 'lead_scoring_predictions'
  and source_partition = :partition
  and target_name = 'drift_metrics'
order by run_id
limit 1
