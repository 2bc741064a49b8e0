"""Read and write SeriesSet / TrafficSet as long-format Parquet, CSV or JSON lines.

One row per (key, minute): `timestamp` (UTC, on the minute), the key columns, then one float
column per metric (null or NaN = no sample). Readers accept any subset of the rows; the Parquet
writer emits every minute of each key that has a sample, sorted by key then time, with fixed
options so equal frames give identical bytes (CSV leaves out cells without any sample).
"""

from __future__ import annotations

import io
import json
import math
from collections.abc import Iterator
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any, TypeVar

import numpy as np
import numpy.typing as npt
import pyarrow as pa
import pyarrow.csv as pacsv
import pyarrow.parquet as pq

from outagelens.errors import SignalError
from outagelens.signals.arrow_metrics import RATIO_METRICS, metric_values
from outagelens.signals.frames import MinuteFrame, build_from_columns, minute_of
from outagelens.signals.parquet_stream import read_parquet_frame
from outagelens.signals.timefmt import format_time, parse_time

F = TypeVar("F", bound=MinuteFrame)
_EPOCH = datetime(1970, 1, 1, tzinfo=UTC)
_UNIT_PER_SECOND = {"s": 1, "ms": 1_000, "us": 1_000_000, "ns": 1_000_000_000}
# Metrics bounded to [0, 1]; every other metric must be >= 0.
SUFFIXES = (".parquet", ".csv", ".jsonl")


def read_frame(
    cls: type[F], path: Path, *, start: datetime | None = None, n_minutes: int | None = None
) -> F:
    """Load a SeriesSet/TrafficSet file (.parquet, .csv or .jsonl); window from args or data."""
    source = path.name
    try:
        if path.suffix == ".parquet":
            if start is not None and n_minutes is not None:
                # Row group by row group into the frame's grids; None: needs the full reader.
                with pq.ParquetFile(path) as handle:
                    streamed = read_parquet_frame(cls, handle, start=start, n_minutes=n_minutes)
                if streamed is not None:
                    return streamed
            table, first_line = pq.read_table(path), 1
        elif path.suffix == ".csv":
            table, first_line = _read_csv(cls, path), 2
        elif path.suffix == ".jsonl":
            table, first_line = _read_jsonl(cls, path), 1
        else:
            raise SignalError(f"unsupported table format '{path.suffix}', use one of {SUFFIXES}")
    except (pa.ArrowInvalid, OSError) as exc:
        raise SignalError(f"cannot read table: {exc}", source=source) from None
    return frame_from_table(
        cls, table, start=start, n_minutes=n_minutes, source=source, first_line=first_line
    )


def frame_from_table(
    cls: type[F],
    table: pa.Table,
    *,
    start: datetime | None,
    n_minutes: int | None,
    source: str,
    first_line: int = 1,
) -> F:
    """Validate an Arrow table of long-format rows and pivot it into a frame."""
    expected = ["timestamp", *cls.KEY_NAMES, *cls.METRICS]
    missing = [c for c in expected if c not in table.column_names]
    extra = [c for c in table.column_names if c not in expected]
    if missing or extra:
        field = (missing or extra)[0]
        problem = "missing column" if missing else "unknown column"
        raise SignalError(f"field '{field}': {problem}; columns must be {expected}", source=source)
    minutes = _epoch_minutes(table.column("timestamp"), source, first_line)
    if start is None or n_minutes is None:
        if len(minutes) == 0:
            raise SignalError("table has no rows and no window was given", source=source)
        first, last = int(minutes.min()), int(minutes.max())
        start = _EPOCH + timedelta(minutes=first)
        n_minutes = last - first + 1
    codes, dictionaries = [], []
    for name in cls.KEY_NAMES:
        col_codes, dictionary = _encode_key(table.column(name), name, source, first_line)
        codes.append(col_codes)
        dictionaries.append(dictionary)
    metrics = {m: _metric(table.column(m), m, source, first_line) for m in cls.METRICS}
    return build_from_columns(
        cls,
        start=start,
        n_minutes=n_minutes,
        minutes=minutes,
        key_codes=codes,
        key_dictionaries=dictionaries,
        metrics=metrics,
        source=source,
        first_line=first_line,
    )


