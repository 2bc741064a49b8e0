"""Scorer for the Numenta Anomaly Benchmark (NAB), written from its published description.

Lavin and Ahmad, "Evaluating Real-time Anomaly Detection Algorithms -- the Numenta Anomaly
Benchmark" (2015), and NAB v1.1's scoring rules:

- Each labelled anomaly is a *window* of timestamps. A window is worth ``-A_FN`` until the
  detector fires inside it; then it is worth the best (earliest) detection's reward
  ``A_TP * sigma(y) / sigma(-1)``, where ``y = -(right - i + 1) / width`` is the relative
  position of point ``i`` in the window and ``sigma(y) = 2 / (1 + exp(5 y)) - 1`` is the
  scaled sigmoid. Only the first detection in a window counts; later ones are free.
- A detection outside every window is a false positive that adds ``|A_FP| * sigma(y)`` (negative:
  ``sigma`` of a positive position is below 0), where ``y`` is the distance past the end of the
  previous window relative to that window's width minus one; ``y >= 3``, or no previous
  window, gives the full cost ``A_FP``.
- The first 15% of each file (at most 750 points) is a probationary period: never scored.
- A detection is a point whose anomaly score is ``>=`` the threshold. The threshold is chosen per
  application profile to maximize the total score over the whole corpus.
- The normalized score is ``100 * (raw - null) / (perfect - null)``: the null detector (never
  fires) scores 0, the perfect detector (fires at the start of every window) scores 100.

Weights are stated as rewards (``A_FP = -0.11``); NAB's ``profiles.json`` stores the same
numbers as positive costs.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

import numpy as np
from numpy.typing import NDArray

from outagelens.errors import OutageLensError

PROBATION_FRACTION = 0.15
PROBATION_MAX_POINTS = 750  # NAB: probationPercent * 5000
NO_WINDOW = -1
PROBATIONARY = -2
# Above every score in [0, 1]: the "nothing detected" threshold, as in NAB's sweeper.
NOTHING_THRESHOLD = 1.1


class NabScoringError(OutageLensError):
    """NAB labels or detector output cannot be scored; names the file."""


@dataclass(frozen=True)
class Profile:
    """An application profile: rewards for a true positive and costs of errors (A_FP, A_FN < 0)."""

    name: str
    a_tp: float
    a_fp: float
    a_fn: float
    a_tn: float = 1.0


STANDARD = Profile("standard", a_tp=1.0, a_fp=-0.11, a_fn=-1.0)
REWARD_LOW_FP = Profile("reward_low_FP_rate", a_tp=1.0, a_fp=-0.22, a_fn=-1.0)
REWARD_LOW_FN = Profile("reward_low_FN_rate", a_tp=1.0, a_fp=-0.11, a_fn=-2.0)
PROFILES: tuple[Profile, ...] = (STANDARD, REWARD_LOW_FP, REWARD_LOW_FN)


def scaled_sigmoid(position: NDArray[np.float64]) -> NDArray[np.float64]:
    """NAB's scaled sigmoid of the relative position; -1 at or beyond position 3."""
    pos = np.asarray(position, dtype=np.float64)
    value = 2.0 / (1.0 + np.exp(5.0 * np.minimum(pos, 50.0))) - 1.0
    return np.where(pos >= 3.0, -1.0, value)


MAX_TP = float(scaled_sigmoid(np.array(-1.0)))


def probationary_length(n_points: int) -> int:
    """Number of leading points never scored: 15% of the file, at most 750."""
    return int(min(np.floor(PROBATION_FRACTION * n_points), PROBATION_MAX_POINTS))


@dataclass(frozen=True)
class FileSweep:
    """Per-point window membership and unweighted reward of one labelled file."""

    name: str
    window_id: NDArray[np.int64]  # window number, NO_WINDOW, or PROBATIONARY
    reward: NDArray[np.float64]  # scaled sigmoid (in window: divided by MAX_TP)
    n_windows: int


def window_bounds(
    name: str, timestamps: NDArray[np.datetime64], windows: Sequence[tuple[str, str]]
) -> list[tuple[int, int]]:
    """Index bounds (inclusive) of each labelled window: first data point at each limit.

    As in NAB, window limits must be timestamps of the file (files may repeat a timestamp).
    """
    bounds: list[tuple[int, int]] = []
    for start, end in windows:
        lo = _first_index(name, timestamps, start)
        hi = _first_index(name, timestamps, end)
        if hi < lo:
            raise NabScoringError(f"{name}: window [{start}, {end}] ends before it starts")
        if bounds and lo <= bounds[-1][1]:
            raise NabScoringError(f"{name}: window [{start}, {end}] overlaps the previous one")
        bounds.append((lo, hi))
    return bounds


def _first_index(name: str, timestamps: NDArray[np.datetime64], stamp: str) -> int:
    """Index of the first point at exactly `stamp`."""
    hits = np.flatnonzero(timestamps == np.datetime64(stamp).astype(timestamps.dtype))
    if len(hits) == 0:
        raise NabScoringError(f"{name}: window limit {stamp} is not a timestamp of the file")
    return int(hits[0])


