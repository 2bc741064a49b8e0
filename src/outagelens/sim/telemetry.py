"""Vectorized 1-minute SLI series for every row, with daily seasonality, noise and outages.

Healthy rows follow the local day (quiet at night, busy in the afternoon) with multiplicative
noise. Spans from the timeline then overwrite cells: down means availability near 0, latency at
the client timeout and business throughput collapsing (throughput is NaN for rows whose
subscription has no business KPI, as docs/signals.md asks); degraded means a partial error ratio and
higher latency; a load span multiplies requests and throughput (failover, flash sales).
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime

import numpy as np

from outagelens.signals.frames import SeriesSet
from outagelens.sim.scenario import NoiseConfig
from outagelens.sim.timeline import DEGRADED, DOWN, Rows, Span

TIMEOUT_MS = 10_000.0  # client timeout the probes report as latency when nothing answers
F32 = np.float32
_KNOT_STEP = 10  # minutes between the knots of the slow noise component
_BLOCK_CELLS = 1 << 20  # cells per block of rows in blocked array arithmetic (4 MiB of float32)


@dataclass(frozen=True)
class Metrics:
    """The SLI arrays, shape (rows, minutes), float32; errors kept as a ratio until written."""

    availability: np.ndarray
    request_rate: np.ndarray
    error_ratio: np.ndarray
    latency_p95_ms: np.ndarray
    throughput: np.ndarray

    def arrays(self) -> tuple[np.ndarray, ...]:
        """Every array, for operations that apply to all (gaps)."""
        return (
            self.availability,
            self.request_rate,
            self.error_ratio,
            self.latency_p95_ms,
            self.throughput,
        )


def daily_shape(
    start: datetime, n_minutes: int, tz_hours: np.ndarray, amplitude: np.ndarray
) -> np.ndarray:
    """Load relative to the daily peak (16:00 local), shape (rows, minutes), in (0, 1]."""
    minute0 = start.hour * 60 + start.minute
    hours = (minute0 + np.arange(n_minutes, dtype=np.float64)) / 60.0
    # Few distinct time zones: one curve per zone, gathered per row.
    zones, inverse = np.unique(tz_hours, return_inverse=True)
    curves = ((1 - np.cos(2 * np.pi * (hours[None, :] + zones[:, None] - 4) / 24)) / 2).astype(F32)
    amp = amplitude.astype(F32)[:, None]
    out: np.ndarray = curves[inverse.reshape(-1)]
    out *= amp
    out += 1 - amp
    return out


def correlated_noise(n: int, n_minutes: int, rng: np.random.Generator) -> np.ndarray:
    """Unit-variance noise with memory: a slow part (knots every 10 minutes, linearly
    interpolated) plus a white part, as real metrics drift rather than jump minute to minute."""
    knots = rng.standard_normal((n, n_minutes // _KNOT_STEP + 2), dtype=F32)
    out = rng.standard_normal((n, n_minutes), dtype=F32)
    # The slow part is interpolated a block of rows at a time into one small scratch buffer:
    # full-size temporaries cost more (page faults, memory) than the arithmetic on them.
    blocks = -(-n_minutes // _KNOT_STEP)
    weight = np.arange(_KNOT_STEP, dtype=F32) / F32(_KNOT_STEP)
    # Interpolating two unit normals lowers the variance to (1-w)^2 + w^2; undo that per column.
    norm = np.sqrt((1 - weight) ** 2 + weight**2)
    step = max(1, _BLOCK_CELLS // max(n_minutes, 1))
    scratch = np.empty((min(step, n), blocks, _KNOT_STEP), dtype=F32)
    right = np.empty_like(scratch)
    for a in range(0, n, step):
        b = min(n, a + step)
        slow, other = scratch[: b - a], right[: b - a]
        np.multiply(knots[a:b, :blocks, None], 1 - weight, out=slow)
        np.multiply(knots[a:b, 1 : blocks + 1, None], weight, out=other)
        slow += other
        slow /= norm
        out[a:b] += slow.reshape(b - a, blocks * _KNOT_STEP)[:, :n_minutes]
    out *= F32(np.sqrt(0.5))
    return out


def _benign_spikes(latency: np.ndarray, noise: NoiseConfig, rng: np.random.Generator) -> None:
    """Rare single-minute latency spikes (GC pauses, noisy neighbours) that are not incidents."""
    cells = latency.size
    k = int(rng.binomial(cells, noise.series_noise * 0.01)) if cells else 0
    if k:
        flat = rng.integers(0, cells, size=k)
        latency.reshape(-1)[flat] *= rng.uniform(1.5, 3.0, size=k).astype(F32)


def _scale_rows(out: np.ndarray, per_row: np.ndarray, shape: np.ndarray) -> np.ndarray:
    """out *= per_row[:, None] * shape, a block of rows at a time (no full-size temporary)."""
    n, n_minutes = out.shape
    step = max(1, _BLOCK_CELLS // max(n_minutes, 1))
    scratch = np.empty((min(step, n), n_minutes), dtype=F32)
    for a in range(0, n, step):
        b = min(n, a + step)
        part = scratch[: b - a]
        np.multiply(per_row[a:b, None], shape[a:b], out=part)
        out[a:b] *= part
    return out


def baseline(
    rows: Rows, start: datetime, n_minutes: int, noise: NoiseConfig, rng: np.random.Generator
) -> Metrics:
    """Healthy series for every row (in-place arithmetic: these arrays are the big ones)."""
    n = len(rows.keys)
    amplitude = rng.uniform(0.45, 0.75, size=n)
    shape = daily_shape(start, n_minutes, rows.tz_hours, amplitude)
    sd = F32(noise.series_noise)
    wobble = correlated_noise(n, n_minutes, rng)
    wobble *= sd
    wobble += 1
    np.clip(wobble, 0.05, None, out=wobble)
    requests = _scale_rows(wobble, rows.requests_per_s.astype(F32), shape)
    base_err = rng.uniform(0.0002, 0.003, size=n).astype(F32)
    err = rng.standard_normal((n, n_minutes), dtype=F32)
    err *= F32(0.6)
    np.exp(err, out=err)
    err *= base_err[:, None]
    np.clip(err, 0, 0.03, out=err)
    base_lat = rng.uniform(40, 260, size=n).astype(F32)
    latency = correlated_noise(n, n_minutes, rng)
    latency *= sd * 2
    np.exp(latency, out=latency)
    latency *= base_lat[:, None]
    _benign_spikes(latency, noise, rng)
    shape *= F32(0.3)
    shape += F32(0.85)
    latency *= shape  # busier hours are a little slower
    del wobble, shape
    # Transactions follow the requests (same day curve, same wobble), minus failed ones.
    per_request = rows.throughput_per_min / np.maximum(rows.requests_per_s, 1e-9)
    throughput = requests * per_request.astype(F32)[:, None]
    availability = 1 - err
    throughput *= availability
    return Metrics(availability, requests, err, latency, throughput)


def apply_spans(m: Metrics, spans: Sequence[Span], rng: np.random.Generator) -> None:
    """Overwrite cells for load changes first, then degradations, then outages (worst wins)."""
    order = sorted(spans, key=lambda s: (s.state, s.row, s.start, s.end))
    for s in order:
        r, a, b = s.row, s.start, s.end
        width = b - a
        if width <= 0:
            continue
        if s.load != 1.0:
            m.request_rate[r, a:b] *= F32(s.load)
            m.throughput[r, a:b] *= F32(s.load)
        if s.latency_factor != 1.0 and s.state != DOWN:
            m.latency_p95_ms[r, a:b] *= F32(s.latency_factor)
        if s.state == DEGRADED:
            frac = s.error_fraction * rng.uniform(0.8, 1.2, size=width)
            frac = np.clip(frac, 0, 1).astype(F32)
            np.maximum(m.error_ratio[r, a:b], frac, out=m.error_ratio[r, a:b])
            m.throughput[r, a:b] *= 1 - m.error_ratio[r, a:b]
        elif s.state == DOWN:
            m.error_ratio[r, a:b] = rng.uniform(0.97, 1.0, size=width).astype(F32)
            # Clients retry, so the request rate seen by the probes rises and jitters.
            m.request_rate[r, a:b] *= rng.uniform(0.8, 1.4, size=width).astype(F32)
            m.latency_p95_ms[r, a:b] = TIMEOUT_MS * rng.uniform(0.9, 1.0, size=width).astype(F32)
            m.throughput[r, a:b] *= rng.uniform(0.0, 0.03, size=width).astype(F32)
    np.subtract(1, m.error_ratio, out=m.availability)


def add_gaps(m: Metrics, noise: NoiseConfig, rng: np.random.Generator) -> None:
    """Lose a fraction of samples, as scrapes do."""
    n_rows, n_minutes = m.availability.shape
    cells = n_rows * n_minutes
    k = int(rng.binomial(cells, noise.series_gap_rate)) if cells else 0
    if k == 0:
        return
    flat = rng.integers(0, cells, size=k)
    for arr in m.arrays():
        arr.reshape(-1)[flat] = np.nan


def generate_series(
    rows: Rows,
    spans: Sequence[Span],
    start: datetime,
    n_minutes: int,
    noise: NoiseConfig,
    rng: np.random.Generator,
) -> SeriesSet:
    """The SeriesSet of a scenario, built on the working arrays themselves (no copies)."""
    m = baseline(rows, start, n_minutes, noise, rng)
    apply_spans(m, spans, rng)
    add_gaps(m, noise, rng)
    # Failed requests per second, computed in place: the error ratio is not needed any more.
    error_rate = np.multiply(m.error_ratio, m.request_rate, out=m.error_ratio)
    values = {
        "availability": m.availability,
        "request_rate": m.request_rate,
        "error_rate": error_rate,
        "latency_p95_ms": m.latency_p95_ms,
        "throughput": m.throughput,
    }
    for arr in values.values():
        arr.setflags(write=False)  # read-only float32 arrays are adopted by the frame, not copied
    return SeriesSet(start=start, n_minutes=n_minutes, keys=rows.keys, values=values)
