"""A model's fairness policy: favourable outcomes, reference groups, intersections, tests, gates."""

from __future__ import annotations

from typing import Literal

from pydantic import Field, field_validator

from steward.registry._base import Column, Strict

__all__ = ["FairnessMetric", "FairnessPolicy"]

#: Disparity metrics that can be judged (a breach needs significance AND a gap beyond tolerance).
FairnessMetric = Literal[
    "statistical_parity_difference",
    "disparate_impact_ratio",
    "equal_opportunity_difference",
    "false_positive_rate_difference",
    "equalized_odds_difference",
    "average_odds_difference",
]

_DEFAULT_METRICS: tuple[FairnessMetric, ...] = (
    "statistical_parity_difference",
    "disparate_impact_ratio",
    "equal_opportunity_difference",
    "equalized_odds_difference",
)


class FairnessPolicy(Strict):
    """How a model's fairness is measured and judged. Every setting has a documented default.

    Group rates (selection rate, TPR, FPR, ...) are computed for every protected attribute and
    every intersection; each non-reference group is compared with the attribute's reference group.
    "Favourable" is the outcome the person wants (e.g. a loan approved): the selection rate is the
    share of favourable predictions, TPR is the share of favourable predictions among people whose
    true outcome is favourable, as in AIF360.
    """

    #: Prediction value that is favourable for the person (1 in Fairlearn/AIF360's convention; 0 for
    #: a model whose 1 means "decline").
    favourable_prediction: int = 1
    #: Label value that is the favourable true outcome (e.g. 0 = did not default).
    favourable_label: int = 1
    #: ``prediction``: use the model's prediction column; ``score``: predict 1 when
    #: ``score >= thresholds.decision`` (for logs that only carry a score).
    decide_by: Literal["prediction", "score"] = "prediction"
    #: Reference group per attribute (e.g. ``{sex: M}``); default: the attribute's largest group in
    #: the window. For an intersection, the joined references when every part has one, else the largest cell.
    reference_groups: dict[Column, str] = Field(default_factory=dict)
    #: Intersections to evaluate, each a list of protected attributes; default (``null``): every
    #: pair of protected attributes. ``[]`` turns intersections off.
    intersections: list[list[Column]] | None = None
    #: Family-wise (Holm) or false-discovery (BH) level over all judged tests of a model's night.
    alpha: float = Field(default=0.05, gt=0, lt=1)
    #: Multiple-testing correction across groups x metrics in one night.
    correction: Literal["holm", "benjamini_hochberg"] = "holm"
    #: Coverage of the intervals stored with every rate and gap.
    confidence: float = Field(default=0.95, gt=0.5, lt=1)
    #: Disparity metrics that can breach. Others are stored with intervals, verdict ``info``.
    metrics: list[FairnessMetric] = Field(default_factory=lambda: list(_DEFAULT_METRICS))
    #: ``both``: a gap beyond tolerance in either direction can breach. ``disadvantage``: only gaps
    #: where the group is less favoured than its reference (adverse impact, as in the four-fifths
    #: rule); gaps in the group's favour are kept with verdict ``ok`` and a note.
    direction: Literal["both", "disadvantage"] = "both"
    #: Disparate impact breaches outside ``[four_fifths, 1 / four_fifths]`` (the four-fifths rule).
    four_fifths: float = Field(default=0.8, gt=0, lt=1)
    #: Score bins for calibration within group (mean score vs observed rate of label 1).
    calibration_bins: int = Field(default=10, ge=2, le=100)
    #: Power at which the smallest detectable gap of a too-small group is reported.
    power: float = Field(default=0.8, gt=0, lt=1)
    #: Gate for risk tier ``high``: tolerance multiplied by this factor (stricter) ...
    high_risk_tolerance_factor: float = Field(default=0.5, gt=0, le=1)
    #: ... significance level used by the gate (larger = flags smaller evidence) ...
    high_risk_alpha: float = Field(default=0.10, gt=0, lt=1)
    #: ... and every judged gap must be shown small: its interval's far end within the tolerance, and
    #: no judged comparison may lack data (a candidate cannot pass on too little evidence).
    high_risk_require_demonstrated: bool = True
    #: What a high-risk gate with no breach but fairness not demonstrated (comparisons lacking data or
    #: intervals reaching beyond the tolerance) does, when ``high_risk_require_demonstrated`` checks it:
    #: ``ask_approver`` sends the candidate to the person who approves it, with that caveat stated
    #: (high-risk models are never promoted automatically); ``reject`` rejects it. A breach always rejects.
    high_risk_undemonstrated: Literal["ask_approver", "reject"] = "ask_approver"
    #: Proxy check of training data: a feature whose association with a protected attribute
    #: (Cramer's V for categoricals, correlation ratio eta for numerics) reaches this is flagged.
    proxy_threshold: float = Field(default=0.3, gt=0, le=1)

    @field_validator("intersections")
    @classmethod
    def _pairs_at_least(cls, value: list[list[str]] | None) -> list[list[str]] | None:
        for combo in value or []:
            if len(combo) < 2 or len(set(combo)) != len(combo):
                raise ValueError(
                    f"intersection {combo} must list at least two different protected attributes"
                )
        return value
