"""Count a window's columns as they stream out of the engine in Arrow record batches.

The engine scans, filters and casts the monitored columns once (``select_window_values.sql.j2``);
this module counts each record batch with numpy and Arrow and adds the batch's counts up, so memory
stays flat in the row count. The results are exactly those of the SQL aggregation
(``aggregate_window*.sql.j2``):

- the CASE chain's bin of a finite value is the number of interior edges at or below it (edges are
  strictly increasing and a point bin holds one value, so ``x = v`` and ``x < nextafter(v)`` agree),
  a sum of comparisons for the usual 20-40 edges, and beyond that a lookup on a fine uniform grid
  (:class:`_Grid`) with at most two comparisons per value;
- NaN and +/-inf are invalid (in no bin), NULL is missing;
- a bin's sum is the SQL's exact ``sum(cast(v as decimal(38, 10)))`` cast to double: each value
  scaled by 1e10 and rounded half away from zero, as the engine casts it, then added up exactly in
  integers and divided by 1e10 with one correct rounding.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from concurrent.futures import Future, ThreadPoolExecutor
from dataclasses import dataclass, field

import numpy as np
import pyarrow as pa
import pyarrow.compute as pc

__all__ = ["BATCH_ROWS", "Tally", "count_batches"]

#: Rows per numpy pass (record batches are sliced to it): memory stays flat, and the values'
#: sums are split into limbs of 2**36 at most (2**17 * 2**36 = 2**53, exact in float64).
BATCH_ROWS = 1 << 17
#: Values at or beyond this magnitude are binned but left out of the sums (as the SQL does).
SUM_LIMIT = 1e27
_SCALE = 10**10
#: Up to this many interior edges, a sum of comparisons bins faster than the grid lookup: measured
#: on a batch of 131,072 doubles, a comparison pass costs about 15 us, the grid about 600 us (three
#: lookups), a binary search 2,800 us for 20 edges.
_COMPARE_EDGES = 40
#: Cells of the uniform grid between the outermost interior edges (the lookup table's size).
_CELLS = 1 << 16
#: A crowded cell's base: far below zero whatever its two comparisons add.
_CROWDED = -(1 << 40)


@dataclass
class Tally:
    """One column's counts so far: per bin (int) or category (str), its low-confidence rows, sums."""

    counts: dict[str | int, int] = field(default_factory=dict)
    low: dict[str | int, int] = field(default_factory=dict)
    missing: int = 0
    missing_low: int = 0
    invalid: int = 0
    sums: dict[int, float] = field(default_factory=dict)


@dataclass
class _Numeric:
    """A numeric column's running counts: slots are the bins, then invalid, then missing."""

    interior: np.ndarray
    grid: _Grid | None
    counts: np.ndarray
    low: np.ndarray
    exact: list[int]  # per bin: the sum of the values scaled by 1e10, exactly

    @classmethod
    def of(cls, edges: Sequence[float]) -> _Numeric:
        interior = np.asarray(edges, dtype=float)[1:-1]
        slots = interior.size + 3
        grid = _Grid.of(interior) if interior.size > _COMPARE_EDGES else None
        return cls(interior, grid, np.zeros(slots, np.int64), np.zeros(slots, np.int64), [0] * (slots - 2))

    def add(self, values: pa.Array, low: np.ndarray) -> None:
        """Count one batch; ``low`` holds the positions of its low-confidence rows."""
        x = values.to_numpy(zero_copy_only=False).astype(float, copy=False)
        n_bins = self.interior.size + 1
        key = _bins(x, self.interior, self.grid)
        least, most = (float(x.min()), float(x.max())) if x.size else (0.0, 0.0)
        clean = least > -SUM_LIMIT and most < SUM_LIMIT  # also False when any value is NaN
        if not clean:
            finite = np.isfinite(x)
            key[~finite] = n_bins  # NaN (and NULL, which Arrow gives as NaN) and +/-inf: invalid
            if values.null_count:
                key[values.is_null().to_numpy(zero_copy_only=False)] = n_bins + 1
            x = np.where(finite & (np.abs(x) < SUM_LIMIT), x, 0.0)
            least, most = float(x.min()), float(x.max())
        slots = n_bins + 2
        counted = np.bincount(key, minlength=slots)
        self.counts += counted
        self.low += np.bincount(key[low], minlength=slots)
        bound = max(-least, most) * float(_SCALE) + 1.0
        # the invalid and missing slots add up zeros: only the bins' counts bound the sums' size
        fullest = int(counted[:n_bins].max())
        for k, s in enumerate(_exact_sums(x, key, slots, bound, fullest)[:n_bins]):
            self.exact[k] += s

    def tally(self) -> Tally:
        n_bins = self.interior.size + 1
        present = [k for k in range(n_bins) if self.counts[k]]
        return Tally(
            counts={k: int(self.counts[k]) for k in present},
            low={k: int(self.low[k]) for k in present},
            missing=int(self.counts[n_bins + 1]),
            missing_low=int(self.low[n_bins + 1]),
            invalid=int(self.counts[n_bins]),
            # int / int is correctly rounded, as the engine's decimal -> double cast
            sums={k: self.exact[k] / _SCALE for k in present},
        )


