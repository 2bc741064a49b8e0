"""Metric columns of a series table as numpy arrays, with their range check (both readers)."""

from __future__ import annotations

from typing import Any

import numpy as np
import numpy.typing as npt
import pyarrow as pa
import pyarrow.compute as pc

RATIO_METRICS = frozenset({"availability", "syn_ratio"})


def metric_values(
    column: pa.ChunkedArray, name: str
) -> tuple[npt.NDArray[np.floating[Any]], npt.NDArray[np.bool_]] | None:
    """A metric column as float32/float64 with NaN for missing, and the mask of values out of
    range (negative, +inf, or above 1 for a ratio); None if the column is not numeric."""
    if not (pa.types.is_floating(column.type) or pa.types.is_integer(column.type)):
        return None
    target = pa.float32() if column.type == pa.float32() else pa.float64()
    typed = column.cast(target)
    if typed.null_count:
        typed = pc.fill_null(typed, float("nan"))
    values = np.asarray(typed.to_numpy(), dtype=target.to_pandas_dtype())
    with np.errstate(invalid="ignore"):
        # NaN compares False everywhere, so it passes; +-inf and negatives fail.
        bad = (values < 0) | (values == np.inf)
        if name in RATIO_METRICS:
            bad |= values > 1
    return values, bad
