-- The lineage the summary counts: edges, and the runs that recorded them. A run id is unique within
-- its DAG only (two DAGs' runs for one night can share `manual__<night>`), so a run is DAG x run id;
-- `task` is `<dag_id>.<task_id>[<map index>]`.
select count(*) as n, count(distinct (split_part(task, '.', 1), run_id)) as runs
from lineage_edges