@dataclass(frozen=True)
class _Grid:
    """A lookup from a value's cell on a uniform grid over the interior edges to its bin.

    A value's cell is ``trunc(clip(x * scale + shift, 0, top))``: a composition of monotone
    (non-decreasing) double operations, so every edge in a cell below a value's cell is below the
    value, and every edge in a cell above it is above it. A value's bin is therefore the number of
    edges in the cells below its own (``base``) plus the edges of its own cell that it reaches: two
    comparisons with the cell's first and second edge (``+inf`` where the cell has fewer; a point
    bin's two edges share a cell). The values of a cell holding more edges are binned by binary
    search. Correctness does not depend on how well the grid fits the edges, only speed.
    """

    scale: float
    shift: float
    top: float
    base: np.ndarray  # per cell: edges in the cells below (intp: bincount's own type); < 0: crowded
    first: np.ndarray  # per cell: its lowest edge, or +inf
    second: np.ndarray  # per cell: its second edge, or +inf
    crowded: bool  # whether a cell holds three edges or more

    @classmethod
    def of(cls, interior: np.ndarray) -> _Grid | None:
        """Build the grid over ``interior`` (sorted), or return None where it would not be finite."""
        lo, hi = (float(interior[0]), float(interior[-1])) if interior.size else (0.0, 0.0)
        with np.errstate(over="ignore", divide="ignore", invalid="ignore"):
            scale = _CELLS / (hi - lo) if hi > lo else 0.0
            shift = 1.0 - lo * scale  # cell 0 holds everything below the lowest edge
        if not (np.isfinite([lo, hi, scale, shift]).all() and scale > 0.0):
            return None
        top = float(_CELLS + 2)
        none = np.empty(0)
        cells = cls(scale, shift, top, none, none, none, False).cells(interior)  # sorted, as the edges
        every = np.arange(_CELLS + 3)
        below = np.searchsorted(cells, every, side="left")
        held = np.searchsorted(cells, every, side="right") - below
        padded = np.append(interior, [np.inf, np.inf])
        first = np.where(held >= 1, padded[below], np.inf)
        second = np.where(held >= 2, padded[below + 1], np.inf)
        base = np.where(held > 2, _CROWDED, below).astype(np.intp)
        return cls(scale, shift, top, base, first, second, bool((held > 2).any()))

    def cells(self, x: np.ndarray) -> np.ndarray:
        """Each value's cell (NaN: cell 0, whatever; the caller marks NaN invalid)."""
        with np.errstate(over="ignore"):  # a huge value's cell is the top one
            t = x * self.scale
        t += self.shift
        np.fmax(t, 0.0, out=t)  # fmax/fmin drop NaN: no invalid cast below
        np.fmin(t, self.top, out=t)
        return t.astype(np.intp)  # np.take is fastest with intp positions


def _bins(x: np.ndarray, interior: np.ndarray, grid: _Grid | None) -> np.ndarray:
    """Return each value's bin: how many interior edges are at or below it (NaN: anything)."""
    if grid is None:
        if interior.size > _COMPARE_EDGES:
            return np.searchsorted(interior, x, side="right")
        key = np.zeros(x.size, np.uint8)
        above = np.empty(x.size, bool)
        for edge in interior:
            np.greater_equal(x, edge, out=above)
            key += above.view(np.uint8)
        return key.astype(np.intp)
    cell = grid.cells(x)
    key = np.take(grid.base, cell, mode="clip")  # positions are in range: no checks wanted
    reached = np.greater_equal(x, np.take(grid.first, cell, mode="clip"))
    key += reached
    np.greater_equal(x, np.take(grid.second, cell, mode="clip"), out=reached)
    key += reached
    if grid.crowded:
        near = np.flatnonzero(key < 0)
        key[near] = np.searchsorted(interior, x[near], side="right")
    return key


