"""Symptoms from SLI series: outages and degradations per (customer, service, location).

The detector is pluggable (`IntervalDetector`): the engine uses the same streaming detector as
the NAB benchmark when it is available (`outagelens.detect.series`), and otherwise the robust
baseline detector below. Both turn one key's metrics into intervals with a state.
"""

from __future__ import annotations

import warnings
from collections.abc import Iterator, Mapping
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Protocol, TypeVar, runtime_checkable

import numpy as np
import numpy.typing as npt

from outagelens.detect.models import HealthState, Symptom, SymptomSource
from outagelens.signals.frames import SeriesSet

Array = npt.NDArray[np.float64]
BoolArray = npt.NDArray[np.bool_]


@dataclass(frozen=True, slots=True)
class DetectedInterval:
    """An anomalous stretch of one series: columns [start, end) (end None: still open)."""

    start: int
    end: int | None
    state: HealthState
    failed_fraction: float
    score: float


class IntervalDetector(Protocol):
    """Turns the metrics of one series key into anomalous intervals."""

    def detect(self, metrics: Mapping[str, Array]) -> list[DetectedInterval]:
        """Anomalous intervals of one key, from its metric rows (NaN = missing)."""
        ...


@runtime_checkable
class RowBlockDetector(IntervalDetector, Protocol):
    """An interval detector that also takes many keys at once, with the same result per key."""

    def detect_rows(
        self, metrics: Mapping[str, npt.NDArray[np.floating]]
    ) -> list[list[DetectedInterval]]:
        """`detect` of every row of 2-D metric blocks (one row a key), row for row the same."""
        ...


@dataclass(frozen=True, slots=True)
class RobustBaselineConfig:
    """Settings of the robust-baseline detector."""

    down_fraction: float = 0.5  # share of requests failing that makes "down" rather than degraded
    min_excess: float = 0.03  # smallest failed share above baseline that counts at all
    noise_sigmas: float = 6.0  # robust z (MAD units) the failed share must exceed
    latency_factor: float = 3.0  # latency this many times its median counts as degraded
    min_minutes: int = 2  # shorter stretches are noise
    max_gap_minutes: int = 5  # missing or normal minutes bridged inside one interval
    collapse_fraction: float = 0.1  # request rate below this share of its median: traffic lost

    @property
    def bad_minutes_needed(self) -> int:
        """Bad minutes any interval holds at least: its first and last when it must last
        `min_minutes` >= 2, else one (the rule both the block pre-test and `detect_share`
        count against)."""
        return 1 if self.min_minutes <= 1 else 2


@dataclass(frozen=True, slots=True)
class _Block:
    """What `_may_fail` computed for a block of rows, kept for the rows it lets through."""

    hopeful: BoolArray
    avail: Array  # float64 rows
    rate: Array
    ratio: Array  # error ratio, NaN where the rate is not above 0
    lat_medians: Array | None  # `_nanmedian(lat, inf)` per row
    lat_any: BoolArray | None  # rows with any finite latency


