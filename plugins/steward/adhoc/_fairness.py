"""A fairness audit of scored files, without a registry: the columns are named on the command line.

The audit reads the files with an in-memory DuckDB (recognized by content), checks that the inputs can
mean something (two declared outcomes, a non-degenerate decision rule, real groups), builds the same
per-group counts and metrics as the nightly fairness evaluation, and stores the result under the
name space ``adhoc-<name>``, so a one-off run never replaces a nightly model's rows.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any

from steward.adhoc._inputs import (
    AuditInputError,
    BinaryCoding,
    Fetch,
    adhoc_model,
    adhoc_name,
    binary_coding,
    require_columns,
    safe_column,
    union_sql,
    value_counts,
)
from steward.registry import Model
from steward.sources import FileFormat
from steward.warehouse import Warehouse, quote_ident

__all__ = ["FairnessAudit", "PreparedFairnessAudit", "prepare_fairness_audit"]

#: A decision rule that makes at least this share (or at most 1 - it) of rows positive is refused.
DEGENERATE_SHARE = 0.99


@dataclass(frozen=True)
class FairnessAudit:
    """What the person asked for: files and the roles of their columns.

    Attributes
    ----------
    formats
        The files, as :func:`steward.sources.sniff_file` recognized them.
    label
        The true outcome column.
    groups
        Protected-attribute columns (one or more).
    prediction
        The decision column; or give ``score`` and ``threshold`` (``score >= threshold`` is positive,
        on the score's own scale: a risk decile 1..10 with threshold 5 works).
    reference
        Reference group per attribute (default: the largest group).
    favourable
        Which outcome value is favourable for the person; needed unless the columns are 0/1.
    name
        Stored as ``adhoc-<name>`` (default: the first file's name).
    allow_degenerate
        Run even when the decision rule makes (almost) every row positive or negative.
    """

    formats: tuple[FileFormat, ...]
    label: str
    groups: tuple[str, ...]
    prediction: str | None = None
    score: str | None = None
    threshold: float | None = None
    reference: Mapping[str, str] = field(default_factory=dict)
    favourable: str | None = None
    name: str | None = None
    allow_degenerate: bool = False
    min_group_size: int = 30
    tolerance: float = 0.1


@dataclass(frozen=True)
class PreparedFairnessAudit:
    """A checked audit: the model it amounts to, the SQL over the files and what the user must know."""

    model: Model
    source_sql: str
    score_column: str | None
    warnings: tuple[str, ...]
    options: dict[str, Any]


def prepare_fairness_audit(audit: FairnessAudit, engine: Warehouse) -> PreparedFairnessAudit:
    """Check ``audit``'s inputs against the files (read by ``engine``) and build what the evaluation needs.

    Raises
    ------
    AuditInputError
        A missing column, outcomes that are not two declared values, a degenerate decision rule, a
        protected attribute without two groups, a score that is not a finite number, an unknown
        reference group. One line each, naming the column, the values seen and the fix.
    """
    if (audit.prediction is None) == (audit.score is None):
        raise AuditInputError("give either --prediction COLUMN or --score COLUMN with --threshold T")
    if audit.score is not None and audit.threshold is None:
        raise AuditInputError(
            f"--score {audit.score!r} needs --threshold T (score >= T is a positive decision)"
        )
    if not audit.groups:
        raise AuditInputError("name at least one protected attribute with --group COLUMN")
    files = [f.path for f in audit.formats]
    where = files[0] if len(files) == 1 else f"{files[0]} (+{len(files) - 1} files)"
    columns = list(dict.fromkeys(c for f in audit.formats for c in f.columns))
    wanted = {audit.label: "--label", **{g: "--group" for g in audit.groups}}
    wanted |= {audit.prediction: "--prediction"} if audit.prediction else {audit.score or "": "--score"}
    require_columns(columns, wanted, where=where)
    unknown_refs = sorted(set(audit.reference) - set(audit.groups))
    if unknown_refs:
        raise AuditInputError(
            f"--reference names {unknown_refs}, which are not --group columns ({', '.join(audit.groups)})"
        )
    base = union_sql(audit.formats, as_text=True)  # outcomes as written: `yes` is not silently `true`
    fetch = engine.fetch
    warnings = [f.note for f in audit.formats if f.note]

    label_counts = value_counts(fetch, base, audit.label)
    label = binary_coding(label_counts, column=audit.label, option="--label", favourable=audit.favourable)
    seen = [c for c in label_counts if c.value is not None]
    if len(seen) == 1:
        warnings.append(
            f"label {audit.label!r} has a single value ({seen[0].value!r}): error-rate metrics are undefined"
        )
    missing_labels = sum(c.n for c in label_counts if c.value is None)
    if missing_labels:
        warnings.append(f"{missing_labels:,} rows have no label: label-based metrics leave them out")

    taken = {"steward_prediction", "steward_score", "label"}
    group_cols: dict[str, str] = {}
    references: dict[str, str] = {}
    for g in audit.groups:
        counts = value_counts(fetch, base, g, limit=1000)
        present = [c for c in counts if c.value is not None]
        if not present:
            raise AuditInputError(
                f"protected attribute {g!r} is empty (every row is missing): pass a column with groups"
            )
        if len(present) == 1:
            raise AuditInputError(
                f"protected attribute {g!r} has a single group ({present[0].value!r}, "
                f"{present[0].n:,} rows): nothing to compare; pass a column with two or more groups"
            )
        nulls = sum(c.n for c in counts if c.value is None)
        if nulls:
            warnings.append(f"{nulls:,} rows have no {g!r}: counted as group 'unknown'")
        safe = safe_column(g, taken)
        group_cols[g] = safe
        if g in audit.reference:
            ref = audit.reference[g].strip()
            if ref not in {c.value for c in present}:
                groups = ", ".join(f"{c.value!r} ({c.n:,})" for c in present[:12])
                raise AuditInputError(f"--reference {g}={ref!r}: no such group; groups are {groups}")
            references[safe] = ref

    score_sql, score_column, decision_sql = None, None, ""
    if audit.prediction is not None:
        pred_counts = value_counts(fetch, base, audit.prediction)
        prediction = binary_coding(
            pred_counts,
            column=audit.prediction,
            option="--prediction",
            favourable=_favourable_for_prediction(audit, label),
        )
        if prediction.numeric != label.numeric:
            raise AuditInputError(
                f"--prediction {audit.prediction!r} and --label {audit.label!r} code outcomes differently "
                f"(one 0/1, the other text): use the same values in both"
            )
        decision_sql = prediction.sql()
        rule = f"prediction column {audit.prediction!r}"
    else:
        assert audit.score is not None and audit.threshold is not None
        score_sql = _checked_score(fetch, base, audit.score)
        # score >= T predicts 1: the label's 1 (0/1 labels) or its favourable value (text labels)
        decision_sql = f"case when {score_sql} >= {float(audit.threshold)!r} then 1 else 0 end"
        rule = f"{audit.score} >= {audit.threshold:g}"
    share_row = fetch(
        f"select count(*) as n, avg(cast(({decision_sql}) as double precision)) as share from ({base}) as r"
    )[0]
    share = float(share_row["share"] or 0.0)  # type: ignore[arg-type]
    if share >= DEGENERATE_SHARE or share <= 1 - DEGENERATE_SHARE:
        scale = ""
        if score_sql is not None:
            lo_hi = fetch(f"select min({score_sql}) as lo, max({score_sql}) as hi from ({base}) as r")[0]
            scale = f" (scores range {lo_hi['lo']:g} .. {lo_hi['hi']:g})"
        message = f"decision rule {rule} makes {share:.1%} of rows positive{scale}: a degenerate classifier"
        fix = "check the prediction column" if score_sql is None else "fix the threshold"
        if score_sql is not None:
            message += ", usually a threshold on the wrong scale"
        if not audit.allow_degenerate:
            raise AuditInputError(f"{message}; {fix} or pass --allow-degenerate")
        warnings.append(message)
    if score_sql is not None:
        lo_hi = fetch(f"select min({score_sql}) as lo, max({score_sql}) as hi from ({base}) as r")[0]
        if float(lo_hi["lo"]) >= 0 and float(lo_hi["hi"]) <= 1:  # type: ignore[arg-type]
            score_column = "steward_score"
        else:
            warnings.append(
                f"calibration within group skipped: score {audit.score!r} ranges "
                f"{lo_hi['lo']:g} .. {lo_hi['hi']:g}, not a probability"
            )

    select = [
        *(
            f"nullif(trim(cast({quote_ident(g)} as varchar)), '') as {quote_ident(s)}"
            for g, s in group_cols.items()
        ),
        f"{decision_sql} as steward_prediction",
        f"{score_sql if score_column else 'cast(null as double precision)'} as steward_score",
        f"{label.sql()} as label",
    ]
    source_sql = "select " + ",\n    ".join(select) + f"\nfrom ({base}) as r"
    favourable = 1 if label.favourable_is_one else 0
    model = _model(audit, list(group_cols.values()), references, favourable, score_column, files)
    options = {
        "files": files,
        "label": audit.label,
        "groups": list(audit.groups),
        "decision": rule,
        "favourable": audit.favourable,
        "coding": {"one": label.one, "zero": label.zero, "favourable": favourable},
        "reference": dict(audit.reference),
    }
    return PreparedFairnessAudit(model, source_sql, score_column, tuple(warnings), options)


def _favourable_for_prediction(audit: FairnessAudit, label: BinaryCoding) -> str | None:
    if label.numeric:
        return audit.favourable
    return label.one


def _checked_score(fetch: Fetch, base: str, score: str) -> str:
    q = quote_ident(score)
    as_number = f"try_cast(nullif(trim(cast({q} as varchar)), '') as double precision)"
    row = fetch(
        f"select count({q}) as present, count({as_number}) as numbers, "
        f"count(case when isfinite({as_number}) then 1 end) as finite from ({base}) as r"
    )[0]
    bad = int(row["present"]) - int(row["finite"])  # type: ignore[call-overload]
    if bad:
        examples = fetch(
            f"select distinct cast({q} as varchar) as v from ({base}) as r "
            f"where {q} is not null and not coalesce(isfinite({as_number}), false) limit 3"
        )
        shown = ", ".join(repr(e["v"]) for e in examples)
        raise AuditInputError(
            f"--score column {score!r}: {bad:,} values are not finite numbers (e.g. {shown}); "
            "clean them or drop those rows"
        )
    missing = fetch(f"select count(*) - count({q}) as n from ({base}) as r")[0]["n"]
    if missing:
        raise AuditInputError(
            f"--score column {score!r}: {missing:,} rows have no score; drop them or fill them in"
        )
    return as_number


def _model(
    audit: FairnessAudit,
    groups: Sequence[str],
    references: dict[str, str],
    favourable: int,
    score_column: str | None,
    files: Sequence[str],
) -> Model:
    from steward.registry import FairnessPolicy, ModelThresholds

    return adhoc_model(
        adhoc_name(audit.name, files),
        description=f"one-off fairness audit of {', '.join(files)}",
        owner="steward fairness audit",
        features=groups,
        prediction="steward_prediction",
        score=score_column,
        protected_attributes=list(groups),
        thresholds=ModelThresholds(min_group_size=audit.min_group_size, fairness_tolerance=audit.tolerance),
        fairness=FairnessPolicy(
            favourable_prediction=favourable,
            favourable_label=favourable,
            decide_by="prediction",
            reference_groups=references,
        ),
    )