def _exact_sums(values: np.ndarray, key: np.ndarray, slots: int, bound: float, fullest: int) -> list[int]:
    """Return per slot the exact sum of ``round_half_away(value * 1e10)`` over ``values``.

    ``bound`` is at least the largest magnitude of a scaled value, ``fullest`` the most values in one
    slot. The scaled values are split into as few limbs (of ``2**bits``) as keep every limb's running
    sum within a slot an exact integer in float64 (``fullest * 2**bits <= 2**53``).
    """
    fraction = values * float(_SCALE)  # the engine's cast: the double product, then rounded
    rounded = np.trunc(fraction)
    fraction -= rounded
    if fraction.any():  # half away from zero: trunc(2 * fraction) is +/-1 exactly when |fraction| >= 0.5
        fraction *= 2.0
        rounded += np.trunc(fraction, out=fraction)
    bits = 53 - max(fullest, 1).bit_length()  # fullest < 2**bit_length
    limb = float(2**bits)
    limbs: list[np.ndarray] = []
    rest = rounded
    while bound > limb:  # split off low limbs (exact: powers of two and integer differences)
        high = np.floor(rest * (1.0 / limb))
        limbs.append(rest - high * limb)
        rest, bound = high, bound / limb + 1.0
    limbs.append(rest)
    out = [0] * slots
    for j, part in enumerate(limbs):
        for k, s in enumerate(np.bincount(key, weights=part, minlength=slots).tolist()):
            out[k] += int(s) << (bits * j)
    return out


@dataclass
class _Categorical:
    """A categorical column's running counts per category (``None``: missing)."""

    counts: dict[str | None, int] = field(default_factory=dict)
    low: dict[str | None, int] = field(default_factory=dict)

    def add(self, values: pa.Array, low: pa.Array) -> None:
        """Count one batch; ``low`` is true on its low-confidence rows."""
        for into, counted in (
            (self.counts, pc.value_counts(values)),
            (self.low, pc.value_counts(values.filter(low))),
        ):
            for key, n in zip(
                counted.field("values").to_pylist(), counted.field("counts").to_pylist(), strict=True
            ):
                into[key] = into.get(key, 0) + n

    def tally(self) -> Tally:
        out = Tally(missing=self.counts.pop(None, 0), missing_low=self.low.pop(None, 0))
        out.counts = {str(k): n for k, n in self.counts.items()}
        out.low = {str(k): self.low.get(k, 0) for k in self.counts}
        return out


class _Counter:
    """Every column's running counts, and the rows and low-confidence rows so far."""

    def __init__(self, edges: Sequence[Sequence[float] | None]) -> None:
        self.numeric = {i: _Numeric.of(e) for i, e in enumerate(edges) if e is not None}
        self.categorical = {i: _Categorical() for i, e in enumerate(edges) if e is None}
        self.n_rows = self.n_low = 0

    def add(self, batch: pa.RecordBatch) -> None:
        low_arrow = pc.fill_null(batch.column("low_confidence"), False)
        low = np.flatnonzero(low_arrow.to_numpy(zero_copy_only=False))
        self.n_rows += batch.num_rows
        self.n_low += low.size
        for i, num in self.numeric.items():
            num.add(batch.column(f"v{i}"), low)
        for i, cat in self.categorical.items():
            cat.add(batch.column(f"k{i}"), low_arrow)

    def tallies(self) -> list[Tally]:
        n = len(self.numeric) + len(self.categorical)
        return [
            self.numeric[i].tally() if i in self.numeric else self.categorical[i].tally() for i in range(n)
        ]


def count_batches(
    batches: Iterable[pa.RecordBatch], edges: Sequence[Sequence[float] | None]
) -> tuple[int, int, list[Tally]]:
    """Count streamed rows into bins and categories.

    Parameters
    ----------
    batches
        Record batches with, for column ``i``, ``v<i>`` (double: NULL missing, NaN invalid) when
        ``edges[i]`` is given, else ``k<i>`` (text), and a boolean ``low_confidence``.
    edges
        Per column, the full bin edges (``-inf`` .. ``+inf``), or None for a categorical column.

    Returns
    -------
    tuple
        Rows, low-confidence rows, and each column's :class:`Tally`.

    Examples
    --------
    >>> batch = pa.record_batch({"v0": [0.5, 2.0, None], "low_confidence": [True, False, False]})
    >>> n, low, (t,) = count_batches([batch], [(-np.inf, 1.0, np.inf)])
    >>> (n, low, t.counts, t.missing)
    (3, 1, {0: 1, 1: 1}, 1)
    """
    counter = _Counter(edges)
    # one worker counts a batch while this thread waits on the engine for the next one (numpy,
    # Arrow and DuckDB release the GIL); at most two batches are held at a time
    with ThreadPoolExecutor(max_workers=1) as worker:
        pending: Future[None] | None = None
        for big in batches:
            for start in range(0, big.num_rows, BATCH_ROWS):
                if pending is not None:
                    pending.result()
                pending = worker.submit(counter.add, big.slice(start, BATCH_ROWS))
        if pending is not None:
            pending.result()
    return counter.n_rows, counter.n_low, counter.tallies()
