-- Storage footprint per dataset and night with its change against the dataset's previous snapshot.
with snapshots as (
    select snapshot_date, dataset, partitions, files, bytes from storage_footprint
),

with_previous as (
    select
        s.*,
        lag(bytes) over (partition by dataset order by snapshot_date) as previous_bytes,
        lag(partitions) over (partition by dataset order by snapshot_date) as previous_partitions
    from snapshots as s
)

select
    snapshot_date,
    dataset,
    partitions,
    files,
    bytes,
    bytes - previous_bytes as bytes_change,
    partitions - previous_partitions as partitions_change
from with_previous
order by dataset, snapshot_date
