"""Building blocks shared by every section of the registry schema."""

from __future__ import annotations

from typing import Annotated

from pydantic import AfterValidator, BaseModel, ConfigDict

from steward.registry._identifiers import check_column, check_name

__all__ = ["Column", "Name", "Strict"]

#: A registry name (snake_case): it reaches SQL, asset names and file names.
Name = Annotated[str, AfterValidator(lambda v: check_name(v, "name"))]
#: A column name (letters, digits, underscores).
Column = Annotated[str, AfterValidator(lambda v: check_column(v, "column"))]


class Strict(BaseModel):
    """A frozen registry model that rejects unknown keys (a typo is an error, never ignored)."""

    model_config = ConfigDict(extra="forbid", frozen=True, str_strip_whitespace=True)