class RobustBaselineDetector:
    """Failed share of traffic against a robust (median/MAD) baseline of the same series.

    Ratios (availability, error ratio) do not follow the daily cycle, so their median over the
    window is a fair baseline; absolute rates do, so the request rate only counts when it
    collapses (below `collapse_fraction` of its median), which no daily trough does.
    """

    def __init__(self, config: RobustBaselineConfig | None = None) -> None:
        self.config = config or RobustBaselineConfig()

    def failed_share(self, metrics: Mapping[str, Array]) -> tuple[Array, BoolArray]:
        """Per-minute failed share of traffic (NaN = no data) and latency-degraded flags."""
        avail = metrics["availability"]
        rate = metrics["request_rate"]
        err = metrics["error_rate"]
        lat = metrics.get("latency_p95_ms")
        with np.errstate(invalid="ignore", divide="ignore"):
            ratio = np.where(rate > 0, err / rate, np.nan)
        lat_median = None
        if lat is not None and np.isfinite(lat).any():
            lat_median = _nanmedian(lat, np.inf)
        return self._share(
            avail, rate, ratio, lat, _nanmedian(avail, 1.0), _nanmedian(rate, 0.0), lat_median
        )

    def _share(
        self,
        avail: Array,
        rate: Array,
        ratio: Array,
        lat: Array | None,
        base_avail: float,
        med_rate: float,
        lat_median: float | None,
    ) -> tuple[Array, BoolArray]:
        """`failed_share` from one row's values, error ratio and medians (the latency median
        None when the row has no finite latency)."""
        cfg = self.config
        with np.errstate(invalid="ignore", divide="ignore"):
            failed_avail = np.clip((base_avail - avail) / max(base_avail, 1e-6), 0.0, 1.0)
            failed_err = np.clip(ratio - _nanmedian(ratio, 0.0), 0.0, 1.0)
            collapse = np.where(
                med_rate > 0, (rate < cfg.collapse_fraction * med_rate).astype(float), np.nan
            )
            collapse = np.where(np.isnan(rate), np.nan, collapse)
        share = np.fmax(np.fmax(failed_avail, failed_err), collapse)
        slow: npt.NDArray[np.bool_] = np.zeros(share.shape, dtype=bool)
        if lat is not None and lat_median is not None:
            with np.errstate(invalid="ignore"):
                slow = np.asarray(lat > cfg.latency_factor * lat_median, dtype=bool)
        return np.asarray(share, dtype=np.float64), slow

    def hopeful_shares(
        self, metrics: Mapping[str, npt.NDArray[np.floating]]
    ) -> list[tuple[Array, BoolArray] | None]:
        """Per row of 2-D metric blocks: its `failed_share` output, or None where
        `detect_share` would find nothing (fewer minutes above min_excess than an interval needs).

        Most screened rows hold no such stretch; `_may_fail` rules them out for a whole block
        at once, without the medians `failed_share` takes. The rows left get `failed_share`
        from the float64 rows, error ratios and latency medians `_may_fail` computed (the
        same values).
        """
        cfg = self.config
        n_rows = metrics["availability"].shape[0]
        if not (cfg.min_excess > 0 and cfg.collapse_fraction >= 0):
            return [
                self.failed_share({m: v[r].astype(np.float64) for m, v in metrics.items()})
                for r in range(n_rows)
            ]
        block = self._may_fail(metrics)
        out: list[tuple[Array, BoolArray] | None] = [None] * n_rows
        rows = np.flatnonzero(block.hopeful)
        if not rows.size:
            return out
        lat = metrics.get("latency_p95_ms")
        for r in rows.tolist():
            avail, rate = block.avail[r], block.rate[r]
            lat_row = lat_median = None
            if lat is not None and block.lat_medians is not None and block.lat_any is not None:
                lat_row = lat[r].astype(np.float64)
                if block.lat_any[r]:
                    lat_median = float(block.lat_medians[r])
            out[r] = self._share(
                avail,
                rate,
                block.ratio[r],
                lat_row,
                _nanmedian(avail, 1.0),
                _nanmedian(rate, 0.0),
                lat_median,
            )
        return out

    def _may_fail(self, metrics: Mapping[str, npt.NDArray[np.floating]]) -> _Block:
        """Rows with at least as many minutes as an interval needs that may count as failed.

        A superset of the rows with that many minutes above min_excess (> 0) in `failed_share`:
        every median there is replaced by the row extreme that can only widen its test. The
        latency median is taken as is (its lowest value is far too loose), one float32 sort
        for the whole block (`row_nanmedians`).
        """
        cfg = self.config
        excess = cfg.min_excess
        avail = metrics["availability"].astype(np.float64)
        rate = metrics["request_rate"].astype(np.float64)
        err = metrics["error_rate"].astype(np.float64)
        lat_medians = lat_any = None
        with np.errstate(invalid="ignore", divide="ignore"):
            ratio = _error_ratio(err, rate, _row_extreme(rate, low=True))
            # (base - a) / base > excess needs a < base * (1 - excess) <= top * (1 - excess),
            # the margin 0.999 covering rounding; with base under 1e-6 it needs a < 1e-6.
            top = _finite_extreme(avail, low=False, default=1.0)[:, None]
            maybe = (avail < top * (1.0 - 0.999 * excess)) | (avail < 1e-6)
            # The error ratio above its median by excess is above its lowest finite value so.
            maybe |= ratio - _finite_extreme(ratio, low=True, default=0.0)[:, None] > excess
            # Traffic below a share of its median rate is below that share of the highest rate.
            highest = _finite_extreme(rate, low=False, default=0.0)[:, None]
            maybe |= rate < cfg.collapse_fraction * highest
            lat = metrics.get("latency_p95_ms")
            if lat is not None:
                lat_medians = row_nanmedians(lat, np.inf)
                lat_any = np.isfinite(lat).any(axis=1)
                limit = cfg.latency_factor * lat_medians[:, None]
                maybe |= (lat.astype(np.float64) > limit) & lat_any[:, None]
        hopeful: BoolArray = np.count_nonzero(maybe, axis=1) >= cfg.bad_minutes_needed
        return _Block(hopeful, avail, rate, ratio, lat_medians, lat_any)

    def detect(self, metrics: Mapping[str, Array]) -> list[DetectedInterval]:
        """Anomalous intervals of one key."""
        return self.detect_share(*self.failed_share(metrics))

    def detect_rows(
        self, metrics: Mapping[str, npt.NDArray[np.floating]]
    ) -> list[list[DetectedInterval]]:
        """`detect` of every row of 2-D metric blocks, row for row the same intervals."""
        return [self.detect_share(*h) if h else [] for h in self.hopeful_shares(metrics)]

    def detect_share(self, share: Array, slow: BoolArray) -> list[DetectedInterval]:
        """Anomalous intervals of one key from its `failed_share` output."""
        cfg = self.config
        need = cfg.bad_minutes_needed
        # The threshold is at least med + min_excess: with fewer minutes above that than an
        # interval needs (two for `min_minutes` >= 2), nothing can be reported, and the MAD
        # is not needed (most screened rows under harsh noise hold a one-minute spike). A
        # failed share is never below 0, nor is its median: counting the minutes above
        # min_excess alone first spares the median of most of those rows.
        with np.errstate(invalid="ignore"):
            if np.count_nonzero((share > cfg.min_excess) | slow) < need:
                return []
        finite = share[np.isfinite(share)]
        if finite.size == 0:
            return []
        med = median(finite)
        with np.errstate(invalid="ignore"):
            above = np.count_nonzero((share > med + cfg.min_excess) | slow)
        if above < need:
            return []
        mad = median(np.abs(finite - med)) * 1.4826
        threshold = med + max(cfg.min_excess, cfg.noise_sigmas * mad)
        with np.errstate(invalid="ignore"):
            bad = (share > threshold) | slow
        known = np.isfinite(share) | slow
        return self._intervals(share, bad, known, slow)

    def _intervals(
        self,
        share: Array,
        bad: npt.NDArray[np.bool_],
        known: npt.NDArray[np.bool_],
        slow: npt.NDArray[np.bool_],
    ) -> list[DetectedInterval]:
        cfg = self.config
        n = share.size
        out: list[DetectedInterval] = []
        idx = np.flatnonzero(bad)
        if idx.size == 0:
            return out
        # Split where the stretch between bad minutes holds more than max_gap *known good* minutes;
        # missing minutes never end an interval on their own.
        good_known = np.cumsum(known & ~bad)
        runs: list[tuple[int, int]] = []
        start = prev = int(idx[0])
        for i in idx[1:]:
            i = int(i)
            if good_known[i] - good_known[prev] > cfg.max_gap_minutes:
                runs.append((start, prev + 1))
                start = i
            prev = i
        runs.append((start, prev + 1))
        for a, b in runs:
            if b - a < cfg.min_minutes:
                continue
            seg = share[a:b]
            seg_ok = seg[np.isfinite(seg)]
            frac = median(seg_ok) if seg_ok.size else 0.0
            peak = float(np.max(seg_ok)) if seg_ok.size else 0.0
            state = HealthState.DOWN if frac >= cfg.down_fraction else HealthState.DEGRADED
            if state is HealthState.DEGRADED and slow[a:b].mean() > 0.5:
                frac = max(frac, 0.1)
            tail_open = b >= n or not known[b:].any()
            score = min(1.0, 0.5 + 0.5 * min(1.0, (b - a) / 10) * min(1.0, peak / 0.5))
            out.append(
                DetectedInterval(
                    a, None if tail_open else b, state, min(1.0, max(frac, 0.0)), score
                )
            )
        return out


