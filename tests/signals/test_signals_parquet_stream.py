"""The row-group Parquet reader gives exactly what reading the whole table gives."""

from __future__ import annotations

import dataclasses
from pathlib import Path

import numpy as np
import pyarrow as pa
import pyarrow.parquet as pq
import pytest
from tests.signals.signal_builders import WINDOW_MINUTES, WINDOW_START, make_signal_set

from outagelens.errors import SignalError
from outagelens.signals.directory import load_signals_dir, write_signals_dir
from outagelens.signals.frames import MinuteFrame, SeriesSet, TrafficSet
from outagelens.signals.parquet_stream import read_parquet_frame
from outagelens.signals.series_io import frame_from_table, frame_to_table, write_frame

KEYS = 30


def _gappy_series(seed: int = 5) -> SeriesSet:
    """30 keys over the builders' window: missing minutes, all-null keys and metrics."""
    rng = np.random.default_rng(seed)
    shape = (KEYS, WINDOW_MINUTES)
    values = {m: rng.uniform(0, 1, size=shape).astype(np.float32) for m in SeriesSet.METRICS}
    values["latency_p95_ms"] *= 900
    for metric in SeriesSet.METRICS:
        values[metric][rng.random(shape) < 0.05] = np.nan  # scattered missing samples
        values[metric][::7] = np.nan  # keys 0, 7, 14, ...: no sample at all
        values[metric][3, 10:40] = np.nan  # a whole-minute gap of half an hour
    values["throughput"][5] = np.nan  # one key without its business KPI
    keys = tuple(
        (f"cust-{i % 4}", f"svc {i}".replace(" ", "-"), f"loc-{i % 3}") for i in range(KEYS)
    )
    return SeriesSet(
        start=WINDOW_START, n_minutes=WINDOW_MINUTES, keys=tuple(sorted(keys)), values=values
    )


def _whole_table(cls: type[MinuteFrame], path: Path) -> MinuteFrame:
    """The straightforward reading: the whole long table, then the pivot."""
    return frame_from_table(
        cls,
        pq.read_table(path),
        start=WINDOW_START,
        n_minutes=WINDOW_MINUTES,
        source=path.name,
    )


def _same_bits(a: MinuteFrame, b: MinuteFrame) -> bool:
    return a == b and all(
        np.array_equal(a.values[m].view(np.uint32), b.values[m].view(np.uint32)) for m in a.METRICS
    )


def test_directory_with_gaps_and_several_row_groups_loads_as_the_whole_table(
    tmp_path: Path,
) -> None:
    series = _gappy_series()
    signals = dataclasses.replace(make_signal_set(), series=series)
    write_signals_dir(tmp_path, signals)
    path = tmp_path / "series.parquet"
    write_frame(series, path, row_group_rows=5 * WINDOW_MINUTES)  # five keys per row group
    assert pq.ParquetFile(path).num_row_groups > 3
    streamed = read_parquet_frame(
        SeriesSet, pq.ParquetFile(path), start=WINDOW_START, n_minutes=WINDOW_MINUTES
    )
    assert streamed is not None  # the row-group path took this file
    whole = _whole_table(SeriesSet, path)
    assert _same_bits(streamed, whole)
    loaded = load_signals_dir(tmp_path)
    assert _same_bits(loaded.series, whole)
    assert _same_bits(loaded.traffic, _whole_table(TrafficSet, tmp_path / "traffic.parquet"))
    assert loaded.series.keys == tuple(k for i, k in enumerate(series.keys) if i % 7)
    assert loaded == dataclasses.replace(signals, series=loaded.series)


def test_other_layouts_fall_back_to_the_whole_table_and_load_the_same(tmp_path: Path) -> None:
    series = _gappy_series(seed=8)
    table = frame_to_table(series)  # empty minutes left out, plain (not dictionary) strings
    plain = table.cast(
        pa.schema(
            [f.with_type(pa.string()) if f.name in series.KEY_NAMES else f for f in table.schema]
        )
    )
    by_time = plain.sort_by([("timestamp", "ascending"), ("customer", "descending")])
    pq.write_table(by_time, tmp_path / "series.parquet", row_group_size=100)
    handle = pq.ParquetFile(tmp_path / "series.parquet")
    assert (
        read_parquet_frame(SeriesSet, handle, start=WINDOW_START, n_minutes=WINDOW_MINUTES) is None
    )
    loaded = load_signals_dir(_with_meta(tmp_path))
    assert loaded.series == _whole_table(SeriesSet, tmp_path / "series.parquet")
    assert loaded.series == SeriesSet(
        start=series.start,
        n_minutes=series.n_minutes,
        keys=tuple(k for i, k in enumerate(series.keys) if i % 7),
        values={
            m: np.delete(series.values[m], np.arange(0, KEYS, 7), axis=0) for m in series.METRICS
        },
    )


def _with_meta(root: Path) -> Path:
    """Give a folder holding only a table the builders' meta.json."""
    signals = make_signal_set()
    scratch = root / "scratch"
    write_signals_dir(scratch, signals)
    (root / "meta.json").write_bytes((scratch / "meta.json").read_bytes())
    return root


def test_bad_value_in_a_later_row_group_names_the_same_row_as_before(tmp_path: Path) -> None:
    series = _gappy_series()
    path = tmp_path / "series.parquet"
    write_frame(series, path, row_group_rows=5 * WINDOW_MINUTES)
    table = pq.read_table(path)
    bad_row = table.num_rows - 3
    latency = table.column("latency_p95_ms").to_numpy(zero_copy_only=False).copy()
    latency[bad_row] = -1.0
    broken = table.set_column(
        table.schema.get_field_index("latency_p95_ms"),
        "latency_p95_ms",
        pa.array(latency, type=pa.float32()),
    )
    pq.write_table(broken, path, row_group_size=5 * WINDOW_MINUTES)
    with pytest.raises(SignalError) as exc:
        load_signals_dir(_with_meta(tmp_path))
    assert exc.value.source == "series.parquet"
    assert exc.value.line == bad_row + 1
    assert "field 'latency_p95_ms': -1.0 out of range" in str(exc.value)


@pytest.mark.parametrize("damage", ["truncated", "overwritten"])
def test_corrupt_parquet_names_the_file(tmp_path: Path, damage: str) -> None:
    write_signals_dir(tmp_path, dataclasses.replace(make_signal_set(), series=_gappy_series()))
    path = tmp_path / "series.parquet"
    data = bytearray(path.read_bytes())
    if damage == "truncated":
        data = data[: len(data) // 2]
    else:  # keep the footer, wreck the column chunks
        data[4 : len(data) // 2] = b"\xff" * (len(data) // 2 - 4)
    path.write_bytes(bytes(data))
    with pytest.raises(SignalError, match=r"^series\.parquet: cannot read table: ") as exc:
        load_signals_dir(tmp_path)
    assert exc.value.source == "series.parquet"


def test_key_ordered_file_without_empty_minutes_streams_the_same(tmp_path: Path) -> None:
    # Older writers leave out minutes without samples: cells between rows must come out NaN.
    path = tmp_path / "series.parquet"
    pq.write_table(frame_to_table(_gappy_series(seed=9)), path, row_group_size=333)
    handle = pq.ParquetFile(path)
    assert handle.num_row_groups > 3
    streamed = read_parquet_frame(SeriesSet, handle, start=WINDOW_START, n_minutes=WINDOW_MINUTES)
    assert streamed is not None
    assert _same_bits(streamed, _whole_table(SeriesSet, path))
