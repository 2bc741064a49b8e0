"""Series detection many rows at a time: the same values and intervals as one row at a time."""

from __future__ import annotations

from collections.abc import Mapping
from datetime import UTC, datetime

import numpy as np
import numpy.typing as npt
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from hypothesis.extra import numpy as hnp
from tests.detect.test_detect_series_symptoms import CASES, N, _metrics

from outagelens.detect.engine_detector import EngineSeriesDetector
from outagelens.detect.series_symptoms import (
    Array,
    BoolArray,
    DetectedInterval,
    RobustBaselineConfig,
    RobustBaselineDetector,
    _nanmedian,
    median,
    row_nanmedians,
    series_symptoms,
)
from outagelens.signals.frames import SeriesSet

# Few distinct values, so rows hold ties, zeros of both signs, infinities and gaps.
POOL = [0.0, -0.0, 0.25, 0.5, 1.0, 3.0, 1e-7, 0.97, np.nan, np.inf, -np.inf]


def _blocks(dtype: type[np.floating]) -> st.SearchStrategy[npt.NDArray[np.floating]]:
    return hnp.arrays(
        dtype,
        st.tuples(st.integers(1, 6), st.integers(1, 40)),
        elements=st.sampled_from(POOL) | st.floats(-2, 2, width=32),
    )


def _same_bits(a: npt.NDArray[np.floating], b: npt.NDArray[np.floating]) -> bool:
    return a.dtype == b.dtype and a.shape == b.shape and a.tobytes() == b.tobytes()


@settings(max_examples=300, deadline=None)
@given(
    block=_blocks(np.float32) | _blocks(np.float64),
    default=st.sampled_from([0.0, 1.0, np.inf]),
)
def test_row_medians_equal_the_median_of_each_row(
    block: npt.NDArray[np.floating], default: float
) -> None:
    want = np.array([_nanmedian(row.astype(np.float64), default) for row in block])
    assert _same_bits(row_nanmedians(block, default), want)


def _metric_blocks() -> st.SearchStrategy[dict[str, npt.NDArray[np.float32]]]:
    shape = st.tuples(st.integers(1, 5), st.integers(1, 30))
    value = st.sampled_from(
        [0.0, -0.0, 0.5, 1.0, 0.999, 0.97, 0.9703, 20.0, 200.0, 4.0, 1e-7, np.nan, np.inf, -np.inf]
    )

    def build(s: tuple[int, int]) -> st.SearchStrategy[dict[str, npt.NDArray[np.float32]]]:
        block = hnp.arrays(np.float32, s, elements=value | st.floats(-1, 300, width=32))
        return st.fixed_dictionaries({m: block for m in SeriesSet.METRICS})

    return shape.flatmap(build)


@settings(max_examples=500, deadline=None)
@given(
    blocks=_metric_blocks(),
    min_minutes=st.sampled_from([1, 2]),
    min_excess=st.sampled_from([0.0, 0.03, 0.3]),
    collapse_fraction=st.sampled_from([0.1, 0.5]),
)
def test_hopeful_shares_are_failed_share_or_rows_without_intervals(
    blocks: dict[str, npt.NDArray[np.float32]],
    min_minutes: int,
    min_excess: float,
    collapse_fraction: float,
) -> None:
    detector = RobustBaselineDetector(
        RobustBaselineConfig(
            min_minutes=min_minutes, min_excess=min_excess, collapse_fraction=collapse_fraction
        )
    )
    for r, hopeful in enumerate(detector.hopeful_shares(blocks)):
        share, slow = detector.failed_share({m: v[r].astype(np.float64) for m, v in blocks.items()})
        if hopeful is None:
            assert _reference_detect_share(detector, share, slow) == []
        else:
            assert _same_bits(hopeful[0], share)
            assert hopeful[1].tolist() == slow.tolist()


@settings(max_examples=200, deadline=None)
@given(blocks=_metric_blocks(), min_minutes=st.sampled_from([1, 2]))
def test_detect_rows_equals_detect_of_each_row_on_any_values(
    blocks: dict[str, npt.NDArray[np.float32]], min_minutes: int
) -> None:
    detector = RobustBaselineDetector(RobustBaselineConfig(min_minutes=min_minutes))
    got = detector.detect_rows(blocks)
    for r, intervals in enumerate(got):
        assert intervals == detector.detect({m: v[r].astype(np.float64) for m, v in blocks.items()})


def _reference_detect_share(
    detector: RobustBaselineDetector, share: Array, slow: BoolArray
) -> list[DetectedInterval]:
    """`detect_share` as it was before it counted the minutes above min_excess first."""
    cfg = detector.config
    finite = share[np.isfinite(share)]
    if finite.size == 0:
        return []
    med = median(finite)
    with np.errstate(invalid="ignore"):
        above = np.count_nonzero((share > med + cfg.min_excess) | slow)
    if above < (1 if cfg.min_minutes <= 1 else 2):
        return []
    mad = median(np.abs(finite - med)) * 1.4826
    threshold = med + max(cfg.min_excess, cfg.noise_sigmas * mad)
    with np.errstate(invalid="ignore"):
        bad = (share > threshold) | slow
    return detector._intervals(share, bad, np.isfinite(share) | slow, slow)


