"""Causal array primitives against direct point-by-point definitions."""

from __future__ import annotations

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from outagelens.detect.streaming import (
    daily_residual,
    day_length,
    forward_fill,
    left_nearest_distance,
    mean_step_before,
    previous_max,
    regime_break_ratio,
    suppress_repeats,
    trailing_max,
    window_max,
)


def _brute_left_distance(x: np.ndarray, length: int, exclusion: int, k: int) -> np.ndarray:
    """Root mean square distance to the k nearest earlier subsequences, one point at a time."""
    out = np.full(len(x), np.nan)
    for t in range(length - 1, len(x)):
        here = x[t - length + 1 : t + 1]
        ends = range(length - 1, t - exclusion + 1)
        dists = sorted(float(np.sum((here - x[e - length + 1 : e + 1]) ** 2)) for e in ends)
        if dists:
            out[t] = np.sqrt(np.mean(dists[:k]))
    return out


@pytest.mark.parametrize(
    ("n", "length", "exclusion", "k"),
    [(40, 4, 4, 1), (40, 4, 4, 3), (300, 10, 10, 3), (300, 5, 20, 2), (14, 10, 10, 3)],
    ids=["short-1nn", "short-3nn", "block-3nn", "wide-exclusion", "too-short"],
)
def test_left_nearest_distance_matches_brute_force(
    n: int, length: int, exclusion: int, k: int
) -> None:
    x = np.random.default_rng(n + k).normal(size=n).cumsum()
    expected = _brute_left_distance(x, length, exclusion, k)
    np.testing.assert_allclose(left_nearest_distance(x, length, exclusion, k), expected, atol=1e-6)


def test_forward_fill_carries_last_value_and_backfills_the_start() -> None:
    filled = forward_fill(np.array([np.nan, 2.0, np.nan, np.nan, 5.0, np.nan]))
    assert filled.tolist() == [2.0, 2.0, 2.0, 2.0, 5.0, 5.0]
    assert forward_fill(np.array([np.nan, np.nan])).tolist() == [0.0, 0.0]


def test_previous_and_trailing_max_use_only_earlier_points() -> None:
    values = np.array([3.0, 1.0, 4.0, 1.0, 5.0])
    assert previous_max(values).tolist() == [-np.inf, 3.0, 3.0, 4.0, 4.0]
    assert trailing_max(values, 2).tolist() == [0.0, 3.0, 3.0, 4.0, 4.0]


@pytest.mark.parametrize(
    ("n", "width"),
    [(0, 3), (1, 1), (17, 1), (17, 4), (17, 17), (17, 40), (200, 7)],
    ids=["empty", "single", "width-1", "blocks", "whole", "wider-than-series", "long"],
)
def test_window_max_matches_brute_force(n: int, width: int) -> None:
    values = np.random.default_rng(n + width).normal(size=n)
    expected = [values[max(0, i - width + 1) : i + 1].max() for i in range(n)]
    assert window_max(values, width).tolist() == expected


def test_suppress_repeats_keeps_only_new_highs_within_the_refractory_span() -> None:
    scores = np.array([0.2, 0.9, 0.8, 0.95, 0.1, 0.1, 0.1, 0.7])
    assert suppress_repeats(scores, 3).tolist() == [0.2, 0.9, 0.0, 0.95, 0.0, 0.0, 0.0, 0.7]


def test_history_limits_how_far_back_matches_are_searched() -> None:
    rng = np.random.default_rng(3)
    x = rng.normal(0.0, 0.01, 1200)
    bump = np.array([0.0, 1.0, 3.0, 1.0, 0.0])
    x[20:25] += bump
    x[1100:1105] += bump  # the same shape again, 1080 points later
    unlimited = left_nearest_distance(x, 5, 5)
    recent = left_nearest_distance(x, 5, 5, history=300)
    assert unlimited[1104] < 0.1  # matched by the first bump
    assert recent[1104] > 1.0  # the first bump is out of reach
    np.testing.assert_array_equal(left_nearest_distance(x, 5, 5, history=5000), unlimited)
    assert np.all(recent[np.isfinite(recent)] >= unlimited[np.isfinite(recent)] - 1e-9)