def sweep_file(name: str, n_points: int, bounds: Sequence[tuple[int, int]]) -> FileSweep:
    """Window membership and unweighted reward of every point of a file (NAB's sweep)."""
    idx = np.arange(n_points, dtype=np.float64)
    window_id = np.full(n_points, NO_WINDOW, dtype=np.int64)
    # Before the first window: full false-positive cost.
    reward = np.full(n_points, -1.0)
    for k, (lo, hi) in enumerate(bounds):
        width = float(hi - lo + 1)
        window_id[lo : hi + 1] = k
        position = -(hi - idx[lo : hi + 1] + 1.0) / width
        reward[lo : hi + 1] = scaled_sigmoid(position) / MAX_TP
        nxt = bounds[k + 1][0] if k + 1 < len(bounds) else n_points
        after = idx[hi + 1 : nxt]
        # NAB divides by (width - 1); a one-point window would divide by zero: full cost then.
        past = np.abs(hi - after) / (width - 1.0) if width > 1 else np.full(len(after), 3.0)
        reward[hi + 1 : nxt] = scaled_sigmoid(past)
    window_id[: probationary_length(n_points)] = PROBATIONARY
    return FileSweep(name, window_id, reward, len(bounds))


@dataclass(frozen=True)
class ThresholdSweep:
    """Total raw score of a corpus for each candidate threshold (detection: score >= threshold)."""

    thresholds: NDArray[np.float64]
    totals: NDArray[np.float64]

    def best(self) -> tuple[float, float]:
        """The threshold with the highest total (the highest such threshold on ties), and total."""
        k = int(np.argmax(self.totals))
        return float(self.thresholds[k]), float(self.totals[k])


def sweep_thresholds(
    sweeps: Sequence[FileSweep], scores: Sequence[NDArray[np.float64]], profile: Profile
) -> ThresholdSweep:
    """Score a corpus at every distinct anomaly-score threshold, as NAB's sweeper does."""
    ids, rewards, values = [], [], []
    offset = 0
    for sweep, score in zip(sweeps, scores, strict=True):
        if len(score) != len(sweep.window_id):
            raise NabScoringError(
                f"{sweep.name}: {len(score)} anomaly scores for {len(sweep.window_id)} points"
            )
        keep = sweep.window_id != PROBATIONARY
        wid = sweep.window_id[keep]
        ids.append(np.where(wid >= 0, wid + offset, NO_WINDOW))
        rewards.append(sweep.reward[keep])
        values.append(np.nan_to_num(np.asarray(score, dtype=np.float64)[keep], nan=0.0))
        offset += sweep.n_windows
    wid_all = np.concatenate(ids) if ids else np.zeros(0, dtype=np.int64)
    reward_all = np.concatenate(rewards) if rewards else np.zeros(0)
    value_all = np.concatenate(values) if values else np.zeros(0)
    scored_windows = np.unique(wid_all[wid_all >= 0])
    base = profile.a_fn * len(scored_windows)

    order = np.argsort(-value_all, kind="stable")
    wid_s, reward_s, value_s = wid_all[order], reward_all[order], value_all[order]
    gain = np.where(wid_s < 0, reward_s * -profile.a_fp, 0.0)
    # In a window only a new best (earliest) detection adds: its gain over the previous best.
    in_win = np.flatnonzero(wid_s >= 0)
    if len(in_win):
        w = wid_s[in_win]
        val = reward_s[in_win] * profile.a_tp
        grp = np.argsort(w, kind="stable")  # keeps descending-score order inside each window
        w_g, val_g = w[grp], val[grp]
        shifted = val_g + 10.0 * w_g  # rewards lie in [-1, 1]: groups never mix
        running = np.maximum.accumulate(shifted) - 10.0 * w_g
        first = np.r_[True, w_g[1:] != w_g[:-1]]
        prev = np.where(first, profile.a_fn, np.r_[profile.a_fn, running[:-1]])
        delta_g = np.maximum(running, profile.a_fn) - np.maximum(prev, profile.a_fn)
        delta = np.empty_like(delta_g)
        delta[grp] = delta_g
        gain[in_win] = delta
    cum = base + np.cumsum(gain)
    # A threshold equal to a score detects every point with that score: last of each run.
    last = np.r_[value_s[1:] != value_s[:-1], True] if len(value_s) else np.zeros(0, dtype=bool)
    thresholds = np.r_[NOTHING_THRESHOLD, value_s[last]]
    totals = np.r_[base, cum[last]]
    return ThresholdSweep(thresholds, totals)


@dataclass(frozen=True)
class ProfileResult:
    """One profile's outcome on a corpus: chosen threshold, raw and normalized score."""

    profile: Profile
    threshold: float
    raw: float
    null: float
    perfect: float

    @property
    def normalized(self) -> float:
        """100 * (raw - null) / (perfect - null)."""
        return 100.0 * (self.raw - self.null) / (self.perfect - self.null)


def score_corpus(
    sweeps: Sequence[FileSweep],
    scores: Sequence[NDArray[np.float64]],
    profiles: Sequence[Profile] = PROFILES,
) -> list[ProfileResult]:
    """Optimize the threshold per profile and normalize between the null and perfect detector."""
    n_windows = sum(s.n_windows for s in sweeps)
    if n_windows == 0:
        raise NabScoringError("no labelled window in the corpus: cannot normalize")
    null_scores = [np.zeros(len(s.window_id)) for s in sweeps]
    results = []
    for profile in profiles:
        threshold, raw = sweep_thresholds(sweeps, scores, profile).best()
        _, null = sweep_thresholds(sweeps, null_scores, profile).best()
        perfect = n_windows * profile.a_tp
        results.append(ProfileResult(profile, threshold, raw, null, perfect))
    return results


def perfect_scores(sweep: FileSweep) -> NDArray[np.float64]:
    """The perfect detector's output for a file: 1 at the first point of each window."""
    out = np.zeros(len(sweep.window_id))
    ids = sweep.window_id
    starts = np.flatnonzero((ids >= 0) & np.r_[True, ids[1:] != ids[:-1]])
    out[starts] = 1.0
    return out
