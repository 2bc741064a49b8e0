"""The engine's series detector: the NAB-scored streaming detector, behind a cheap screen.

`find_anomalous_intervals` (detect/intervals.py, the detector scored on NAB) decides onset, end
and down/degraded for every series that may hold an outage. Running it on every row of a large
catalog would cost ~0.1 s per row, so the vectorised robust-baseline screen
(`RobustBaselineDetector`) picks the rows and the stretch to look at first; the NAB detector then
runs on that stretch plus enough history for its baseline and warm-up. Where the NAB detector
finds nothing on the availability SLI but the screen saw a signal that SLI does not carry
(traffic lost with no availability samples, latency only), the screen's interval is kept.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta
from functools import lru_cache

import numpy as np
import numpy.typing as npt

from outagelens.detect.intervals import IntervalConfig, find_anomalous_intervals
from outagelens.detect.models import HealthState
from outagelens.detect.series_symptoms import (
    Array,
    BoolArray,
    DetectedInterval,
    RobustBaselineConfig,
    RobustBaselineDetector,
)


@dataclass(frozen=True, slots=True)
class EngineDetectorConfig:
    """Settings of the engine's two-stage series detector."""

    screen: RobustBaselineConfig = field(default_factory=RobustBaselineConfig)
    intervals: IntervalConfig = field(default_factory=IntervalConfig)
    history_minutes: int = 150  # history before a screened stretch (baseline + warm-up)
    after_minutes: int = 20  # and after its end, to see the recovery


class EngineSeriesDetector:
    """Screen with the robust baseline, decide with the NAB detector."""

    def __init__(self, config: EngineDetectorConfig | None = None) -> None:
        self.config = config or EngineDetectorConfig()
        self.screen = RobustBaselineDetector(self.config.screen)

    def detect(self, metrics: Mapping[str, Array]) -> list[DetectedInterval]:
        """Anomalous intervals of one key."""
        share, slow = self.screen.failed_share(metrics)
        return self._decide(metrics["availability"], share, slow)

    def detect_rows(
        self, metrics: Mapping[str, npt.NDArray[np.floating]]
    ) -> list[list[DetectedInterval]]:
        """`detect` of every row of 2-D metric blocks, row for row the same intervals."""
        avail = metrics["availability"]
        return [
            self._decide(avail[r], *h) if h else []
            for r, h in enumerate(self.screen.hopeful_shares(metrics))
        ]

    def _decide(
        self, avail: npt.NDArray[np.floating], share: Array, slow: BoolArray
    ) -> list[DetectedInterval]:
        """Screen one key's failed share, then let the NAB detector decide each stretch."""
        screened = self.screen.detect_share(share, slow)
        if not screened:
            return []
        avail64: Array = avail.astype(np.float64)
        n = avail64.size
        out: list[DetectedInterval] = []
        for iv in screened:
            found = self._nab(avail64, share, iv, n)
            out.append(found if found is not None else iv)
        return _dedupe(out)

    def _nab(
        self, avail: Array, share: Array, iv: DetectedInterval, n: int
    ) -> DetectedInterval | None:
        cfg = self.config
        a = max(0, iv.start - cfg.history_minutes)
        b = min(n, (iv.end if iv.end is not None else n) + cfg.after_minutes)
        seg = avail[a:b]
        if np.isfinite(seg).sum() < cfg.intervals.baseline_window + 10:
            return None
        stamps = _stamps(n)[a:b]  # minute i is _EPOCH + i minutes whatever the length
        hits = find_anomalous_intervals(stamps, seg, direction="down", config=cfg.intervals)
        end0 = iv.end if iv.end is not None else n
        for hit in hits:
            s = a + hit.start_index
            e = None if hit.end_index is None else a + hit.end_index
            if s < end0 and (e is None or e > iv.start):
                if e is not None and e >= b and b < n:
                    e = iv.end
                part = share[s : (e if e is not None else n)]
                part = part[np.isfinite(part)]
                frac = float(np.median(part)) if part.size else iv.failed_fraction
                state = HealthState.DOWN if hit.severity == "down" else HealthState.DEGRADED
                if state is HealthState.DEGRADED and frac >= cfg.screen.down_fraction:
                    state = HealthState.DOWN
                return DetectedInterval(
                    s, e, state, min(1.0, max(0.0, frac)), max(iv.score, hit.peak_score)
                )
        return None


_EPOCH = datetime(2000, 1, 1, tzinfo=UTC)


@lru_cache(maxsize=8)
def _stamps(n: int) -> list[datetime]:
    """Minute timestamps for column indices; only their spacing matters to the detector."""
    return [_EPOCH + timedelta(minutes=i) for i in range(n)]


def _dedupe(intervals: list[DetectedInterval]) -> list[DetectedInterval]:
    """Drop intervals that start inside an earlier one (two screened stretches, one outage)."""
    out: list[DetectedInterval] = []
    for iv in sorted(intervals, key=lambda x: x.start):
        if out and (out[-1].end is None or iv.start < out[-1].end):
            prev = out[-1]
            if prev.end is not None and (iv.end is None or iv.end > prev.end):
                out[-1] = DetectedInterval(
                    prev.start, iv.end, prev.state, prev.failed_fraction, prev.score
                )
            continue
        out.append(iv)
    return out
