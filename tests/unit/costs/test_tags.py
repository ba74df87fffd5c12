"""Tags to dimensions: key spellings, value aliases, model cost tags, shared-cost rule matching."""

from __future__ import annotations

import pytest
from pydantic import ValidationError

from steward.costs import match_rule, parse_tags, resolve_tags
from steward.registry import AllocationConfig, parse_registry
from tests.unit.costs._alloc_data import config, model

CREDIT = model("credit_risk", "lending", {"model": "credit-risk"})
LEADS = model("lead_scoring", "marketing", {"model": "lead-scoring"})


@pytest.mark.parametrize(
    "tags",
    [
        {"BusinessUnit": "Lending"},
        {"business-unit": "lending"},
        {"business_unit": "LENDING"},
        {"businessunit": " lending "},
        {"Business Unit": "Lending"},
        {"cost_center": "lending"},
    ],
)
def test_business_unit_key_spellings(tags: dict[str, str]) -> None:
    res = resolve_tags(tags, AllocationConfig())
    assert (res.business_unit, res.status) == ("lending", "business_unit")


def test_value_aliases_and_allowed_values() -> None:
    cfg = config(business_unit={"keys": ["bu"], "aliases": {"lending": ["Lending-Dept", "loans"]}})
    assert resolve_tags({"BU": "lending-dept"}, cfg).business_unit == "lending"
    assert resolve_tags({"bu": "Loans"}, cfg).business_unit == "lending"
    assert resolve_tags({"bu": "Growth Team"}, cfg).business_unit == "growth_team"
    strict = config(business_unit={"keys": ["bu"], "values": ["lending", "marketing"]})
    res = resolve_tags({"bu": "growth"}, strict)
    assert (res.business_unit, res.status) == (None, "other_tags")


def test_key_priority_and_conflicting_spellings() -> None:
    cfg = config(business_unit={"keys": ["business_unit", "team"]})
    assert resolve_tags({"team": "platform", "BusinessUnit": "Marketing"}, cfg).business_unit == "marketing"
    assert resolve_tags({"team": "platform"}, cfg).business_unit == "platform"
    # two spellings of one key: the first key in sorted order wins, whatever the dict order
    tags = {"business-unit": "lending", "BusinessUnit": "Marketing"}
    assert resolve_tags(tags, cfg).business_unit == "marketing"  # "BusinessUnit" < "business-unit"
    assert resolve_tags(dict(reversed(tags.items())), cfg).business_unit == "marketing"
    # an empty value does not count
    assert resolve_tags({"BusinessUnit": " ", "business_unit": "lending"}, cfg).business_unit == "lending"


def test_all_dimensions_and_statuses() -> None:
    tags = {"BusinessUnit": "Marketing", "Project": "Lead-Scoring", "Env": "Prod", "model_id": "X1"}
    res = resolve_tags(tags, AllocationConfig())
    assert (res.business_unit, res.project, res.model_id, res.environment) == (
        "marketing",
        "lead_scoring",
        "x1",
        "prod",
    )
    assert resolve_tags({"team": "platform"}, AllocationConfig()).status == "other_tags"
    assert resolve_tags({}, AllocationConfig()).status == "untagged"


def test_registered_model_cost_tags_give_model_and_business_unit() -> None:
    res = resolve_tags({"Model": "Credit-Risk"}, AllocationConfig(), models=[LEADS, CREDIT])
    assert (res.model_id, res.business_unit, res.status) == ("credit_risk", "lending", "business_unit")
    # an explicit business-unit tag wins over the model's unit
    res = resolve_tags(
        {"model": "credit-risk", "bu": "x", "cost_center": "risk"}, AllocationConfig(), models=[CREDIT]
    )
    assert (res.model_id, res.business_unit) == ("credit_risk", "risk")
    # the most specific model wins
    special = model("credit_risk_eu", "lending", {"model": "credit-risk", "region": "eu"})
    res = resolve_tags({"model": "credit-risk", "region": "EU"}, AllocationConfig(), models=[CREDIT, special])
    assert res.model_id == "credit_risk_eu"


def test_parse_tags() -> None:
    assert parse_tags("{}") == {}
    assert parse_tags(None) == {}
    assert parse_tags('{"a": "b", "n": 2, "z": null}') == {"a": "b", "n": "2"}
    with pytest.raises(ValueError, match=r"not JSON.*fix the billing source"):
        parse_tags("{BusinessUnit: Lending}")
    with pytest.raises(ValueError, match="not a JSON object"):
        parse_tags('["a"]')


