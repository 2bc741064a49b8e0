"""Outage intervals on an SLI series, from the streaming `SeriesDetector`.

`find_anomalous_intervals(timestamps, values, direction=..., config=...)` returns the intervals
in which the series left its baseline in the bad `direction` ("down" for availability, request
rate, orders per minute; "up" for error rate and latency; "both" for either):

- **baseline** at t: median of the `baseline_window` points before t; its scale is the MAD of the
  same points (times 1.4826), floored at `min_relative_change` of the baseline's magnitude, so a
  perfectly flat SLI (availability exactly 1.0) still needs a real change to count.
- **onset**: the first point that deviates by at least `min_deviation_z` scales in the bad
  direction and either carries detector evidence >= `evidence_threshold` (the detector found it
  novel: a new shape or a value outside the range seen so far) or is the first of
  `sustain_points` consecutive deviating points (a lasting shift the detector had seen before).
  Both tests use only points up to the onset: an interval is reported as soon as it starts.
- **end**: the first point of `recovery_points` consecutive points back within
  `recovery_z` scales of the baseline frozen at onset; ``None`` while the series has not
  recovered (the outage is ongoing).
- **severity**: ``"down"`` when the interval's median value lost at least `down_loss` of the
  baseline (direction down: availability near 0, throughput collapse) or, for a ratio series in
  [0, 1] going up (error ratio), covered at least `down_loss` of the way from baseline to 1;
  otherwise ``"degraded"`` (partial loss, higher latency).
- **peak_score**: the largest detector evidence inside the interval.

Missing samples (NaN) are bridged with the last valid value and never start an interval.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import UTC, datetime
from typing import Literal

import numpy as np
from numpy.lib.stride_tricks import sliding_window_view

from outagelens.detect.series import (
    SeriesDetector,
    SeriesDetectorConfig,
    Timestamps,
    validate_series,
)
from outagelens.detect.streaming import FloatArray, forward_fill
from outagelens.errors import ConfigError

Direction = Literal["down", "up", "both"]
Severity = Literal["down", "degraded"]
_MAD_TO_SIGMA = 1.4826


@dataclass(frozen=True)
class IntervalConfig:
    """Parameters of `find_anomalous_intervals`; `detector` is the shared series detector."""

    detector: SeriesDetectorConfig = field(default_factory=SeriesDetectorConfig)
    evidence_threshold: float = 0.78  # NAB standard-profile optimum before the regime break
    baseline_window: int = 60
    min_deviation_z: float = 5.0
    min_relative_change: float = 0.005
    sustain_points: int = 3
    recovery_z: float = 3.0
    recovery_points: int = 3
    down_loss: float = 0.8

    def __post_init__(self) -> None:
        for name in ("baseline_window", "sustain_points", "recovery_points"):
            if getattr(self, name) < 1:
                raise ConfigError(f"IntervalConfig.{name} must be >= 1, got {getattr(self, name)}")
        if not 0.0 < self.down_loss <= 1.0:
            raise ConfigError(f"IntervalConfig.down_loss must be in (0, 1], got {self.down_loss}")
        if not 0.0 <= self.evidence_threshold <= 1.0:
            raise ConfigError("IntervalConfig.evidence_threshold must be in [0, 1]")


@dataclass(frozen=True)
class Interval:
    """One anomalous interval of an SLI series; `end` is None while ongoing."""

    start: datetime
    end: datetime | None
    peak_score: float
    severity: Severity
    direction: Literal["down", "up"]
    baseline: float
    start_index: int
    end_index: int | None


def _to_datetimes(timestamps: Timestamps) -> list[datetime]:
    """Timestamps as timezone-aware datetimes (naive ones are taken as UTC)."""
    out = []
    for t in timestamps:
        dt = t if isinstance(t, datetime) else np.datetime64(t, "us").astype(datetime)
        out.append(dt if dt.tzinfo else dt.replace(tzinfo=UTC))
    return out


def _baseline(x: FloatArray, cfg: IntervalConfig) -> tuple[FloatArray, FloatArray]:
    """Trailing median and scale of the `baseline_window` points before each index (causal)."""
    n, w = len(x), cfg.baseline_window
    base = np.full(n, np.nan)
    scale = np.full(n, np.nan)
    if n > w:
        windows = sliding_window_view(x, w)[:-1]
        med = np.median(windows, axis=1)
        mad = np.median(np.abs(windows - med[:, None]), axis=1)
        base[w:] = med
        scale[w:] = np.maximum(
            np.maximum(_MAD_TO_SIGMA * mad, cfg.min_relative_change * np.abs(med)), 1e-9
        )
    return base, scale


def _first_run(mask: np.ndarray, run: int) -> int | None:
    """Index of the first of `run` consecutive True values in mask, or None."""
    if run <= 1:
        hits = np.flatnonzero(mask)
        return int(hits[0]) if len(hits) else None
    counts = np.convolve(mask.astype(np.int64), np.ones(run, dtype=np.int64), mode="valid")
    hits = np.flatnonzero(counts == run)
    return int(hits[0]) if len(hits) else None


def _severity(values: FloatArray, baseline: float, side: str, cfg: IntervalConfig) -> Severity:
    """'down' for near-total loss relative to the baseline, else 'degraded'."""
    level = float(np.median(values))
    if side == "down":
        lost = 1.0 - level / baseline if baseline > 0 else 0.0
        return "down" if lost >= cfg.down_loss else "degraded"
    is_ratio = bool(np.all((values >= 0.0) & (values <= 1.0))) and 0.0 <= baseline < 1.0
    if is_ratio and (level - baseline) >= cfg.down_loss * (1.0 - baseline):
        return "down"
    return "degraded"


def find_anomalous_intervals(
    timestamps: Timestamps,
    values: FloatArray | list[float],
    *,
    direction: Direction,
    config: IntervalConfig | None = None,
) -> list[Interval]:
    """Intervals where an SLI left its baseline in the bad `direction` (see module docstring)."""
    if direction not in ("down", "up", "both"):
        raise ConfigError(f"direction must be 'down', 'up' or 'both', got {direction!r}")
    cfg = config or IntervalConfig()
    raw = validate_series(timestamps, values)
    x = forward_fill(raw)
    evidence = SeriesDetector(cfg.detector).evidence(timestamps, raw)
    base, scale = _baseline(x, cfg)
    with np.errstate(invalid="ignore"):
        z = np.nan_to_num((x - base) / scale, nan=0.0)
    bad = {"down": -z, "up": z, "both": np.abs(z)}[direction]
    deviating = (bad >= cfg.min_deviation_z) & ~np.isnan(raw)
    times = _to_datetimes(timestamps)
    intervals: list[Interval] = []
    i = 0
    while i < len(x):
        onset = _next_onset(deviating, evidence, i, cfg)
        if onset is None:
            break
        b, s = float(base[onset]), float(scale[onset])
        back = np.abs(x[onset + 1 :] - b) <= cfg.recovery_z * s
        rec = _first_run(back, cfg.recovery_points)
        end = None if rec is None else onset + 1 + rec
        stop = len(x) if end is None else end
        side: Literal["down", "up"] = "down" if x[onset] < b else "up"
        intervals.append(
            Interval(
                start=times[onset],
                end=None if end is None else times[end],
                peak_score=float(evidence[onset:stop].max()),
                severity=_severity(x[onset:stop], b, side, cfg),
                direction=side,
                baseline=b,
                start_index=onset,
                end_index=end,
            )
        )
        if end is None:
            break
        i = end
    return intervals


def _next_onset(
    deviating: np.ndarray, evidence: FloatArray, start: int, cfg: IntervalConfig
) -> int | None:
    """First onset at or after `start`: deviating with evidence, or first of a sustained run."""
    dev = deviating[start:]
    novel = _first_run(dev & (evidence[start:] >= cfg.evidence_threshold), 1)
    sustained = _first_run(dev, cfg.sustain_points)
    found = [k for k in (novel, sustained) if k is not None]
    return start + min(found) if found else None
