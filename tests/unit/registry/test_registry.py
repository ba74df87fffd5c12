"""The governance registry: include/governance.yaml loads and agrees with the demo data; bad files
raise RegistryError naming the file, the key path and the fix."""

from __future__ import annotations

import copy
import json
from collections.abc import Callable
from pathlib import Path
from typing import Any

import pyarrow.parquet as pq
import pytest
import yaml

from steward import paths
from steward.demo import DEMO_DATASETS, generate
from steward.demo import _company as company
from steward.demo._flows import FLOWS
from steward.registry import Registry, RegistryError, load_registry

GOVERNANCE = paths.include_dir() / "governance.yaml"


@pytest.fixture(scope="module")
def registry() -> Registry:
    return load_registry()


@pytest.fixture
def base_doc() -> dict[str, Any]:
    return yaml.safe_load(GOVERNANCE.read_text(encoding="utf-8"))


def _write(tmp_path: Path, doc: Any) -> Path:
    file = tmp_path / "governance.yaml"
    file.write_text(doc if isinstance(doc, str) else yaml.safe_dump(doc, sort_keys=False), encoding="utf-8")
    return file


# ---------------------------------------------------------------------------- the shipped file
def test_governance_yaml_declares_every_demo_dataset(registry: Registry) -> None:
    assert [d.name for d in registry.datasets] == [
        "leads",
        "lead_scoring_training",
        "lead_scoring_predictions",
        "lead_scoring_labels",
        "loan_applications",
        "credit_risk_training",
        "credit_risk_predictions",
        "credit_risk_labels",
        "billing_aws",
        "billing_gcp",
        "business_outcomes",
    ]
    assert {d.name for d in registry.datasets} == set(DEMO_DATASETS)
    home = str(paths.steward_home())
    for d in registry.datasets:
        demo = company.spec(d.name)
        assert (d.kind, d.cadence) == (demo.kind, demo.cadence), d.name
        assert d.source.format == "parquet"
        assert d.source.path is not None
        folder = "snapshot=v1" if demo.cadence == "snapshot" else "date={date}"
        assert d.source.path == f"{home}/lake/{d.name}/{folder}/*.parquet"
        assert d.source.partitioned_by_path == (demo.cadence == "daily")
        assert d.owner and d.steward and d.description
        assert (paths.expectations_dir() / f"{d.suite_name}.json").is_file()
    assert registry.dataset("loan_applications").sensitivity == "restricted"
    assert registry.dataset("credit_risk_predictions").sensitivity == "restricted"


def test_models_agree_with_the_demo_data(registry: Registry) -> None:
    assert [m.name for m in registry.models] == ["lead_scoring", "credit_risk"]
    lead, credit = registry.model("lead_scoring"), registry.model("credit_risk")
    assert (lead.business_unit, lead.risk_tier) == ("marketing", "limited")
    assert (credit.business_unit, credit.risk_tier) == ("lending", "high")
    assert credit.protected_attributes == ["sex", "age_band"]
    assert lead.business_kpi is not None
    assert (lead.business_kpi.name, lead.business_kpi.unit) == ("customer_acquisition_cost", "USD")
    assert "FAVOURABLE" in credit.description
    assert lead.thresholds.decision == company.LEAD_SCORING_THRESHOLD
    assert credit.thresholds.decision == company.CREDIT_RISK_THRESHOLD
    for model, flow in zip(registry.models, FLOWS, strict=True):
        assert model.name == flow.model
        assert model.prediction_log == flow.predictions
        assert model.training_data == flow.training
        assert model.reference is not None and model.reference.dataset == flow.training
        assert model.labels is not None
        assert (model.labels.dataset, model.labels.join_key, model.labels.label_column) == (
            flow.labels,
            flow.id_column,
            flow.label_column,
        )
        log_columns = set(flow.predictions_schema.names)
        assert model.features == list(flow.features)
        assert set(model.protected_attributes) <= log_columns
        roles = model.columns
        assert {roles.id, roles.timestamp, roles.score, roles.prediction} <= log_columns
        assert {model.labels.join_key, model.labels.label_column} <= set(flow.labels_schema.names)
        assert set(model.features) <= set(flow.training_schema.names)


def test_model_cards_are_required_for_high_risk_only(base_doc: dict[str, Any], tmp_path: Path) -> None:
    credit = load_registry(_write(tmp_path, base_doc)).model("credit_risk")
    assert credit.card is not None and credit.card.contact == "ml-lending@northwind.example"
    assert len(credit.card.ethical_considerations) == 2
    without = _drop(("models", 0, "card"))(copy.deepcopy(base_doc))  # lead_scoring: limited risk tier
    assert load_registry(_write(tmp_path, without)).model("lead_scoring").card is None


