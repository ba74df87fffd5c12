"""The privacy section: the sensitivity policy, export and assessment rules, references checked by name."""

from __future__ import annotations

import datetime as dt
from typing import Any

import pytest

from steward.registry import (
    ExportJob,
    Generalization,
    ImpactAssessment,
    RegistryError,
    mask_examples,
    masks_examples,
    parse_registry,
)


@pytest.mark.parametrize(
    ("sensitivity", "masked"),
    [("public", False), ("internal", False), ("confidential", True), ("restricted", True)],
)
def test_one_policy_decides_which_classes_hide_examples(sensitivity: str, masked: bool) -> None:
    assert masks_examples(sensitivity) is masked
    assert masks_examples(sensitivity, kind="ids") is (sensitivity == "restricted")
    shown = mask_examples(["jane@example.org", "L-7"], sensitivity=sensitivity)
    assert len(shown) == 2
    assert ("jane@example.org" in shown) is not masked
    if masked:
        assert set(shown) == {f"<masked: {sensitivity}>"}


def _raw(**privacy: Any) -> dict[str, Any]:
    return {
        "datasets": [
            {
                "name": "leads",
                "source": {"path": "/tmp/leads.parquet"},
                "owner": "o@example.com",
                "cadence": "snapshot",
            }
        ],
        "privacy": privacy,
    }


def test_unknown_datasets_and_models_are_named_with_their_key_path() -> None:
    raw = _raw(
        declared_pii={"lead": ["email"]},
        exports=[
            {
                "name": "to_partner",
                "dataset": "leadz",
                "agreement": {"partner": "P", "permitted_use": "research", "expires": "2027-01-01"},
                "quasi_identifiers": ["age"],
            }
        ],
        impact_assessments=[
            {
                "model": "credit",
                "harms": ["h"],
                "mitigations": ["m"],
                "reviewer": "r",
                "assessed_on": "2026-10-01",
            }
        ],
    )
    with pytest.raises(RegistryError) as err:
        parse_registry(raw)
    text = str(err.value)
    assert "privacy.declared_pii: dataset 'lead' is not declared" in text
    assert "privacy.exports[0] (to_partner).dataset: dataset 'leadz' is not declared" in text
    assert "privacy.impact_assessments[0].model: model 'credit' is not declared" in text


def test_unknown_privacy_key_is_an_error() -> None:
    with pytest.raises(RegistryError, match=r"privacy.pii_scan.sample: unknown key"):
        parse_registry(_raw(pii_scan={"sample": 10}))


def test_a_generalization_is_bands_or_a_prefix() -> None:
    assert Generalization(bands=[18, 30, 50]).bands == [18, 30, 50]
    with pytest.raises(ValueError, match="exactly one of"):
        Generalization(bands=[1.0], prefix=2)
    with pytest.raises(ValueError, match="strictly ascending"):
        Generalization(bands=[30, 18])


def test_export_rules() -> None:
    base = {
        "name": "e",
        "dataset": "d",
        "agreement": {"partner": "P", "permitted_use": "u", "expires": "2027-01-01"},
        "quasi_identifiers": ["age", "zip"],
    }
    with pytest.raises(ValueError, match="not quasi_identifiers"):
        ExportJob.model_validate({**base, "generalize": {"income": {"prefix": 1}}})
    with pytest.raises(ValueError, match="needs a 'sensitive_attribute'"):
        ExportJob.model_validate({**base, "min_l": 2})
    with pytest.raises(ValueError, match="cannot also be a quasi-identifier"):
        ExportJob.model_validate({**base, "sensitive_attribute": "age"})


def test_an_assessment_is_current_from_its_date_for_valid_days() -> None:
    a = ImpactAssessment(
        model="m", harms=["h"], mitigations=["m"], reviewer="r", assessed_on=dt.date(2026, 1, 1), valid_days=9
    )
    assert not a.current_on(dt.date(2025, 12, 31))
    assert a.current_on(dt.date(2026, 1, 1))
    assert a.current_on(dt.date(2026, 1, 9))
    assert not a.current_on(dt.date(2026, 1, 10))