def test_rule_matching_first_match_wins() -> None:
    cfg = config(
        shared=[
            {"id": "sandbox", "match": {"sub_accounts": ["456789012345"]}, "method": "even"},
            {"id": "platform", "match": {"tags": {"team": "platform"}}, "method": "proportional"},
            {
                "id": "shared_env",
                "match": {"tags": {"environment": "shared"}, "providers": ["aws"]},
                "method": "even",
            },
            {"id": "any_team", "match": {"tags": {"team": "*"}}, "method": "even"},
            {"id": "logs", "match": {"services": ["AmazonCloudWatch"], "untagged": True}, "method": "even"},
            {"id": "untagged", "match": {"untagged": True}, "method": "fixed", "shares": {"a": 25, "b": 75}},
        ]
    )
    kw = {"provider": "AWS", "service": "AmazonEC2", "billing_account": "1", "sub_account": "2"}
    assert match_rule(cfg, {"Team": "Platform"}, **kw).id == "platform"  # type: ignore[union-attr]
    assert match_rule(cfg, {"Team": "Platform"}, **{**kw, "sub_account": "456789012345"}).id == "sandbox"  # type: ignore[union-attr]
    assert match_rule(cfg, {"ENVIRONMENT": "Shared"}, **kw).id == "shared_env"  # type: ignore[union-attr]
    assert match_rule(cfg, {"environment": "shared"}, **{**kw, "provider": "GCP"}) is None
    assert match_rule(cfg, {"team": "data"}, **kw).id == "any_team"  # type: ignore[union-attr]
    assert match_rule(cfg, {}, **{**kw, "service": "amazoncloudwatch"}).id == "logs"  # type: ignore[union-attr]
    assert match_rule(cfg, {}, **kw).id == "untagged"  # type: ignore[union-attr]
    assert match_rule(cfg, {"owner": "x"}, **kw) is None


@pytest.mark.parametrize(
    ("rule", "message"),
    [
        ({"method": "fixed", "shares": {"a": 60, "b": 30}}, "sum to 90, not 100"),
        ({"method": "fixed"}, "needs 'shares'"),
        ({"method": "even", "shares": {"a": 100}}, "only for method 'fixed'"),
        ({"method": "fixed", "shares": {"a": 100}, "to": ["a"]}, "remove 'to'"),
        ({"method": "spread"}, "proportional"),
        ({"method": "even", "to": ["Not A Name"]}, "not a valid identifier"),
    ],
)
def test_bad_rules_are_named_in_registry_errors(rule: dict[str, object], message: str) -> None:
    raw = {"costs": {"allocation": {"shared": [{"id": "pool", "match": {}, **rule}]}}}
    with pytest.raises(ValueError, match=message) as info:
        parse_registry(raw, source="gov.yaml")
    assert "costs.allocation.shared[0]" in str(info.value)


def test_registry_level_checks() -> None:
    with pytest.raises(ValidationError, match="used more than once"):
        config(
            shared=[{"id": "a", "match": {}, "method": "even"}, {"id": "a", "match": {}, "method": "even"}]
        )
    with pytest.raises(ValidationError, match="alias of both"):
        config(business_unit={"keys": ["bu"], "aliases": {"a": ["x"], "b": ["X"]}})
    with pytest.raises(ValidationError, match="written normalized"):
        config(business_unit={"keys": ["bu"], "aliases": {"Lending": ["x"]}})
    with pytest.raises(ValidationError, match=r"not in business_unit.values \['a'\]"):
        config(
            business_unit={"keys": ["bu"], "values": ["a"]},
            shared=[{"id": "x", "match": {}, "method": "fixed", "shares": {"a": 50, "b": 50}}],
        )
    with pytest.raises(ValidationError, match="must be written normalized"):
        config(business_unit={"keys": ["bu"], "values": ["Lending"]})
    with pytest.raises(ValidationError, match="Extra inputs"):
        config(shared=[{"id": "a", "match": {"service": ["x"]}, "method": "even"}])


def test_demo_registry_allocation_section() -> None:
    from steward.registry import load_registry

    reg = load_registry()
    alloc = reg.costs.allocation
    assert {r.id for r in alloc.shared} >= {"platform"}
    res = resolve_tags({"BusinessUnit": "Marketing", "model": "lead-scoring"}, alloc, models=reg.models)
    assert (res.business_unit, res.model_id) == ("marketing", "lead_scoring")