def median(values: Array) -> float:
    """`np.median` of a non-empty 1-D array without NaN, bit for bit, without its generic
    overhead (about 25 us a call; the robust screen takes five medians per flagged series)."""
    n = values.size
    if n == 0:
        raise ValueError("median of an empty array")
    half = n // 2
    if n % 2:
        return float(np.partition(values, half)[half])
    part = np.partition(values, (half - 1, half))
    # np.median averages the two middle values as a mean of two: (a + b) / 2.
    return float((part[half - 1] + part[half]) / 2.0)


def _nanmedian(values: Array, default: float) -> float:
    finite = values[np.isfinite(values)]
    return median(finite) if finite.size else default


def row_nanmedians(values: npt.NDArray[np.floating], default: float) -> Array:
    """`_nanmedian` of every row of a 2-D array (of its float64 values), bit for bit.

    A float32 block is sorted whole instead of partitioned row by row (one sort of float32
    costs less than the partitions; of float64 it does not, so those rows go one by one): a
    sorted row holds the same order statistics as a partitioned one, with NaN last, so a row
    of c finite values has its median at c // 2 (and c // 2 - 1). Rows with a negative zero,
    where the two orders may pick zeros of different signs, are taken one by one too.
    """
    if values.dtype != np.float32:
        return np.array([_nanmedian(row.astype(np.float64), default) for row in values])
    finite = np.isfinite(values)
    count = finite.sum(axis=1)
    ordered = np.sort(np.where(finite, values, np.nan), axis=1)
    rows = np.arange(values.shape[0])
    half = count // 2
    upper = ordered[rows, np.minimum(half, values.shape[1] - 1)].astype(np.float64)
    lower = ordered[rows, np.maximum(half - 1, 0)].astype(np.float64)
    out: Array = np.where(count % 2 == 1, upper, (lower + upper) / 2.0)
    out[count == 0] = default
    for r in np.flatnonzero(((values == 0) & np.signbit(values)).any(axis=1)).tolist():
        out[r] = _nanmedian(values[r].astype(np.float64), default)
    return out


