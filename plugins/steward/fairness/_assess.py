"""Bias assessment of a training dataset version: representation, base rates, missingness, proxies.

Two aggregations in the warehouse (a grouped profile and attribute x category contingency counts);
Python computes shares and rates with Wilson intervals, Cramer's V for categorical features and the
correlation ratio (eta) for numeric features, from those counts only.

A feature is a *proxy* of a protected attribute when its association reaches
``fairness.proxy_threshold`` (default 0.3): Cramer's V ``sqrt(chi2 / (n (min(r, c) - 1)))`` for a
categorical feature (missing values as their own category), eta ``sqrt(SS_between / SS_total)`` for a
numeric one (0: the group means are equal; 1: the attribute determines the value). 0.3 is the usual
"moderate association" mark (Cohen 1988, for V with 1 df and for eta): strong enough that a model can
rebuild much of the attribute from the feature.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Mapping, Sequence
from typing import Any

import numpy as np
import numpy.typing as npt
import pyarrow as pa

from steward.fairness._counts import ALL, JOIN, UNKNOWN, attribute_sets
from steward.fairness._evaluate import _table
from steward.fairness._stats import wilson_interval
from steward.registry import Model
from steward.warehouse import Warehouse, quote_ident, render_sql

__all__ = ["assess_training_data", "cramers_v", "correlation_ratio", "write_bias_assessment"]


def cramers_v(table: npt.ArrayLike) -> float:
    """Cramer's V of a contingency table of counts (rows and columns that are all zero are dropped).

    Examples
    --------
    >>> round(cramers_v([[30, 10], [10, 30]]), 4)
    0.5
    """
    t = np.asarray(table, dtype=float)
    t = t[t.sum(axis=1) > 0][:, t.sum(axis=0) > 0]
    if t.shape[0] < 2 or t.shape[1] < 2:
        return float("nan")
    n = t.sum()
    expected = np.outer(t.sum(axis=1), t.sum(axis=0)) / n
    chi2 = float(((t - expected) ** 2 / expected).sum())
    return float(np.sqrt(chi2 / (n * (min(t.shape) - 1))))


def correlation_ratio(counts: Sequence[float], sums: Sequence[float], sumsqs: Sequence[float]) -> float:
    """Correlation ratio eta of a numeric variable across groups, from per-group count, sum, sum of squares.

    Examples
    --------
    >>> round(correlation_ratio([2, 2], [2.0, 6.0], [2.0, 18.0]), 4)  # groups (1, 1) and (3, 3)
    1.0
    """
    n = np.asarray(counts, dtype=float)
    s = np.asarray(sums, dtype=float)
    ss = np.asarray(sumsqs, dtype=float)
    keep = n > 0
    n, s, ss = n[keep], s[keep], ss[keep]
    total = n.sum()
    if n.size < 2 or total == 0:
        return float("nan")
    grand = s.sum() / total
    between = float((n * (s / n - grand) ** 2).sum())
    within_total = float(ss.sum() - total * grand**2)
    if within_total <= 1e-12 * max(1.0, abs(float(ss.sum()))):
        return float("nan")  # the feature is constant
    return float(np.sqrt(min(max(between / within_total, 0.0), 1.0)))


def _numeric(t: pa.DataType) -> bool:
    return (pa.types.is_integer(t) or pa.types.is_floating(t) or pa.types.is_decimal(t)) and not (
        pa.types.is_boolean(t)
    )


def assess_training_data(
    wh: Warehouse,
    model: Model,
    *,
    source_sql: str,
    dataset_version: str,
    run_id: str,
) -> list[dict[str, Any]]:
    """Assess a training dataset version for bias before a model is trained or registered on it.

    Parameters
    ----------
    wh
        The warehouse that runs the aggregations.
    model
        The registered model: protected attributes, features, ``fairness`` policy, thresholds.
    source_sql
        A query over the training rows whose columns include the protected attributes, the model's
        features (those present are assessed) and ``label`` (0/1, NULL allowed).
    dataset_version
        The version assessed (partition of ``bias_assessment``), e.g. ``"v1"``.
    run_id
        Stored with each row.

    Returns
    -------
    list of dict
        Rows of ``bias_assessment`` (without ``computed_at``): per attribute x group
        ``group_share``, ``group_size``, ``label_base_rate``, ``missing_rate`` per feature; per attribute
        x feature (group ``'*'``) ``proxy_cramers_v`` or ``proxy_correlation_ratio``.

    Raises
    ------
    ValueError
        The model has no protected attributes, or the source lacks one of them or ``label``.

    Examples
    --------
    >>> rows = assess_training_data(  # doctest: +SKIP
    ...     wh, model, source_sql=sql, dataset_version="v1", run_id="r1"
    ... )
    >>> [r for r in rows if r["verdict"] == "flagged"][0]["check_name"]  # doctest: +SKIP
    'proxy_correlation_ratio'
    """
    protected = list(model.protected_attributes)
    if not protected:
        raise ValueError(
            f"model {model.name!r} (include/governance.yaml) declares no protected_attributes: "
            "nothing to assess"
        )
    schema = wh.fetch_arrow(f"select * from ({source_sql}) s limit 0").schema
    missing = [c for c in [*protected, "label"] if c not in schema.names]
    if missing:
        raise ValueError(
            f"bias assessment of model {model.name!r} dataset version {dataset_version!r}: the source lacks "
            f"columns {missing}; it needs the protected attributes and 'label' (0/1, NULL allowed)"
        )
    features = [f for f in model.features if f in schema.names and f not in protected]
    numeric = {f for f in features if _numeric(schema.field(f).type)}
    base = {"model": model.name, "dataset_version": dataset_version, "run_id": run_id}
    rows: list[dict[str, Any]] = []
    profile = wh.fetch(_profile_sql(model, source_sql, features, numeric))
    _profile_rows(rows, base, profile, model, features, numeric)
    categorical = [f for f in features if f not in numeric]
    if categorical:
        crossed = wh.fetch(_contingency_sql(model, source_sql, categorical))
        _cramers_rows(rows, base, crossed, model, categorical)
    return rows


def _common_parts(model: Model) -> dict[str, str]:
    protected = list(model.protected_attributes)
    return {
        "group_columns": ",\n        ".join(
            f"coalesce(cast({quote_ident(a)} as varchar), '{UNKNOWN}') as g_{i}"
            for i, a in enumerate(protected)
        ),
        "grouping_flags": ",\n        ".join(
            f"grouping(g_{i}) as grouped_{i}" for i in range(len(protected))
        ),
        "group_keys": ", ".join(f"g_{i}" for i in range(len(protected))),
    }


def _profile_sql(model: Model, source_sql: str, features: list[str], numeric: set[str]) -> str:
    protected = list(model.protected_attributes)
    index = {a: i for i, a in enumerate(protected)}
    sets = ["(" + ", ".join(f"g_{index[a]}" for a in combo) + ")" for combo in attribute_sets(model)] + ["()"]
    cols, aggs = [], []
    for j, f in enumerate(features):
        expr = f"cast({quote_ident(f)} as double precision)" if f in numeric else quote_ident(f)
        cols.append(f"{expr} as f_{j}")
        aggs.append(f"count(f_{j}) as present_{j}")
        if f in numeric:
            aggs += [f"sum(f_{j}) as sum_{j}", f"sum(f_{j} * f_{j}) as sumsq_{j}"]
    return render_sql(
        "fairness/assess_training_data.sql.j2",
        source_sql=source_sql,
        favourable_label=int(model.fairness.favourable_label),
        feature_columns=",\n        ".join(cols) or "0 as no_feature",
        feature_aggregates=",\n        ".join(aggs) or "0 as no_feature",
        grouping_sets=", ".join(sets),
        **_common_parts(model),
    )


def _contingency_sql(model: Model, source_sql: str, categorical: list[str]) -> str:
    protected = list(model.protected_attributes)
    return render_sql(
        "fairness/compute_proxy_contingency.sql.j2",
        source_sql=source_sql,
        category_columns=",\n        ".join(
            f"coalesce(cast({quote_ident(f)} as varchar), 'missing') as c_{j}"
            for j, f in enumerate(categorical)
        ),
        category_flags=",\n        ".join(
            f"grouping(c_{j}) as cgrouped_{j}" for j in range(len(categorical))
        ),
        category_keys=", ".join(f"c_{j}" for j in range(len(categorical))),
        grouping_sets=", ".join(
            f"(g_{i}, c_{j})" for i in range(len(protected)) for j in range(len(categorical))
        ),
        **_common_parts(model),
    )


def _label(row: Mapping[str, Any], model: Model) -> tuple[str, str]:
    protected = list(model.protected_attributes)
    present = [i for i in range(len(protected)) if int(row[f"grouped_{i}"]) == 0]
    if not present:
        return ALL, ALL
    names = {tuple(sorted(c)): c for c in attribute_sets(model)}
    combo = names[tuple(sorted(protected[i] for i in present))]
    return JOIN.join(combo), JOIN.join(str(row[f"g_{protected.index(a)}"]) for a in combo)


def _out(
    rows: list[dict[str, Any]],
    base: dict[str, Any],
    *,
    attribute: str,
    group_value: str,
    check: str,
    value: float | None,
    n: int | None,
    verdict: str,
    feature: str | None = None,
    ci: tuple[float, float] | None = None,
    threshold: float | None = None,
    note: str = "",
) -> None:
    def clean(v: float | None) -> float | None:
        return None if v is None or not np.isfinite(v) else float(v)

    rows.append(
        {
            **base,
            "attribute": attribute,
            "group_value": group_value,
            "feature": feature,
            "check_name": check,
            "value": clean(value),
            "ci_low": clean(ci[0]) if ci else None,
            "ci_high": clean(ci[1]) if ci else None,
            "n": n,
            "threshold": threshold,
            "verdict": verdict,
            "note": note,
        }
    )


def _profile_rows(
    rows: list[dict[str, Any]],
    base: dict[str, Any],
    profile: list[dict[str, Any]],
    model: Model,
    features: list[str],
    numeric: set[str],
) -> None:
    min_size = model.thresholds.min_group_size
    tolerance = model.thresholds.fairness_tolerance
    proxy = model.fairness.proxy_threshold
    by_attr: dict[str, list[tuple[str, dict[str, Any]]]] = {}
    for row in profile:
        attribute, value = _label(row, model)
        by_attr.setdefault(attribute, []).append((value, row))
    overall = by_attr.get(ALL, [(ALL, {"n_rows": 0})])[0][1]
    total = int(overall["n_rows"] or 0)
    overall_missing = {
        f: 1 - int(overall[f"present_{j}"] or 0) / total if total else float("nan")
        for j, f in enumerate(features)
    }
    for attribute, groups in by_attr.items():
        groups.sort(key=lambda item: (-int(item[1]["n_rows"]), item[0]))
        for value, row in groups:
            n = int(row["n_rows"])
            lo, hi = wilson_interval([n], [total])
            small = n < min_size
            _out(
                rows,
                base,
                attribute=attribute,
                group_value=value,
                check="group_share",
                value=n / total,
                n=n,
                ci=(float(lo[0]), float(hi[0])),
                verdict="info",
                note=f"{n} of {total} rows",
            )
            _out(
                rows,
                base,
                attribute=attribute,
                group_value=value,
                check="group_size",
                value=float(n),
                n=n,
                threshold=float(min_size),
                verdict="insufficient_data" if small else "ok",
                note=f"below the minimum group size {min_size}: too few rows to learn or judge this group"
                if small
                else "",
            )
            labelled = int(row["n_labelled"] or 0)
            fav = int(row["label_favourable"] or 0)
            lo, hi = wilson_interval([fav], [labelled])
            _out(
                rows,
                base,
                attribute=attribute,
                group_value=value,
                check="label_base_rate",
                value=fav / labelled if labelled else None,
                n=labelled,
                ci=(float(lo[0]), float(hi[0])) if labelled else None,
                verdict="undefined"
                if labelled == 0
                else ("insufficient_data" if labelled < min_size else "info"),
                note="no labelled rows: base rate undefined"
                if labelled == 0
                else "rate of the favourable label among labelled rows",
            )
            for j, f in enumerate(features):
                missing = n - int(row[f"present_{j}"] or 0)
                rate = missing / n if n else float("nan")
                lo, hi = wilson_interval([missing], [n])
                gap = rate - overall_missing[f]
                flagged = attribute != ALL and not small and abs(gap) > tolerance
                _out(
                    rows,
                    base,
                    attribute=attribute,
                    group_value=value,
                    check="missing_rate",
                    feature=f,
                    value=rate,
                    n=n,
                    ci=(float(lo[0]), float(hi[0])),
                    threshold=tolerance,
                    verdict="insufficient_data"
                    if small and attribute != ALL
                    else ("flagged" if flagged else "ok"),
                    note=f"{gap:+.3f} vs the overall missing rate {overall_missing[f]:.3f}"
                    + ("; differential missingness beyond the fairness tolerance" if flagged else ""),
                )
        if attribute == ALL or JOIN in attribute:
            continue
        for j, f in enumerate(features):
            if f not in numeric:
                continue
            eta = correlation_ratio(
                [int(r[f"present_{j}"] or 0) for _, r in groups],
                [float(r[f"sum_{j}"] or 0.0) for _, r in groups],
                [float(r[f"sumsq_{j}"] or 0.0) for _, r in groups],
            )
            _proxy_row(rows, base, attribute, f, "proxy_correlation_ratio", eta, total, proxy)


def _proxy_row(
    rows: list[dict[str, Any]],
    base: dict[str, Any],
    attribute: str,
    feature: str,
    check: str,
    value: float,
    n: int,
    threshold: float,
) -> None:
    if not np.isfinite(value):
        _out(
            rows,
            base,
            attribute=attribute,
            group_value=ALL,
            check=check,
            feature=feature,
            value=None,
            n=n,
            threshold=threshold,
            verdict="undefined",
            note="undefined: a single group, or the feature is constant",
        )
        return
    flagged = value >= threshold
    _out(
        rows,
        base,
        attribute=attribute,
        group_value=ALL,
        check=check,
        feature=feature,
        value=value,
        n=n,
        threshold=threshold,
        verdict="flagged" if flagged else "ok",
        note=(
            f"{feature!r} is a likely proxy of {attribute!r} (association {value:.2f} >= {threshold:g})"
            if flagged
            else ""
        ),
    )


def _cramers_rows(
    rows: list[dict[str, Any]],
    base: dict[str, Any],
    crossed: list[dict[str, Any]],
    model: Model,
    categorical: list[str],
) -> None:
    protected = list(model.protected_attributes)
    cells: dict[tuple[int, int], dict[tuple[str, str], int]] = {}
    for row in crossed:
        i = next(k for k in range(len(protected)) if int(row[f"grouped_{k}"]) == 0)
        j = next(k for k in range(len(categorical)) if int(row[f"cgrouped_{k}"]) == 0)
        cells.setdefault((i, j), {})[(str(row[f"g_{i}"]), str(row[f"c_{j}"]))] = int(row["n_rows"])
    for (i, j), table in sorted(cells.items()):
        groups = sorted({g for g, _ in table})
        cats = sorted({c for _, c in table})
        matrix = np.array([[table.get((g, c), 0) for c in cats] for g in groups])
        _proxy_row(
            rows,
            base,
            protected[i],
            categorical[j],
            "proxy_cramers_v",
            cramers_v(matrix),
            int(matrix.sum()),
            model.fairness.proxy_threshold,
        )


def write_bias_assessment(
    wh: Warehouse, model: Model, dataset_version: str, rows: list[dict[str, Any]]
) -> int:
    """Replace partition (model, dataset_version) of ``bias_assessment`` with ``rows``; return the count.

    Examples
    --------
    >>> write_bias_assessment(wh, model, "v1", rows)  # doctest: +SKIP
    212
    """
    now = dt.datetime.now(dt.UTC)
    stamped = [{**r, "computed_at": now} for r in rows]
    return wh.replace_partition(
        "bias_assessment", {"model": model.name, "dataset_version": dataset_version}, _table(stamped)
    )
