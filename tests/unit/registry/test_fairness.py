"""The registry's ``fairness:`` key: the high-risk gate's settings, defaults, bad values named by key."""

from __future__ import annotations

from pathlib import Path

import pytest
import yaml

from steward import paths
from steward.registry import FairnessPolicy, RegistryError, load_registry


def test_not_demonstrated_goes_to_the_approver_by_default() -> None:
    p = FairnessPolicy()
    assert (p.high_risk_require_demonstrated, p.high_risk_undemonstrated) == (True, "ask_approver")
    assert load_registry().model("credit_risk").fairness.high_risk_undemonstrated == "ask_approver"


def test_a_bad_value_names_the_key_and_the_choices(tmp_path: Path) -> None:
    doc = yaml.safe_load((paths.include_dir() / "governance.yaml").read_text(encoding="utf-8"))
    credit = next(m for m in doc["models"] if m["name"] == "credit_risk")
    credit["fairness"]["high_risk_undemonstrated"] = "ask_someone"
    file = tmp_path / "governance.yaml"
    file.write_text(yaml.safe_dump(doc, sort_keys=False), encoding="utf-8")
    with pytest.raises(RegistryError) as info:
        load_registry(file)
    text = str(info.value)
    assert "fairness.high_risk_undemonstrated" in text and "'ask_approver' or 'reject'" in text, text