@dataclass(frozen=True, slots=True)
class SeriesSymptomConfig:
    """Settings of series symptom extraction."""

    min_score: float = 0.0


def series_symptoms(
    series: SeriesSet,
    detector: IntervalDetector,
    *,
    rows: npt.NDArray[np.int64] | None = None,
    block: int = 128,
) -> list[Symptom]:
    """Symptoms from every (or the given) series row, one per anomalous interval.

    A `RowBlockDetector` gets the rows `block` at a time (the same intervals, fewer calls)."""
    out: list[Symptom] = []
    row_ids = list(range(len(series.keys))) if rows is None else rows.tolist()
    values = series.values
    if isinstance(detector, RowBlockDetector):
        for lo in range(0, len(row_ids), block):
            chunk = row_ids[lo : lo + block]
            found = detector.detect_rows(_RowBlock(values, chunk))
            for r, intervals in zip(chunk, found, strict=True):
                out.extend(_symptom(series, series.keys[r], iv) for iv in intervals)
        return out
    for r in row_ids:
        metrics = {m: values[m][r].astype(np.float64) for m in series.METRICS}
        for iv in detector.detect(metrics):
            out.append(_symptom(series, series.keys[r], iv))
    return out


class _RowBlock(Mapping[str, npt.NDArray[np.float32]]):
    """The rows of a block, one 2-D array per metric, copied out when a detector first reads
    that metric (the engine's detectors never read the throughput)."""

    def __init__(self, values: Mapping[str, npt.NDArray[np.float32]], rows: list[int]) -> None:
        self._values = values
        self._rows = np.asarray(rows, dtype=np.intp)
        self._read: dict[str, npt.NDArray[np.float32]] = {}

    def __getitem__(self, metric: str) -> npt.NDArray[np.float32]:
        block = self._read.get(metric)
        if block is None:
            block = self._read[metric] = self._values[metric][self._rows]
        return block

    def __iter__(self) -> Iterator[str]:
        return iter(self._values)

    def __len__(self) -> int:
        return len(self._values)


