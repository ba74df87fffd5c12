"""k-anonymity and l-diversity measured in SQL, and declared generalization hierarchies.

Both measures come from one group-by over the quasi-identifiers inside the engine
(``include/sql/governance/measure_anonymity.sql.j2``); only three numbers come back. A generalization
rewrites a quasi-identifier in SQL: numeric ``bands`` become labelled intervals, ``prefix`` keeps the
first characters of a code and masks the rest.
"""

from __future__ import annotations

import itertools
from collections.abc import Mapping, Sequence
from dataclasses import dataclass

from steward.registry import Generalization
from steward.warehouse import Warehouse, quote_ident, render_sql

__all__ = ["Anonymity", "generalized_sql", "measure_anonymity"]


@dataclass(frozen=True)
class Anonymity:
    """The measured anonymity of a relation: ``k`` and ``l`` are ``None`` when it has no rows."""

    k: int | None
    l: int | None  # noqa: E741 - the name of the measure
    equivalence_classes: int
    row_count: int


def measure_anonymity(
    engine: Warehouse,
    source_sql: str,
    *,
    quasi_identifiers: Sequence[str],
    sensitive_attribute: str | None = None,
) -> Anonymity:
    """Return k (smallest equivalence class) and l (fewest distinct sensitive values in a class).

    Parameters
    ----------
    engine
        The engine that runs ``source_sql`` (a DuckDB scan engine or the warehouse).
    source_sql
        The rows to measure.
    quasi_identifiers
        The columns an attacker may link with other data (age, zip code, sex...).
    sensitive_attribute
        The column whose values must stay diverse within a class; without it ``l`` is ``None``.

    Examples
    --------
    >>> rows = "select * from (values (30, 'a', 'x'), (30, 'a', 'y'), (41, 'b', 'x')) t(age, zip, dx)"
    >>> measure_anonymity(wh, rows, quasi_identifiers=["age"], sensitive_attribute="dx")  # doctest: +SKIP
    Anonymity(k=1, l=1, equivalence_classes=2, row_count=3)
    """
    if not quasi_identifiers:
        raise ValueError("k-anonymity needs at least one quasi-identifier")
    sql = render_sql(
        "governance/measure_anonymity.sql.j2",
        source_sql=source_sql,
        quasi_identifiers=", ".join(quote_ident(c) for c in quasi_identifiers),
        sensitive_distinct=(
            f"count(distinct {quote_ident(sensitive_attribute)})"
            if sensitive_attribute
            else "cast(null as bigint)"
        ),
    )
    (row,) = engine.fetch(sql)
    k = row["k_anonymity"]
    l_value = row["l_diversity"]
    return Anonymity(
        k=int(k) if k is not None else None,  # type: ignore[call-overload]
        l=int(l_value) if l_value is not None else None,  # type: ignore[call-overload]
        equivalence_classes=int(row["equivalence_classes"]),  # type: ignore[call-overload]
        row_count=int(row["row_count"]),  # type: ignore[call-overload]
    )


def _number(x: float) -> str:
    return repr(float(x)) if not float(x).is_integer() else str(int(x))


def _generalize(column: str, rule: Generalization) -> str:
    q = quote_ident(column)
    if rule.prefix is not None:
        text = f"cast({q} as varchar)"
        return (
            f"case when {q} is null then null else substr({text}, 1, {rule.prefix}) || "
            f"repeat('*', greatest(length({text}) - {rule.prefix}, 0)) end"
        )
    assert rule.bands is not None
    edges = rule.bands
    x = f"cast({q} as double precision)"
    whens = [f"when {x} < {_number(edges[0])} then '< {_number(edges[0])}'"]
    whens += [
        f"when {x} < {_number(hi)} then '[{_number(lo)}, {_number(hi)})'"
        for lo, hi in itertools.pairwise(edges)
    ]
    whens.append(f"when {x} >= {_number(edges[-1])} then '>= {_number(edges[-1])}'")
    return "case " + " ".join(whens) + " end"


def generalized_sql(source_sql: str, columns: Sequence[str], rules: Mapping[str, Generalization]) -> str:
    """Return SQL selecting ``columns`` from ``source_sql``, with each column in ``rules`` generalized.

    Examples
    --------
    >>> print(generalized_sql("select * from t", ["zip"], {"zip": Generalization(prefix=2)}))
    select case when "zip" is null then null else substr(cast("zip" as varchar), 1, 2) || repeat('*', \
greatest(length(cast("zip" as varchar)) - 2, 0)) end as "zip" from (select * from t) as g
    """
    parts = [
        f"{_generalize(c, rules[c])} as {quote_ident(c)}" if c in rules else quote_ident(c) for c in columns
    ]
    return f"select {', '.join(parts)} from ({source_sql}) as g"
