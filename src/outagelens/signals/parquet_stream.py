"""Lean Parquet reader: row group by row group into preallocated per-metric grids.

`read_parquet_frame` reads a long-format table (docs/signals.md) without materialising the whole
long table: pass 1 reads only the key columns (dictionary-coded, cheap) to learn the keys and
which frame row every record belongs to; pass 2 reads timestamps and metrics one row group at a
time and writes them straight into one float32 (keys x minutes) grid per metric. Peak memory is
the frame itself plus about one row group.

It takes only well-formed files whose rows never revisit a cell in an earlier position (every
file our writer produces, and most others). On anything else — an unexpected type, a null key
or timestamp, a bad id, an out-of-range value, a time outside the window, rows out of order or
a duplicate — it returns None and the caller reads the file with the whole-table reader, which
reports exactly the errors it always did.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import UTC, datetime
from typing import Any, TypeVar

import numpy as np
import numpy.typing as npt
import pyarrow as pa
import pyarrow.parquet as pq

from outagelens.signals.arrow_metrics import metric_values
from outagelens.signals.frames import MinuteFrame, minute_of

F = TypeVar("F", bound=MinuteFrame)
_UNIT_PER_SECOND = {"s": 1, "ms": 1_000, "us": 1_000_000, "ns": 1_000_000_000}


@dataclass(frozen=True)
class _Runs:
    """Runs of equal keys in one row group: the key of each run and its length in rows."""

    keys: list[tuple[str, ...]]
    lengths: npt.NDArray[np.int64]


def read_parquet_frame(
    cls: type[F], handle: pq.ParquetFile, *, start: datetime, n_minutes: int
) -> F | None:
    """The frame of a Parquet file, or None when the file needs the whole-table reader."""
    expected = ["timestamp", *cls.KEY_NAMES, *cls.METRICS]
    if handle.schema_arrow.names != expected or handle.metadata.num_rows == 0:
        return None
    stamp_type = handle.schema_arrow.field("timestamp").type
    if not pa.types.is_timestamp(stamp_type) or stamp_type.tz is None:
        return None
    all_runs: list[_Runs] = []
    for group in range(handle.num_row_groups):
        runs = _group_runs(handle.read_row_group(group, columns=list(cls.KEY_NAMES)), cls)
        if runs is None:
            return None
        all_runs.append(runs)
    run_keys = [key for runs in all_runs for key in runs.keys]
    keys = sorted(set(run_keys))
    row_of = {key: row for row, key in enumerate(keys)}
    cells = len(keys) * n_minutes
    # Uninitialised: every cell is either written from the file or set to NaN below, once.
    grids = {m: np.empty(cells, dtype=np.float32) for m in cls.METRICS}
    per_minute = 60 * _UNIT_PER_SECOND[stamp_type.unit]
    first_minute = minute_of(start.astimezone(UTC))
    last_flat = -1
    for group, runs in enumerate(all_runs):
        table = handle.read_row_group(group, columns=["timestamp", *cls.METRICS])
        stamps = table.column("timestamp")
        if stamps.null_count:
            return None
        raw = np.asarray(stamps.cast(pa.int64()).to_numpy(), dtype=np.int64)
        minutes = raw // per_minute
        if np.any(minutes * per_minute != raw):
            return None
        rel = minutes - first_minute
        if rel.size and (int(rel.min()) < 0 or int(rel.max()) >= n_minutes):
            return None
        run_rows = np.asarray([row_of[key] for key in runs.keys], dtype=np.int64)
        flat = np.repeat(run_rows * n_minutes, runs.lengths) + rel
        # Strictly increasing across the whole file: no duplicates, and cells in frame order.
        if flat.size and (int(flat[0]) <= last_flat or np.any(flat[1:] <= flat[:-1])):
            return None
        contiguous = flat.size > 0 and int(flat[-1]) - int(flat[0]) + 1 == flat.size
        for metric in cls.METRICS:
            values = _metric(table.column(metric), metric)
            if values is None:
                return None
            if not flat.size:
                continue
            grid = grids[metric]
            if contiguous:
                grid[last_flat + 1 : int(flat[0])] = np.nan  # cells no row mentions
                grid[int(flat[0]) : int(flat[-1]) + 1] = values
            else:
                grid[last_flat + 1 : int(flat[-1]) + 1] = np.nan
                grid[flat] = values
        if flat.size:
            last_flat = int(flat[-1])
    for grid in grids.values():
        grid[last_flat + 1 :] = np.nan
    shaped: dict[str, npt.NDArray[np.float32]] = {}
    for metric, grid in grids.items():
        grid.setflags(write=False)  # hand ownership to the frame without a copy
        shaped[metric] = grid.reshape(len(keys), n_minutes)
    return cls(start=start, n_minutes=n_minutes, keys=tuple(keys), values=shaped)


def _group_runs(table: pa.Table, cls: type[MinuteFrame]) -> _Runs | None:
    """Runs of equal keys of one row group's key columns; None if a key column is not clean."""
    n_rows = table.num_rows
    change = np.zeros(n_rows, dtype=bool)
    if n_rows:
        change[0] = True
    codes_per_part: list[npt.NDArray[np.int64]] = []
    dictionaries: list[list[str]] = []
    for name in cls.KEY_NAMES:
        column = table.column(name)
        kind = column.type
        value_type = kind.value_type if pa.types.is_dictionary(kind) else kind
        if column.null_count or not (
            pa.types.is_string(value_type) or pa.types.is_large_string(value_type)
        ):
            return None
        if pa.types.is_dictionary(kind):
            encoded = column.unify_dictionaries().combine_chunks()
        else:
            encoded = column.combine_chunks().dictionary_encode()
        dictionary = encoded.dictionary.to_pylist()
        if not all(_valid_id(value) for value in dictionary):
            return None
        codes = np.asarray(encoded.indices.to_numpy(zero_copy_only=False), dtype=np.int64)
        change[1:] |= codes[1:] != codes[:-1]
        codes_per_part.append(codes)
        dictionaries.append(dictionary)
    starts = np.flatnonzero(change)
    parts = [
        [dictionary[int(c)] for c in codes[starts]]
        for codes, dictionary in zip(codes_per_part, dictionaries, strict=True)
    ]
    keys = list(zip(*parts, strict=True)) if parts else []
    lengths = np.diff(np.append(starts, n_rows)).astype(np.int64)
    # A key in two runs of one group is fine here; the order check in pass 2 rejects it.
    return _Runs(keys=keys, lengths=lengths)


def _valid_id(value: str | None) -> bool:
    """The whole-table reader's id rule: non-empty, at most 256 characters, no whitespace."""
    return bool(value) and len(value or "") <= 256 and not any(ch.isspace() for ch in value or "")


def _metric(column: pa.ChunkedArray, name: str) -> npt.NDArray[np.floating[Any]] | None:
    """One row group's metric column with NaN for missing; None if the type or a value is bad
    (the whole-table reader then reads the file again and names the problem)."""
    checked = metric_values(column, name)
    if checked is None or bool(np.any(checked[1])):
        return None
    return checked[0]
