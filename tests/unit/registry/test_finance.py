"""Registry finance keys: the demo's declarations load; bad values are one clear error each."""

from __future__ import annotations

import copy
from decimal import Decimal
from typing import Any

import pytest
import yaml

from steward import paths
from steward.registry import RegistryError, load_registry, parse_registry

BASE = yaml.safe_load((paths.include_dir() / "governance.yaml").read_text(encoding="utf-8"))


def _doc() -> dict[str, Any]:
    return copy.deepcopy(BASE)


def _kpi(doc: dict[str, Any], model: str) -> dict[str, Any]:
    return next(m for m in doc["models"] if m["name"] == model)["business_kpi"]


def test_demo_declares_kpis_ledger_and_budgets() -> None:
    reg = load_registry()
    lead = reg.model("lead_scoring").business_kpi
    assert lead is not None and lead.measure is not None
    assert (lead.baseline, lead.target_change_pct, lead.measure.denominator) == (
        290.0,
        -15,
        "leads_converted",
    )
    assert lead.sponsor == "Chief Marketing Officer" and len(lead.assumptions) == 3
    assert reg.finance.ledger == "include/finance/ledger/{period}.yaml"
    assert reg.finance.budgets == {"lead_scoring": Decimal("6000"), "credit_risk": Decimal("15000")}


def test_defaults_without_a_finance_section() -> None:
    doc = _doc()
    del doc["finance"]
    fin = parse_registry(doc).finance
    assert (fin.currency, fin.ledger, fin.budgets, fin.close_after_days, fin.confidence) == (
        "USD",
        None,
        {},
        5,
        0.95,
    )


@pytest.mark.parametrize(
    ("change", "message"),
    [
        (
            lambda d: _kpi(d, "lead_scoring").update(baseline=0),
            "baseline is 0, so a relative target_change_pct",
        ),
        (lambda d: _kpi(d, "lead_scoring").pop("value_per_unit"), "needs 'baseline' and 'value_per_unit'"),
        (
            lambda d: d["finance"]["budgets"].update(churn=5),
            "finance.budgets: model 'churn' is not registered",
        ),
        (lambda d: d["finance"]["budgets"].update(lead_scoring=-1), "negative"),
        (lambda d: d["finance"].update(currency="usd"), "finance.currency"),
        (lambda d: d["finance"].update(ledgr="x"), "ledgr"),
        (
            lambda d: _kpi(d, "lead_scoring")["measure"].update(dataset="sales"),
            "dataset 'sales' is not declared",
        ),
        (lambda d: _kpi(d, "credit_risk").update(review_cadence="weekly"), "review_cadence"),
    ],
)
def test_bad_finance_keys(change: Any, message: str) -> None:
    doc = _doc()
    change(doc)
    with pytest.raises(RegistryError, match=message):
        parse_registry(doc)