@pytest.mark.parametrize(
    ("change", "breaks_at"),
    [("level", 1310), ("spread", 1320), ("none", None)],
    ids=["level-shift", "quiet-stretch", "stationary"],
)
def test_regime_breaks_once_soon_after_a_lasting_change(change: str, breaks_at: int | None) -> None:
    x = np.random.default_rng(7).normal(0.0, 1.0, 1800)
    if change == "level":
        x[1300:] += 3.0  # within the range seen (the noise reaches 3 sigma) but a new level
    elif change == "spread":
        x[1300:1500] *= 0.1  # a quiet stretch: inside the range, a new distribution
    ratio = regime_break_ratio(x, window=45, reference=2000, bins=8, stride=5, learn=1000)
    broken = np.flatnonzero(ratio)
    assert broken.tolist() == ([] if breaks_at is None else [breaks_at])
    assert np.all(ratio[broken] >= 1.0)


def test_regime_cannot_break_in_a_series_no_longer_than_its_learning_period() -> None:
    x = np.random.default_rng(7).normal(0.0, 1.0, 1000)
    x[600:] += 10.0
    assert not regime_break_ratio(x, 45, 2000, 8, 5, learn=1000).any()
    assert regime_break_ratio(x, 45, 2000, 8, 5, learn=500).any()


@settings(max_examples=40, deadline=None)
@given(
    values=st.lists(st.floats(-1e3, 1e3), min_size=60, max_size=200),
    cut=st.integers(1, 199),
    tail=st.lists(st.floats(-1e3, 1e3), min_size=1, max_size=60),
)
def test_regime_break_at_t_ignores_later_points(
    values: list[float], cut: int, tail: list[float]
) -> None:
    cut = min(cut, len(values) - 1)
    x = np.array(values)
    changed = np.array(values[:cut] + tail)
    params = {"window": 5, "reference": 60, "bins": 3, "stride": 2, "learn": 20}
    full = regime_break_ratio(x, **params)
    other = regime_break_ratio(changed, **params)
    np.testing.assert_array_equal(full[:cut], other[:cut])


@pytest.mark.parametrize(
    ("days", "expected"),
    [(1, [0, 0, 0, 0, 0, 6]), (2, [0, 0, 6]), (3, []), (0, [])],
    ids=["one-day", "two-days", "too-short", "off"],
)
def test_daily_residual_subtracts_the_median_of_the_same_time_on_earlier_days(
    days: int, expected: list[float]
) -> None:
    x = np.array([1.0, 2.0, 3.0, 1.0, 2.0, 3.0, 1.0, 2.0, 9.0])
    assert daily_residual(x, period=3, days=days).tolist() == expected


def test_daily_residual_takes_the_median_of_several_days() -> None:
    x = np.array([5.0, 1.0, 3.0, 4.0])  # the same time on three earlier days: 5, 1, 3
    assert daily_residual(x, period=1, days=3).tolist() == [1.0]


@pytest.mark.parametrize(
    ("steps", "expected"),
    [([60.0] * 5, 1440), ([300.0, 300.0, 600.0], 288), ([0.0, 0.0], 0), ([], 0)],
    ids=["minutes", "five-minutes-one-gap", "repeated", "one-timestamp"],
)
def test_day_length_from_the_median_step(steps: list[float], expected: int) -> None:
    seconds = np.concatenate([[1e9], 1e9 + np.cumsum(steps)])
    assert day_length(seconds) == expected


@pytest.mark.parametrize(
    ("lag", "expected"),
    [
        (0, [np.nan, 1.0, 1.5, 1.0, 1.75]),
        (2, [np.nan, np.nan, np.nan, 1.0, 1.5]),
        (5, [np.nan] * 5),
    ],
    ids=["no-lag", "lag-2", "no-step-yet"],
)
def test_mean_step_before_averages_the_steps_up_to_t_minus_lag(
    lag: int, expected: list[float]
) -> None:
    x = np.array([0.0, 1.0, 3.0, 3.0, 7.0])  # steps 1, 2, 0, 4
    np.testing.assert_array_equal(mean_step_before(x, lag), np.array(expected))


@settings(max_examples=40, deadline=None)
@given(
    values=st.lists(st.floats(-1e3, 1e3), min_size=2, max_size=80),
    cut=st.integers(1, 79),
    tail=st.lists(st.floats(-1e3, 1e3), min_size=1, max_size=30),
    lag=st.integers(0, 12),
)
def test_mean_step_before_at_t_ignores_later_points(
    values: list[float], cut: int, tail: list[float], lag: int
) -> None:
    cut = min(cut, len(values) - 1)
    full = mean_step_before(np.array(values), lag)
    other = mean_step_before(np.array(values[:cut] + tail), lag)
    np.testing.assert_array_equal(full[:cut], other[:cut])