def test_cost_tags_match_the_billing_tags(registry: Registry, tmp_path: Path) -> None:
    manifest = generate(tmp_path, days=7, rows_per_day=1000, datasets=["billing_aws", "billing_gcp"])
    tags: list[dict[str, str]] = []
    for dataset, column in (("billing_aws", "resource_tags"), ("billing_gcp", "labels")):
        for day in manifest.days:
            texts = pq.read_table(manifest.path(dataset, day)).column(column).to_pylist()
            tags += [json.loads(t) for t in texts]
    for model in registry.models:
        assert model.cost_tags
        tagged = [t for t in tags if all(t.get(k) == v for k, v in model.cost_tags.items())]
        assert len(tagged) >= 7, model.name
        spellings = ("BusinessUnit", "business-unit", "business_unit")
        units = {v.lower() for t in tagged for k, v in t.items() if k in spellings}
        assert units == {model.business_unit}, model.name


# ------------------------------------------------------------------------------------- bad files
Edit = Callable[[dict[str, Any]], Any]


def _set(path: tuple[Any, ...], value: Any) -> Edit:
    def edit(doc: dict[str, Any]) -> dict[str, Any]:
        node = doc
        for key in path[:-1]:
            node = node[key]
        node[path[-1]] = value
        return doc

    return edit


def _drop(path: tuple[Any, ...]) -> Edit:
    def edit(doc: dict[str, Any]) -> dict[str, Any]:
        node = doc
        for key in path[:-1]:
            node = node[key]
        del node[path[-1]]
        return doc

    return edit


def _duplicate_first_dataset(doc: dict[str, Any]) -> dict[str, Any]:
    doc["datasets"].append(copy.deepcopy(doc["datasets"][0]))
    return doc


BAD = {
    "unknown key": (
        _set(("datasets", 0, "retention"), 30),
        ["datasets[0] (leads).retention", "unknown key: remove it or check its spelling"],
    ),
    "wrong type": (
        _set(("datasets", 0, "retention_days"), "a year"),
        ["datasets[0] (leads).retention_days", "valid integer"],
    ),
    "value not allowed": (
        _set(("models", 1, "risk_tier"), "severe"),
        ["models[1] (credit_risk).risk_tier", "use one of 'minimal', 'limited', 'high' or 'unacceptable'"],
    ),
    "missing key": (
        _drop(("datasets", 4, "owner")),
        ["datasets[4] (loan_applications).owner", "required key is missing: add it"],
    ),
    "undeclared dataset": (
        _set(("models", 0, "labels", "dataset"), "lead_labels"),
        [
            "models[0] (lead_scoring).labels.dataset",
            "'lead_labels' is not declared",
            "declare it or fix the name",
        ],
    ),
    "duplicate names": (
        _duplicate_first_dataset,
        ["datasets: name 'leads' is declared 2 times", "names must be unique"],
    ),
    "missing suite file": (
        _set(("datasets", 0, "suite"), "leads_v2"),
        ["datasets[0] (leads).suite", "leads_v2.json does not exist", "create it"],
    ),
    "sql in a dataset name": (
        _set(("datasets", 0, "name"), "leads; drop table dq_results"),
        [
            "datasets[0] (leads; drop table dq_results).name",
            "is not a valid identifier",
            "use lowercase letters, digits and underscores",
        ],
    ),
    "sql in a column name": (
        _set(("models", 0, "features", 0), 'channel" --'),
        ["models[0] (lead_scoring).features[0]", "is not a valid column name", "use letters, digits"],
    ),
    "missing environment variable": (
        _set(("datasets", 1, "source", "path"), "${NW_LAKE}/lead_scoring_training/*.parquet"),
        [
            "datasets[1] (lead_scoring_training).source.path",
            "environment variable ${NW_LAKE} is not set",
            "export it or write the value",
        ],
    ),
    "daily dataset without a partition": (
        lambda doc: _drop(("datasets", 0, "partition_column"))(
            _set(("datasets", 0, "source", "path"), "/data/leads/*.parquet")(doc)
        ),
        ["datasets[0] (leads): a daily dataset needs a partition", "put a {date} placeholder in source.path"],
    ),
    "model card without a required field": (
        _drop(("models", 0, "card", "failure_modes")),
        ["models[0] (lead_scoring).card.failure_modes", "required key is missing: add it"],
    ),
    "model card with an empty list": (
        _set(("models", 0, "card", "limitations"), []),
        ["models[0] (lead_scoring).card.limitations", "at least 1 item"],
    ),
    "model card with a misspelt key": (
        _set(("models", 0, "card", "intended_uses"), "x"),
        ["models[0] (lead_scoring).card.intended_uses", "unknown key: remove it or check its spelling"],
    ),
    "high-risk model without a model card": (
        _drop(("models", 1, "card")),
        [
            "models[1] (credit_risk).card: a model in the high risk tier needs a model card",
            "add 'card:' with intended_use, limitations, assumptions and failure_modes",
        ],
    ),
    "not a mapping": (
        lambda doc: "- leads\n- credit_risk\n",
        ["(top level)", "must be a mapping with 'datasets' and 'models' lists"],
    ),
    "not YAML": (
        lambda doc: "datasets: [leads\nmodels: {",
        ["not valid YAML", "line 2"],
    ),
}


