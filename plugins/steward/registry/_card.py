"""A model card declared in the registry: what the model is for, where it fails, who answers for it."""

from __future__ import annotations

from typing import Annotated

from pydantic import Field, StringConstraints

from steward.registry._base import Strict

__all__ = ["ModelCard"]

#: Card text: never empty (a blank field says nothing to an auditor).
Text = Annotated[str, StringConstraints(strip_whitespace=True, min_length=1)]


class ModelCard(Strict):
    """The model card fields every registered version records (``model_versions.card_json``).

    ``intended_use``, ``limitations``, ``assumptions`` and ``failure_modes`` are required when a
    ``card:`` is given; models in the ``high`` (and ``unacceptable``) risk tier must have a card.
    """

    intended_use: Text
    limitations: list[Text] = Field(min_length=1)
    assumptions: list[Text] = Field(min_length=1)
    failure_modes: list[Text] = Field(min_length=1)
    out_of_scope: list[Text] = Field(default_factory=list)
    ethical_considerations: list[Text] = Field(default_factory=list)
    contact: Text | None = None
    references: list[Text] = Field(default_factory=list)
