"""Property: any SeriesSet/TrafficSet survives a Parquet or CSV round trip exactly."""

from __future__ import annotations

import tempfile
from datetime import UTC, datetime, timedelta
from pathlib import Path

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from outagelens.signals.frames import SeriesSet, TrafficSet
from outagelens.signals.series_io import read_frame, write_frame

IDS = st.sampled_from(["a", "b", "zeta", "ä-1", "x.y/z", "c_2", 'q,"x"'])
VALUE = st.one_of(
    st.just(float("nan")),
    st.floats(min_value=0, max_value=1, width=32),
)


@st.composite
def frames(draw: st.DrawFn, cls: type[SeriesSet] | type[TrafficSet]) -> SeriesSet | TrafficSet:
    """Random small frames: up to 4 keys, up to 6 minutes, NaN holes anywhere."""
    n_minutes = draw(st.integers(min_value=1, max_value=6))
    keys = draw(st.sets(st.tuples(*[IDS] * len(cls.KEY_NAMES)), max_size=4))
    start = datetime(2026, 1, 1, tzinfo=UTC) + timedelta(minutes=draw(st.integers(0, 10_000)))
    series = {
        key: {m: draw(st.lists(VALUE, min_size=n_minutes, max_size=n_minutes)) for m in cls.METRICS}
        for key in keys
    }
    return cls.from_series(start, n_minutes, series)


@pytest.mark.parametrize("suffix", [".parquet", ".csv"], ids=["parquet", "csv"])
@pytest.mark.parametrize("cls", [SeriesSet, TrafficSet], ids=["series", "traffic"])
@settings(max_examples=40, deadline=None)
@given(data=st.data())
def test_round_trip(
    data: st.DataObject, cls: type[SeriesSet] | type[TrafficSet], suffix: str
) -> None:
    frame = data.draw(frames(cls))
    with tempfile.TemporaryDirectory() as tmp:
        path = Path(tmp) / f"table{suffix}"
        write_frame(frame, path)
        loaded = read_frame(cls, path, start=frame.start, n_minutes=frame.n_minutes)
    # Keys whose every sample is NaN have no rows, so they cannot come back.
    kept = [k for k in frame.keys if not all(np.isnan(frame.get(k, m)).all() for m in cls.METRICS)]
    assert loaded.keys == tuple(kept)
    for key in kept:
        for metric in cls.METRICS:
            assert np.array_equal(loaded.get(key, metric), frame.get(key, metric), equal_nan=True)
