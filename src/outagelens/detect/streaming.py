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
_BLOCK_ROWS = 256
# Values a regime needs before its test runs (so its empirical distribution means something).
_MIN_REGIME = 50


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


def window_max(values: FloatArray, width: int) -> FloatArray:
    """Maximum of the `width` values ending at each index (fewer at the start); O(n).

    Van Herk / Gil-Werman: running maxima from both ends of fixed blocks of `width` values;
    the window ending at i spans at most two blocks.
    """
    n = len(values)
    if n == 0:
        return values.copy()
    padded = np.concatenate([np.full(width - 1, -np.inf), values])
    padded = np.concatenate([padded, np.full((-len(padded)) % width, -np.inf)])
    blocks = padded.reshape(-1, width)
    prefix = np.maximum.accumulate(blocks, axis=1).ravel()
    suffix = np.maximum.accumulate(blocks[:, ::-1], axis=1)[:, ::-1].ravel()
    end = np.arange(n) + width - 1
    return np.asarray(np.maximum(suffix[end - width + 1], prefix[end]), dtype=np.float64)


def mean_step_before(x: FloatArray, lag: int) -> FloatArray:
    """Mean absolute step |x_i - x_(i-1)| over the steps up to index t - `lag` (NaN where there
    are none): the series' typical point-to-point variation before the stretch ending at t
    (`lag` = that stretch's length)."""
    n = len(x)
    out = np.full(n, np.nan)
    if n < 2:
        return out
    steps = np.cumsum(np.abs(np.diff(x)))  # steps[j - 1]: sum of the steps up to index j
    last = np.arange(n) - lag  # last step index counted at t
    ok = last >= 1
    out[ok] = steps[last[ok] - 1] / last[ok]
    return out


def _smallest(values: FloatArray, k: int) -> FloatArray:
    """The k smallest values of each row (all of them when a row is shorter), unordered."""
    if values.shape[1] <= k:
        return values
    return np.partition(values, k - 1, axis=1)[:, :k]


def left_nearest_distance(
    x: FloatArray, length: int, exclusion: int, neighbors: int = 1, history: int | None = None
) -> FloatArray:
    """Distance from the subsequence ending at t to its nearest earlier ones (NaN if none).

    Earlier subsequences must end at least `exclusion` points before t (so trivial, overlapping
    matches do not count). With `neighbors` = k the result is the root mean square of the k
    smallest distances (k = 1: the left matrix profile). Exact, in blocks of rows with matrix
    products: O(n * min(n, history) * length) work, O(block * n) memory. With `history`, only
    subsequences starting at most `history` (plus up to one block of 256) points back count.
    """
    n = len(x)
    out = np.full(n, np.nan)
    if n < length + exclusion:
        return out
    subs = np.ascontiguousarray(sliding_window_view(x, length))  # row i ends at i + length - 1
    sq = np.einsum("ij,ij->i", subs, subs)
    rows = len(subs)
    block = int(min(_BLOCK_ROWS, max(16, _BLOCK_CELLS // rows)))
    # Row r may use columns c <= r - exclusion. In a block [b0, b1) the columns below
    # b0 - exclusion + 1 are allowed for every row; only a block-sized triangle needs a mask.
    below = np.tril(np.ones((block, block), dtype=bool), k=-1)
    for b0 in range(exclusion, rows, block):
        b1 = min(rows, b0 + block)
        free = b0 - exclusion + 1
        first = 0 if history is None else max(0, min(free - 1, b0 - history))
        tri_hi = b1 - exclusion + 1
        # |a - b|^2 = |a|^2 + |b|^2 - 2 a.b; |a|^2 is added once the nearest are chosen.
        part = sq[None, first:free] - 2.0 * (subs[b0:b1] @ subs[first:free].T)
        tri = sq[None, free:tri_hi] - 2.0 * (subs[b0:b1] @ subs[free:tri_hi].T)
        tri = np.where(below[: b1 - b0, : tri_hi - free], tri, np.inf)
        if neighbors == 1:
            best = np.minimum(part.min(axis=1), tri.min(axis=1))[:, None]
        else:
            candidates = np.concatenate(
                [_smallest(part, neighbors), _smallest(tri, neighbors)], axis=1
            )
            best = _smallest(candidates, neighbors)
        squared = np.maximum(best + sq[b0:b1, None], 0.0)
        squared[np.isinf(best)] = np.nan
        out[b0 + length - 1 : b1 + length - 1] = np.sqrt(np.nanmean(squared, axis=1))
    return out


def suppress_repeats(scores: FloatArray, refractory: int) -> FloatArray:
    """Keep a score only where it exceeds every score of the `refractory` points before it.

    An anomaly that lasts yields one strong score at its onset instead of a run of them.
    """
    if refractory <= 0 or len(scores) == 0:
        return scores.copy()
    earlier = trailing_max(scores, refractory)
    return np.where(scores > earlier, scores, 0.0)


def regime_break_ratio(
    x: FloatArray, window: int, reference: int, bins: int, stride: int, learn: int
) -> FloatArray:
    """Where the current regime breaks: its test statistic over the regime's record; 0 elsewhere.

    Every `stride` points the last `window` values are tested against the current regime, the
    (at most `reference`) values before them since the regime began: each recent value's
    mid-rank among the regime's values (its empirical CDF) is counted in `bins` equiprobable
    bins, and the G statistic (likelihood ratio of those counts against equal counts) taken. A
    level shift, a wider or narrower spread, a new shape of distribution all raise it; the
    regime's own variation (a daily cycle, autocorrelation) sets its record. While a regime is
    younger than `learn` points it only records its largest statistic; once older it breaks
    when the statistic reaches that record (the ratio, >= 1, is returned at that point), and a
    new regime begins at the tested window's first value. So a lasting change breaks once.
    """
    n = len(x)
    out = np.zeros(n)
    if n <= learn:  # no regime can be old enough to break
        return out
    expected = window / bins
    edges = np.linspace(0.0, 1.0, bins + 1)[1:-1]
    start, record = 0, 0.0
    for t in range(window + _MIN_REGIME, n, stride):
        first = t - window + 1
        lo = max(start, first - reference)
        if first - lo < _MIN_REGIME:
            continue
        regime = np.sort(x[lo:first])
        recent = x[first : t + 1]
        below = np.searchsorted(regime, recent, "left") + np.searchsorted(regime, recent, "right")
        cdf = below / (2.0 * len(regime))
        counts = np.bincount(np.searchsorted(edges, cdf, "right"), minlength=bins)
        seen = counts[counts > 0]
        g = 2.0 * float(np.sum(seen * np.log(seen / expected)))
        ratio = g / max(record, 1e-9)
        if t - start >= learn and ratio >= 1.0:
            out[t] = ratio
            start, record = first, 0.0
        else:
            record = max(record, g)
    return out


def daily_residual(x: FloatArray, period: int, days: int) -> FloatArray:
    """Each value minus the median of the values at the same time of the `days` previous days
    (`period` points a day), for the points from index `days * period` on (empty if none)."""
    start = days * period
    if days < 1 or period < 1 or len(x) <= start:
        return np.zeros(0)
    earlier = np.stack([x[start - k * period : len(x) - k * period] for k in range(1, days + 1)])
    return np.asarray(x[start:] - np.median(earlier, axis=0), dtype=np.float64)


def day_length(seconds: FloatArray) -> int:
    """Points per day from the median step between the given timestamps (in seconds); 0 when
    the step is not positive."""
    if len(seconds) < 2:
        return 0
    step = float(np.median(np.diff(seconds)))
    return round(86_400.0 / step) if step > 0.0 else 0
