-- 0001 foundation: data quality results and outcomes, quarantine, audit log.
-- Portable SQL: runs unchanged on DuckDB and PostgreSQL. JSON is stored as text.
-- Applied once by steward.warehouse (recorded in steward_migrations): never edit it, add 0002_*.sql.

-- One row per dataset x partition x expectation.
create table dq_results (
    dataset text not null,
    partition_date date not null,
    suite text not null,
    expectation_id text,
    expectation_type text not null,
    column_name text,
    kwargs_json text,
    severity text not null,
    success boolean,
    observed_value text,
    element_count bigint,
    unexpected_count bigint,
    unexpected_percent double precision,
    exception_message text,
    run_id text not null,
    validated_at timestamptz not null
);

create index dq_results_dataset_partition_idx on dq_results (dataset, partition_date);

-- One row per dataset x partition: the outcome of its validation.
create table dq_runs (
    dataset text not null,
    partition_date date not null,
    suite text not null,
    status text not null,  -- passed | warning | failed | error
    row_count bigint,
    expectations_evaluated integer,
    expectations_failed integer,
    critical_failed integer,
    warning_failed integer,
    error_message text,
    source_files text,
    report_path text,
    duration_s double precision,
    run_id text not null,
    validated_at timestamptz not null,
    primary key (dataset, partition_date)
);

-- Partitions held back from downstream consumers.
create table quarantine (
    dataset text not null,
    partition_date date not null,
    reason text not null,
    failed_expectations_json text,
    run_id text,
    quarantined_at timestamptz,
    primary key (dataset, partition_date)
);

-- Who did what, when: decisions, overrides, quarantines.
create table audit_log (
    event_id text primary key,
    occurred_at timestamptz not null,
    actor text,
    action text not null,
    subject_type text,
    subject_id text,
    details_json text,
    run_id text
);
