-- 0018 governance records, part 2: PII findings, data-sharing exports with their measured k and l,
-- the decision log, incidents with their timeline, impact assessments and user feedback.
-- Portable SQL: runs unchanged on DuckDB and PostgreSQL. JSON is stored as text.

-- One row per dataset x scan date x column that holds (or is named like) personal data.
create table pii_findings (
    dataset text not null,
    scan_date date not null,
    column_name text not null,
    entity text not null,               -- email | phone | iban | credit_card | us_ssn | uk_nino | ipv4 | ipv6
    match_share double precision not null,  -- share of sampled non-null values the recognizer matched
    sample_size bigint not null,
    matched_by text not null,           -- values | name | values_and_name
    declared boolean not null,          -- listed under privacy.declared_pii
    sensitivity text not null,          -- the dataset's class
    warranted_sensitivity text not null,
    sensitivity_too_low boolean not null,
    run_id text not null,
    scanned_at timestamptz not null
);

create index pii_findings_dataset_idx on pii_findings (dataset, scan_date);

-- One row per export x export date: what left (or was refused) under which agreement, with k and l.
create table data_exports (
    export_name text not null,
    export_date date not null,
    dataset text not null,
    partner text not null,
    permitted_use text not null,
    agreement_expires date not null,
    status text not null,               -- exported | generalized | refused
    reason text,
    quasi_identifiers_json text not null,
    sensitive_attribute text,
    min_k integer not null,
    min_l integer not null,
    k_measured bigint,                  -- smallest equivalence class of the quasi-identifiers
    l_measured bigint,                  -- fewest distinct sensitive values in a class
    k_before bigint,                    -- before generalization (equal to k_measured when none applied)
    l_before bigint,
    generalized_json text,              -- the hierarchies applied
    row_count bigint not null,
    output_path text,
    run_id text not null,
    exported_at timestamptz not null,
    primary key (export_name, export_date)
);

-- Decisions on AI initiatives and stage gates: proposed, approved, rejected.
create table governance_decisions (
    decision_id text primary key,       -- sha of initiative, stage, status and decided_at
    initiative text not null,
    model text,
    stage text not null,                -- e.g. idea, pilot, production, retirement
    status text not null,               -- proposed | approved | rejected
    sponsor text not null,
    rationale text not null,
    success_criteria text,
    decided_by text,
    decided_at timestamptz not null,
    run_id text
);

-- One row per incident: opened by a persistent breach or a failed critical data-quality run.
create table incidents (
    incident_id text primary key,       -- sha of source, subject and the first evidence date
    source text not null,               -- monitoring | data_quality
    model text,
    dataset text,
    kind text not null,                 -- the breach kind, or dq_failed
    subject text not null,
    severity text not null,             -- critical | warning
    owner text not null,
    status text not null,               -- open | resolved
    opened_on date not null,            -- the night the rule fired
    first_evidence_on date not null,    -- the first night of the breach
    resolved_on date,
    resolution text,
    evidence_json text,                 -- the breach / dq rows: table, keys, message
    updated_at timestamptz not null
);

-- The timeline of each incident: opened, still open, notified, resolved.
create table incident_events (
    incident_id text not null,
    event_on date not null,
    event text not null,                -- opened | persists | resolved | notified
    message text not null,
    actor text,
    recorded_at timestamptz not null,
    primary key (incident_id, event_on, event)
);

-- Impact assessments of models as declared in the registry, as of each check.
create table impact_assessments (
    model text not null,
    assessed_on date not null,
    reviewer text not null,
    harms_json text not null,
    mitigations_json text not null,
    valid_until date not null,
    document text,
    recorded_at timestamptz not null,
    primary key (model, assessed_on)
);

-- User feedback on predictions, one row per feedback source x day x prediction x issue.
create table prediction_feedback (
    source_dataset text not null,
    feedback_date date not null,
    model text not null,
    prediction_id text not null,
    issue text not null,
    reported_at timestamptz,
    run_id text not null,
    ingested_at timestamptz not null
);

create index prediction_feedback_model_idx on prediction_feedback (model, prediction_id);