def _symptom(series: SeriesSet, key: tuple[str, ...], iv: DetectedInterval) -> Symptom:
    customer, service, location = key
    start: datetime = series.time_at(iv.start)
    end = None if iv.end is None else series.start + timedelta(minutes=iv.end)
    pct = round(100 * iv.failed_fraction)
    return Symptom(
        entity=f"{customer}/{service}",
        source=SymptomSource.SERIES,
        state=iv.state,
        start=start,
        end=end,
        customer=customer,
        service=service,
        location=location,
        metric="sli",
        failed_fraction=iv.failed_fraction,
        score=iv.score,
        refs=("/".join(key),),
        sentence=(
            f"{customer}'s {service} in {location} was {iv.state.value} "
            f"({pct}% of requests failing) from {start:%H:%M} UTC"
            + ("" if end is None else f" to {end:%H:%M} UTC")
        ),
    )


def _row_median(x: npt.NDArray[np.float32], step: int) -> npt.NDArray[np.float64]:
    """Per-row median over every `step`-th minute, missing samples set to the row mean.

    A fast robust baseline for the screen (numpy's nanmedian falls back to a per-row loop
    whenever a NaN is present, far too slow for 100,000-row catalogs). The sampled minutes
    are copied together once: read in place, every pass below strides over whole rows."""
    sub = np.ascontiguousarray(x[:, ::step])
    if sub.shape[1] == 0:
        return np.full(sub.shape[0], np.nan)
    missing = np.isnan(sub)
    count = sub.shape[1] - missing.sum(axis=1)
    zeroed = np.where(missing, np.float32(0), sub)
    with np.errstate(invalid="ignore", divide="ignore"):
        mean = zeroed.sum(axis=1) / count
    filled = np.where(missing, mean[:, None].astype(np.float32), sub)
    k = filled.shape[1] // 2
    med = np.partition(filled, k, axis=1)[:, k]
    return np.asarray(med, dtype=np.float64)


def _finite_extreme(x: Array, *, low: bool, default: float) -> Array:
    """Per-row min (or max) of the finite values; `default` for rows without any.

    The NaN-ignoring extreme of the row itself is that value unless it is infinite: an
    infinity of the other sign never wins, and a row whose extreme is such an infinity holds
    nothing else. Only rows whose extreme is an infinity of its own sign (+inf for a max)
    are taken again with every infinity masked out.
    """
    out = _row_extreme(x, low=low)
    for r in np.flatnonzero(out == (-np.inf if low else np.inf)).tolist():
        row = x[r : r + 1]
        out[r] = _row_extreme(np.where(np.isfinite(row), row, np.nan), low=low)[0]
    out[np.isinf(out)] = np.nan  # rows of NaN and opposite-sign infinities only
    return np.where(np.isnan(out), default, out)


