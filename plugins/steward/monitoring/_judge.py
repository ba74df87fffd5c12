"""Judge drift per column from a reference profile and a window's counts.

The rule (``docs/monitoring.md``): a column drifts only when its distribution test is significant
after Benjamini-Hochberg control across all of the model's columns that night (q < alpha) **and**
its effect size reaches the threshold. Missing values and categories the reference never saw are
separate signals with their own thresholds: they are left out of the distribution test, so they can
neither trigger nor hide distribution drift. Invalid values of a numeric column (NaN, +/-inf, text
that is not a number) are counted apart from missing ones, kept out of the bins and the mean, noted
in the verdict's message, and raise their own alert when their share rises like missing values do.
"""

from __future__ import annotations

import json
from collections.abc import Sequence
from dataclasses import dataclass, replace

import numpy as np

from steward.drift import NumericProfile, benjamini_hochberg, default_method, get_method
from steward.monitoring._aggregate import ColumnCounts, ColumnProfile
from steward.registry import MonitoringPolicy

__all__ = ["ColumnDrift", "apply_fdr", "judge_column", "missing_column"]


@dataclass(frozen=True)
class ColumnDrift:
    """The drift verdict of one column in one window, with its evidence (a ``drift_metrics`` row)."""

    feature: str
    role: str
    column_type: str | None
    status: str
    significance_method: str | None = None
    statistic: float | None = None
    p_value: float | None = None
    q_value: float | None = None
    effect_method: str | None = None
    effect_size: float | None = None
    effect_threshold: float | None = None
    alpha: float | None = None
    significant: bool | None = None
    drifted: bool = False
    n_reference: int | None = None
    n_current: int | None = None
    missing_share_reference: float | None = None
    missing_share_current: float | None = None
    missing_alert: bool = False
    n_invalid_current: int | None = None
    invalid_share_reference: float | None = None
    invalid_share_current: float | None = None
    invalid_alert: bool = False
    new_category_share: float | None = None
    new_categories_json: str | None = None
    new_category_alert: bool = False
    current_mean: float | None = None
    reference_mean: float | None = None
    reference_std: float | None = None
    current_counts_json: str | None = None
    message: str = ""

    def row(self) -> dict[str, object]:
        """Return the ``drift_metrics`` columns (without model, window and run keys)."""
        return dict(self.__dict__)


def missing_column(profile: ColumnProfile, *, dataset: str) -> ColumnDrift:
    """Return the verdict for a column the window lacks entirely (renamed or dropped upstream)."""
    return ColumnDrift(
        feature=profile.name,
        role=profile.role,
        column_type=profile.column_type,
        status="missing_column",
        missing_alert=True,
        missing_share_current=1.0,
        message=(
            f"column {profile.name!r} is missing from {dataset}'s files for this window: it was renamed or "
            "dropped upstream; fix the producer or update the model's features in the registry"
        ),
    )


def _share(part: int, whole: int) -> float | None:
    return part / whole if whole else None


