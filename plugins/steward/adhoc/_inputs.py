"""The checks that make a one-off audit refuse to guess, shared by the fairness and drift audits.

Each check either returns what it found (value counts, a mapping) or raises :class:`AuditInputError`
with one line: the input, the problem, the values actually seen and the fix.
"""

from __future__ import annotations

import difflib
import re
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass
from typing import Any

from steward.registry import Model
from steward.sources import FileFormat, scan_files_sql
from steward.warehouse import quote_ident

__all__ = [
    "AuditInputError",
    "Fetch",
    "BinaryCoding",
    "ValueCount",
    "adhoc_model",
    "adhoc_name",
    "binary_coding",
    "require_columns",
    "safe_column",
    "union_sql",
    "value_counts",
]

Fetch = Callable[[str], Sequence[Mapping[str, object]]]


class AuditInputError(ValueError):
    """A one-off audit's input cannot give a meaningful answer; the message says why and the fix."""


@dataclass(frozen=True)
class ValueCount:
    """A distinct value of a column (trimmed text; None for missing) and how many rows hold it."""

    value: str | None
    n: int


def union_sql(formats: Sequence[FileFormat], *, as_text: bool = False) -> str:
    """Return one relation over every file (``union all by name`` when there are several)."""
    scans = [f"select * from {scan_files_sql(f, as_text=as_text)}" for f in formats]
    return "\nunion all by name\n".join(scans)


def require_columns(columns: Sequence[str], wanted: Mapping[str, str], *, where: str) -> None:
    """Raise unless every column in ``wanted`` (name -> the option that named it) is in ``columns``."""
    for name, option in wanted.items():
        if name in columns:
            continue
        close = difflib.get_close_matches(name, list(columns), n=1)
        hint = f"did you mean {close[0]!r}? " if close else ""
        raise AuditInputError(
            f"{where}: no column {name!r} ({option}); {hint}columns there are: "
            f"{', '.join(columns[:30])}{' ...' if len(columns) > 30 else ''}"
        )


def value_counts(fetch: Fetch, relation: str, column: str, *, limit: int = 12) -> list[ValueCount]:
    """Return the most frequent distinct values of ``column`` (trimmed text), missing ones as None."""
    q = quote_ident(column)
    rows = fetch(
        f"select nullif(trim(cast({q} as varchar)), '') as v, count(*) as n from ({relation}) as r "
        f"group by 1 order by n desc, v limit {int(limit) + 1}"
    )
    return [ValueCount(None if r["v"] is None else str(r["v"]), int(r["n"])) for r in rows]  # type: ignore[call-overload]


def _listing(counts: Sequence[ValueCount], limit: int = 12) -> str:
    shown = [f"{'(missing)' if c.value is None else repr(c.value)} ({c.n:,})" for c in counts[:limit]]
    return ", ".join(shown) + (" ..." if len(counts) > limit else "")


@dataclass(frozen=True)
class BinaryCoding:
    """How a column's two outcomes map to 1 and 0 (1 is ``one``), and which of the two is favourable."""

    column: str
    one: str
    zero: str | None
    favourable_is_one: bool
    numeric: bool

    def sql(self) -> str:
        """Return SQL giving 1, 0, or NULL (missing) for the column."""
        q = f"nullif(trim(cast({quote_ident(self.column)} as varchar)), '')"
        if self.numeric:
            ones = ", ".join(f"'{v}'" for v in sorted(_TRUE))
            zeros = ", ".join(f"'{v}'" for v in sorted(_FALSE))
            return f"case when lower({q}) in ({ones}) then 1 when lower({q}) in ({zeros}) then 0 end"
        zero = "" if self.zero is None else f" when {q} = '{self.zero.replace(chr(39), chr(39) * 2)}' then 0"
        return f"case when {q} = '{self.one.replace(chr(39), chr(39) * 2)}' then 1{zero} end"


_TRUE = {"1", "1.0", "true", "t"}
_FALSE = {"0", "0.0", "false", "f"}


