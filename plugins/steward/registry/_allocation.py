"""Cost allocation rules: tag keys and value aliases, shared-cost splits.

The registry's ``costs.allocation`` section says how a billing line's tags become a business
unit, project, model and environment, and how lines that carry no business unit (shared
platform costs, untagged spend) are split. Example (``include/governance.yaml``)::

    costs:
      allocation:
        business_unit:
          keys: [business_unit, cost_center]
          aliases: {lending: [lending-dept, loans]}
        shared:
          - id: platform
            match: {tags: {team: platform}}
            method: proportional
          - id: sandbox
            match: {sub_accounts: ["456789012345"]}
            method: fixed
            shares: {marketing: 50, lending: 50}
"""

from __future__ import annotations

import re
from typing import Literal

from pydantic import Field, model_validator

from steward.registry._base import Name, Strict

__all__ = [
    "AllocationConfig",
    "AllocationMethod",
    "CostMatch",
    "SharedCostRule",
    "TagDimension",
    "normalize_tag_key",
    "normalize_tag_value",
]

#: How a share of cost reached its business unit (``x_AllocationMethod``).
AllocationMethod = Literal["DIRECT", "PROPORTIONAL", "EVEN", "FIXED", "UNALLOCATED"]

_KEY_JUNK = re.compile(r"[^a-z0-9]")
_VALUE_SEPARATORS = re.compile(r"[^a-z0-9]+")


def normalize_tag_key(key: str) -> str:
    """Return a tag key folded for comparison: lowercase letters and digits only.

    Examples
    --------
    >>> {normalize_tag_key(k) for k in ("BusinessUnit", "business-unit", "business_unit", "Business Unit")}
    {'businessunit'}
    """
    return _KEY_JUNK.sub("", key.casefold())


def normalize_tag_value(value: str) -> str:
    """Return a tag value folded for comparison: lowercase, runs of other characters as one ``_``.

    Examples
    --------
    >>> normalize_tag_value(" Lead-Scoring ")
    'lead_scoring'
    """
    return _VALUE_SEPARATORS.sub("_", value.casefold()).strip("_")


class TagDimension(Strict):
    """Which tags carry one dimension (business unit, project, model, environment), and value aliases.

    Keys and values are compared folded (:func:`normalize_tag_key`, :func:`normalize_tag_value`), so
    ``BusinessUnit: Lending`` and ``business-unit: lending`` both give ``lending``.
    """

    #: Tag keys that carry the dimension, in priority order (the first key present wins).
    keys: list[str] = Field(min_length=1)
    #: canonical value -> other spellings (``{lending: [lending-dept, loans]}``).
    aliases: dict[str, list[str]] = Field(default_factory=dict)
    #: When set, only these canonical values count; any other value leaves the dimension unresolved.
    values: list[str] | None = None

    @model_validator(mode="after")
    def _clean(self) -> TagDimension:
        for key in self.keys:
            if not normalize_tag_key(key):
                raise ValueError(f"tag key {key!r} has no letters or digits")
        for value in self.values or []:
            if normalize_tag_value(value) != value:
                raise ValueError(
                    f"value {value!r} must be written normalized, as {normalize_tag_value(value)!r} "
                    "(lowercase, words joined by '_')"
                )
        seen: dict[str, str] = {}
        for canonical, spellings in self.aliases.items():
            if normalize_tag_value(canonical) != canonical:
                raise ValueError(
                    f"alias target {canonical!r} must be written normalized, as "
                    f"{normalize_tag_value(canonical)!r} (lowercase, words joined by '_')"
                )
            for spelling in spellings:
                folded = normalize_tag_value(spelling)
                if seen.get(folded, canonical) != canonical:
                    raise ValueError(
                        f"value {spelling!r} is an alias of both {seen[folded]!r} and {canonical!r}: keep one"
                    )
                seen[folded] = canonical
        return self

    def resolve(self, value: str) -> str | None:
        """Return the canonical value of a tag value, or ``None`` if it is empty or not allowed.

        Examples
        --------
        >>> TagDimension(keys=["bu"], aliases={"lending": ["lending-dept"]}).resolve("Lending-Dept")
        'lending'
        """
        folded = normalize_tag_value(value)
        for canonical, spellings in self.aliases.items():
            if folded == canonical or folded in {normalize_tag_value(s) for s in spellings}:
                folded = canonical
                break
        if not folded or (self.values is not None and folded not in self.values):
            return None
        return folded


