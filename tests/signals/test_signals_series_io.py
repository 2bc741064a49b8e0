"""Series/traffic tables: pivoting, window checks and row-level errors in Parquet, CSV, JSONL."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from pathlib import Path

import numpy as np
import pyarrow as pa
import pyarrow.parquet as pq
import pytest
from tests.signals.signal_builders import WINDOW_MINUTES, WINDOW_START, make_series, make_traffic

from outagelens.errors import SignalError
from outagelens.signals.frames import SeriesSet, TrafficSet
from outagelens.signals.series_io import frame_to_table, read_frame, row_groups, write_frame

HEADER = "timestamp,customer,service,location,availability,request_rate,error_rate,latency_p95_ms,throughput\n"  # noqa: E501


def _csv(tmp_path: Path, *rows: str) -> Path:
    path = tmp_path / "series.csv"
    path.write_text(HEADER + "".join(r + "\n" for r in rows))
    return path


def test_csv_rows_pivot_into_sorted_keys(tmp_path: Path) -> None:
    path = _csv(
        tmp_path,
        "2026-03-14T08:02:00Z,zeta,web,fra1,0.5,10,5,100,",
        "2026-03-14T08:00:00+01:00,alpha,web,fra1,1,20,0,90,3",
        "2026-03-14T08:01:00Z,zeta,web,fra1,,,,,",
    )
    frame = read_frame(SeriesSet, path)
    # window derived from data: 07:00 (the +01:00 row) .. 08:02 inclusive
    assert frame.start == datetime(2026, 3, 14, 7, 0, tzinfo=UTC)
    assert frame.n_minutes == 63
    assert frame.keys == (("alpha", "web", "fra1"), ("zeta", "web", "fra1"))
    assert frame.get(("alpha", "web", "fra1"), "throughput")[0] == 3
    assert frame.get(("zeta", "web", "fra1"), "availability")[62] == np.float32(0.5)
    assert np.isnan(frame.get(("zeta", "web", "fra1"), "availability")[61])
    assert frame.values["availability"].dtype == np.float32
    assert not frame.values["availability"].flags.writeable


BAD_CSV = [
    ("2026-03-14T08:00:30Z,a,s,l,1,1,0,1,1", r"series\.csv:2: field 'timestamp'.*whole minute"),
    ("2026-03-14T10:00:00Z,a,s,l,1,1,0,1,1", r"series\.csv:2: field 'timestamp'.*outside"),
    ("2026-03-14T08:00:00Z,a,s,l,1.5,1,0,1,1", r"series\.csv:2: field 'availability'.*0\.\.1"),
    ("2026-03-14T08:00:00Z,a,s,l,1,-3,0,1,1", r"series\.csv:2: field 'request_rate'"),
    ("2026-03-14T08:00:00Z,a,s,l,1,inf,0,1,1", r"series\.csv:2: field 'request_rate'"),
    ("2026-03-14T08:00:00Z,,s,l,1,1,0,1,1", r"series\.csv:2: field 'customer'"),
    ("2026-03-14T08:00:00Z,a b,s,l,1,1,0,1,1", r"series\.csv:2: field 'customer'.*entity id"),
]


@pytest.mark.parametrize(
    ("row", "pattern"),
    BAD_CSV,
    ids=["off-minute", "outside-window", "ratio", "negative", "infinite", "empty-id", "space-id"],
)
def test_bad_csv_row_names_line_and_field(tmp_path: Path, row: str, pattern: str) -> None:
    path = _csv(tmp_path, row)
    with pytest.raises(SignalError, match=pattern):
        read_frame(SeriesSet, path, start=WINDOW_START, n_minutes=WINDOW_MINUTES)


def test_duplicate_sample_names_second_line(tmp_path: Path) -> None:
    path = _csv(
        tmp_path,
        "2026-03-14T08:00:00Z,a,s,l,1,1,0,1,1",
        "2026-03-14T08:01:00Z,a,s,l,1,1,0,1,1",
        "2026-03-14T09:00:00+01:00,a,s,l,1,1,0,1,1",
    )
    with pytest.raises(SignalError, match=r"series\.csv:4: duplicate sample"):
        read_frame(SeriesSet, path)


@pytest.mark.parametrize(
    ("header", "pattern"),
    [
        (HEADER.replace(",throughput", ""), "field 'throughput': missing column"),
        (HEADER.replace("\n", ",extra\n"), "field 'extra': unknown column"),
    ],
    ids=["missing-column", "unknown-column"],
)
def test_column_set_is_exact(tmp_path: Path, header: str, pattern: str) -> None:
    path = tmp_path / "series.csv"
    path.write_text(header)
    with pytest.raises(SignalError, match=pattern):
        read_frame(SeriesSet, path, start=WINDOW_START, n_minutes=5)


def test_parquet_without_time_zone_is_rejected(tmp_path: Path) -> None:
    table = frame_to_table(make_series())
    naive = table.set_column(0, "timestamp", table.column("timestamp").cast(pa.timestamp("s")))
    pq.write_table(naive, tmp_path / "series.parquet")
    with pytest.raises(SignalError, match=r"field 'timestamp'.*time zone"):
        read_frame(SeriesSet, tmp_path / "series.parquet")


def test_parquet_in_milliseconds_and_nan_are_accepted(tmp_path: Path) -> None:
    series = make_series()
    table = frame_to_table(series)
    ms = table.set_column(
        0, "timestamp", table.column("timestamp").cast(pa.timestamp("ms", tz="UTC"))
    )
    pq.write_table(ms, tmp_path / "series.parquet")
    loaded = read_frame(
        SeriesSet, tmp_path / "series.parquet", start=WINDOW_START, n_minutes=WINDOW_MINUTES
    )
    assert loaded == series


@pytest.mark.parametrize("suffix", [".parquet", ".csv"], ids=["parquet", "csv"])
def test_traffic_round_trip(tmp_path: Path, suffix: str) -> None:
    traffic = make_traffic()
    write_frame(traffic, tmp_path / f"traffic{suffix}")
    loaded = read_frame(
        TrafficSet, tmp_path / f"traffic{suffix}", start=WINDOW_START, n_minutes=WINDOW_MINUTES
    )
    assert loaded == traffic


def test_traffic_jsonl(tmp_path: Path) -> None:
    path = tmp_path / "traffic.jsonl"
    path.write_text(
        '{"timestamp":"2026-03-14T08:01:00Z","location":"fra1","component":"edge-1",'
        '"requests_per_s":10,"bytes_per_s":900,"distinct_source_networks":4,'
        '"new_source_networks":0,"syn_ratio":0.1}\n'
        '{"timestamp":"2026-03-14T08:02:00Z","location":"fra1","component":"edge-1",'
        '"requests_per_s":"lots"}\n'
    )
    with pytest.raises(SignalError, match=r"traffic\.jsonl:2: field 'requests_per_s'"):
        read_frame(TrafficSet, path)
    path.write_text(path.read_text().splitlines()[0] + "\n")
    frame = read_frame(TrafficSet, path, start=WINDOW_START, n_minutes=10)
    assert frame.get(("fra1", "edge-1"), "syn_ratio")[1] == np.float32(0.1)
    assert np.isnan(frame.get(("fra1", "edge-1"), "syn_ratio")[0])


def test_frame_helpers() -> None:
    series = make_series()
    assert series.key_values("customer") == ["bankco", "shopco", "tenantco"]
    assert list(series.rows_where(location="fra1")) == [0, 1, 2]
    assert list(series.rows_where(customer="shopco")) == [
        series.row(("shopco", "checkout", "fra1"))
    ]
    assert series.minute_index(WINDOW_START + timedelta(minutes=61, seconds=59)) == 61
    assert series.time_at(3) == WINDOW_START + timedelta(minutes=3)
    assert series.times()[0] == np.datetime64("2026-03-14T08:00")
    assert series.end == WINDOW_START + timedelta(minutes=WINDOW_MINUTES)
    assert ("nobody", "x", "y") not in series
    with pytest.raises(KeyError, match="nobody"):
        series.row(("nobody", "x", "y"))


@pytest.mark.parametrize(
    ("kwargs", "pattern"),
    [
        ({"start": datetime(2026, 1, 1, 0, 0, 30, tzinfo=UTC)}, "whole minute"),
        ({"keys": (("b", "s", "l"), ("a", "s", "l"))}, "sorted and unique"),
        ({"keys": (("a", "s"),)}, "key"),
    ],
    ids=["start-off-minute", "unsorted-keys", "short-key"],
)
def test_series_set_constructor_checks(kwargs: dict[str, object], pattern: str) -> None:
    base: dict[str, object] = {
        "start": datetime(2026, 1, 1, tzinfo=UTC),
        "n_minutes": 2,
        "keys": (("a", "s", "l"), ("b", "s", "l")),
        "values": {m: np.zeros((2, 2)) for m in SeriesSet.METRICS},
    }
    base.update(kwargs)
    if len(base["keys"]) == 1:  # type: ignore[arg-type]
        base["values"] = {m: np.zeros((1, 2)) for m in SeriesSet.METRICS}
    with pytest.raises(SignalError, match=pattern):
        SeriesSet(**base)  # type: ignore[arg-type]


def _gappy_series() -> SeriesSet:
    """Five keys over 7 minutes: one without any sample, one with a whole-minute gap."""
    start = datetime(2026, 3, 14, 8, 0, tzinfo=UTC)
    rng = np.random.default_rng(3)
    values = {m: rng.uniform(0, 1, size=(5, 7)).astype(np.float32) for m in SeriesSet.METRICS}
    for m in SeriesSet.METRICS:
        values[m][1] = np.nan  # key 1: no sample at all
        values[m][3, 2] = np.nan  # key 3: nothing at minute 2
    values["throughput"][4] = np.nan  # key 4: no business KPI
    keys = tuple((f"c{i}", "web", "fra1") for i in range(5))
    return SeriesSet(start=start, n_minutes=7, keys=keys, values=values)


def test_parquet_layout_every_minute_of_each_sampled_key_in_whole_key_row_groups(
    tmp_path: Path,
) -> None:
    series = _gappy_series()
    path = tmp_path / "series.parquet"
    write_frame(series, path, row_group_rows=15)  # two keys of 7 minutes per row group
    meta = pq.ParquetFile(path).metadata
    assert [meta.row_group(i).num_rows for i in range(meta.num_row_groups)] == [7, 14, 7]
    table = pq.read_table(path)
    assert table.num_rows == 4 * 7  # key 1 is left out; key 3 keeps its gap minute, as nulls
    assert table.column("customer").to_pylist() == [
        c for c in ("c0", "c2", "c3", "c4") for _ in range(7)
    ]
    gap = table.slice(2 * 7 + 2, 1).to_pylist()[0]
    assert gap["timestamp"] == datetime(2026, 3, 14, 8, 2, tzinfo=UTC)
    assert all(gap[m] is None for m in SeriesSet.METRICS)
    loaded = read_frame(SeriesSet, path, start=series.start, n_minutes=7)
    assert loaded.keys == tuple(k for i, k in enumerate(series.keys) if i != 1)
    for metric in SeriesSet.METRICS:
        kept = np.delete(series.values[metric], 1, axis=0)
        assert np.array_equal(loaded.values[metric], kept, equal_nan=True)
    again = tmp_path / "again.parquet"
    write_frame(series, again, row_group_rows=15)
    assert again.read_bytes() == path.read_bytes()
    assert not list(tmp_path.glob("*.partial"))


def test_each_row_group_carries_only_the_ids_it_uses() -> None:
    groups = list(row_groups(_gappy_series(), rows=14))
    customers = [g.column("customer").chunk(0).dictionary.to_pylist() for g in groups]
    assert customers == [["c0"], ["c2", "c3"], ["c4"]]
    assert [g.column("location").chunk(0).dictionary.to_pylist() for g in groups] == [["fra1"]] * 3


def test_files_that_leave_out_empty_minutes_still_load(tmp_path: Path) -> None:
    # Older writers (and other tools) omit minutes without samples; both layouts load the same.
    series = _gappy_series()
    pq.write_table(frame_to_table(series), tmp_path / "sparse.parquet")
    write_frame(series, tmp_path / "dense.parquet")
    sparse = read_frame(SeriesSet, tmp_path / "sparse.parquet", start=series.start, n_minutes=7)
    dense = read_frame(SeriesSet, tmp_path / "dense.parquet", start=series.start, n_minutes=7)
    assert pq.read_table(tmp_path / "sparse.parquet").num_rows == 4 * 7 - 1
    assert sparse == dense
