"""Tags to allocation dimensions: business unit, project, model, environment, and the shared-cost rule.

Billing tables hold millions of lines but only a few distinct tag sets: each distinct
``(Tags, provider, service, accounts)`` combination is resolved here, in Python, once; the
row-level work is SQL (see :mod:`steward.costs._allocate`).
"""

from __future__ import annotations

import json
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from typing import Literal

from steward.registry import AllocationConfig, Model
from steward.registry._allocation import (
    CostMatch,
    SharedCostRule,
    TagDimension,
    normalize_tag_key,
    normalize_tag_value,
)

__all__ = ["TagResolution", "TagStatus", "match_rule", "parse_tags", "resolve_tags"]

#: ``business_unit``: the tags resolve a business unit ("tagged"); ``other_tags``: tags, but none
#: resolves one; ``untagged``: no tags at all.
TagStatus = Literal["business_unit", "other_tags", "untagged"]


@dataclass(frozen=True)
class TagResolution:
    """What one tag set says: the dimensions it resolves and its tag status."""

    business_unit: str | None
    project: str | None
    model_id: str | None
    environment: str | None
    status: TagStatus


def parse_tags(text: str | None) -> dict[str, str]:
    """Parse a FOCUS ``Tags`` value (JSON object text) into ``{key: value}``; ``None`` or ``''`` is empty.

    Null values are dropped and other scalars become text.

    Raises
    ------
    ValueError
        The text is not a JSON object; the message quotes it.

    Examples
    --------
    >>> parse_tags('{"BusinessUnit": "Lending", "cost": 3, "x": null}')
    {'BusinessUnit': 'Lending', 'cost': '3'}
    """
    if text is None or not text.strip():
        return {}
    try:
        raw = json.loads(text)
    except json.JSONDecodeError as exc:
        raise ValueError(
            f"Tags value {text[:120]!r} is not JSON ({exc.msg}): cost_line_daily.Tags must hold a JSON "
            "object such as '{\"BusinessUnit\": \"Lending\"}' or '{}'; fix the billing source's normalization"
        ) from None
    if not isinstance(raw, dict):
        raise ValueError(
            f"Tags value {text[:120]!r} is not a JSON object: cost_line_daily.Tags must hold an object "
            "such as '{}'; fix the billing source's normalization"
        )
    return {str(k): v if isinstance(v, str) else json.dumps(v) for k, v in raw.items() if v is not None}


def _folded(tags: Mapping[str, str]) -> dict[str, str]:
    """Return ``{folded key: value}``; among keys that fold alike, the first in sorted order wins."""
    out: dict[str, str] = {}
    for key in sorted(tags):
        value = tags[key]
        folded = normalize_tag_key(key)
        if folded and value.strip() and folded not in out:
            out[folded] = value
    return out


def _dimension(folded: Mapping[str, str], dim: TagDimension) -> str | None:
    for key in dim.keys:
        value = folded.get(normalize_tag_key(key))
        if value is not None:
            resolved = dim.resolve(value)
            if resolved is not None:
                return resolved
    return None


def _model(folded: Mapping[str, str], models: Sequence[Model]) -> Model | None:
    """Return the registered model whose ``cost_tags`` all match (the most specific; then registry order)."""
    best: Model | None = None
    for model in models:
        if not model.cost_tags:
            continue
        if all(
            normalize_tag_value(folded.get(normalize_tag_key(k), "")) == normalize_tag_value(v)
            for k, v in model.cost_tags.items()
        ) and (best is None or len(model.cost_tags) > len(best.cost_tags)):
            best = model
    return best


def resolve_tags(
    tags: Mapping[str, str], config: AllocationConfig, *, models: Sequence[Model] = ()
) -> TagResolution:
    """Resolve a line's tags into business unit, project, model id and environment.

    Keys match whatever their spelling (``BusinessUnit``, ``business-unit``, ``business_unit``);
    values are folded and mapped through the dimension's aliases. A registered model whose
    ``cost_tags`` all match gives the model id, and its ``business_unit`` when no tag names one.

    Parameters
    ----------
    tags
        The line's tags (:func:`parse_tags`).
    config
        The registry's ``costs.allocation``.
    models
        Registered models (their ``cost_tags`` and ``business_unit``).

    Returns
    -------
    TagResolution

    Examples
    --------
    >>> from steward.registry import AllocationConfig
    >>> res = resolve_tags({"business-unit": "Lending", "Environment": "Prod"}, AllocationConfig())
    >>> res.business_unit, res.environment, res.status
    ('lending', 'prod', 'business_unit')
    """
    folded = _folded(tags)
    model = _model(folded, models)
    business_unit = _dimension(folded, config.business_unit)
    if business_unit is None and model is not None:
        business_unit = model.business_unit
    model_id = model.name if model is not None else _dimension(folded, config.model)
    status: TagStatus = "business_unit" if business_unit else "other_tags" if folded else "untagged"
    return TagResolution(
        business_unit=business_unit,
        project=_dimension(folded, config.project),
        model_id=model_id,
        environment=_dimension(folded, config.environment),
        status=status,
    )


def _in(value: str | None, allowed: Sequence[str], *, fold: bool = False) -> bool:
    if not allowed:
        return True
    if value is None:
        return False
    if fold:
        return value.casefold() in {a.casefold() for a in allowed}
    return value in allowed


def _matches(
    match: CostMatch,
    folded: Mapping[str, str],
    *,
    provider: str | None,
    service: str | None,
    service_category: str | None,
    billing_account: str | None,
    sub_account: str | None,
) -> bool:
    if match.untagged is not None and match.untagged != (not folded):
        return False
    for key, want in match.tags.items():
        have = folded.get(normalize_tag_key(key))
        if have is None or (want != "*" and normalize_tag_value(have) != normalize_tag_value(want)):
            return False
    return (
        _in(provider, match.providers, fold=True)
        and _in(service, match.services, fold=True)
        and _in(service_category, match.service_categories, fold=True)
        and _in(billing_account, match.billing_accounts)
        and _in(sub_account, match.sub_accounts)
    )


def match_rule(
    config: AllocationConfig,
    tags: Mapping[str, str],
    *,
    provider: str | None = None,
    service: str | None = None,
    service_category: str | None = None,
    billing_account: str | None = None,
    sub_account: str | None = None,
) -> SharedCostRule | None:
    """Return the first shared-cost rule that takes a line without a business unit, or ``None``.

    Provider, service and category names compare case-insensitively; accounts exactly; tags folded.

    Examples
    --------
    >>> from steward.registry import AllocationConfig
    >>> cfg = AllocationConfig.model_validate(
    ...     {"shared": [{"id": "platform", "match": {"tags": {"team": "platform"}}, "method": "even"}]}
    ... )
    >>> match_rule(cfg, {"Team": "Platform"}).id
    'platform'
    """
    folded = _folded(tags)
    for rule in config.shared:
        if _matches(
            rule.match,
            folded,
            provider=provider,
            service=service,
            service_category=service_category,
            billing_account=billing_account,
            sub_account=sub_account,
        ):
            return rule
    return None