class CostMatch(Strict):
    """Which lines without a business unit a shared-cost rule takes. Every given criterion must hold.

    Lists match any of their items; an empty ``match`` takes every line without a business unit.
    """

    providers: list[str] = Field(default_factory=list)
    services: list[str] = Field(default_factory=list)
    service_categories: list[str] = Field(default_factory=list)
    billing_accounts: list[str] = Field(default_factory=list)
    sub_accounts: list[str] = Field(default_factory=list)
    #: Tag key -> value, compared folded; ``"*"`` matches any value of the key.
    tags: dict[str, str] = Field(default_factory=dict)
    #: ``true``: only lines without any tag; ``false``: only lines with at least one tag.
    untagged: bool | None = None


class SharedCostRule(Strict):
    """A split of shared or untagged cost across business units."""

    #: Stable id stored on every row the rule produced (``x_AllocationRuleId``).
    id: Name
    description: str = ""
    match: CostMatch
    #: ``proportional``: by the directly allocated cost (first measure) of the same day, currency and
    #: scope; ``even``: equal parts; ``fixed``: the percentages in ``shares``.
    method: Literal["proportional", "even", "fixed"]
    #: Business units that may receive (proportional, even). Empty: every unit with direct cost in scope.
    to: list[Name] = Field(default_factory=list)
    #: ``fixed`` only: business unit -> percent, summing to 100.
    shares: dict[Name, float] = Field(default_factory=dict)
    #: Where receivers and their direct cost are looked for: the same billing account, or anywhere
    #: (same day and currency). The allocated rows keep the shared line's own account either way.
    scope: Literal["billing_account", "all"] = "billing_account"

    @model_validator(mode="after")
    def _method_options(self) -> SharedCostRule:
        if self.method == "fixed":
            if not self.shares:
                raise ValueError("method 'fixed' needs 'shares' (business unit -> percent, summing to 100)")
            if any(v <= 0 for v in self.shares.values()):
                raise ValueError("every percent in 'shares' must be greater than 0")
            total = sum(self.shares.values())
            if abs(total - 100.0) > 1e-9:
                raise ValueError(f"'shares' sum to {total:g}, not 100: correct the percentages")
            if self.to:
                raise ValueError("method 'fixed' takes its receivers from 'shares': remove 'to'")
        elif self.shares:
            raise ValueError(f"'shares' is only for method 'fixed', not {self.method!r}: remove it")
        return self


def _default(*keys: str) -> TagDimension:
    return TagDimension(keys=list(keys))


class AllocationConfig(Strict):
    """How billed cost is allocated to business units, projects, models and environments.

    A line whose tags resolve a business unit (directly, or through a registered model's
    ``cost_tags``) is allocated DIRECT. Other lines go to the first ``shared`` rule that matches
    them; lines no rule takes stay UNALLOCATED, never silently spread.
    """

    business_unit: TagDimension = _default("business_unit", "cost_center")
    project: TagDimension = _default("project")
    model: TagDimension = _default("model", "model_id")
    environment: TagDimension = _default("environment", "env")
    #: Shared-cost rules, tried in order: the first that matches a line takes it.
    shared: list[SharedCostRule] = Field(default_factory=list)
    #: Decimal places of money as displayed (``steward costs spend``, the demo summary; 2: cents), rounded
    #: with the largest remainder so shown rows add up. Allocated amounts keep the source's precision.
    decimals: int = Field(default=2, ge=0, le=6)

    @model_validator(mode="after")
    def _unique_rules(self) -> AllocationConfig:
        ids = [r.id for r in self.shared]
        dupes = sorted({i for i in ids if ids.count(i) > 1})
        if dupes:
            raise ValueError(f"shared rule ids {dupes} are used more than once: ids must be unique")
        allowed = self.business_unit.values
        if allowed is not None:
            for rule in self.shared:
                unknown = sorted({*rule.to, *rule.shares} - set(allowed))
                if unknown:
                    raise ValueError(
                        f"shared rule {rule.id!r} names business unit(s) {unknown} that are not in "
                        f"business_unit.values {allowed}: add them there or fix the names"
                    )
        return self