@pytest.mark.parametrize("case", list(BAD))
def test_bad_registry_names_file_key_and_fix(
    case: str, base_doc: dict[str, Any], tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.delenv("NW_LAKE", raising=False)
    edit, fragments = BAD[case]
    file = _write(tmp_path, edit(base_doc))
    with pytest.raises(RegistryError) as info:
        load_registry(file)
    message = str(info.value)
    assert message.startswith(f"invalid governance registry {file}:")
    assert info.value.path == str(file)
    for fragment in fragments:
        assert fragment in message, (fragment, message)


def test_every_problem_in_a_file_is_reported_at_once(base_doc: dict[str, Any], tmp_path: Path) -> None:
    doc = _set(("datasets", 0, "retention"), 30)(base_doc)
    doc = _set(("models", 1, "risk_tier"), "severe")(doc)
    with pytest.raises(RegistryError) as info:
        load_registry(_write(tmp_path, doc))
    assert len(info.value.problems) == 2
    assert "datasets[0] (leads).retention" in info.value.problems[0]
    assert "models[1] (credit_risk).risk_tier" in info.value.problems[1]


def test_missing_file_names_it_and_the_fix(tmp_path: Path) -> None:
    file = tmp_path / "nowhere" / "governance.yaml"
    with pytest.raises(RegistryError) as info:
        load_registry(file)
    assert str(file) in str(info.value)
    fix = "file not found: create it (see include/governance.yaml) or set STEWARD_REGISTRY"
    assert fix in str(info.value)


def test_steward_registry_overrides_the_path(
    base_doc: dict[str, Any], tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    base_doc["datasets"] = [d for d in base_doc["datasets"] if d["name"] == "leads"]
    base_doc["models"] = []
    file = _write(tmp_path, base_doc)
    monkeypatch.setenv("STEWARD_REGISTRY", str(file))
    assert [d.name for d in load_registry().datasets] == ["leads"]
    missing = tmp_path / "other.yaml"
    monkeypatch.setenv("STEWARD_REGISTRY", str(missing))
    with pytest.raises(RegistryError, match=r"other\.yaml"):
        load_registry()


def test_environment_variables_expand(
    base_doc: dict[str, Any], tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("NW_LAKE", "s3://northwind-lake")
    base_doc["datasets"][0]["source"]["path"] = "${NW_LAKE}/leads/date={date}/*.parquet"
    registry = load_registry(_write(tmp_path, base_doc))
    assert registry.dataset("leads").source.path == "s3://northwind-lake/leads/date={date}/*.parquet"


def test_control_chart_policy_defaults_and_bad_values_name_the_key(
    base_doc: dict[str, Any], tmp_path: Path
) -> None:
    registry = load_registry(_write(tmp_path, base_doc))
    cc = registry.model("lead_scoring").monitoring.control_chart
    assert (cc.baseline, cc.horizon, cc.arl0_of("performance"), cc.arl0_of("mean")) == (20, 60, 370.0, 370.0)
    monitoring = base_doc["models"][0].setdefault("monitoring", {})
    monitoring["control_chart"] = {"baseline": 3}
    with pytest.raises(RegistryError) as info:
        load_registry(_write(tmp_path, base_doc))
    assert "models[0] (lead_scoring).monitoring.control_chart.baseline" in str(info.value)
    monitoring["control_chart"] = {"arl0": {"drift": 1}}
    with pytest.raises(RegistryError) as info:
        load_registry(_write(tmp_path, base_doc))
    assert "control_chart.arl0.drift must be above 1 night, got 1.0" in str(info.value)
