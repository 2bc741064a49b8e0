"""Causal (streaming) array primitives: every output at index t uses inputs at indices <= t.

They are vectorized with numpy so a whole series is processed at once, yet each value equals what
an online detector would have produced when point t arrived. `SeriesDetector` composes them.
"""

from __future__ import annotations

import numpy as np
from numpy.lib.stride_tricks import sliding_window_view
from numpy.typing import NDArray

FloatArray = NDArray[np.float64]

# Rows x columns of one distance block: bounds memory (about 32 MB of float64 per array).
_BLOCK_CELLS = 4_000_000


def forward_fill(values: FloatArray) -> FloatArray:
    """Replace NaN by the last earlier valid value; leading NaNs take the first valid value."""
    x = np.asarray(values, dtype=np.float64)
    valid = ~np.isnan(x)
    if not valid.any():
        return np.zeros_like(x)
    last = np.where(valid, np.arange(len(x)), 0)
    np.maximum.accumulate(last, out=last)
    filled = x[last]
    filled[: int(np.argmax(valid))] = x[int(np.argmax(valid))]
    return filled


def previous_max(values: FloatArray) -> FloatArray:
    """Maximum of all earlier values at each index (-inf at index 0)."""
    out = np.empty_like(values)
    if len(values):
        out[0] = -np.inf
        out[1:] = np.maximum.accumulate(values[:-1])
    return out


def previous_min(values: FloatArray) -> FloatArray:
    """Minimum of all earlier values at each index (+inf at index 0)."""
    out = np.empty_like(values)
    if len(values):
        out[0] = np.inf
        out[1:] = np.minimum.accumulate(values[:-1])
    return out


def trailing_max(values: FloatArray, horizon: int) -> FloatArray:
    """Maximum of the `horizon` values before each index (0 where there are none)."""
    padded = np.concatenate([np.zeros(horizon), values[:-1]]) if len(values) else values
    if len(values) == 0:
        return values.copy()
    return np.asarray(sliding_window_view(padded, horizon).max(axis=1), dtype=np.float64)


def left_nearest_distance(x: FloatArray, length: int, exclusion: int) -> FloatArray:
    """Distance from the subsequence ending at t to its nearest earlier one (NaN if none).

    Earlier subsequences must end at least `exclusion` points before t (so trivial, overlapping
    matches do not count). This is the left matrix profile of the series, computed exactly in
    blocks with matrix products: O(n^2 * length) work, O(block) memory.
    """
    n = len(x)
    out = np.full(n, np.nan)
    if n < length + exclusion:
        return out
    subs = sliding_window_view(x, length)  # row i ends at t = i + length - 1
    sq = np.einsum("ij,ij->i", subs, subs)
    rows = len(subs)
    block = max(16, _BLOCK_CELLS // max(rows, 1))
    for b0 in range(exclusion, rows, block):
        b1 = min(rows, b0 + block)
        hi = b1 - exclusion  # the last row of the block may compare to columns < hi
        dist = sq[b0:b1, None] + sq[None, :hi] - 2.0 * (subs[b0:b1] @ subs[:hi].T)
        # Row r may only use columns c <= r - exclusion: mask the triangle near the diagonal.
        tri = max(0, b0 - exclusion + 1)
        cols = np.arange(tri, hi)[None, :]
        own = np.arange(b0, b1)[:, None]
        dist[:, tri:][cols > own - exclusion] = np.inf
        out[b0 + length - 1 : b1 + length - 1] = np.sqrt(np.maximum(dist.min(axis=1), 0.0))
    return out


def suppress_repeats(scores: FloatArray, refractory: int) -> FloatArray:
    """Keep a score only where it exceeds every score of the `refractory` points before it.

    An anomaly that lasts yields one strong score at its onset instead of a run of them.
    """
    if refractory <= 0 or len(scores) == 0:
        return scores.copy()
    earlier = trailing_max(scores, refractory)
    return np.where(scores > earlier, scores, 0.0)
