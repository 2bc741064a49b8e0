"""Columnar minute tables: SLI series per (customer, service, location), traffic per edge.

Each table holds one 2-D float32 array per metric, shape (number of keys, number of minutes),
with NaN where no sample exists. Keys are sorted tuples of catalog entity ids, so row order is
canonical and two tables built from the same data compare equal.
"""

from __future__ import annotations

import itertools
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta
from typing import Any, ClassVar, Self, TypeVar

import numpy as np
import numpy.typing as npt

from outagelens.errors import SignalError
from outagelens.signals.timefmt import format_time, to_utc

FloatArray = npt.NDArray[np.float32]
IntArray = npt.NDArray[np.int64]

SERIES_KEY_NAMES: tuple[str, ...] = ("customer", "service", "location")
SERIES_METRICS: tuple[str, ...] = (
    "availability",
    "request_rate",
    "error_rate",
    "latency_p95_ms",
    "throughput",
)
TRAFFIC_KEY_NAMES: tuple[str, ...] = ("location", "component")
TRAFFIC_METRICS: tuple[str, ...] = (
    "requests_per_s",
    "bytes_per_s",
    "distinct_source_networks",
    "new_source_networks",
    "syn_ratio",
)
_EPOCH = datetime(1970, 1, 1, tzinfo=UTC)


