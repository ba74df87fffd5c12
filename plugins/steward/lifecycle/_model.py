"""The model registry's records: a version, an event, a model's current state, and the error."""

from __future__ import annotations

import datetime as dt
from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any, Literal, get_args

if TYPE_CHECKING:
    from steward.registry import Model

__all__ = [
    "ALIAS_KINDS",
    "EventKind",
    "LifecycleError",
    "ModelEvent",
    "ModelState",
    "ModelVersion",
    "Stage",
    "model_card",
]

EventKind = Literal[
    "registered",
    "alias_set",
    "alias_removed",
    "stage_changed",
    "approval_requested",
    "approved",
    "rejected",
    "rollback",
    "decommissioned",
]
Stage = Literal["candidate", "staging", "production", "archived", "decommissioned"]
#: The event kinds that move an alias (the others may carry one only as context).
ALIAS_KINDS: tuple[str, ...] = ("alias_set", "alias_removed", "rollback")
EVENT_KINDS: tuple[str, ...] = get_args(EventKind)
STAGES: tuple[str, ...] = get_args(Stage)


class LifecycleError(ValueError):
    """A registry operation that cannot be done as asked; the message names the model, version and fix."""


@dataclass(frozen=True)
class ModelVersion:
    """One trained (or imported) version of a model: a ``model_versions`` row.

    The ``*_json`` fields are Python dicts here and JSON text in the warehouse. ``created_at``
    defaults to the registration time.

    Examples
    --------
    >>> ModelVersion("lead_scoring", "2.3.0", trainer="demo:train").version
    '2.3.0'
    """

    model: str
    version: str
    created_at: dt.datetime | None = None
    run_id: str | None = None
    training_windows_json: Mapping[str, Any] = field(default_factory=dict)
    data_fingerprint: str | None = None
    code_version: str | None = None
    trainer: str | None = None
    params_json: Mapping[str, Any] = field(default_factory=dict)
    holdout_metrics_json: Mapping[str, Any] = field(default_factory=dict)
    holdout_fairness_json: Mapping[str, Any] = field(default_factory=dict)
    energy_kwh: float | None = None
    emissions_kg: float | None = None
    gpu_utilization: float | None = None
    training_cost: float | None = None
    artifact_uri: str | None = None
    card_json: Mapping[str, Any] = field(default_factory=dict)


@dataclass(frozen=True)
class ModelEvent:
    """One ``model_events`` row: something that happened to a version, with who, when and why."""

    event_id: str
    seq: int
    model: str
    version: str
    kind: str
    alias: str | None
    stage: str | None
    actor: str
    reason: str
    evidence_run_id: str | None
    occurred_at: dt.datetime
    details: Mapping[str, Any]


@dataclass(frozen=True)
class ModelState:
    """A model's current state, derived from its events.

    Attributes
    ----------
    aliases
        Alias -> version (``champion``, ``challenger``, user-defined).
    stages
        Version -> current stage.
    versions
        Every registered version, oldest first.
    """

    model: str
    aliases: Mapping[str, str]
    stages: Mapping[str, str]
    versions: tuple[ModelVersion, ...]

    @property
    def champion(self) -> str | None:
        """The version the ``champion`` alias points at, if any."""
        return self.aliases.get("champion")

    @property
    def decommissioned(self) -> bool:
        """Whether the model is retired: a version was decommissioned and none is in production."""
        stages = set(self.stages.values())
        return "decommissioned" in stages and "production" not in stages


def model_card(model: Model) -> dict[str, Any]:
    """Return the registry's model card of ``model`` as the dict stored in ``model_versions.card_json``.

    A model without a ``card:`` (allowed below the high risk tier) gives ``{}``. Pass the result as
    ``ModelVersion(card_json=...)`` when registering a version, so each version keeps the card it was
    registered under even when the registry changes later.

    Examples
    --------
    >>> model_card(registry.model("credit_risk"))["intended_use"]  # doctest: +SKIP
    'Estimate the probability of early payment default ...'
    """
    return {} if model.card is None else model.card.model_dump(mode="json", exclude_none=True)