@settings(max_examples=300, deadline=None)
@given(
    share=hnp.arrays(
        np.float64,
        st.integers(1, 30),
        elements=st.sampled_from([0.0, 0.01, 0.03, 0.031, 0.2, 1.0, np.nan]) | st.floats(0, 1),
    ),
    slow_at=st.lists(st.integers(0, 29), max_size=3),
    min_minutes=st.sampled_from([1, 2, 3]),
)
def test_counting_above_min_excess_first_changes_no_result(
    share: Array, slow_at: list[int], min_minutes: int
) -> None:
    slow = np.zeros(share.size, dtype=bool)
    slow[[i for i in slow_at if i < share.size]] = True
    detector = RobustBaselineDetector(RobustBaselineConfig(min_minutes=min_minutes))
    assert detector.detect_share(share, slow) == _reference_detect_share(detector, share, slow)


def _case_block() -> dict[str, npt.NDArray[np.float32]]:
    """Every CASES series and a few healthy ones, as the series' float32 2-D blocks."""
    rows = [build() for _, build, _ in CASES] + [_metrics(30 + i) for i in range(3)]
    return {m: np.vstack([r[m] for r in rows]).astype(np.float32) for m in SeriesSet.METRICS}


@pytest.mark.parametrize(
    "detector",
    [RobustBaselineDetector(), EngineSeriesDetector()],
    ids=["robust", "engine"],
)
def test_detect_rows_equals_detect_of_each_row(
    detector: RobustBaselineDetector | EngineSeriesDetector,
) -> None:
    block = _case_block()
    got = detector.detect_rows(block)
    want = [
        detector.detect({m: v[r].astype(np.float64) for m, v in block.items()})
        for r in range(len(got))
    ]
    assert got == want
    assert sum(map(len, got)) >= 6, "the cases must hold intervals for the test to mean much"


class _OneRowAtATime:
    """The engine detector without `detect_rows`: series_symptoms' row-by-row path."""

    def __init__(self) -> None:
        self.inner = EngineSeriesDetector()

    def detect(self, metrics: Mapping[str, Array]) -> list[DetectedInterval]:
        return self.inner.detect(metrics)


@pytest.mark.parametrize("block", [1, 3, 128], ids=["one", "three", "default"])
def test_series_symptoms_the_same_by_blocks_or_rows(block: int) -> None:
    data = _case_block()
    keys = [(f"c{i}", "web", "a") for i in range(data["availability"].shape[0])]
    series = SeriesSet.from_series(
        datetime(2026, 3, 14, tzinfo=UTC),
        N,
        {k: {m: v[i] for m, v in data.items()} for i, k in enumerate(keys)},
    )
    by_rows = series_symptoms(series, _OneRowAtATime())
    assert by_rows, "the cases must hold symptoms for the test to mean much"
    assert series_symptoms(series, EngineSeriesDetector(), block=block) == by_rows
    rows = np.array([0, 2, 3, 7], dtype=np.int64)
    assert series_symptoms(series, EngineSeriesDetector(), rows=rows, block=block) == (
        series_symptoms(series, _OneRowAtATime(), rows=rows)
    )


def _row(**stretch: float) -> dict[str, npt.NDArray[np.float32]]:
    """One healthy key over 60 minutes, with minutes 20-29 of each given metric set."""
    row = {
        "availability": np.full(60, 1.0),
        "request_rate": np.full(60, 100.0),
        "error_rate": np.zeros(60),
        "latency_p95_ms": np.full(60, 50.0),
        "throughput": np.full(60, np.nan),
    }
    for metric, value in stretch.items():
        row[metric][20:30] = value
    return {m: v.astype(np.float32)[None, :] for m, v in row.items()}


@pytest.mark.parametrize(
    "block",
    [
        _row(availability=0.9699),
        _row(error_rate=3.01),
        _row(request_rate=9.99, error_rate=0.0),
        _row(latency_p95_ms=150.5),
    ],
    ids=["availability-just-past", "error-ratio-just-past", "rate-just-collapsed", "slow"],
)
def test_rows_failing_by_a_hair_are_hopeful(block: dict[str, npt.NDArray[np.float32]]) -> None:
    # Each metric alone, just past its threshold: the bound that replaces its median must
    # keep the row (a too tight bound would drop it and lose the interval).
    detector = RobustBaselineDetector()
    share, slow = detector.failed_share({m: v[0].astype(np.float64) for m, v in block.items()})
    assert _reference_detect_share(detector, share, slow), "the row must hold an interval"
    [hopeful] = detector.hopeful_shares(block)
    assert hopeful is not None
    assert _same_bits(hopeful[0], share)