def _row_extreme(x: npt.NDArray[np.floating], *, low: bool) -> npt.NDArray[np.float64]:
    """Per-row min (or max) ignoring NaN; NaN for rows without samples."""
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", RuntimeWarning)
        out = np.nanmin(x, axis=1) if low else np.nanmax(x, axis=1)
    return np.asarray(out, dtype=np.float64)


def candidate_rows(
    series: SeriesSet, config: RobustBaselineConfig | None = None, *, block: int = 256
) -> npt.NDArray[np.int64]:
    """Rows with any minute that could be anomalous: a cheap vectorised pre-filter.

    Rows are screened `block` at a time: every test is per row, and a block's temporaries
    (the error ratio above all) stay small instead of costing a whole-catalog allocation each;
    a block of 256 rows of 1,440 minutes (1.5 MB a metric) is still in cache when its median
    sample and its extreme read it again.
    """
    cfg = config or RobustBaselineConfig()
    n_rows = len(series.keys)
    if n_rows == 0:
        return np.zeros(0, dtype=np.int64)
    step = max(1, series.n_minutes // 96)
    v = series.values
    hits = [
        lo
        + _screen_block(
            v["availability"][lo : lo + block],
            v["request_rate"][lo : lo + block],
            v["error_rate"][lo : lo + block],
            v["latency_p95_ms"][lo : lo + block],
            step,
            cfg,
        )
        for lo in range(0, n_rows, block)
    ]
    return np.concatenate(hits).astype(np.int64)


def _screen_block(
    avail: npt.NDArray[np.float32],
    rate: npt.NDArray[np.float32],
    err: npt.NDArray[np.float32],
    lat: npt.NDArray[np.float32],
    step: int,
    cfg: RobustBaselineConfig,
) -> npt.NDArray[np.int64]:
    """Indices (within the block) of the rows `candidate_rows` keeps."""
    # An error count over a tiny rate may overflow float32: inf is the right (huge) ratio.
    with np.errstate(invalid="ignore", divide="ignore", over="ignore"):
        lowest_rate = _row_extreme(rate, low=True)
        ratio = _error_ratio(err, rate, lowest_rate)
        med_a = _row_median(avail, step)
        a_bad = (
            _row_extreme(avail, low=True) < np.where(np.isnan(med_a), 1.0, med_a) - cfg.min_excess
        )
        med_r = _row_median(ratio, step)
        e_bad = (
            _row_extreme(ratio, low=False) > np.where(np.isnan(med_r), 0.0, med_r) + cfg.min_excess
        )
        med_rate = _row_median(rate, step)
        c_bad = lowest_rate < cfg.collapse_fraction * med_rate
        med_lat = _row_median(lat, step)
        l_bad = _row_extreme(lat, low=False) > cfg.latency_factor * med_lat
    hit = np.nan_to_num(a_bad | e_bad | c_bad | l_bad, nan=False).astype(bool)
    return np.flatnonzero(hit)


FloatArray = TypeVar("FloatArray", npt.NDArray[np.float32], npt.NDArray[np.float64])


def _error_ratio(err: FloatArray, rate: FloatArray, lowest_rate: Array) -> FloatArray:
    """err / rate where rate > 0, else NaN (call under np.errstate), given each row's lowest
    rate (NaN-ignoring).

    The same values as `np.divide(err, rate, out=NaN, where=rate > 0)` at half its cost: a
    plain division gives the same quotient where rate > 0 and NaN where rate is NaN, so only
    rows with a rate of 0 or below somewhere (no longer above 0 at their lowest) are divided
    again under the mask.
    """
    ratio: FloatArray = np.divide(err, rate)
    for r in np.flatnonzero(lowest_rate <= 0).tolist():
        ratio[r] = np.divide(err[r], rate[r], out=np.full_like(err[r], np.nan), where=rate[r] > 0)
    return ratio