def binary_coding(
    counts: Sequence[ValueCount], *, column: str, option: str, favourable: str | None, limit: int = 12
) -> BinaryCoding:
    """Decide how ``column``'s values are 1/0, refusing anything that is not two declared outcomes.

    Numeric 0/1 (or true/false) columns keep their coding; ``favourable`` (default 1) says which is
    favourable. Any other two values (``yes``/``no``, ``>50K``/``<=50K``) need ``favourable`` to name one;
    the favourable value is then coded 1. A third value, or a ``favourable`` that is not among the values,
    is an error listing the values seen and their counts.
    """
    seen = [c for c in counts if c.value is not None]
    if len(counts) > limit:
        raise AuditInputError(
            f"{option} column {column!r} has more than {limit} distinct values ({_listing(counts)}): "
            "a fairness audit needs two outcomes; pass a 0/1 column"
        )
    if not seen:
        raise AuditInputError(f"{option} column {column!r} holds no values (every row is missing)")
    values = {c.value for c in seen}
    lowered = {str(v).lower() for v in values}
    if lowered <= _TRUE | _FALSE:
        fav = "1" if favourable is None else favourable.strip().lower()
        if fav not in _TRUE | _FALSE:
            raise AuditInputError(
                f"--favourable {favourable!r} is not a value of {option} column {column!r} "
                f"(values seen: {_listing(counts)})"
            )
        return BinaryCoding(column, "1", "0", fav in _TRUE, numeric=True)
    if len(values) > 2:
        raise AuditInputError(
            f"{option} column {column!r} has {len(values)} values ({_listing(counts)}): a fairness audit "
            "needs exactly two outcomes; map the others to one of them first"
        )
    if favourable is None:
        raise AuditInputError(
            f"{option} column {column!r} has values {_listing(counts)}: say which one is the favourable "
            "outcome with --favourable VALUE (nothing is assumed)"
        )
    fav = favourable.strip()
    if fav not in values:
        raise AuditInputError(
            f"--favourable {favourable!r} is not a value of {option} column {column!r} "
            f"(values seen: {_listing(counts)})"
        )
    other = next((v for v in values if v != fav), None)
    return BinaryCoding(column, fav, other, favourable_is_one=True, numeric=False)


def safe_column(name: str, taken: set[str]) -> str:
    """Return a column name made of letters, digits and underscores for ``name`` (unique in ``taken``)."""
    out = re.sub(r"[^A-Za-z0-9_]", "_", name.strip()) or "column"
    if not re.match(r"[A-Za-z_]", out):
        out = "_" + out
    out = out[:60]
    base, i = out, 2
    while out in taken:
        out, i = f"{base}_{i}", i + 1
    taken.add(out)
    return out


def adhoc_name(name: str | None, files: Sequence[str]) -> str:
    """Return the name a one-off run is stored under: ``adhoc-<name>``, never a model's name.

    Registered names are lowercase snake case; the ``adhoc-`` prefix has a dash, so one-off results
    can never replace a nightly model's rows.
    """
    from pathlib import Path

    base = name or Path(files[0]).stem
    slug = re.sub(r"[^a-z0-9_]+", "_", base.lower()).strip("_") or "audit"
    return f"adhoc-{slug[:50]}"


def adhoc_model(
    stored_as: str,
    *,
    description: str,
    owner: str,
    features: Sequence[str],
    prediction: str = "steward_row",
    score: str | None = None,
    **policy: Any,
) -> Model:
    """Return the registry model a one-off run amounts to, named ``stored_as`` (``adhoc-<name>``).

    A one-off run has no id or timestamp columns; ``policy`` sets the other fields (protected
    attributes, thresholds, fairness). The model is validated under a placeholder name, then renamed:
    ``adhoc-`` names are deliberately not valid registry names.
    """
    from steward.registry import ModelColumns

    model = Model(
        name="adhoc",
        description=description,
        owner=owner,
        business_unit="adhoc",
        risk_tier="limited",
        prediction_log="adhoc",
        columns=ModelColumns(id="steward_row", timestamp="steward_row", prediction=prediction, score=score),
        features=list(features),
        **policy,
    )
    return model.model_copy(update={"name": stored_as})