def minute_of(value: datetime) -> int:
    """Whole minutes since the Unix epoch of an aware datetime (floored)."""
    seconds = (to_utc(value) - _EPOCH) // timedelta(seconds=1)
    return int(seconds // 60)


@dataclass(frozen=True, eq=False)
class MinuteFrame:
    """Base of SeriesSet and TrafficSet: keyed float32 rows over a window of whole minutes."""

    KEY_NAMES: ClassVar[tuple[str, ...]] = ()
    METRICS: ClassVar[tuple[str, ...]] = ()

    start: datetime
    n_minutes: int
    keys: tuple[tuple[str, ...], ...]
    values: Mapping[str, FloatArray]
    _index: dict[tuple[str, ...], int] = field(init=False, repr=False, compare=False)
    _start_minute: int = field(init=False, repr=False, compare=False)

    def __post_init__(self) -> None:
        name = type(self).__name__
        start = to_utc(self.start)
        if start.second or start.microsecond:
            raise SignalError(f"{name}.start {format_time(start)} is not on a whole minute")
        if self.n_minutes < 0:
            raise SignalError(f"{name}.n_minutes must be >= 0, got {self.n_minutes}")
        keys = tuple(tuple(k) for k in self.keys)
        for key in keys:
            if len(key) != len(self.KEY_NAMES) or not all(isinstance(p, str) and p for p in key):
                raise SignalError(f"{name} key {key!r} is not {self.KEY_NAMES} of non-empty ids")
        if any(a >= b for a, b in itertools.pairwise(keys)):
            raise SignalError(f"{name}.keys must be sorted and unique")
        if set(self.values) != set(self.METRICS):
            raise SignalError(
                f"{name}.values must hold exactly {self.METRICS}, got {sorted(self.values)}"
            )
        shape = (len(keys), self.n_minutes)
        frozen: dict[str, FloatArray] = {}
        for metric in self.METRICS:
            given = self.values[metric]
            arr = np.ascontiguousarray(given, dtype=np.float32)
            if arr.shape != shape:
                raise SignalError(f"{name}.values['{metric}'] has shape {arr.shape}, want {shape}")
            # Adopt read-only float32 arrays as they are; copy writable ones the caller still holds.
            if arr is given and arr.flags.writeable:
                arr = arr.copy()
            arr.setflags(write=False)
            frozen[metric] = arr
        object.__setattr__(self, "start", start)
        object.__setattr__(self, "keys", keys)
        object.__setattr__(self, "values", frozen)
        object.__setattr__(self, "_index", {k: i for i, k in enumerate(keys)})
        # Every minute_index needs it (a few per affected subscription): computed once.
        object.__setattr__(self, "_start_minute", minute_of(start))

    @classmethod
    def empty(cls, start: datetime, n_minutes: int) -> Self:
        """A table with no keys over the given window."""
        return cls.from_series(start, n_minutes, {})

    @classmethod
    def from_series(
        cls,
        start: datetime,
        n_minutes: int,
        series: Mapping[tuple[str, ...], Mapping[str, npt.ArrayLike]],
    ) -> Self:
        """Build from {key: {metric: 1-D array of n_minutes}}; absent metrics become NaN."""
        keys = sorted(tuple(k) for k in series)
        values = {m: np.full((len(keys), n_minutes), np.nan, dtype=np.float32) for m in cls.METRICS}
        for row, key in enumerate(keys):
            for metric, data in series[key].items():
                if metric not in values:
                    raise SignalError(f"{cls.__name__}: unknown metric '{metric}' for key {key}")
                arr = np.asarray(data, dtype=np.float32)
                if arr.shape != (n_minutes,):
                    raise SignalError(
                        f"{cls.__name__}: key {key} metric '{metric}' has shape {arr.shape}, "
                        f"want ({n_minutes},)"
                    )
                values[metric][row] = arr
        return cls(start=start, n_minutes=n_minutes, keys=tuple(keys), values=values)

    @property
    def end(self) -> datetime:
        """Exclusive end of the window."""
        return self.start + timedelta(minutes=self.n_minutes)

    @property
    def start_minute(self) -> int:
        """Window start as whole minutes since the Unix epoch."""
        return self._start_minute

    def __len__(self) -> int:
        return len(self.keys)

    def __contains__(self, key: object) -> bool:
        return key in self._index

    def __eq__(self, other: object) -> bool:
        if type(other) is not type(self):
            return NotImplemented
        assert isinstance(other, MinuteFrame)  # narrowed for mypy; type equality checked above
        return (
            self.start == other.start
            and self.n_minutes == other.n_minutes
            and self.keys == other.keys
            and all(
                np.array_equal(self.values[m], other.values[m], equal_nan=True)
                for m in self.METRICS
            )
        )

    __hash__ = None  # type: ignore[assignment]

    def times(self) -> npt.NDArray[np.datetime64]:
        """The minute index as numpy datetime64[m] values (UTC)."""
        return np.arange(self.n_minutes, dtype=np.int64).astype("timedelta64[m]") + np.datetime64(
            self.start.replace(tzinfo=None), "m"
        )

    def minute_index(self, when: datetime) -> int:
        """Column index of the minute containing `when`; may fall outside 0..n_minutes-1."""
        return minute_of(when) - self.start_minute

    def time_at(self, column: int) -> datetime:
        """Start time (UTC) of the given minute column."""
        return self.start + timedelta(minutes=column)

    def row(self, key: Sequence[str]) -> int:
        """Row index of a key; KeyError naming the key if absent."""
        try:
            return self._index[tuple(key)]
        except KeyError:
            raise KeyError(f"{type(self).__name__} has no key {tuple(key)!r}") from None

    def get(self, key: Sequence[str], metric: str) -> FloatArray:
        """The 1-D read-only series of one metric for one key."""
        series: FloatArray = self.values[metric][self.row(key)]
        return series

    def rows_where(self, **match: str) -> IntArray:
        """Row indices whose key parts equal the given values, e.g. rows_where(customer='c1')."""
        unknown = set(match) - set(self.KEY_NAMES)
        if unknown:
            raise KeyError(f"{type(self).__name__} keys have no part(s) {sorted(unknown)}")
        positions = [(self.KEY_NAMES.index(k), v) for k, v in match.items()]
        hits = [i for i, key in enumerate(self.keys) if all(key[p] == v for p, v in positions)]
        return np.asarray(hits, dtype=np.int64)

    def key_values(self, part: str) -> list[str]:
        """Sorted distinct values of one key part, e.g. all customers."""
        pos = self.KEY_NAMES.index(part)
        return sorted({key[pos] for key in self.keys})


@dataclass(frozen=True, eq=False)
class SeriesSet(MinuteFrame):
    """SLI series per (customer, service, location) at 1-minute resolution."""

    KEY_NAMES: ClassVar[tuple[str, ...]] = SERIES_KEY_NAMES
    METRICS: ClassVar[tuple[str, ...]] = SERIES_METRICS


@dataclass(frozen=True, eq=False)
class TrafficSet(MinuteFrame):
    """Ingress traffic per (location, edge component) at 1-minute resolution."""

    KEY_NAMES: ClassVar[tuple[str, ...]] = TRAFFIC_KEY_NAMES
    METRICS: ClassVar[tuple[str, ...]] = TRAFFIC_METRICS


F = TypeVar("F", bound=MinuteFrame)


def build_from_columns(
    cls: type[F],
    *,
    start: datetime,
    n_minutes: int,
    minutes: IntArray,
    key_codes: Sequence[npt.NDArray[np.integer[Any]]],
    key_dictionaries: Sequence[Sequence[str]],
    metrics: Mapping[str, npt.NDArray[np.floating[Any]]],
    source: str,
    first_line: int,
) -> F:
    """Pivot long-format rows (epoch minutes, dictionary-coded keys) into a frame; fast path for IO.

    `first_line` is the line/row number reported for row 0 in errors (1 for parquet, 2 for CSV).
    The metric arrays may be adopted without a copy: callers must not modify them afterwards.
    """
    n_rows = len(minutes)
    rel = minutes - minute_of(start)
    bad = np.flatnonzero((rel < 0) | (rel >= n_minutes))
    if bad.size:
        i = int(bad[0])
        when = format_time(_EPOCH + timedelta(minutes=int(minutes[i])))
        raise SignalError(
            f"field 'timestamp': {when} is outside the window {format_time(start)} .. "
            f"{format_time(start + timedelta(minutes=n_minutes))}",
            source=source,
            line=first_line + i,
        )
    row_of_code, keys = _key_rows(key_codes, key_dictionaries, n_rows)
    flat = row_of_code * n_minutes + rel
    cells = len(keys) * n_minutes
    # Rows written in canonical order (key, then minute) need no uniqueness scan or scatter.
    ordered = bool(np.all(flat[1:] > flat[:-1])) if n_rows > 1 else True
    if not ordered:
        seen = np.zeros(cells, dtype=bool)
        seen[flat] = True
        if int(np.count_nonzero(seen)) != n_rows:
            i = _first_duplicate(flat)
            key = keys[int(row_of_code[i])]
            raise SignalError(
                f"duplicate sample for {dict(zip(cls.KEY_NAMES, key, strict=True))} at "
                f"{format_time(_EPOCH + timedelta(minutes=int(minutes[i])))}",
                source=source,
                line=first_line + i,
            )
    dense = ordered and n_rows == cells  # then flat is exactly 0..cells-1
    values: dict[str, FloatArray] = {}
    for metric in cls.METRICS:
        if dense:
            # The metric columns belong to the caller's temporary table; adopt them.
            grid = np.asarray(metrics[metric], dtype=np.float32)
        else:
            grid = np.full(cells, np.nan, dtype=np.float32)
            grid[flat] = metrics[metric]
        grid.setflags(write=False)  # hand ownership to the frame without a copy
        values[metric] = grid.reshape(len(keys), n_minutes)
    return cls(start=start, n_minutes=n_minutes, keys=tuple(keys), values=values)


def _key_rows(
    key_codes: Sequence[npt.NDArray[np.integer[Any]]],
    key_dictionaries: Sequence[Sequence[str]],
    n_rows: int,
) -> tuple[IntArray, list[tuple[str, ...]]]:
    """Frame row of every record, and the sorted keys; works on runs of equal keys.

    Files list each key's minutes together, so comparing neighbours finds a few runs and the
    expensive key arithmetic runs once per run instead of once per record.
    """
    if n_rows == 0:
        return np.zeros(0, dtype=np.int64), []
    change = np.zeros(n_rows, dtype=bool)
    change[0] = True
    for codes in key_codes:
        change[1:] |= codes[1:] != codes[:-1]
    starts = np.flatnonzero(change)
    run_codes = [np.asarray(codes[starts], dtype=np.int64) for codes in key_codes]
    combined, sizes, ranks = _combine_codes(run_codes, key_dictionaries)
    run_row, uniq = _dense_codes(combined, int(np.prod(sizes, dtype=np.int64)))
    keys = _decode_keys(uniq, sizes, ranks, key_dictionaries)
    lengths = np.diff(np.append(starts, n_rows))
    return np.repeat(run_row, lengths), keys


def _combine_codes(
    key_codes: Sequence[IntArray], key_dictionaries: Sequence[Sequence[str]]
) -> tuple[IntArray, list[int], list[IntArray]]:
    """Mixed-radix code per row whose numeric order equals the lexicographic key order."""
    sizes = [max(len(d), 1) for d in key_dictionaries]
    ranks: list[IntArray] = []
    combined = np.zeros(len(key_codes[0]) if key_codes else 0, dtype=np.int64)
    for codes, dictionary, size in zip(key_codes, key_dictionaries, sizes, strict=True):
        order = np.argsort(np.asarray(dictionary, dtype=object), kind="stable")
        rank_of = np.empty(len(dictionary), dtype=np.int64)
        rank_of[order] = np.arange(len(dictionary), dtype=np.int64)
        ranks.append(order.astype(np.int64))
        combined *= size
        combined += np.take(rank_of, codes)
    return combined, sizes, ranks


def _dense_codes(combined: IntArray, space: int) -> tuple[IntArray, IntArray]:
    """Map sparse combined codes to dense row numbers (sorted); linear time when space is small."""
    if space <= min(64_000_000, 16 * len(combined)):
        present = np.zeros(space, dtype=bool)
        present[combined] = True
        uniq = np.flatnonzero(present).astype(np.int64)
        lookup = np.full(space, -1, dtype=np.int64)
        lookup[uniq] = np.arange(len(uniq), dtype=np.int64)
        return np.take(lookup, combined), uniq
    uniq, inverse = np.unique(combined, return_inverse=True)
    return inverse.astype(np.int64), uniq.astype(np.int64)


def _decode_keys(
    uniq: IntArray,
    sizes: list[int],
    ranks: list[IntArray],
    key_dictionaries: Sequence[Sequence[str]],
) -> list[tuple[str, ...]]:
    """Turn dense combined codes back into key tuples of ids."""
    parts: list[list[str]] = []
    rest = uniq.copy()
    for size, order, dictionary in reversed(list(zip(sizes, ranks, key_dictionaries, strict=True))):
        rank = rest % size
        rest //= size
        parts.append([dictionary[int(order[r])] for r in rank])
    parts.reverse()
    return list(zip(*parts, strict=True)) if parts else []


def _first_duplicate(flat: IntArray) -> int:
    """Row index of the first row whose (key, minute) cell was already taken."""
    order = np.argsort(flat, kind="stable")
    sorted_flat = flat[order]
    dup = np.flatnonzero(sorted_flat[1:] == sorted_flat[:-1])
    return int(np.min(order[dup + 1]))