def judge_column(
    profile: ColumnProfile,
    current: ColumnCounts,
    *,
    n_rows: int,
    policy: MonitoringPolicy,
) -> ColumnDrift:
    """Compare one column of a window with its reference profile (before FDR control).

    Returns a :class:`ColumnDrift` whose ``p_value`` still needs :func:`apply_fdr` across the
    model's columns; ``drifted`` is set there.
    """
    ref = profile.profile
    rule = policy.columns.get(profile.name)
    n_ref_rows = profile.n_rows
    miss_ref = _share(ref.n_missing, n_ref_rows) or 0.0
    miss_cur = _share(current.n_missing, n_rows)
    base = ColumnDrift(
        feature=profile.name,
        role=profile.role,
        column_type=profile.column_type,
        status="ok",
        alpha=policy.alpha,
        n_reference=ref.n,
        n_current=current.n,
        missing_share_reference=miss_ref,
        missing_share_current=miss_cur,
        missing_alert=miss_cur is not None and miss_cur - miss_ref > policy.max_missing_increase,
        current_mean=current.mean,
        reference_mean=ref.mean if isinstance(ref, NumericProfile) else None,
        reference_std=ref.std if isinstance(ref, NumericProfile) else None,
    )
    notes: list[str] = []
    if base.missing_alert:
        notes.append(
            f"missing values rose from {miss_ref:.1%} to {miss_cur:.1%} "
            f"(limit +{policy.max_missing_increase:.1%})"
        )
    if isinstance(ref, NumericProfile):
        inv_ref = _share(ref.n_invalid, n_ref_rows) or 0.0
        inv_cur = _share(current.n_invalid, n_rows)
        base = replace(
            base,
            n_invalid_current=current.n_invalid,
            invalid_share_reference=inv_ref,
            invalid_share_current=inv_cur,
            invalid_alert=inv_cur is not None and inv_cur - inv_ref > policy.max_missing_increase,
        )
        if current.n_invalid:
            notes.append(
                f"{current.n_invalid} values ({inv_cur:.1%}) are not finite numbers (NaN, inf or text): "
                "kept out of the bins and the mean"
                + (
                    f", up from {inv_ref:.1%} in the reference (limit +{policy.max_missing_increase:.1%})"
                    if base.invalid_alert
                    else ""
                )
            )
    cur_counts = current.counts
    if isinstance(cur_counts, dict):
        ref_counts = ref.counts if isinstance(ref.counts, dict) else {}
        new = {k: v for k, v in cur_counts.items() if k not in ref_counts}
        new_share = _share(sum(new.values()), current.n) if current.n else None
        seen = {k: v for k, v in cur_counts.items() if k in ref_counts}
        base = replace(
            base,
            new_category_share=new_share,
            new_categories_json=json.dumps(dict(sorted(new.items(), key=lambda kv: (-kv[1], kv[0]))[:20]))
            if new
            else None,
            new_category_alert=new_share is not None and new_share > policy.max_new_category_share,
            current_counts_json=json.dumps(cur_counts, sort_keys=True),
        )
        if base.new_category_alert:
            notes.append(
                f"{new_share:.1%} of rows are in categories the reference never saw: {sorted(new)[:5]}"
            )
        test_counts: object = seen
        ref_for_test: object = ref_counts
        n_test = sum(seen.values())
    else:
        base = replace(base, current_counts_json=json.dumps([int(c) for c in cur_counts]))
        test_counts, ref_for_test, n_test = cur_counts, ref.counts, current.n
    if current.n == 0:
        why = (
            f"no valid value: {current.n_missing} null and {current.n_invalid} invalid of {n_rows}"
            if current.n_invalid
            else f"all {n_rows} values are null"
        )
        return replace(base, status="all_null", message="; ".join([why, *notes]))
    if n_rows < policy.min_rows:
        why = f"the window has {n_rows} rows, fewer than min_rows = {policy.min_rows}: recorded, not judged"
        return replace(base, status="too_few_rows", message="; ".join([why, *notes]))
    if n_test == 0:
        why = "every value is in a category the reference never saw: no distribution to compare"
        return replace(base, status="all_new_categories", message="; ".join([why, *notes]))

    defaults = default_method(
        "numeric" if isinstance(ref, NumericProfile) else "categorical", reference_size=max(ref.n, 1)
    )
    sig_name: str | None = defaults.significance
    effect_name = defaults.effect_size
    threshold = None
    if rule is not None:
        if rule.significance == "none":
            sig_name = None
        elif rule.significance != "auto":
            sig_name = rule.significance
        effect_name = rule.effect_size or effect_name
        threshold = rule.threshold
    ctx: dict[str, object] = {}
    if isinstance(ref, NumericProfile):
        ctx = {
            "edges": ref.edges,
            "reference_std": ref.std,
            "minimum": ref.minimum,
            "maximum": ref.maximum,
            "reference_means": ref.means,
            "current_means": current.means,
        }
    effect_method = get_method(effect_name)
    effect = effect_method.compute(ref_for_test, test_counts, **ctx)  # type: ignore[arg-type]
    statistic = p_value = None
    if sig_name is not None:
        sig = get_method(sig_name).compute(ref_for_test, test_counts, **ctx)  # type: ignore[arg-type]
        statistic, p_value = sig.statistic, sig.p_value
    return replace(
        base,
        significance_method=sig_name,
        statistic=statistic,
        p_value=p_value,
        effect_method=effect_name,
        effect_size=effect.statistic,
        effect_threshold=threshold if threshold is not None else effect_method.default_threshold,
        message="; ".join(notes),
    )


def apply_fdr(results: Sequence[ColumnDrift], *, alpha: float) -> list[ColumnDrift]:
    """Adjust the p-values of the judged columns together (Benjamini-Hochberg) and set the verdicts."""
    tested = [i for i, r in enumerate(results) if r.status == "ok" and r.p_value is not None]
    q = np.full(len(results), np.nan)
    if tested:
        p_values = [results[i].p_value for i in tested]
        _, adjusted = benjamini_hochberg([float(p) for p in p_values if p is not None], alpha=alpha)
        q[tested] = adjusted
    out: list[ColumnDrift] = []
    for i, r in enumerate(results):
        if r.status != "ok":
            out.append(r)
            continue
        effect_big = (
            r.effect_size is not None
            and r.effect_threshold is not None
            and r.effect_size >= r.effect_threshold
        )
        if r.p_value is None:  # judged by the effect size alone
            significant = None
            drifted = effect_big
        else:
            significant = bool(q[i] <= alpha)
            drifted = significant and effect_big
        verdict = _verdict(r, q=None if np.isnan(q[i]) else float(q[i]), alpha=alpha, drifted=drifted)
        message = "; ".join(m for m in (verdict, r.message) if m)
        out.append(
            replace(
                r,
                q_value=None if np.isnan(q[i]) else float(q[i]),
                significant=significant,
                drifted=bool(drifted),
                message=message,
            )
        )
    return out


def _verdict(r: ColumnDrift, *, q: float | None, alpha: float, drifted: bool) -> str:
    effect = f"{r.effect_method} {r.effect_size:.3f}"
    if drifted:
        return f"drift: {effect} >= {r.effect_threshold:g}" + (
            f" and q = {q:.2g} <= {alpha:g}" if q is not None else ""
        )
    if q is not None and q <= alpha:
        return f"significant (q = {q:.2g}) but small: {effect} < {r.effect_threshold:g}"
    return ""