def _epoch_minutes(column: pa.ChunkedArray, source: str, first_line: int) -> npt.NDArray[np.int64]:
    """Timestamps as epoch minutes; they must be timezone-aware and on whole minutes."""
    kind = column.type
    if not pa.types.is_timestamp(kind):
        raise SignalError(f"field 'timestamp': type {kind} is not a timestamp", source=source)
    if kind.tz is None:
        raise SignalError(
            "field 'timestamp': timestamps carry no time zone; write them as UTC", source=source
        )
    _reject_nulls(column, "timestamp", source, first_line)
    raw: npt.NDArray[np.int64] = np.asarray(column.cast(pa.int64()).to_numpy(), dtype=np.int64)
    per_minute = 60 * _UNIT_PER_SECOND[kind.unit]
    minutes = raw // per_minute
    off = np.flatnonzero(minutes * per_minute != raw)  # cheaper than a second modulo pass
    if off.size:
        i = int(off[0])
        raise SignalError(
            f"field 'timestamp': {int(raw[i])} {kind.unit} is not on a whole minute",
            source=source,
            line=first_line + i,
        )
    return minutes


def _encode_key(
    column: pa.ChunkedArray, name: str, source: str, first_line: int
) -> tuple[npt.NDArray[np.integer[Any]], list[str]]:
    """Dictionary codes and dictionary of one key column; ids must be non-empty, no whitespace."""
    value_type = column.type.value_type if pa.types.is_dictionary(column.type) else column.type
    if not (pa.types.is_string(value_type) or pa.types.is_large_string(value_type)):
        raise SignalError(f"field '{name}': type {column.type} is not a string", source=source)
    _reject_nulls(column, name, source, first_line)
    if column.num_chunks == 0:
        return np.zeros(0, dtype=np.int64), []
    if pa.types.is_dictionary(column.type):
        # Already dictionary-encoded (our own Parquet): reuse the codes instead of re-hashing.
        encoded = column.unify_dictionaries().combine_chunks()
    else:
        encoded = column.combine_chunks().dictionary_encode()
    dictionary = encoded.dictionary.to_pylist()
    for value in dictionary:
        if not value or len(value) > 256 or any(ch.isspace() for ch in value):
            row = column.to_pylist().index(value)
            raise SignalError(
                f"field '{name}': {value!r} is not a valid entity id",
                source=source,
                line=first_line + row,
            )
    return encoded.indices.to_numpy(zero_copy_only=False), dictionary


def _metric(
    column: pa.ChunkedArray, name: str, source: str, first_line: int
) -> npt.NDArray[np.floating[Any]]:
    """A metric column as float32/float64 with NaN for missing; range-checked."""
    checked = metric_values(column, name)
    if checked is None:
        raise SignalError(f"field '{name}': type {column.type} is not numeric", source=source)
    values, bad = checked
    hits = np.flatnonzero(bad)
    if hits.size:
        i = int(hits[0])
        allowed = "0..1" if name in RATIO_METRICS else ">= 0 and finite"
        raise SignalError(
            f"field '{name}': {float(values[i])!r} out of range ({allowed})",
            source=source,
            line=first_line + i,
        )
    return values


def _reject_nulls(column: pa.ChunkedArray, name: str, source: str, first_line: int) -> None:
    if column.null_count:
        row = int(np.flatnonzero(column.is_null().to_numpy(zero_copy_only=False))[0])
        raise SignalError(f"field '{name}': missing value", source=source, line=first_line + row)


def _read_csv(cls: type[MinuteFrame], path: Path) -> pa.Table:
    types: dict[str, pa.DataType] = {"timestamp": pa.timestamp("s", tz="UTC")}
    types.update({k: pa.string() for k in cls.KEY_NAMES})
    types.update({m: pa.float64() for m in cls.METRICS})
    return pacsv.read_csv(
        path,
        convert_options=pacsv.ConvertOptions(column_types=types, strings_can_be_null=False),
    )


