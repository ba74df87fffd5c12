"""Small aggregates of a column: the only thing drift methods ever see.

A reference sample is summarised once, from raw values, into a profile: quantile bin edges and
counts for a numeric column, category counts for a categorical one. A current sample is then
counted into the reference's bins (in production by the SQL engine; :func:`bin_counts` is the
numpy equivalent used by tests), so drift is computed from a few dozen numbers, never from rows.

Bins are closed on the left: bin ``i`` holds ``edges[i] <= x < edges[i + 1]``; the outer edges
are ``-inf`` and ``+inf``, so every finite value falls in exactly one bin.

Point masses: a value that holds a large share of the reference (``point_share``, 5% by default: the
zeros of an amount or a count) or any value of a column with few distinct values (``max_exact``, 20)
gets a bin of its own, ``[v, nextafter(v, +inf))``, which holds exactly ``v``; only the remaining
values get quantile bins. A column that is 95% zeros therefore keeps about ``bins`` bins for its
non-zero part, so a change there is seen, and KS and Wasserstein are exact on the point values.
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Iterable
from dataclasses import dataclass, replace

import numpy as np
import numpy.typing as npt

__all__ = [
    "CategoricalProfile",
    "NumericProfile",
    "MAX_EXACT_VALUES",
    "POINT_SHARE",
    "bin_counts",
    "bin_means",
    "categorical_profile",
    "merge_edges",
    "numeric_profile",
    "point_bin_mask",
    "point_masses",
]

#: A value holding at least this share of a reference's valid values gets its own exact bin.
POINT_SHARE = 0.05
#: A column with at most this many distinct valid values gets one exact bin per value.
MAX_EXACT_VALUES = 20


@dataclass(frozen=True)
class NumericProfile:
    """Binned summary of a numeric reference sample.

    Attributes
    ----------
    edges : numpy.ndarray
        Strictly increasing bin edges, ``edges[0] == -inf`` and ``edges[-1] == +inf``;
        ``len(edges) == len(counts) + 1``.
    counts : numpy.ndarray
        Number of non-missing reference values in each bin.
    n : int
        Number of non-missing values (``counts.sum()``).
    mean, std : float
        Mean and population standard deviation (``ddof=0``) of the non-missing values.
    n_missing : int
        Number of missing (NaN) values.
    minimum, maximum : float
        Smallest and largest non-missing value; they close the open outer bins for
        ``wasserstein_normed``.
    n_invalid : int
        Values present but not finite numbers (NaN, +/-inf, text in a numeric column); they are
        in no bin and in none of the moments.
    means : numpy.ndarray or None
        Mean of the values in each bin (0 for an empty bin), where ``wasserstein_normed`` places
        the bin's mass; ``None`` when unknown (masses then sit at bin midpoints).
    """

    edges: np.ndarray
    counts: np.ndarray
    n: int
    mean: float
    std: float
    n_missing: int
    minimum: float
    maximum: float
    n_invalid: int = 0
    means: np.ndarray | None = None

    @property
    def point_bins(self) -> np.ndarray:
        """Boolean mask of the bins that hold exactly one value (``[v, nextafter(v, +inf))``)."""
        return point_bin_mask(self.edges)


@dataclass(frozen=True)
class CategoricalProfile:
    """Category counts of a categorical reference sample.

    Attributes
    ----------
    counts : dict[str, int]
        Count of each category (values converted with ``str``), missing values excluded.
    n : int
        Number of non-missing values.
    n_missing : int
        Number of missing values (``None`` or float NaN).
    """

    counts: dict[str, int]
    n: int
    n_missing: int


def _finite(values: npt.ArrayLike) -> tuple[np.ndarray, int]:
    arr = np.asarray(values, dtype=float).ravel()
    if np.isinf(arr).any():
        raise ValueError("numeric values contain +/-inf; replace or drop them before profiling")
    missing = np.isnan(arr)
    return arr[~missing], int(missing.sum())


def point_bin_mask(edges: npt.ArrayLike) -> np.ndarray:
    """Return which bins of ``edges`` are point bins: ``edges[i + 1] == nextafter(edges[i], +inf)``."""
    e = np.asarray(edges, dtype=float)
    return np.isfinite(e[:-1]) & (e[1:] == np.nextafter(e[:-1], np.inf))


def point_masses(
    values: npt.ArrayLike,
    counts: npt.ArrayLike,
    *,
    total: int | None = None,
    n_distinct: int | None = None,
    point_share: float = POINT_SHARE,
    max_exact: int = MAX_EXACT_VALUES,
) -> np.ndarray:
    """Choose the values that get their own exact bin, from the distinct values' counts.

    Every value when the column has at most ``max_exact`` distinct values; otherwise the values
    whose count is at least ``point_share`` of the valid values.

    Parameters
    ----------
    values, counts : array-like
        Distinct finite values and their counts: all of them, or at least every value that can be
        a point mass (the SQL returns only the values counted ``point_share * total`` times or more).
    total : int, optional
        Number of valid values (default ``sum(counts)``).
    n_distinct : int, optional
        Number of distinct valid values (default ``len(values)``).
    point_share, max_exact
        See :func:`numeric_profile`.

    Returns
    -------
    numpy.ndarray
        The chosen values, sorted.

    Examples
    --------
    >>> point_masses([0.0, *range(1, 30)], [90] + [1] * 29).tolist()
    [0.0]
    >>> point_masses([0.0], [90], total=119, n_distinct=30).tolist()
    [0.0]
    """
    v = np.asarray(values, dtype=float).ravel()
    c = np.asarray(counts, dtype=float).ravel()
    total = int(c.sum()) if total is None else total
    n_distinct = v.size if n_distinct is None else n_distinct
    if n_distinct <= max_exact:
        return np.sort(v)
    return np.sort(v[c >= point_share * total])


def merge_edges(points: npt.ArrayLike, quantiles: npt.ArrayLike) -> np.ndarray:
    """Full bin edges (``-inf`` .. ``+inf``) from point values and interior quantile edges.

    Each point ``v`` contributes the edge pair ``v, nextafter(v, +inf)``, a bin holding exactly ``v``;
    quantile edges split the rest. Duplicates are merged, so the edges are strictly increasing.

    Examples
    --------
    >>> merge_edges([0.0], [2.0, 5.0]).tolist()
    [-inf, 0.0, 5e-324, 2.0, 5.0, inf]
    """
    p = np.asarray(points, dtype=float).ravel()
    q = np.asarray(quantiles, dtype=float).ravel()
    interior = np.unique(np.concatenate([p, np.nextafter(p, np.inf), q]))
    return np.concatenate([[-np.inf], interior, [np.inf]])


def numeric_profile(
    values: npt.ArrayLike,
    *,
    bins: int = 20,
    point_share: float = POINT_SHARE,
    max_exact: int = MAX_EXACT_VALUES,
) -> NumericProfile:
    """Summarise a numeric reference sample into point-mass bins and quantile bins.

    Values chosen by :func:`point_masses` (a share of at least ``point_share``, or every value when
    there are at most ``max_exact`` distinct ones) get their own exact bins. The other values get
    quantile bins: interior edges at their ``1/bins, ..., (bins-1)/bins`` quantiles, tied
    quantiles merged, so the edges are always strictly increasing.

    Parameters
    ----------
    values : array-like of float
        Raw reference values; NaN counts as missing.
    bins : int, default 20
        Requested number of quantile bins for the values that are not point masses (at least 1).
    point_share : float, default POINT_SHARE
        Share of the non-missing values from which a single value is a point mass.
    max_exact : int, default MAX_EXACT_VALUES
        Columns with at most this many distinct values are counted exactly, value by value.

    Returns
    -------
    NumericProfile

    Examples
    --------
    Without point masses (``point_share=1``, ``max_exact=0``), plain quantile bins:

    >>> p = numeric_profile([1.0, 2.0, 3.0, 4.0, float("nan")], bins=2, point_share=1, max_exact=0)
    >>> p.edges.tolist(), p.counts.tolist(), p.n, p.n_missing
    ([-inf, 2.5, inf], [2, 2], 4, 1)

    Mostly zeros (a point mass at a 50% share here): the zeros get an exact bin ``[0, 5e-324)``,
    the rest two quantile bins:

    >>> p = numeric_profile([0.0] * 8 + [1.0, 2.0, 3.0, 4.0], bins=2, point_share=0.5, max_exact=3)
    >>> p.edges.tolist(), p.counts.tolist(), p.point_bins.tolist()
    ([-inf, 0.0, 5e-324, 2.5, inf], [0, 8, 2, 2], [False, True, False, False])
    """
    if bins < 1:
        raise ValueError(f"bins must be >= 1, got {bins}")
    arr, n_missing = _finite(values)
    if arr.size == 0:
        raise ValueError("reference sample has no non-missing values; cannot build a numeric profile")
    distinct, counts = np.unique(arr, return_counts=True)
    points = point_masses(distinct, counts, point_share=point_share, max_exact=max_exact)
    rest = arr[~np.isin(arr, points)]
    quantiles = np.quantile(rest, np.linspace(0.0, 1.0, bins + 1)[1:-1]) if rest.size else np.empty(0)
    edges = merge_edges(points, quantiles)
    profile = NumericProfile(
        edges=edges,
        counts=np.bincount(np.searchsorted(edges[1:-1], arr, side="right"), minlength=edges.size - 1),
        n=int(arr.size),
        mean=float(arr.mean()),
        std=float(arr.std()),
        n_missing=n_missing,
        minimum=float(arr.min()),
        maximum=float(arr.max()),
    )
    return replace(profile, means=bin_means(profile, arr))


def _is_missing(value: object) -> bool:
    return value is None or (isinstance(value, float) and np.isnan(value))


def categorical_profile(values: Iterable[object]) -> CategoricalProfile:
    """Count the categories of a reference sample.

    Parameters
    ----------
    values : iterable
        Raw values; ``None`` and float NaN count as missing, everything else is keyed by ``str``.

    Returns
    -------
    CategoricalProfile

    Examples
    --------
    >>> p = categorical_profile(["a", "b", "a", None])
    >>> p.counts, p.n, p.n_missing
    ({'a': 2, 'b': 1}, 3, 1)
    """
    items = list(values.tolist() if isinstance(values, np.ndarray) else values)
    present = [str(v) for v in items if not _is_missing(v)]
    return CategoricalProfile(
        counts=dict(Counter(present)), n=len(present), n_missing=len(items) - len(present)
    )


def bin_counts(
    profile: NumericProfile | CategoricalProfile, values: npt.ArrayLike | Iterable[object]
) -> np.ndarray | dict[str, int]:
    """Count a current sample into the reference profile's bins (missing values dropped).

    Parameters
    ----------
    profile : NumericProfile or CategoricalProfile
        The reference profile.
    values : array-like or iterable
        Raw current values.

    Returns
    -------
    numpy.ndarray or dict[str, int]
        For a numeric profile, one count per bin (aligned with ``profile.counts``). For a
        categorical profile, a dict of category counts, including categories unseen in the
        reference; drift methods align the two dicts themselves.

    Examples
    --------
    >>> p = numeric_profile([1.0, 2.0, 3.0, 4.0], bins=2, point_share=1, max_exact=0)
    >>> bin_counts(p, [0.0, 2.5, 9.0]).tolist()
    [1, 2]
    """
    if isinstance(profile, CategoricalProfile):
        return categorical_profile(values).counts  # type: ignore[arg-type]
    arr, _ = _finite(values)  # type: ignore[arg-type]
    interior = profile.edges[1:-1]
    return np.bincount(np.searchsorted(interior, arr, side="right"), minlength=profile.edges.size - 1)


def bin_means(profile: NumericProfile, values: npt.ArrayLike) -> np.ndarray:
    """Mean of a sample's values in each of the profile's bins (0 for an empty bin; NaN dropped).

    In production the SQL aggregation returns each bin's sum beside its count; this is the numpy
    equivalent used by :func:`numeric_profile` and tests.

    Examples
    --------
    >>> p = numeric_profile([1.0, 2.0, 3.0, 4.0], bins=2, point_share=1, max_exact=0)
    >>> bin_means(p, [0.0, 2.0, 3.0, 9.0]).tolist()
    [1.0, 6.0]
    """
    arr, _ = _finite(values)
    idx = np.searchsorted(profile.edges[1:-1], arr, side="right")
    n_bins = profile.edges.size - 1
    counts = np.bincount(idx, minlength=n_bins)
    sums = np.bincount(idx, weights=arr, minlength=n_bins)
    return np.where(counts > 0, sums / np.maximum(counts, 1), 0.0)
