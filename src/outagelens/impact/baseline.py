"""Expected (no-outage) per-minute figures: earlier days, pre-onset median, or the catalog."""

from __future__ import annotations

import importlib
import warnings
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime, timedelta
from functools import lru_cache
from zoneinfo import ZoneInfo

import numpy as np
import numpy.typing as npt

from outagelens.detect.series_symptoms import median as exact_median
from outagelens.impact.config import ImpactConfig
from outagelens.impact.models import BaselineMethod
from outagelens.signals import SeriesSet

Floats = npt.NDArray[np.float64]
# The ufunc np.clip ends in (numpy/_core/_methods.py `_clip`); untyped in numpy's stubs.
# Its module is numpy._core.umath from numpy 1.26.1 on, numpy.core.umath in 1.26.0 (which
# pyproject.toml admits).
try:
    _umath = importlib.import_module("numpy._core.umath")
except ImportError:
    _umath = importlib.import_module("numpy.core.umath")
_clip_ufunc: np.ufunc = _umath.clip
MINUTES_PER_DAY = 1440
_MINUTE = timedelta(minutes=1)


@dataclass(frozen=True)
class Baseline:
    """Expected value of one figure for each minute of a grid, and how it was obtained."""

    values: Floats
    method: BaselineMethod
    description: str


def clip(values: Floats, lo: float, hi: float) -> Floats:
    """`np.clip(values, lo, hi)` bit for bit: the ufunc it ends in, without its Python wrappers
    (a few microseconds a call, several calls per affected subscription)."""
    clipped: Floats = _clip_ufunc(values, lo, hi)
    return clipped


def series_rows(series: SeriesSet, keys: Sequence[tuple[str, str, str]], metric: str) -> Floats:
    """Sum of one metric over the given keys per minute; NaN where no key has a sample."""
    rows = [series.get(k, metric).astype(np.float64) for k in keys if k in series]
    if not rows:
        return np.full(series.n_minutes, np.nan)
    if len(rows) == 1:
        # One key (each location of a subscription is summed alone): its own row, as the
        # sum below gives it bit for bit (+ 0.0 turns -0.0 into 0.0, as that sum does).
        single: Floats = rows[0] + 0.0
        return single
    stacked = np.vstack(rows)
    total: Floats = np.nansum(stacked, axis=0)
    total[np.all(np.isnan(stacked), axis=0)] = np.nan
    return total


def profile_factors(start: datetime, n: int, tz: ZoneInfo, config: ImpactConfig) -> Floats:
    """Daily-profile weight of each minute of a grid, normalised to a daily mean of 1
    (read-only: one array serves every grid that starts at the same local minute)."""
    local = start.astimezone(tz)
    return _profile_factors(local.hour, local.minute, n, config.daily_profile)


@lru_cache(maxsize=4096)
def _profile_factors(hour: int, minute: int, n: int, daily_profile: tuple[float, ...]) -> Floats:
    # Only the local hour and minute of the start enter the formula: keyed on them (small
    # ints), grids of different days and pre-onset windows share one array.
    weights = _normalised(daily_profile)
    first_hour = hour + minute / 60.0
    hours = (first_hour + np.arange(n) / 60.0).astype(np.int64) % 24
    factors: Floats = weights[hours]
    factors.setflags(write=False)
    return factors


@lru_cache(maxsize=4096)
def _mean_factor(hour: int, minute: int, n: int, daily_profile: tuple[float, ...]) -> float:
    return _mean(_profile_factors(hour, minute, n, daily_profile))


def mean_profile_factor(start: datetime, n: int, tz: ZoneInfo, config: ImpactConfig) -> float:
    """`float(profile_factors(start, n, tz, config).mean())` bit for bit (n >= 1)."""
    local = start.astimezone(tz)
    return _mean_factor(local.hour, local.minute, n, config.daily_profile)


@lru_cache(maxsize=8)
def _normalised(daily_profile: tuple[float, ...]) -> Floats:
    """Hourly weights over their mean (read-only): one per profile, not one per grid."""
    weights = np.asarray(daily_profile, dtype=np.float64)
    normalised: Floats = weights / weights.mean()
    normalised.setflags(write=False)
    return normalised