def _read_jsonl(cls: type[MinuteFrame], path: Path) -> pa.Table:
    """JSON lines with the same fields as the Parquet columns; errors name the line."""
    columns: dict[str, list[Any]] = {c: [] for c in ("timestamp", *cls.KEY_NAMES, *cls.METRICS)}
    with path.open(encoding="utf-8") as handle:
        for lineno, line in enumerate(handle, start=1):
            if not line.strip():
                continue
            record = _json_object(line, path.name, lineno)
            unknown = sorted(set(record) - set(columns))
            if unknown:
                raise SignalError(
                    f"field '{unknown[0]}': unknown field", source=path.name, line=lineno
                )
            for name, values in columns.items():
                value = record.get(name)
                if name == "timestamp":
                    try:
                        value = parse_time(value) if value is not None else None
                    except ValueError as exc:
                        raise SignalError(
                            f"field 'timestamp': {exc}", source=path.name, line=lineno
                        ) from None
                elif (
                    name in cls.METRICS and value is not None and not isinstance(value, int | float)
                ):
                    raise SignalError(
                        f"field '{name}': {value!r} is not a number", source=path.name, line=lineno
                    )
                values.append(value)
    schema = pa.schema(
        [("timestamp", pa.timestamp("us", tz="UTC"))]
        + [(k, pa.string()) for k in cls.KEY_NAMES]
        + [(m, pa.float64()) for m in cls.METRICS]
    )
    return pa.table(columns, schema=schema)


def _json_object(line: str, source: str, lineno: int) -> dict[str, Any]:
    try:
        record = json.loads(line)
    except json.JSONDecodeError as exc:
        raise SignalError(f"invalid JSON: {exc.msg}", source=source, line=lineno) from None
    if not isinstance(record, dict):
        raise SignalError("each line must be a JSON object", source=source, line=lineno)
    return record


def frame_to_table(frame: MinuteFrame) -> pa.Table:
    """Long-format Arrow table of every (key, minute) cell holding at least one sample."""
    shape = (len(frame.keys), frame.n_minutes)
    present = np.zeros(shape, dtype=bool)
    for metric in frame.METRICS:
        present |= ~np.isnan(frame.values[metric])
    # Boolean indexing walks cells in row-major order: key by key, minutes ascending.
    rows = np.broadcast_to(np.arange(shape[0], dtype=np.int32)[:, None], shape)[present]
    cols = np.broadcast_to(np.arange(shape[1], dtype=np.int64)[None, :], shape)[present]
    seconds = (cols + minute_of(frame.start)) * 60
    arrays: dict[str, pa.Array] = {
        "timestamp": pa.array(seconds, type=pa.timestamp("s", tz="UTC")),
    }
    for pos, name in enumerate(frame.KEY_NAMES):
        dictionary = sorted({key[pos] for key in frame.keys})
        lookup = {value: i for i, value in enumerate(dictionary)}
        code_of_row = np.asarray([lookup[key[pos]] for key in frame.keys], dtype=np.int32)
        arrays[name] = pa.DictionaryArray.from_arrays(
            pa.array(np.take(code_of_row, rows), type=pa.int32()),
            pa.array(dictionary, type=pa.string()),
        )
    for metric in frame.METRICS:
        data = frame.values[metric][present]
        missing = np.isnan(data)
        arrays[metric] = pa.array(data, type=pa.float32(), mask=missing if missing.any() else None)
    return pa.table(arrays)


ROW_GROUP_ROWS = 1 << 20
"""Rows per Parquet row group (at most; a group holds whole keys when a key fits in one)."""


def write_frame(frame: MinuteFrame, path: Path, *, row_group_rows: int = ROW_GROUP_ROWS) -> None:
    """Write a frame as .parquet (zstd, dictionary keys) or .csv; byte-for-byte reproducible.

    Parquet is streamed one row group (about `row_group_rows` rows) at a time into a temporary
    file that replaces `path` when complete, so memory stays at one row group above the frame.
    """
    if path.suffix == ".parquet":
        partial = path.with_name(path.name + ".partial")
        encodings = {"timestamp": "DELTA_BINARY_PACKED"}
        encodings.update({metric: "BYTE_STREAM_SPLIT" for metric in frame.METRICS})
        try:
            with pq.ParquetWriter(
                partial,
                _schema(frame),
                compression="zstd",
                compression_level=3,
                use_dictionary=list(frame.KEY_NAMES),
                column_encoding=encodings,
                write_statistics=True,
            ) as writer:
                for table in row_groups(frame, row_group_rows):
                    writer.write_table(table, row_group_size=max(table.num_rows, 1))
            partial.replace(path)
        finally:
            partial.unlink(missing_ok=True)
    elif path.suffix == ".csv":
        path.write_text(_csv_text(frame), encoding="utf-8", newline="")
    else:
        raise SignalError(f"unsupported table format '{path.suffix}', use .parquet or .csv")


