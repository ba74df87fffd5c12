"""The model registry: versions, aliases and lifecycle stages as append-only events, artifacts.

A version (``model_versions``) is written once with its training evidence and model card. Every
change after that (an alias set or removed, a stage change, an approval, a promotion, a rollback,
a decommission) is one ``model_events`` row with who, when, why and the evidence's run id; the
current state is derived from the events only. Promotions and rollbacks are one transaction.

Modules
-------
``_artifacts``
    Model artifacts stored by model and version: a local folder (default) or ``s3://`` through boto3.
``_model``
    The model registry's records: a version, an event, a model's current state, and the error.
``_registry``
    The model registry's operations: register, alias, stage, promote, roll back, decommission, read state.
``_store``
    The registry tables: rows <-> records, deterministic event ids, one-transaction writes.

Examples
--------
>>> from steward.lifecycle import ModelVersion, register_version, promote, champion_version
>>> mv = ModelVersion("lead_scoring", "2.3.0")
>>> register_version(wh, mv, actor="ci", reason="trained")  # doctest: +SKIP
>>> promote(wh, "lead_scoring", "2.3.0", actor="ci", reason="first", evidence_run_id=None)  # doctest: +SKIP
>>> champion_version(wh, "lead_scoring")  # doctest: +SKIP
'2.3.0'
"""

from __future__ import annotations

from steward.lifecycle._artifacts import ArtifactStore, default_artifacts_url
from steward.lifecycle._model import LifecycleError, ModelEvent, ModelState, ModelVersion, model_card
from steward.lifecycle._registry import (
    champion_version,
    decommission,
    latest_version,
    model_history,
    model_state,
    promote,
    record_event,
    register_version,
    register_with_artifact,
    registered_models,
    remove_alias,
    rollback,
    set_alias,
    set_stage,
)

__all__ = [
    # records
    "LifecycleError",
    "ModelEvent",
    "ModelState",
    "ModelVersion",
    "model_card",
    # changes (each one append-only event, or several in one transaction)
    "decommission",
    "promote",
    "record_event",
    "register_version",
    "register_with_artifact",
    "remove_alias",
    "rollback",
    "set_alias",
    "set_stage",
    # reading the current state
    "champion_version",
    "latest_version",
    "model_history",
    "model_state",
    "registered_models",
    # artifacts
    "ArtifactStore",
    "default_artifacts_url",
]
