"""Series symptom detection: onset/end of outages and degradations against a robust baseline."""

from __future__ import annotations

from datetime import UTC, datetime

import numpy as np
import pytest

from outagelens.detect.models import HealthState
from outagelens.detect.series_symptoms import (
    RobustBaselineConfig,
    RobustBaselineDetector,
    candidate_rows,
    median,
    series_symptoms,
)
from outagelens.signals.frames import SeriesSet

N = 240


def _metrics(seed: int = 0, amplitude: float = 0.0) -> dict[str, np.ndarray]:
    rng = np.random.default_rng(seed)
    t = np.arange(N)
    rate = 200 * (1 + amplitude * np.sin(2 * np.pi * t / N)) * (1 + 0.03 * rng.standard_normal(N))
    err = np.clip(0.002 + 0.001 * rng.standard_normal(N), 0, 1)
    lat = 90 * (1 + 0.05 * rng.standard_normal(N))
    return {
        "availability": 1 - err,
        "request_rate": rate,
        "error_rate": rate * err,
        "latency_p95_ms": lat,
        "throughput": np.full(N, np.nan),
    }


def _outage(m: dict[str, np.ndarray], a: int, b: int, ratio: float) -> None:
    m["availability"][a:b] = 1 - ratio
    m["error_rate"][a:b] = m["request_rate"][a:b] * ratio


def case_down() -> dict[str, np.ndarray]:
    m = _metrics()
    _outage(m, 100, 150, 0.97)
    return m


def case_degraded() -> dict[str, np.ndarray]:
    m = _metrics(1)
    _outage(m, 100, 130, 0.25)
    return m


def case_latency_only() -> dict[str, np.ndarray]:
    m = _metrics(2)
    m["latency_p95_ms"][120:140] *= 8
    return m


def case_gaps_inside() -> dict[str, np.ndarray]:
    m = case_down()
    for k in m:
        m[k][110:114] = np.nan
        m[k][125:127] = np.nan
    return m


def case_spike() -> dict[str, np.ndarray]:
    m = _metrics(3)
    _outage(m, 100, 101, 0.9)
    return m


def case_seasonal_healthy() -> dict[str, np.ndarray]:
    return _metrics(4, amplitude=0.6)


def case_ongoing() -> dict[str, np.ndarray]:
    m = _metrics(5)
    _outage(m, 200, N, 0.99)
    return m


def case_traffic_lost() -> dict[str, np.ndarray]:
    m = _metrics(6)
    m["request_rate"][90:140] = 0.5
    m["availability"][90:140] = np.nan
    m["error_rate"][90:140] = np.nan
    return m


CASES = [
    ("down", case_down, [(100, 150, HealthState.DOWN)]),
    ("degraded", case_degraded, [(100, 130, HealthState.DEGRADED)]),
    ("latency-only", case_latency_only, [(120, 140, HealthState.DEGRADED)]),
    ("missing-samples-inside", case_gaps_inside, [(100, 150, HealthState.DOWN)]),
    ("one-minute-spike", case_spike, []),
    ("daily-seasonality", case_seasonal_healthy, []),
    ("ongoing", case_ongoing, [(200, None, HealthState.DOWN)]),
    ("traffic-collapse", case_traffic_lost, [(90, 140, HealthState.DOWN)]),
]


@pytest.mark.parametrize(
    ("build", "want"), [(c[1], c[2]) for c in CASES], ids=[c[0] for c in CASES]
)
def test_robust_detector_intervals(build, want) -> None:  # type: ignore[no-untyped-def]
    got = RobustBaselineDetector().detect(build())
    assert [(iv.start, iv.end, iv.state) for iv in got] == want


@pytest.mark.parametrize(("min_minutes", "found"), [(1, 1), (2, 0)], ids=["one-minute", "two"])
def test_one_odd_minute_is_an_interval_only_when_one_minute_counts(
    min_minutes: int, found: int
) -> None:
    # The detector skips rows with fewer odd minutes than an interval needs; with
    # min_minutes 1 a single minute is one.
    detector = RobustBaselineDetector(RobustBaselineConfig(min_minutes=min_minutes))
    got = detector.detect(case_spike())
    assert [(iv.start, iv.end) for iv in got] == [(100, 101)] * found


def test_failed_fraction_tracks_error_share() -> None:
    [iv] = RobustBaselineDetector().detect(case_degraded())
    assert 0.2 <= iv.failed_fraction <= 0.3


def test_series_symptoms_name_the_key_and_times() -> None:
    start = datetime(2026, 3, 14, 0, 0, tzinfo=UTC)
    series = SeriesSet.from_series(
        start, N, {("c1", "web", "a"): case_down(), ("c2", "web", "a"): _metrics(9)}
    )
    rows = candidate_rows(series)
    symptoms = series_symptoms(series, RobustBaselineDetector(), rows=rows)
    assert rows.tolist() == [0]
    [s] = symptoms
    assert (s.customer, s.service, s.location, s.state) == ("c1", "web", "a", HealthState.DOWN)
    assert s.start == datetime(2026, 3, 14, 1, 40, tzinfo=UTC)
    assert s.end == datetime(2026, 3, 14, 2, 30, tzinfo=UTC)
    assert "c1's web in a was down" in s.sentence


def test_screen_keeps_the_same_rows_whatever_its_block() -> None:
    # Every CASES series once, among healthy ones: screening a few rows at a time (the
    # catalog-wide screen works in blocks) keeps exactly the rows screening all at once does.
    start = datetime(2026, 3, 14, 0, 0, tzinfo=UTC)
    data = {(f"c{i}", "web", "a"): build() for i, (_, build, _) in enumerate(CASES)}
    data.update({(f"h{i}", "web", "a"): _metrics(20 + i) for i in range(9)})
    series = SeriesSet.from_series(start, N, data)
    whole = candidate_rows(series, block=len(data))
    assert len(whole) >= 6, "most outage cases must pass the screen"
    for block in (1, 3, 7):
        assert candidate_rows(series, block=block).tolist() == whole.tolist()


@pytest.mark.parametrize(
    ("size", "tied"),
    [(1, False), (2, False), (3, True), (10, True), (1439, False), (1440, True)],
    ids=["one", "two", "three-tied", "ten-tied", "odd-day", "even-day-tied"],
)
def test_median_equals_numpy_bit_for_bit(size: int, tied: bool) -> None:
    rng = np.random.default_rng(size)
    for scale in (1e-3, 1.0, 1e6):
        values = rng.standard_normal(size) * scale
        if tied:
            values[rng.random(size) < 0.4] = 0.25
        assert median(values) == float(np.median(values))


def test_median_of_nothing_is_an_error() -> None:
    with pytest.raises(ValueError, match="empty"):
        median(np.array([]))
