"""The registry's ``privacy`` section, and what a sensitivity class allows.

PII scans, data-sharing exports, impact assessments, incidents and user feedback are declared here.

:func:`masks_examples` is the one policy every place that shows examples follows (:data:`HIDDEN_EXAMPLES`):
confidential and restricted datasets never show sampled values (data-quality samples, reports);
restricted ones never show row ids either (the review queue's example predictions).
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Sequence
from typing import Literal

from pydantic import Field, model_validator

from steward.registry._base import Column, Name, Strict

__all__ = [
    "DataSharingAgreement",
    "ExampleKind",
    "ExportJob",
    "FeedbackSource",
    "Generalization",
    "HIDDEN_EXAMPLES",
    "ImpactAssessment",
    "IncidentPolicy",
    "MASKED_SENSITIVITY",
    "PiiScan",
    "PrivacyConfig",
    "mask_examples",
    "masks_examples",
]

BreachKind = Literal["drift", "performance", "control_chart", "fairness"]
_PERSISTENT_KINDS: tuple[BreachKind, ...] = ("performance", "fairness")

#: What an example is: sampled ``values`` of a column (data-quality samples, report tables) or row
#: ``ids`` (the review queue's example predictions, pseudonymous keys reviewers look up).
ExampleKind = Literal["values", "ids"]

#: The one policy: per sensitivity class, the kinds of examples that are never shown or stored unmasked.
HIDDEN_EXAMPLES: dict[str, tuple[ExampleKind, ...]] = {
    "public": (),
    "internal": (),
    "confidential": ("values",),
    "restricted": ("values", "ids"),
}

#: Sensitivity classes whose example values are never shown or stored unmasked.
MASKED_SENSITIVITY = tuple(s for s, kinds in HIDDEN_EXAMPLES.items() if "values" in kinds)


def masks_examples(sensitivity: str, *, kind: ExampleKind = "values") -> bool:
    """Return whether a dataset of this sensitivity class hides its examples of this kind.

    Examples
    --------
    >>> masks_examples("internal"), masks_examples("confidential"), masks_examples("restricted")
    (False, True, True)
    >>> masks_examples("confidential", kind="ids"), masks_examples("restricted", kind="ids")
    (False, True)
    """
    return kind in HIDDEN_EXAMPLES[sensitivity]


def mask_examples(values: Sequence[str], *, sensitivity: str, kind: ExampleKind = "values") -> list[str]:
    """Return ``values`` as they may be shown for a dataset of this sensitivity class.

    Counts survive (one mask per value), the values do not.

    Examples
    --------
    >>> mask_examples(["a@x.org", "b@y.org"], sensitivity="restricted")
    ['<masked: restricted>', '<masked: restricted>']
    >>> mask_examples(["L-1"], sensitivity="confidential", kind="ids")
    ['L-1']
    """
    if not masks_examples(sensitivity, kind=kind):
        return [str(v) for v in values]
    return [f"<masked: {sensitivity}>" for _ in values]


class PiiScan(Strict):
    """The nightly PII scan: how many values are sampled per column and when a column counts as PII."""

    #: Rows sampled per dataset (the latest partition, or the snapshot).
    sample_rows: int = Field(default=500, ge=10, le=100_000)
    #: A column is flagged when at least this share of its sampled non-null values match a recognizer.
    min_share: float = Field(default=0.3, gt=0, le=1)
    #: Datasets the scan skips (e.g. billing exports).
    exclude: list[Name] = Field(default_factory=list)


class Generalization(Strict):
    """How one quasi-identifier is coarsened when k is too low: numeric bands or a string prefix."""

    #: Numeric band edges, ascending: a value becomes ``"[lo, hi)"`` (below the first: ``"< first"``,
    #: from the last on: ``">= last"``).
    bands: list[float] | None = None
    #: Keep this many leading characters and replace the rest by ``*`` (e.g. a zip code 94107 -> 941**).
    prefix: int | None = Field(default=None, ge=0)

    @model_validator(mode="after")
    def _one_rule(self) -> Generalization:
        if (self.bands is None) == (self.prefix is None):
            raise ValueError("give exactly one of 'bands' (numeric edges) or 'prefix' (characters kept)")
        if self.bands is not None and (
            len(self.bands) < 1 or any(b >= c for b, c in zip(self.bands, self.bands[1:], strict=False))
        ):
            raise ValueError("'bands' must be at least one edge, strictly ascending")
        return self


class DataSharingAgreement(Strict):
    """The agreement an export is made under: partner, permitted use and expiry."""

    partner: str
    permitted_use: str
    expires: dt.date
    reference: str = ""


class ExportJob(Strict):
    """A dataset shared with a partner, checked for k-anonymity and l-diversity before it leaves."""

    name: Name
    dataset: Name
    agreement: DataSharingAgreement
    #: The columns that leave (default: quasi-identifiers and the sensitive attribute).
    columns: list[Column] = Field(default_factory=list)
    quasi_identifiers: list[Column] = Field(min_length=1)
    sensitive_attribute: Column | None = None
    min_k: int = Field(default=5, ge=1)
    min_l: int = Field(default=1, ge=1)
    #: Declared generalization hierarchies, applied (all of them) when k or l is below the minimum.
    generalize: dict[Column, Generalization] = Field(default_factory=dict)
    #: Where the file goes (a folder; ``<export>_<date>.csv``); default the state folder's ``exports/``.
    destination: str | None = None

    @model_validator(mode="after")
    def _consistent(self) -> ExportJob:
        unknown = sorted(set(self.generalize) - set(self.quasi_identifiers))
        if unknown:
            raise ValueError(f"'generalize' names {unknown}, which are not quasi_identifiers")
        if self.sensitive_attribute in self.quasi_identifiers:
            raise ValueError("the sensitive_attribute cannot also be a quasi-identifier")
        if self.min_l > 1 and self.sensitive_attribute is None:
            raise ValueError("min_l > 1 needs a 'sensitive_attribute'")
        return self


class ImpactAssessment(Strict):
    """An algorithmic impact assessment of a model: harms, mitigations, who reviewed it and when."""

    model: Name
    harms: list[str] = Field(min_length=1)
    mitigations: list[str] = Field(min_length=1)
    reviewer: str
    assessed_on: dt.date
    #: The assessment is current for this many days after ``assessed_on``.
    valid_days: int = Field(default=365, ge=1)
    document: str = ""

    def current_on(self, day: dt.date) -> bool:
        """Return whether the assessment is current on ``day`` (made on or before it, not yet expired)."""
        return self.assessed_on <= day < self.assessed_on + dt.timedelta(days=self.valid_days)


class IncidentPolicy(Strict):
    """When a persistent breach opens an incident, and its severity."""

    #: A monitoring breach (performance or fairness) open this many consecutive nights opens an incident.
    persist_nights: int = Field(default=3, ge=1)
    #: Breach kinds that open incidents.
    breach_kinds: list[BreachKind] = Field(default_factory=lambda: list(_PERSISTENT_KINDS))
    #: A failed data-quality run of a dataset whose severity is critical opens an incident at once.
    failed_critical_dq: bool = True


class FeedbackSource(Strict):
    """A dataset of user feedback on predictions, ingested nightly into ``prediction_feedback``."""

    dataset: Name
    model_column: Column = "model"
    prediction_id_column: Column = "prediction_id"
    issue_column: Column = "issue"
    reported_at_column: Column | None = None


class PrivacyConfig(Strict):
    """The registry's ``privacy`` section."""

    pii_scan: PiiScan = PiiScan()
    #: Columns known to hold personal data, per dataset (``{dataset: [column, ...]}``): the scan reports
    #: them as declared; any other column it flags is undeclared PII.
    declared_pii: dict[Name, list[Column]] = Field(default_factory=dict)
    exports: list[ExportJob] = Field(default_factory=list)
    impact_assessments: list[ImpactAssessment] = Field(default_factory=list)
    incidents: IncidentPolicy = IncidentPolicy()
    feedback: list[FeedbackSource] = Field(default_factory=list)

    def export(self, name: str) -> ExportJob:
        """Return the export called ``name``, or raise ``KeyError`` listing the declared ones."""
        for e in self.exports:
            if e.name == name:
                return e
        declared = [e.name for e in self.exports]
        raise KeyError(f"export {name!r} is not declared under privacy.exports; declared: {declared}")
