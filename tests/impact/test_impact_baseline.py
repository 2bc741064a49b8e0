"""Expected per-minute figures from series rows."""

from __future__ import annotations

from datetime import UTC, datetime

import numpy as np
import pytest

from outagelens.impact.baseline import series_rows
from outagelens.signals import SeriesSet

ROW = np.array([1.5, -0.0, 0.0, np.nan, np.inf, -np.inf, -2.0, 3e38], dtype=np.float32)
HEALTHY = np.array([1.0, 2.0, np.nan, 0.25, 4.0, np.nan, 0.0, 1.0], dtype=np.float32)


def _series() -> SeriesSet:
    rows = {("c", "web", "a"): ROW, ("c", "web", "b"): HEALTHY}
    return SeriesSet.from_series(
        datetime(2026, 3, 14, tzinfo=UTC),
        ROW.size,
        {key: {"throughput": values} for key, values in rows.items()},
    )


def _summed(rows: list[np.ndarray]) -> np.ndarray:
    """The sum over several keys, as series_rows takes it (NaN where no key has a sample)."""
    stacked = np.vstack([r.astype(np.float64) for r in rows])
    total = np.nansum(stacked, axis=0)
    total[np.all(np.isnan(stacked), axis=0)] = np.nan
    return total


@pytest.mark.parametrize(
    ("keys", "want"),
    [
        ([("c", "web", "a")], _summed([ROW])),
        ([("c", "web", "a"), ("c", "web", "zz")], _summed([ROW])),
        ([("c", "web", "a"), ("c", "web", "b")], _summed([ROW, HEALTHY])),
        ([("c", "web", "zz")], np.full(ROW.size, np.nan)),
    ],
    ids=["one-key", "one-known-key", "two-keys", "no-known-key"],
)
def test_series_rows_sum_bit_for_bit(keys: list[tuple[str, str, str]], want: np.ndarray) -> None:
    # One key takes a shortcut (its own row): the same bits as the general sum, the negative
    # zero turned positive as the sum turns it.
    got = series_rows(_series(), keys, "throughput")
    assert got.dtype == np.float64
    assert got.tobytes() == want.tobytes()
