-- 0012 failed expectations keep a small sample of their unexpected values: up to 10 values with their
-- counts (GX's partial unexpected counts), as JSON; values of confidential and restricted datasets are
-- masked before they are written.
-- Portable SQL: runs unchanged on DuckDB and PostgreSQL.

alter table dq_results add column unexpected_sample_json text;
