"""Streaming anomaly detector for univariate series (SLI series, and the NAB benchmark).

Every point is scored from itself and earlier points only, as an online detector would score it
when the point arrives; the whole series is still processed with vectorized numpy. Three
signals:

1. **Novel shape** (left k-nearest-neighbour distance): the distance from the last `subsequence`
   points to the `neighbors` most similar earlier stretches of the series (root mean square),
   in units of the range seen so far. A pattern that recurs (a daily cycle, once a day of
   history exists; a repeated spike) finds close matches and stays quiet, so daily seasonality
   is respected without a fixed period: a drop at noon to the usual night level is novel, the
   same level at night is not. A shape never seen before (a drop, a flat line, a burst) is far
   from everything. The distance is
   turned into a score by comparing it with the largest distance of the last `record_horizon`
   points: ``1 / (1 + exp(-steepness * (d / d_max - 1)))``; 0.5 means "as novel as the most
   novel recent point", values near 1 mean "much more novel than anything recently". Novelty
   below `novelty_floor` (shapes within about 1% of the range of their matches) scores 0, and
   so does novelty whose distance (root mean square per point) is below `novelty_noise` times
   the series' mean absolute step before the stretch (`streaming.mean_step_before`): a shape
   no farther from its matches than the series' own point-to-point noise is not news (in white
   noise every new stretch is that far from its matches, and the yardstick of a quiet spell
   would otherwise make it look novel).
2. **Range break**: a value outside the [min, max] seen so far scores `range_break_score`,
   rising linearly to 1 when it exceeds that range by `range_break_full` of its width. Once
   `range_break_memory` points have been seen, a value outside the range of the last
   `range_break_memory` points breaks it too (the larger excess counts): an extreme that old is
   forgotten, so a level the series reached once long ago, then never again, is news again.
3. **Regime break**: every `regime_stride` points the distribution of the last `regime_window`
   points is tested against the current regime (the up to `regime_reference` points before them
   since the regime began; a G test of their empirical-CDF positions in `regime_bins`
   equiprobable bins, `streaming.regime_break_ratio`). A regime first learns the largest
   statistic its own variation produces (`regime_learn` points); after that, a statistic that
   reaches this record breaks the regime: that point scores `regime_break_score`, rising
   linearly to 1 when the statistic exceeds the record by `regime_break_full` of it, and a new
   regime begins, so a lasting change of level, spread or shape scores once. A series no
   longer than `regime_learn` points never scores here (the engine's short stretches).
   The same test also runs on the **daily residual**: each value minus the median of the
   values at the same time of the `regime_days` previous days (a day's length in points from
   the median step of the first `_DAY_STEPS` timestamps), with its own learning period
   `regime_days_learn`; a change of the daily pattern that keeps the regime's distribution
   (a shifted or reshaped day) breaks there. The regime-break signal is the larger of the two.

Scores then pass a refractory filter (`suppress_repeats`): a point keeps its score only if it
exceeds the scores of the `refractory` points before it, so a lasting anomaly yields one alarm.
`evidence` returns the scores (the maximum of the three signals) before that filter. Missing
samples (NaN) carry the last valid value forward and score 0 themselves. Points are taken in the
order given.

Cost: O(n * min(n, history) * subsequence) for n points (exact nearest neighbours by blocked
matrix products); a day of one-minute points takes about 15 ms of CPU, the 365,558 NAB points
about 80 s (the two regime tests add about 5 s there: a sort of up to `regime_reference` points
every `regime_stride` points, only in series longer than `regime_learn`, and for the daily
residual longer than `regime_days` days plus `regime_days_learn` points).

The defaults are the parameters fixed by tuning on the Numenta Anomaly Benchmark (NAB; see
`docs/benchmarks.md` and `benchmarks/nab.py`), where the threshold NAB optimizes per profile is
about 0.87 (standard; 0.78 before the regime break, and still the evidence threshold of the
intervals). The same detector, with the same parameters, drives
`outagelens.detect.intervals.find_anomalous_intervals` on SLI series.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, fields
from datetime import datetime

import numpy as np
from numpy.typing import NDArray

from outagelens.detect.streaming import (
    FloatArray,
    daily_residual,
    day_length,
    forward_fill,
    left_nearest_distance,
    mean_step_before,
    previous_max,
    previous_min,
    regime_break_ratio,
    suppress_repeats,
    trailing_max,
    window_max,
)
from outagelens.errors import ConfigError, SignalError

Timestamps = Sequence[datetime] | NDArray[np.datetime64]
# Timestamp steps whose median gives the day's length in points (the first ones: causal).
_DAY_STEPS = 100


@dataclass(frozen=True)
class SeriesDetectorConfig:
    """Parameters of `SeriesDetector`; the defaults are the ones fixed on NAB."""

    subsequence: int = 10  # points per compared stretch (shape signal)
    exclusion: int = 10  # a match must end at least this many points earlier
    neighbors: int = 3  # novelty: root mean square distance to this many nearest matches
    history: int = 20_160  # points searched for matches (two weeks of minutes): bounds cost
    warmup: int = 100  # points before the shape signal may score
    novelty_floor: float = 0.01  # novelty (fraction of the range seen) below this scores 0
    novelty_noise: float = 1.8  # novelty whose root mean square distance is below this many
    # mean absolute steps of the series before the stretch scores 0: noise-sized (0: off)
    record_horizon: int = 400  # recent points whose largest novelty is the yardstick
    record_steepness: float = 5.0  # slope of the sigmoid on novelty / recent max novelty
    range_break_score: float = 0.7  # score of a value just outside the range seen so far
    range_break_full: float = 0.02  # excess (fraction of that range) that scores 1
    range_break_warmup: int = 50  # points before a range break may score
    range_break_memory: int = 8_000  # from this many points on, also break the range of the
    # last this many points: extremes older than that are forgotten (0: all-time range only)
    regime_window: int = 45  # recent points tested against the current regime (0: off)
    regime_reference: int = 2_000  # at most this many earlier points of the regime in the test
    regime_bins: int = 8  # equiprobable bins of the regime's distribution in the test
    regime_stride: int = 5  # the test runs every this many points (bounds cost)
    regime_learn: int = 1_000  # points a regime records its test statistic before it may break
    regime_break_score: float = 0.75  # score of a statistic that just reaches the regime's record
    regime_break_full: float = 0.1  # excess over that record (fraction of it) that scores 1
    regime_days: int = 2  # daily residual test: same time of this many previous days (0: off)
    regime_days_learn: int = 2_000  # points a regime of the daily residual learns its record
    refractory: int = 20  # points over which a score must be a new high to be kept

    def __post_init__(self) -> None:
        for f in fields(self):
            value = getattr(self, f.name)
            if value < 0:
                raise ConfigError(f"SeriesDetectorConfig.{f.name} must be >= 0, got {value}")
        for name in (
            "subsequence",
            "exclusion",
            "neighbors",
            "history",
            "record_horizon",
            "regime_bins",
            "regime_stride",
        ):
            if getattr(self, name) < 1:
                raise ConfigError(f"SeriesDetectorConfig.{name} must be >= 1")
        if self.range_break_full <= 0.0:
            raise ConfigError("SeriesDetectorConfig.range_break_full must be > 0")
        for name in ("range_break_score", "regime_break_score"):
            if getattr(self, name) > 1.0:
                raise ConfigError(f"SeriesDetectorConfig.{name} must be <= 1")
        if self.regime_break_full <= 0.0:
            raise ConfigError("SeriesDetectorConfig.regime_break_full must be > 0")


def validate_series(timestamps: Timestamps, values: Sequence[float] | FloatArray) -> FloatArray:
    """Check that timestamps and values align; return the values as floats.

    Points are scored in the order given, as they arrived: real telemetry holds repeated and
    occasionally out-of-order timestamps (NAB does), so order is not enforced here.
    """
    x = np.asarray(values, dtype=np.float64)
    if x.ndim != 1:
        raise SignalError(f"series values must be one-dimensional, got shape {x.shape}")
    if len(timestamps) != len(x):
        raise SignalError(f"series has {len(timestamps)} timestamps but {len(x)} values")
    return x


class SeriesDetector:
    """Streaming anomaly scores in [0, 1] for one univariate series."""

    def __init__(self, config: SeriesDetectorConfig | None = None) -> None:
        self.config = config or SeriesDetectorConfig()

    def score(self, timestamps: Timestamps, values: Sequence[float] | FloatArray) -> FloatArray:
        """Anomaly score per point after the refractory filter (what NAB scores)."""
        return self.combine(*self.signals(timestamps, values))

    def combine(self, *signals: FloatArray) -> FloatArray:
        """The score from the signals: their maximum through the refractory filter."""
        return suppress_repeats(_maximum(signals), self.config.refractory)

    def evidence(self, timestamps: Timestamps, values: Sequence[float] | FloatArray) -> FloatArray:
        """Anomaly score per point before the refractory filter."""
        return _maximum(self.signals(timestamps, values))

    def signals(
        self, timestamps: Timestamps, values: Sequence[float] | FloatArray
    ) -> tuple[FloatArray, FloatArray, FloatArray]:
        """The three signals per point (novel shape, range break, regime break); `evidence` is
        their maximum.

        Missing samples score 0 in all. Used to attribute detections to a signal
        (`benchmarks/nab_breakdown.py`).
        """
        raw = validate_series(timestamps, values)
        missing = np.isnan(raw)
        x = forward_fill(raw)
        day = day_length(_seconds(timestamps[: _DAY_STEPS + 1]))
        signals = (self._novelty(x), self._range_break(x), self._regime_break(x, day))
        for signal in signals:
            signal[missing] = 0.0
        return signals

    def novelty_size(self, x: FloatArray) -> FloatArray:
        """Root mean square distance from each point's last `subsequence` points to the nearest
        earlier stretches, as a fraction of the range seen so far (NaN or inf where undefined);
        `x` has no missing samples (forward-filled)."""
        cfg = self.config
        dist = left_nearest_distance(x, cfg.subsequence, cfg.exclusion, cfg.neighbors, cfg.history)
        with np.errstate(divide="ignore", invalid="ignore"):
            return np.asarray(
                dist / (np.maximum(_seen_range(x), 1e-12) * np.sqrt(cfg.subsequence)),
                dtype=np.float64,
            )

    def _novelty(self, x: FloatArray) -> FloatArray:
        cfg = self.config
        novelty = np.nan_to_num(self.novelty_size(x), nan=0.0, posinf=0.0)
        novelty[: cfg.warmup] = 0.0
        recent = trailing_max(novelty, cfg.record_horizon)
        ratio = novelty / np.maximum(recent, 1e-12)
        scores = 1.0 / (1.0 + np.exp(-cfg.record_steepness * (ratio - 1.0)))
        scores[novelty <= cfg.novelty_floor] = 0.0
        if cfg.novelty_noise > 0.0:
            # A shape no farther from its matches than the series' own step noise is not news.
            distance = novelty * np.maximum(_seen_range(x), 1e-12)
            noise = mean_step_before(x, cfg.subsequence)
            scores[distance < cfg.novelty_noise * noise] = 0.0
        return np.asarray(scores, dtype=np.float64)

    def _range_break(self, x: FloatArray) -> FloatArray:
        cfg = self.config
        excess = _excess(x, previous_max(x), previous_min(x))
        excess[: cfg.range_break_warmup] = 0.0
        memory = cfg.range_break_memory
        if 0 < memory < len(x):
            # Range of the `memory` points before t: the window ending at t - 1.
            hi = np.concatenate([[-np.inf], window_max(x, memory)[:-1]])
            lo = -np.concatenate([[-np.inf], window_max(-x, memory)[:-1]])
            recent = _excess(x, hi, lo)
            excess[memory:] = np.maximum(excess[memory:], recent[memory:])
        graded = cfg.range_break_score + (1.0 - cfg.range_break_score) * np.minimum(
            excess / cfg.range_break_full, 1.0
        )
        return np.where(excess > 0.0, graded, 0.0)

    def _regime_break(self, x: FloatArray, day: int) -> FloatArray:
        """The regime test on the values and on their daily residual (`day` points a day)."""
        cfg = self.config
        if cfg.regime_window == 0:
            return np.zeros(len(x))
        tests = (cfg.regime_window, cfg.regime_reference, cfg.regime_bins, cfg.regime_stride)
        ratio = regime_break_ratio(x, *tests, cfg.regime_learn)
        if cfg.regime_days > 0 and day >= 2:
            residual = daily_residual(x, day, cfg.regime_days)
            start = len(x) - len(residual)
            daily = regime_break_ratio(residual, *tests, cfg.regime_days_learn)
            ratio[start:] = np.maximum(ratio[start:], daily)
        graded = cfg.regime_break_score + (1.0 - cfg.regime_break_score) * np.minimum(
            (ratio - 1.0) / cfg.regime_break_full, 1.0
        )
        return np.where(ratio > 0.0, graded, 0.0)


def _seen_range(x: FloatArray) -> FloatArray:
    """Range (max - min) of the values up to each index."""
    if len(x) == 0:
        return x.copy()
    return np.asarray(np.maximum.accumulate(x) - np.minimum.accumulate(x), dtype=np.float64)


def _seconds(timestamps: Timestamps) -> FloatArray:
    """Timestamps as seconds (any common origin)."""
    if isinstance(timestamps, np.ndarray):
        return np.asarray(timestamps.astype("datetime64[ms]").astype(np.int64) / 1000.0)
    return np.array([t.timestamp() for t in timestamps], dtype=np.float64)


def _maximum(signals: Sequence[FloatArray]) -> FloatArray:
    """Pointwise maximum of one or more equally long signals."""
    return np.asarray(np.max(np.stack(signals), axis=0), dtype=np.float64)


def _excess(x: FloatArray, hi: FloatArray, lo: FloatArray) -> FloatArray:
    """How far each value lies outside [lo, hi], as a fraction of hi - lo (0 inside)."""
    width = np.where(hi > lo, hi - lo, np.inf)
    with np.errstate(invalid="ignore"):
        excess = np.maximum(x - hi, lo - x) / width
    return np.asarray(np.nan_to_num(excess, nan=0.0, neginf=0.0), dtype=np.float64)
