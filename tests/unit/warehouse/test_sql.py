"""render_sql: the one way to template SQL files (Jinja, strict undefined, the env built once)."""

from __future__ import annotations

import datetime as dt
import re
from pathlib import Path

import jinja2
import pytest

from steward import paths
from steward.warehouse import Warehouse, quote_ident, read_sql, render_sql
from steward.warehouse._sql import _env


@pytest.fixture
def project(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    folder = tmp_path / "include" / "sql" / "demo"
    folder.mkdir(parents=True)
    (folder / "count_rows.sql.j2").write_text(
        "-- rows of one table\nselect count(*) as n\nfrom {{ table }}\nwhere day = :day\n", encoding="utf-8"
    )
    monkeypatch.setenv("STEWARD_PROJECT_DIR", str(tmp_path))
    return tmp_path


def test_renders_identifiers_and_keeps_parameters_and_the_trailing_newline(project: Path) -> None:
    sql = render_sql("demo/count_rows.sql.j2", table=quote_ident('odd "name"'))
    assert sql == '-- rows of one table\nselect count(*) as n\nfrom "odd ""name"""\nwhere day = :day\n'


def test_a_missing_variable_is_an_error_naming_it(project: Path) -> None:
    with pytest.raises(jinja2.UndefinedError, match="'table' is undefined"):
        render_sql("demo/count_rows.sql.j2")


def test_a_missing_template_lists_the_templates_of_its_folder(project: Path) -> None:
    with pytest.raises(FileNotFoundError, match=r"include/sql/demo/count_row\.sql\.j2 .*count_rows\.sql\.j2"):
        render_sql("demo/count_row.sql.j2", table="t")


def test_the_environment_is_built_once() -> None:
    assert _env() is _env()
    assert _env().undefined is jinja2.StrictUndefined


_FORMERLY_FORMATTED = [
    "governance/select_review_feedback.sql.j2",
    "governance/measure_anonymity.sql.j2",
    "governance/select_audit_trail.sql.j2",
    "fairness/assess_training_data.sql.j2",
    "fairness/compute_proxy_contingency.sql.j2",
    "fairness/compute_group_counts.sql.j2",
    "fairness/count_partial_groups.sql.j2",
    "fairness/select_relabelled_rows.sql.j2",
    "fairness/merge_window_counts.sql.j2",
    "fairness/check_outcome_values.sql.j2",
    "costs/extract_gcp_billing_export.sql.j2",
]


@pytest.mark.parametrize("relpath", _FORMERLY_FORMATTED)
def test_templates_once_filled_by_str_format_render_the_same_text(relpath: str) -> None:
    """The reference is Python's own ``str.format`` over the template spelled the old way."""
    text = read_sql(relpath)
    names = sorted(set(re.findall(r"\{\{ ([a-z_]+) \}\}", text)))
    assert names, f"{relpath} has no variables"
    values = {name: f"<{name.upper()} 'x' {{y}}>" for name in names}
    old_spelling = re.sub(r"\{\{ ([a-z_]+) \}\}", r"{\1}", text)
    assert render_sql(relpath, **values) == old_spelling.format(**values)


def test_every_shipped_template_parses() -> None:
    templates = sorted(paths.sql_dir().rglob("*.sql.j2"))
    assert len(templates) >= 15
    for path in templates:
        _env().parse(path.read_text(encoding="utf-8"))


#: The statements moved out of Python in issue 10.1 that read warehouse tables, with their variables.
_MOVED_QUERIES: dict[str, dict[str, str]] = {
    "demo/select_dq_nights.sql": {},
    "demo/select_quarantined_batches.sql": {},
    "demo/select_champions.sql": {},
    "demo/select_lineage_example.sql": {},
    "demo/count_retention_actions.sql": {},
    "demo/select_monitoring_nights.sql": {},
    "demo/select_performance_breaches.sql": {},
    "demo/count_fairness_breaches.sql": {},
    "demo/select_fired_decisions.sql": {},
    "governance/select_breach_nights.sql": {},
    "governance/select_failed_dq_nights.sql": {},
    "governance/select_breach_evidence.sql": {},
    "governance/select_dq_failure_evidence.sql": {},
    "governance/select_pii_to_act_on.sql": {},
    "governance/summarize_exports.sql": {},
    "governance/select_opened_incidents.sql": {},
    "monitoring/select_reference_profiles.sql": {},
    "monitoring/select_feature_profiles.sql": {},
    "monitoring/select_auc_history.sql": {},
    "monitoring/select_monitoring_runs.sql": {},
    "monitoring/select_breaches.sql": {},
    "monitoring/select_drift_history.sql": {},
    "monitoring/select_performance_history.sql": {},
    "monitoring/select_fairness_history.sql": {},
    "monitoring/select_chart_restarts.sql": {},
    "monitoring/select_run_nights.sql": {},
    "fairness/select_parity_history.sql": {},
    "fairness/count_breaches_per_night.sql": {},
    "lifecycle/select_model_versions.sql": {},
    "lifecycle/select_current_aliases_and_stages.sql": {},
    "quality/select_dq_runs.sql": {},
    "quality/select_night_runs.sql": {},
    "triggers/select_decisions.sql.j2": {"where": "where model = :model"},
}
#: Moved statements that aggregate (one row even over empty tables), each tested with rows below.
_AGGREGATES = {"demo/count_lineage_edges.sql"}
_DATE_PARAM = re.compile(r"day|since|start|end|window|night")


def _bound(sql: str) -> dict[str, object]:
    names = set(re.findall(r"(?<![:\w]):([a-z_]+)", re.sub(r"--[^\n]*", "", sql)))
    return {n: dt.date(2026, 11, 1) if _DATE_PARAM.search(n) else "x" for n in names}


def test_every_moved_query_is_a_file_of_its_own() -> None:
    """No file in include/sql that the list forgets, and no listed file missing."""
    root = paths.sql_dir()
    for area in ("demo", "quality", "lifecycle"):
        on_disk = {p.relative_to(root).as_posix() for p in (root / area).glob("*.sql")}
        assert on_disk == {q for q in [*_MOVED_QUERIES, *_AGGREGATES] if q.startswith(f"{area}/")}


def test_the_moved_queries_run_on_a_migrated_warehouse(warehouse: Warehouse) -> None:
    """Each statement parses, binds its ``:name`` parameters and runs on both backends (empty tables)."""
    for relpath, variables in _MOVED_QUERIES.items():
        sql = render_sql(relpath, **variables) if relpath.endswith(".j2") else read_sql(relpath)
        params = _bound(sql)
        assert warehouse.fetch(sql, params or None) == [], relpath


def test_the_lineage_count_counts_a_run_per_dag_and_run_id(warehouse: Warehouse) -> None:
    """Two DAGs' runs for one night share ``manual__<night>``: they are two runs, not one."""
    now = dt.datetime(2026, 11, 30, 12, tzinfo=dt.UTC)
    edge = {
        "source_kind": "dataset",
        "source_name": "leads",
        "source_partition": "2026-11-01",
        "target_kind": "table",
        "target_name": "dq_runs",
        "target_partition": "dataset=leads",
        "recorded_at": now,
    }
    night = "manual__2026-11-01T02:00:00+00:00"
    rows = [
        {**edge, "run_id": night, "task": "governance_nightly.scan_pii_task"},
        {**edge, "run_id": night, "task": "governance_nightly.record_assessments_task"},
        {**edge, "run_id": night, "task": "data_export.run_export_task[0]"},
        {**edge, "run_id": "manual__2026-11-02T02:00:00+00:00", "task": "data_export.run_export_task[1]"},
    ]
    for row in rows:
        warehouse.execute(
            "insert into lineage_edges (run_id, task, source_kind, source_name, source_partition, "
            "target_kind, target_name, target_partition, recorded_at) values (:run_id, :task, "
            ":source_kind, :source_name, :source_partition, :target_kind, :target_name, "
            ":target_partition, :recorded_at)",
            row,
        )
    assert warehouse.fetch(read_sql("demo/count_lineage_edges.sql")) == [{"n": 4, "runs": 3}]
