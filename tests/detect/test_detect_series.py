"""The streaming series detector and the SLI interval finder built on it."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from outagelens.detect.intervals import IntervalConfig, find_anomalous_intervals
from outagelens.detect.series import SeriesDetector, SeriesDetectorConfig
from outagelens.errors import ConfigError, SignalError

START = datetime(2026, 3, 2, tzinfo=UTC)
DAY = 1440  # one-minute points per day
# A small configuration so hypothesis examples exercise every signal on short series.
SMALL = SeriesDetectorConfig(
    subsequence=4,
    exclusion=4,
    warmup=10,
    record_horizon=20,
    range_break_warmup=5,
    range_break_memory=15,
    refractory=3,
)


def minutes(n: int) -> np.ndarray:
    """n one-minute timestamps from START."""
    return np.datetime64("2026-03-02T00:00") + np.arange(n).astype("timedelta64[m]")


def seasonal(n: int, level: float, amplitude: float, noise: float, seed: int = 1) -> np.ndarray:
    """A daily cycle plus Gaussian noise, one point per minute."""
    rng = np.random.default_rng(seed)
    phase = 2 * np.pi * np.arange(n) / DAY
    return level + amplitude * np.sin(phase) + rng.normal(0.0, noise, n)


def availability(n: int, seed: int = 1) -> np.ndarray:
    """Availability ratio near 0.998 with a slight daily cycle, capped at 1."""
    capped: np.ndarray = np.minimum(seasonal(n, 0.998, 0.0008, 0.0004, seed), 1.0)
    return capped


@settings(max_examples=40, deadline=None)
@given(
    values=st.lists(st.floats(-1e3, 1e3), min_size=30, max_size=80),
    cut=st.integers(1, 29),
    tail=st.lists(st.floats(-1e3, 1e3), min_size=1, max_size=50),
)
def test_score_at_t_ignores_later_points(values: list[float], cut: int, tail: list[float]) -> None:
    detector = SeriesDetector(SMALL)
    full = detector.score(minutes(len(values)), values)
    changed = values[:cut] + tail
    other = detector.score(minutes(len(changed)), changed)
    np.testing.assert_array_equal(full[:cut], other[:cut])


@pytest.mark.parametrize("cut", [150, 420, 599], ids=["warmup", "middle", "last"])
def test_default_detector_is_streaming_too(cut: int) -> None:
    values = seasonal(600, 50.0, 20.0, 2.0)
    changed = values.copy()
    changed[cut:] = np.random.default_rng(9).normal(0.0, 100.0, 600 - cut)
    detector = SeriesDetector()
    before = detector.score(minutes(600), values)
    after = detector.score(minutes(600), changed)
    np.testing.assert_array_equal(before[:cut], after[:cut])
    assert not np.array_equal(before[cut:], after[cut:])


def test_scores_lie_in_unit_interval_and_tolerate_missing_samples() -> None:
    values = seasonal(2 * DAY, 500.0, 200.0, 10.0)
    values[[100, 101, 700, 2000]] = np.nan
    scores = SeriesDetector().score(minutes(len(values)), values)
    assert np.all((scores >= 0.0) & (scores <= 1.0))
    assert scores[[100, 101, 700, 2000]].tolist() == [0.0, 0.0, 0.0, 0.0]


def test_collapse_scores_one_alarm_at_its_onset() -> None:
    values = seasonal(2 * DAY, 500.0, 200.0, 10.0)
    values[1800:1830] = 5.0
    detector = SeriesDetector()
    scores = detector.score(minutes(len(values)), values)
    assert scores[1800] == 1.0
    # The collapse stays novel for a while, but the refractory filter keeps one alarm.
    assert np.all(detector.evidence(minutes(len(values)), values)[1800:1803] >= 0.5)
    assert np.all(scores[1801:1830] < 0.5)


def test_signals_attribute_a_range_break_and_a_novel_shape() -> None:
    values = seasonal(2 * DAY, 500.0, 200.0, 10.0)
    values[1900] = 2000.0  # far above every earlier value: a range break
    values[1200:1230] = 500.0  # a flat stretch at midday, inside the range: a novel shape
    values[[100, 2500]] = np.nan
    detector = SeriesDetector()
    novelty, range_break, regime_break = detector.signals(minutes(len(values)), values)
    np.testing.assert_array_equal(
        np.maximum(np.maximum(novelty, range_break), regime_break),
        detector.evidence(minutes(len(values)), values),
    )
    assert range_break[1900] == 1.0
    assert range_break[1200:1230].max() == 0.0
    assert novelty[1200:1230].max() >= 0.78
    assert novelty[[100, 2500]].tolist() == [0.0, 0.0]
    assert range_break[[100, 2500]].tolist() == [0.0, 0.0]


@pytest.mark.parametrize("seed", [0, 1, 2])
def test_noise_sized_shapes_are_not_novel(seed: int) -> None:
    values = np.random.default_rng(seed).normal(0.0, 1.0, 3000)
    values[2000:2005] += 10.0  # a burst far above the noise: novel with or without the gate
    gated, _, _ = SeriesDetector().signals(minutes(len(values)), values)
    ungated, _, _ = SeriesDetector(SeriesDetectorConfig(novelty_noise=0.0)).signals(
        minutes(len(values)), values
    )
    # White noise makes "novel" shapes whose distance to their matches is about its own step.
    assert ungated[:2000].max() >= 0.5
    assert gated[:2000].max() == 0.0
    assert gated[2000:2015].max() >= 0.85
    assert gated[2015:].max() < 0.5


@pytest.mark.parametrize(
    ("memory", "breaks"), [(0, False), (200, True), (400, False)], ids=["off", "on", "too-short"]
)
def test_range_break_memory_forgets_old_extremes(memory: int, breaks: bool) -> None:
    values = np.random.default_rng(5).uniform(0.0, 10.0, 400)
    values[60] = 1000.0  # an old extreme that sets the all-time range
    values[300] = 60.0  # inside the all-time range, far outside the last 200 points
    detector = SeriesDetector(SeriesDetectorConfig(range_break_memory=memory))
    _, range_break, _ = detector.signals(minutes(len(values)), values)
    assert bool(range_break[300] == 1.0) == breaks
    assert range_break[301:].max() == 0.0
    assert range_break[60] == 1.0


@pytest.mark.parametrize("window", [45, 0], ids=["on", "off"])
def test_regime_break_scores_a_quiet_stretch_once(window: int) -> None:
    values = np.random.default_rng(7).normal(100.0, 10.0, 1800)
    values[1300:1500] = 100.0 + (values[1300:1500] - 100.0) * 0.1  # quiet, inside the range
    values[1700] = np.nan
    detector = SeriesDetector(SeriesDetectorConfig(regime_window=window))
    _, range_break, regime_break = detector.signals(minutes(len(values)), values)
    assert range_break[1300:1500].max() == 0.0
    if window:
        assert np.flatnonzero(regime_break).tolist() == [1320]
        assert regime_break[1320] >= detector.config.regime_break_score
    else:
        assert not regime_break.any()
    assert regime_break[1700] == 0.0


@pytest.mark.parametrize("cut", [1100, 1400], ids=["learning", "after-a-break"])
def test_default_detector_is_streaming_where_the_regime_breaks(cut: int) -> None:
    values = np.random.default_rng(7).normal(100.0, 10.0, 1600)
    values[1300:] += 30.0
    changed = values.copy()
    changed[cut:] = np.random.default_rng(9).normal(0.0, 100.0, 1600 - cut)
    detector = SeriesDetector()
    before = detector.evidence(minutes(1600), values)
    after = detector.evidence(minutes(1600), changed)
    np.testing.assert_array_equal(before[:cut], after[:cut])
    assert detector.signals(minutes(1600), values)[2].any()


def ten_minute_cycle(n: int, shift_at: int, seed: int = 3) -> tuple[np.ndarray, np.ndarray]:
    """Ten-minute timestamps and a daily cycle (144 points a day) whose phase turns by half a
    day at `shift_at`: the same values as before, at other times of day."""
    timestamps = np.datetime64("2026-03-02T00:00") + (10 * np.arange(n)).astype("timedelta64[m]")
    phase = 2 * np.pi * np.arange(n) / 144
    phase[shift_at:] += np.pi
    return timestamps, 100.0 + 50.0 * np.sin(phase) + np.random.default_rng(seed).normal(0, 3, n)


@pytest.mark.parametrize(("days", "breaks"), [(2, [3013]), (0, [])], ids=["on", "off"])
def test_daily_residual_breaks_once_when_the_day_changes(days: int, breaks: list[int]) -> None:
    timestamps, values = ten_minute_cycle(3600, 3000)
    detector = SeriesDetector(SeriesDetectorConfig(regime_days=days))
    _, _, regime_break = detector.signals(timestamps, values)
    # The whole-regime test alone never breaks: the values keep their distribution.
    assert np.flatnonzero(regime_break).tolist() == breaks
    assert np.all(regime_break[breaks] >= detector.config.regime_break_score)


def test_daily_residual_reads_datetimes_and_datetime64_alike() -> None:
    timestamps, values = ten_minute_cycle(3600, 3000)
    as_datetimes = [START + timedelta(minutes=10 * i) for i in range(3600)]
    detector = SeriesDetector()
    np.testing.assert_array_equal(
        detector.evidence(as_datetimes, values), detector.evidence(timestamps, values)
    )


@pytest.mark.parametrize("cut", [2500, 3100], ids=["learning", "after-a-break"])
def test_default_detector_is_streaming_where_the_day_changes(cut: int) -> None:
    timestamps, values = ten_minute_cycle(3600, 3000)
    changed = values.copy()
    changed[cut:] = np.random.default_rng(9).normal(0.0, 100.0, 3600 - cut)
    # A different future, even in the timestamps, leaves the day's length read from the first
    # ones and every score before the cut unchanged.
    later = timestamps.copy()
    later[cut:] += np.timedelta64(7, "h")
    detector = SeriesDetector()
    before = detector.evidence(timestamps, values)
    np.testing.assert_array_equal(before[:cut], detector.evidence(later, changed)[:cut])


@pytest.mark.parametrize(
    ("level", "severity"),
    [(0.02, "down"), (0.0, "down"), (0.7, "degraded"), (0.9, "degraded")],
    ids=["near-zero", "zero", "partial-70pct", "partial-90pct"],
)
def test_availability_step_down_found_with_onset_and_severity(level: float, severity: str) -> None:
    values = availability(2 * DAY)
    onset, recovery = 1900, 1960
    values[onset:recovery] = level
    intervals = find_anomalous_intervals(minutes(len(values)), values, direction="down")
    assert len(intervals) == 1
    found = intervals[0]
    assert abs(found.start_index - onset) <= 2
    assert found.start == START + timedelta(minutes=found.start_index)
    assert found.end_index is not None and abs(found.end_index - recovery) <= 2
    assert (found.severity, found.direction) == (severity, "down")
    assert found.baseline == pytest.approx(0.998, abs=0.002)


def test_throughput_collapse_on_a_seasonal_series_is_down_and_ongoing() -> None:
    orders = seasonal(2 * DAY, 120.0, 60.0, 4.0)
    orders[2500:] = orders[2500:] * 0.05
    intervals = find_anomalous_intervals(minutes(len(orders)), orders, direction="down")
    assert len(intervals) == 1
    assert abs(intervals[0].start_index - 2500) <= 2
    assert intervals[0].end is None and intervals[0].severity == "down"


def test_drop_to_the_night_level_at_midday_is_found() -> None:
    # Values that are normal at night, inside the range seen, but not at this time of day.
    rate = seasonal(3 * DAY, 500.0, 300.0, 10.0, seed=5)
    onset = 2 * DAY + 360  # the daily peak
    rate[onset : onset + 30] = rate[DAY + 1080 : DAY + 1110]  # the trough of the day before
    assert rate[onset:].min() > rate[:onset].min()  # no range break: only the shape is new
    found = find_anomalous_intervals(minutes(len(rate)), rate, direction="down")
    assert [(i.start_index, i.end_index) for i in found] == [(onset, onset + 30)]
    assert found[0].severity == "degraded" and found[0].peak_score > 0.78


def test_error_ratio_spike_found_upwards_only() -> None:
    errors = np.clip(seasonal(DAY, 0.002, 0.001, 0.0003), 0.0, 1.0)
    errors[900:930] = 0.95
    ups = find_anomalous_intervals(minutes(DAY), errors, direction="up")
    assert [(i.start_index, i.severity) for i in ups] == [(900, "down")]
    assert find_anomalous_intervals(minutes(DAY), errors, direction="down") == []


def test_latency_increase_is_degraded() -> None:
    latency = seasonal(DAY, 200.0, 30.0, 5.0)
    latency[1000:1100] += 400.0
    found = find_anomalous_intervals(minutes(DAY), latency, direction="up")
    assert [(i.start_index, i.end_index, i.severity) for i in found] == [(1000, 1100, "degraded")]


def test_missing_samples_tolerated_during_and_outside_an_outage() -> None:
    values = availability(2 * DAY)
    values[1900:1960] = 0.01
    values[[300, 301, 1200, 1930, 1931]] = np.nan
    intervals = find_anomalous_intervals(minutes(len(values)), values, direction="down")
    assert [(i.start_index, i.severity) for i in intervals] == [(1900, "down")]


@pytest.mark.parametrize(
    "values",
    [
        availability(3 * DAY, seed=3),
        seasonal(3 * DAY, 500.0, 200.0, 10.0, seed=4),
        np.full(3 * DAY, 1.0),
    ],
    ids=["availability", "request-rate", "flat"],
)
def test_clean_series_has_no_interval(values: np.ndarray) -> None:
    assert find_anomalous_intervals(minutes(len(values)), values, direction="both") == []


def test_two_outages_are_two_intervals() -> None:
    values = availability(2 * DAY)
    values[1500:1520] = 0.0
    values[2200:2240] = 0.0
    found = find_anomalous_intervals(minutes(len(values)), values, direction="down")
    assert [(i.start_index, i.end_index) for i in found] == [(1500, 1520), (2200, 2240)]


@pytest.mark.parametrize(
    ("kwargs", "message"),
    [
        ({"subsequence": 0}, "subsequence"),
        ({"novelty_noise": -1.0}, "novelty_noise"),
        ({"refractory": -1}, "refractory"),
        ({"range_break_score": 2.0}, "range_break_score"),
        ({"regime_bins": 0}, "regime_bins"),
        ({"regime_break_score": 1.5}, "regime_break_score"),
        ({"regime_break_full": 0.0}, "regime_break_full"),
    ],
    ids=[
        "subsequence",
        "novelty-noise",
        "refractory",
        "range-break",
        "regime-bins",
        "regime-score",
        "regime-full",
    ],
)
def test_invalid_config_names_the_field(kwargs: dict[str, float], message: str) -> None:
    with pytest.raises(ConfigError, match=message):
        SeriesDetectorConfig(**kwargs)  # type: ignore[arg-type]


def test_invalid_series_and_direction_are_rejected() -> None:
    with pytest.raises(SignalError, match="3 timestamps but 2 values"):
        SeriesDetector().score(minutes(3), [1.0, 2.0])
    with pytest.raises(ConfigError, match="direction"):
        find_anomalous_intervals(minutes(3), [1.0, 2.0, 3.0], direction="sideways")  # type: ignore[arg-type]
    with pytest.raises(ConfigError, match="down_loss"):
        IntervalConfig(down_loss=0.0)