class SeriesGrid:
    """Where an incident grid and its baseline minutes lie in a series window (columns).

    Every row read for one grid (each location's request rate, the throughput) takes its
    baseline from the same columns, scaled by the same daily-profile factors: they are found
    once per grid instead of once per row.
    """

    __slots__ = (
        "_config",
        "_factors",
        "_pre_factor",
        "_tz",
        "earlier",
        "first",
        "grid_start",
        "n",
        "pre_hi",
        "pre_lo",
        "pre_start",
    )

    def __init__(
        self,
        series: SeriesSet,
        grid_start: datetime,
        n: int,
        onset: datetime,
        tz: ZoneInfo,
        config: ImpactConfig,
    ) -> None:
        # minute_index bit for bit (the window starts on a whole minute), without its
        # conversions: floor division of the aware difference by a minute.
        first = (grid_start - series.start) // _MINUTE
        width = series.n_minutes
        self.first = first
        self.n = n
        self.grid_start = grid_start
        # The same minutes on earlier days (nearest first) that lie whole in the window.
        self.earlier = tuple(
            lo
            for k in range(1, config.baseline_days + 1)
            if (lo := first - k * MINUTES_PER_DAY) >= 0 and lo + n <= width
        )
        onset_col = (onset - series.start) // _MINUTE
        lo = max(0, onset_col - config.pre_onset_minutes)
        self.pre_lo = lo
        self.pre_hi = max(lo, min(onset_col, width))
        self.pre_start = series.time_at(lo)
        self._tz = tz
        self._config = config
        self._factors: Floats | None = None
        self._pre_factor: float | None = None

    @property
    def factors(self) -> Floats:
        """Daily-profile factors of the grid's minutes (read-only, shared)."""
        if self._factors is None:
            self._factors = profile_factors(self.grid_start, self.n, self._tz, self._config)
        return self._factors

    @property
    def pre_factor(self) -> float:
        """Mean daily-profile factor of the pre-onset window (non-empty)."""
        if self._pre_factor is None:
            self._pre_factor = mean_profile_factor(
                self.pre_start, self.pre_hi - self.pre_lo, self._tz, self._config
            )
        return self._pre_factor


def from_series(
    row: Floats,
    series: SeriesSet,
    grid_start: datetime,
    n: int,
    onset: datetime,
    tz: ZoneInfo,
    config: ImpactConfig,
) -> Baseline | None:
    """Baseline of a grid from one series row: same minute of earlier days, else pre-onset."""
    return from_grid(row, SeriesGrid(series, grid_start, n, onset, tz, config), config)


def from_grid(row: Floats, grid: SeriesGrid, config: ImpactConfig) -> Baseline | None:
    """`from_series` of one full-window row, with the grid's columns found beforehand."""
    earlier = _same_minute_earlier_days(row, grid.earlier, grid.n)
    if earlier is not None:
        values, days = earlier
        return Baseline(
            values,
            BaselineMethod.SAME_MINUTE_EARLIER_DAYS,
            f"median of the same minutes on {days} earlier day(s)",
        )
    window = row[grid.pre_lo : grid.pre_hi]
    samples = window[~np.isnan(window)]
    if len(samples) < config.min_baseline_samples:
        return None
    median = exact_median(samples)  # np.median bit for bit, without its overhead
    values = median * grid.factors / grid.pre_factor
    return Baseline(
        values,
        BaselineMethod.PRE_ONSET_MEDIAN,
        f"median of the {len(samples)} minutes before onset, scaled by the daily profile",
    )


def _mean(values: Floats) -> float:
    """`float(values.mean())` bit for bit for a 1-D float64 array: numpy's `_mean` is the
    same add-reduce divided by the count, behind several layers of Python."""
    if not len(values):
        return float(values.mean())  # NaN, with numpy's warning
    return float(np.add.reduce(values)) / len(values)


def _same_minute_earlier_days(
    row: Floats, starts: Sequence[int], n: int
) -> tuple[Floats, int] | None:
    """Per-minute median over the earlier days starting at the given columns that have no
    missing minute in the grid, or None if none has."""
    days: list[Floats] = []
    for lo in starts:
        day = row[lo : lo + n]
        if not np.isnan(day).any():
            days.append(day)
    if not days:
        return None
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", RuntimeWarning)
        values: Floats = np.median(np.vstack(days), axis=0)
    return values, len(days)


def from_catalog(
    per_minute: float, grid_start: datetime, n: int, tz: ZoneInfo, config: ImpactConfig
) -> Baseline:
    """Baseline from a catalog daily-average rate, shaped by the daily profile."""
    if per_minute <= 0:
        return Baseline(np.zeros(n), BaselineMethod.NONE, "no figure in the catalog")
    values = per_minute * profile_factors(grid_start, n, tz, config)
    return Baseline(values, BaselineMethod.CATALOG, "the catalog's per-minute business figure")
