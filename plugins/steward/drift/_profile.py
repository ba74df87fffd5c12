"""Small aggregates of a column: the only thing drift methods ever see.

A reference sample is summarised once, from raw values, into a profile: quantile bin edges and
counts for a numeric column, category counts for a categorical one. A current sample is then
counted into the reference's bins (in production by the SQL engine; :func:`bin_counts` is the
numpy equivalent used by tests), so drift is computed from a few dozen numbers, never from rows.

Bins are closed on the left: bin ``i`` holds ``edges[i] <= x < edges[i + 1]``; the outer edges
are ``-inf`` and ``+inf``, so every finite value falls in exactly one bin.
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Iterable
from dataclasses import dataclass

import numpy as np
import numpy.typing as npt

__all__ = [
    "CategoricalProfile",
    "NumericProfile",
    "bin_counts",
    "categorical_profile",
    "numeric_profile",
]


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
    """

    edges: np.ndarray
    counts: np.ndarray
    n: int
    mean: float
    std: float
    n_missing: int
    minimum: float
    maximum: float


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


def numeric_profile(values: npt.ArrayLike, *, bins: int = 20) -> NumericProfile:
    """Summarise a numeric reference sample into quantile bins.

    Interior edges are the ``1/bins, ..., (bins-1)/bins`` quantiles of the non-missing values;
    tied quantiles (heavy ties, discrete data) are merged, so a profile may have fewer than
    ``bins`` bins but its edges are always strictly increasing.

    Parameters
    ----------
    values : array-like of float
        Raw reference values; NaN counts as missing.
    bins : int, default 20
        Requested number of bins (at least 1).

    Returns
    -------
    NumericProfile

    Examples
    --------
    >>> p = numeric_profile([1.0, 2.0, 3.0, 4.0, float("nan")], bins=2)
    >>> p.edges.tolist(), p.counts.tolist(), p.n, p.n_missing
    ([-inf, 2.5, inf], [2, 2], 4, 1)
    """
    if bins < 1:
        raise ValueError(f"bins must be >= 1, got {bins}")
    arr, n_missing = _finite(values)
    if arr.size == 0:
        raise ValueError("reference sample has no non-missing values; cannot build a numeric profile")
    interior = np.unique(np.quantile(arr, np.linspace(0.0, 1.0, bins + 1)[1:-1]))
    edges = np.concatenate([[-np.inf], interior, [np.inf]])
    counts = np.bincount(np.searchsorted(interior, arr, side="right"), minlength=edges.size - 1)
    return NumericProfile(
        edges=edges,
        counts=counts,
        n=int(arr.size),
        mean=float(arr.mean()),
        std=float(arr.std()),
        n_missing=n_missing,
        minimum=float(arr.min()),
        maximum=float(arr.max()),
    )


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
    >>> p = numeric_profile([1.0, 2.0, 3.0, 4.0], bins=2)
    >>> bin_counts(p, [0.0, 2.5, 9.0]).tolist()
    [1, 2]
    """
    if isinstance(profile, CategoricalProfile):
        return categorical_profile(values).counts  # type: ignore[arg-type]
    arr, _ = _finite(values)  # type: ignore[arg-type]
    interior = profile.edges[1:-1]
    return np.bincount(np.searchsorted(interior, arr, side="right"), minlength=profile.edges.size - 1)
