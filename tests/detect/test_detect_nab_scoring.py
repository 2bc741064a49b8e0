"""The NAB scorer on small hand-made cases whose scores can be worked out by hand."""

from __future__ import annotations

import math

import numpy as np
import pytest

from outagelens.detect import nab_scoring as ns

# 100 points: probation is the first 15; one window over indices 40..59 (width 20).
N = 100
WINDOW = (40, 59)


def _sweep(bounds: list[tuple[int, int]] | None = None, n: int = N) -> ns.FileSweep:
    return ns.sweep_file("case.csv", n, [WINDOW] if bounds is None else bounds)


def _detect_at(*indices: int, n: int = N) -> np.ndarray:
    scores = np.zeros(n)
    scores[list(indices)] = 1.0
    return scores


def _raw(scores: np.ndarray, profile: ns.Profile, sweep: ns.FileSweep | None = None) -> float:
    """Raw score with the threshold fixed at 1.0 (only the marked points are detections)."""
    result = ns.sweep_thresholds([sweep or _sweep()], [scores], profile)
    k = int(np.flatnonzero(result.thresholds >= 1.0)[-1])
    return float(result.totals[k])


def test_scaled_sigmoid_matches_published_values() -> None:
    values = ns.scaled_sigmoid(np.array([-1.0, -0.5, 0.0, 1.0, 3.0]))
    assert values == pytest.approx([0.98661, 0.84828, 0.0, -0.98661, -1.0], abs=1e-5)


def test_detection_at_window_start_beats_one_at_its_end() -> None:
    early = _raw(_detect_at(WINDOW[0]), ns.STANDARD)
    late = _raw(_detect_at(WINDOW[1]), ns.STANDARD)
    assert early == pytest.approx(1.0)
    # The last point of the window sits at relative position -1/20.
    assert late == pytest.approx(float(ns.scaled_sigmoid(np.array(-1 / 20))) / ns.MAX_TP)
    assert early > late > 0.0


@pytest.mark.parametrize(
    "profile", [ns.STANDARD, ns.REWARD_LOW_FP, ns.REWARD_LOW_FN], ids=lambda p: p.name
)
def test_false_positive_before_any_window_costs_the_profile_weight(profile: ns.Profile) -> None:
    hit = _raw(_detect_at(WINDOW[0]), profile)
    hit_and_fp = _raw(_detect_at(WINDOW[0], 20), profile)
    assert hit_and_fp - hit == pytest.approx(profile.a_fp)


def test_false_positive_just_after_a_window_costs_less_than_far_after() -> None:
    base = _raw(_detect_at(WINDOW[0]), ns.STANDARD)
    near = _raw(_detect_at(WINDOW[0], 61), ns.STANDARD) - base
    far = _raw(_detect_at(WINDOW[0], 99), ns.STANDARD) - base
    # 2 points past the window end, width 20: relative position 2/19.
    expected_near = 0.11 * float(ns.scaled_sigmoid(np.array(2 / 19)))
    assert near == pytest.approx(expected_near)
    assert far == pytest.approx(0.11 * float(ns.scaled_sigmoid(np.array(40 / 19))))
    assert far < near < 0.0


def test_only_the_first_detection_in_a_window_counts() -> None:
    once = _raw(_detect_at(45), ns.STANDARD)
    many = _raw(_detect_at(45, 50, 55, 59), ns.STANDARD)
    assert many == pytest.approx(once)


def test_missed_window_costs_the_false_negative_weight() -> None:
    assert _raw(np.zeros(N), ns.REWARD_LOW_FN) == pytest.approx(-2.0)
    assert _raw(np.zeros(N), ns.STANDARD) == pytest.approx(-1.0)


def test_probationary_period_is_not_scored() -> None:
    assert ns.probationary_length(100) == 15
    assert ns.probationary_length(10_000) == 750
    hit = _raw(_detect_at(WINDOW[0]), ns.STANDARD)
    assert _raw(_detect_at(WINDOW[0], 3, 14), ns.STANDARD) == pytest.approx(hit)
    assert _raw(_detect_at(WINDOW[0], 15), ns.STANDARD) == pytest.approx(hit - 0.11)


@pytest.mark.parametrize(
    "profile", [ns.STANDARD, ns.REWARD_LOW_FP, ns.REWARD_LOW_FN], ids=lambda p: p.name
)
def test_null_detector_normalizes_to_0_and_perfect_to_100(profile: ns.Profile) -> None:
    sweeps = [_sweep(), _sweep([(20, 29), (70, 79)]), _sweep([])]
    null = ns.score_corpus(sweeps, [np.zeros(N)] * 3, [profile])[0]
    perfect = ns.score_corpus(sweeps, [ns.perfect_scores(s) for s in sweeps], [profile])[0]
    assert null.normalized == pytest.approx(0.0)
    assert perfect.normalized == pytest.approx(100.0)
    assert null.raw == pytest.approx(3 * profile.a_fn)


def test_threshold_optimization_picks_the_best_total() -> None:
    # A strong detection in the window (0.9) and weaker false positives (0.5, 0.4): the best
    # threshold keeps only the window hit.
    scores = np.zeros(N)
    scores[WINDOW[0]] = 0.9
    scores[[20, 25]] = [0.5, 0.4]
    result = ns.score_corpus([_sweep()], [scores], [ns.STANDARD])[0]
    assert result.threshold == pytest.approx(0.9)
    assert result.raw == pytest.approx(1.0)
    assert result.normalized == pytest.approx(100.0)


def test_sweep_matches_a_brute_force_rescoring_at_every_threshold() -> None:
    rng = np.random.default_rng(7)
    sweeps = [_sweep(), _sweep([(30, 39), (60, 84)])]
    scores = [rng.random(N).round(2), rng.random(N).round(2)]
    result = ns.sweep_thresholds(sweeps, scores, ns.STANDARD)
    for threshold, total in zip(result.thresholds, result.totals, strict=True):
        expected = sum(
            _brute_force(s, sc >= threshold) for s, sc in zip(sweeps, scores, strict=True)
        )
        assert total == pytest.approx(expected)


def _brute_force(sweep: ns.FileSweep, detected: np.ndarray) -> float:
    """Score one file by the rules, point by point."""
    total = 0.0
    for k in range(sweep.n_windows):
        hits = np.flatnonzero(detected & (sweep.window_id == k))
        total += max(sweep.reward[hits].max(), -1.0) if len(hits) else -1.0
    fps = detected & (sweep.window_id == ns.NO_WINDOW)
    return total + 0.11 * float(sweep.reward[fps].sum())


def test_window_limit_that_is_not_a_timestamp_is_rejected() -> None:
    stamps = np.array(["2020-01-01T00:00", "2020-01-01T00:05"], dtype="datetime64[s]")
    with pytest.raises(ns.NabScoringError, match=r"case\.csv: window limit 2020-01-02"):
        ns.window_bounds("case.csv", stamps, [("2020-01-02 00:00:00", "2020-01-03 00:00:00")])


def test_window_bounds_match_timestamps_exactly() -> None:
    stamps = np.arange(
        np.datetime64("2020-01-01T00:00"), np.datetime64("2020-01-01T01:00"), np.timedelta64(5, "m")
    ).astype("datetime64[s]")
    bounds = ns.window_bounds(
        "case.csv", stamps, [("2020-01-01 00:10:00.000000", "2020-01-01 00:20:00.000000")]
    )
    assert bounds == [(2, 4)]
    assert math.isclose(ns.MAX_TP, 0.98661, abs_tol=1e-5)