def _schema(frame: MinuteFrame) -> pa.Schema:
    return pa.schema(
        [("timestamp", pa.timestamp("s", tz="UTC"))]
        + [(name, pa.dictionary(pa.int32(), pa.string())) for name in frame.KEY_NAMES]
        + [(metric, pa.float32()) for metric in frame.METRICS]
    )


def row_groups(frame: MinuteFrame, rows: int = ROW_GROUP_ROWS) -> Iterator[pa.Table]:
    """The Parquet layout, one table per row group: every minute of each key that has at least
    one sample (null where a metric has none), keys in order; keys with no sample are left out.

    A block of keys is a zero-copy view of the frame's arrays, so a row group costs only its
    timestamps, key codes and null masks.
    """
    n_keys, n_minutes = len(frame.keys), frame.n_minutes
    dictionaries, key_codes = _key_dictionaries(frame)
    step = max(1, rows // max(n_minutes, 1))
    stamps = (np.arange(n_minutes, dtype=np.int64) + minute_of(frame.start)) * 60
    for a in range(0, n_keys, step):
        b = min(n_keys, a + step)
        block = {m: frame.values[m][a:b] for m in frame.METRICS}
        sampled = np.zeros(b - a, dtype=bool)
        for values in block.values():
            sampled |= ~np.isnan(values).all(axis=1)
        if not sampled.any():
            continue
        if not sampled.all():
            block = {m: values[sampled] for m, values in block.items()}
        kept = np.arange(a, b)[sampled]
        arrays: dict[str, pa.Array] = {
            "timestamp": pa.array(np.tile(stamps, len(kept)), type=pa.timestamp("s", tz="UTC"))
        }
        for name, dictionary, codes in zip(frame.KEY_NAMES, dictionaries, key_codes, strict=True):
            # Each row group carries only the ids it uses (a sorted slice of the dictionary).
            used, local = np.unique(codes[kept], return_inverse=True)
            arrays[name] = pa.DictionaryArray.from_arrays(
                pa.array(np.repeat(local.astype(np.int32), n_minutes), type=pa.int32()),
                dictionary.take(pa.array(used)),
            )
        for metric, values in block.items():
            flat = values.reshape(-1)
            missing = np.isnan(flat)
            arrays[metric] = pa.array(
                flat, type=pa.float32(), mask=missing if missing.any() else None
            )
        yield pa.table(arrays)


def _key_dictionaries(frame: MinuteFrame) -> tuple[list[pa.Array], list[npt.NDArray[np.int64]]]:
    """Per key part: the sorted distinct ids, and the code of every key in that dictionary."""
    dictionaries, codes = [], []
    for pos in range(len(frame.KEY_NAMES)):
        values = sorted({key[pos] for key in frame.keys})
        lookup = {value: i for i, value in enumerate(values)}
        dictionaries.append(pa.array(values, type=pa.string()))
        codes.append(np.fromiter((lookup[key[pos]] for key in frame.keys), dtype=np.int64))
    return dictionaries, codes


def _csv_text(frame: MinuteFrame) -> str:
    out = io.StringIO()
    out.write(",".join(["timestamp", *frame.KEY_NAMES, *frame.METRICS]) + "\n")
    stacked = np.stack([frame.values[m] for m in frame.METRICS], axis=-1)
    for row, col in zip(*np.nonzero(~np.all(np.isnan(stacked), axis=-1)), strict=True):
        when = format_time(frame.start + timedelta(minutes=int(col)))
        cells = [format_float(float(v)) for v in stacked[row, col].astype(np.float32)]
        ids = [_csv_cell(part) for part in frame.keys[int(row)]]
        out.write(",".join([when, *ids, *cells]) + "\n")
    return out.getvalue()


def _csv_cell(text: str) -> str:
    """RFC 4180 quoting, only where a cell needs it (ids may hold commas or quotes)."""
    if any(ch in text for ch in ',"\r\n'):
        return '"' + text.replace('"', '""') + '"'
    return text


def format_float(value: float) -> str:
    """Shortest text that reads back to the same float32; empty for NaN."""
    if math.isnan(value):
        return ""
    return np.format_float_positional(np.float32(value), unique=True, trim="-")
