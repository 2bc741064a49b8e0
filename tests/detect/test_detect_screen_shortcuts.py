"""The screen's shortcuts (error ratio, finite row extremes) give the values of the formulas
they replace, bit for bit, on any values: NaN, infinities of both signs, zeros of both signs."""

from __future__ import annotations

import warnings

import numpy as np
import numpy.typing as npt
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from hypothesis.extra import numpy as hnp
from tests.detect.test_detect_series_symptoms_rows import POOL, _same_bits

from outagelens.detect.series_symptoms import (
    RobustBaselineConfig,
    _error_ratio,
    _finite_extreme,
    _row_extreme,
    _screen_block,
    candidate_rows,
)
from outagelens.signals.frames import SeriesSet

DTYPES = [np.float32, np.float64]


def _pairs(dtype: type[np.floating]) -> st.SearchStrategy[tuple[npt.NDArray[np.floating], ...]]:
    shape = st.tuples(st.integers(1, 6), st.integers(1, 30))
    elements = st.sampled_from(POOL) | st.floats(-2, 2, width=32)
    return shape.flatmap(
        lambda s: st.tuples(
            hnp.arrays(dtype, s, elements=elements), hnp.arrays(dtype, s, elements=elements)
        )
    )


def _old_extreme(x: npt.NDArray[np.floating], *, low: bool, default: float) -> npt.NDArray:
    """The formula `_finite_extreme` replaced: infinities masked out, then nanmin / nanmax."""
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", RuntimeWarning)
        masked = np.where(np.isfinite(x), x, np.nan)
        out = np.asarray(np.nanmin(masked, axis=1) if low else np.nanmax(masked, axis=1))
    out = out.astype(np.float64)
    return np.where(np.isnan(out), default, out)


@pytest.mark.parametrize("dtype", DTYPES, ids=["float32", "float64"])
@settings(max_examples=300, deadline=None)
@given(data=st.data())
def test_error_ratio_is_the_masked_division(dtype: type[np.floating], data: st.DataObject) -> None:
    err, rate = data.draw(_pairs(dtype))
    with np.errstate(invalid="ignore", divide="ignore", over="ignore"):
        want = np.divide(err, rate, out=np.full_like(err, np.nan), where=rate > 0)
        also = np.where(rate > 0, err / rate, np.nan).astype(dtype)  # _may_fail's formula
        got = _error_ratio(err, rate, _row_extreme(rate, low=True))
    assert _same_bits(got, want)
    assert _same_bits(got, also)


@pytest.mark.parametrize("dtype", DTYPES, ids=["float32", "float64"])
@pytest.mark.parametrize("low", [True, False], ids=["min", "max"])
@settings(max_examples=300, deadline=None)
@given(data=st.data())
def test_finite_extreme_equals_the_masked_formula(
    dtype: type[np.floating], low: bool, data: st.DataObject
) -> None:
    x, _ = data.draw(_pairs(dtype))
    for default in (0.0, 1.0):
        got = _finite_extreme(x, low=low, default=default)
        assert _same_bits(got, _old_extreme(x, low=low, default=default))


@pytest.mark.parametrize(
    "row",
    [
        [np.inf, 0.5, np.nan, -np.inf],
        [-np.inf, -np.inf, np.nan],
        [np.inf, np.inf],
        [np.nan, np.nan],
        [-0.0, 0.0, 0.0, -0.0],
    ],
    ids=["both-infinities", "minus-infinity-only", "plus-infinity-only", "no-sample", "zeros"],
)
def test_finite_extreme_on_rows_of_infinities(row: list[float]) -> None:
    x = np.asarray([row], dtype=np.float64)
    for low in (True, False):
        assert _same_bits(
            _finite_extreme(x, low=low, default=7.0), _old_extreme(x, low=low, default=7.0)
        )


def _old_screen_block(
    avail: npt.NDArray[np.float32],
    rate: npt.NDArray[np.float32],
    err: npt.NDArray[np.float32],
    lat: npt.NDArray[np.float32],
    step: int,
    cfg: RobustBaselineConfig,
) -> list[int]:
    """The screen before the shortcut: the error ratio by a masked division."""
    from outagelens.detect.series_symptoms import _row_median

    with np.errstate(invalid="ignore", divide="ignore", over="ignore"):
        ratio = np.divide(err, rate, out=np.full_like(err, np.nan), where=rate > 0)
        med_a = _row_median(avail, step)
        a_bad = (
            _row_extreme(avail, low=True) < np.where(np.isnan(med_a), 1.0, med_a) - cfg.min_excess
        )
        med_r = _row_median(ratio, step)
        e_bad = (
            _row_extreme(ratio, low=False) > np.where(np.isnan(med_r), 0.0, med_r) + cfg.min_excess
        )
        c_bad = _row_extreme(rate, low=True) < cfg.collapse_fraction * _row_median(rate, step)
        l_bad = _row_extreme(lat, low=False) > cfg.latency_factor * _row_median(lat, step)
    hit = np.nan_to_num(a_bad | e_bad | c_bad | l_bad, nan=False).astype(bool)
    return np.flatnonzero(hit).tolist()


@settings(max_examples=200, deadline=None)
@given(
    shape=st.tuples(st.integers(1, 8), st.integers(1, 40)),
    data=st.data(),
    step=st.sampled_from([1, 3, 15]),
)
def test_screen_block_keeps_the_rows_it_kept(
    shape: tuple[int, int], data: st.DataObject, step: int
) -> None:
    elements = st.sampled_from(POOL) | st.floats(-2, 2, width=32)
    avail, rate, err, lat = (
        data.draw(hnp.arrays(np.float32, shape, elements=elements)) for _ in range(4)
    )
    cfg = RobustBaselineConfig()
    got = _screen_block(avail, rate, err, lat, step, cfg).tolist()
    assert got == _old_screen_block(avail, rate, err, lat, step, cfg)


def test_candidate_rows_with_error_spikes_and_dead_minutes() -> None:
    """Rows with zero-rate minutes (the masked division) and error spikes are still found."""
    from datetime import UTC, datetime

    n = 120
    rng = np.random.default_rng(3)
    base = {
        "availability": np.ones(n),
        "request_rate": 100 + rng.normal(0, 1, n),
        "error_rate": np.full(n, 0.5),
        "latency_p95_ms": np.full(n, 80.0),
    }
    spike = {**base, "error_rate": np.where(np.arange(n) == 60, 40.0, 0.5)}
    dead = {**base, "request_rate": np.where(np.arange(n) < 5, 0.0, 100.0)}
    quiet_dead = {**dead, "error_rate": np.zeros(n)}
    series = SeriesSet.from_series(
        datetime(2026, 11, 25, tzinfo=UTC),
        n,
        {
            ("c", "s", "a"): base,
            ("c", "s", "b"): spike,
            ("c", "s", "c"): dead,
            ("c", "s", "d"): quiet_dead,
        },
    )
    rows = candidate_rows(series).tolist()
    v = series.values
    want = _old_screen_block(
        v["availability"],
        v["request_rate"],
        v["error_rate"],
        v["latency_p95_ms"],
        1,
        RobustBaselineConfig(),
    )
    assert rows == want
    assert 1 in rows  # the error spike
