"""One grid's columns found once (`SeriesGrid`) give the baselines of the per-row formula,
bit for bit, and the cached calendar and profile figures equal their formulas."""

from __future__ import annotations

import warnings
from datetime import UTC, datetime, timedelta
from zoneinfo import ZoneInfo

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from tests.impact.impact_builders import affected, interval, make_catalog

from outagelens.detect.series_symptoms import median as exact_median
from outagelens.impact import ImpactConfig
from outagelens.impact import baseline as bl
from outagelens.impact.downtime import FailureProfile, failure_profile
from outagelens.impact.models import BaselineMethod
from outagelens.impact.sla import month_bounds, profile_intervals
from outagelens.signals import SeriesSet
from outagelens.topology.models import Sla

WINDOW = datetime(2026, 11, 20, 0, 0, tzinfo=UTC)


def _old_from_series(
    row: np.ndarray,
    series: SeriesSet,
    grid_start: datetime,
    n: int,
    onset: datetime,
    tz: ZoneInfo,
    config: ImpactConfig,
) -> tuple[np.ndarray, BaselineMethod, str] | None:
    """`from_series` as it was: every column found from the row itself, once per row."""
    first = series.minute_index(grid_start)
    days = []
    for k in range(1, config.baseline_days + 1):
        lo = first - k * 1440
        if lo < 0 or lo + n > len(row):
            continue
        day = row[lo : lo + n]
        if not np.isnan(day).any():
            days.append(day)
    if days:
        with warnings.catch_warnings():
            warnings.simplefilter("ignore", RuntimeWarning)
            values = np.median(np.vstack(days), axis=0)
        return (
            values,
            BaselineMethod.SAME_MINUTE_EARLIER_DAYS,
            f"median of the same minutes on {len(days)} earlier day(s)",
        )
    onset_col = series.minute_index(onset)
    lo = max(0, onset_col - config.pre_onset_minutes)
    window = row[lo : max(lo, min(onset_col, len(row)))]
    samples = window[~np.isnan(window)]
    if len(samples) < config.min_baseline_samples:
        return None
    median = exact_median(samples)
    pre_factor = float(np.mean(_old_factors(series.time_at(lo), len(window), tz, config)))
    values = median * _old_factors(grid_start, n, tz, config) / pre_factor
    return (
        values,
        BaselineMethod.PRE_ONSET_MEDIAN,
        f"median of the {len(samples)} minutes before onset, scaled by the daily profile",
    )


def _old_factors(start: datetime, n: int, tz: ZoneInfo, config: ImpactConfig) -> np.ndarray:
    weights = np.asarray(config.daily_profile, dtype=np.float64)
    weights = weights / weights.mean()
    local = start.astimezone(tz)
    first_hour = local.hour + local.minute / 60.0
    return weights[(first_hour + np.arange(n) / 60.0).astype(np.int64) % 24]


def _series(days: int, rng: np.random.Generator, gaps: float) -> SeriesSet:
    n = days * 1440
    rate = rng.uniform(1.0, 50.0, n)
    rate[rng.random(n) < gaps] = np.nan
    return SeriesSet.from_series(WINDOW, n, {("c", "s", "l"): {"request_rate": rate}})


@settings(max_examples=150, deadline=None)
@given(
    days=st.sampled_from([1, 3]),
    seed=st.integers(0, 2**16),
    gaps=st.sampled_from([0.0, 0.001, 0.3, 0.95]),
    grid_minute=st.integers(0, 4319),
    grid_second=st.integers(0, 59),
    n=st.integers(1, 90),
    onset_delay=st.integers(-30, 30),
    zone=st.sampled_from(["UTC", "Europe/Berlin", "Asia/Kolkata", "America/St_Johns"]),
    baseline_days=st.sampled_from([0, 1, 7]),
)
def test_from_grid_equals_the_per_row_formula(
    days: int,
    seed: int,
    gaps: float,
    grid_minute: int,
    grid_second: int,
    n: int,
    onset_delay: int,
    zone: str,
    baseline_days: int,
) -> None:
    series = _series(days, np.random.default_rng(seed), gaps)
    grid_minute %= series.n_minutes
    grid_start = WINDOW + timedelta(minutes=grid_minute)
    onset = grid_start + timedelta(minutes=onset_delay, seconds=grid_second)
    n = min(n, series.n_minutes - grid_minute)
    tz = ZoneInfo(zone)
    config = ImpactConfig(baseline_days=baseline_days)
    row = bl.series_rows(series, [("c", "s", "l")], "request_rate") * 60.0
    want = _old_from_series(row, series, grid_start, n, onset, tz, config)
    grid = bl.SeriesGrid(series, grid_start, n, onset, tz, config)
    assert grid.first == series.minute_index(grid_start)
    got = bl.from_grid(row, grid, config)
    assert (got is None) == (want is None)
    if got is not None and want is not None:
        assert got.values.tobytes() == want[0].tobytes()
        assert (got.method, got.description) == want[1:]


@pytest.mark.parametrize("zone", ["UTC", "Europe/Berlin", "Asia/Kolkata"])
@pytest.mark.parametrize("n", [1, 7, 60, 61])
def test_mean_profile_factor_is_the_mean_of_the_factors(zone: str, n: int) -> None:
    config = ImpactConfig()
    for minute in range(0, 1440, 37):
        start = WINDOW + timedelta(minutes=minute)
        factors = bl.profile_factors(start, n, ZoneInfo(zone), config)
        assert factors.tobytes() == _old_factors(start, n, ZoneInfo(zone), config).tobytes()
        assert bl.mean_profile_factor(start, n, ZoneInfo(zone), config) == float(factors.mean())


@pytest.mark.parametrize("zone", ["UTC", "Europe/Berlin", "Pacific/Auckland"])
def test_month_bounds_equal_the_calendar(zone: str) -> None:
    tz = ZoneInfo(zone)
    for t in [
        datetime(2026, 1, 1, 0, 0, tzinfo=UTC),
        datetime(2026, 11, 30, 23, 30, tzinfo=UTC),
        datetime(2026, 12, 31, 12, 0, tzinfo=UTC),
        datetime(2027, 3, 28, 1, 30, tzinfo=UTC),
    ]:
        local = t.astimezone(tz)
        start = datetime(local.year, local.month, 1, tzinfo=tz)
        year, month = (local.year + 1, 1) if local.month == 12 else (local.year, local.month + 1)
        end = datetime(year, month, 1, tzinfo=tz)
        lo, hi, label = month_bounds(t, tz)
        assert (lo, hi) == (start.astimezone(UTC), end.astimezone(UTC))
        assert lo.tzinfo is UTC and hi.tzinfo is UTC
        assert label == f"{local.year:04d}-{local.month:02d}"


def _old_profile_intervals(
    profile: FailureProfile, sla: Sla, config: ImpactConfig
) -> list[tuple[datetime, datetime, float]]:
    """`profile_intervals` as it was: numpy scalars read one by one."""
    down = profile.down(config)
    weights = np.where(down, 1.0, np.where(profile.failed > 0, sla.degraded_weight, 0.0))
    out: list[tuple[datetime, datetime, float]] = []
    for i, w in enumerate(weights):
        if w <= 0:
            continue
        start = profile.minute(i)
        if out and out[-1][1] == start and out[-1][2] == w:
            out[-1] = (out[-1][0], start + timedelta(minutes=1), float(w))
        else:
            out.append((start, start + timedelta(minutes=1), float(w)))
    return out


@pytest.mark.parametrize("degraded_weight", [0.0, 0.5, 1.0])
def test_profile_intervals_equal_the_scalar_loop(degraded_weight: float) -> None:
    """Minutes down, degraded and unaffected merged into weighted intervals as before."""
    ref = next(iter(make_catalog().subscriptions.values()))
    assert ref.subscription.sla is not None
    sla = ref.subscription.sla.model_copy(update={"degraded_weight": degraded_weight})
    onset = datetime(2026, 11, 24, 15, 30, tzinfo=UTC)
    sub = affected(
        [
            interval("fra1", onset, 3),
            interval("ams1", onset + timedelta(minutes=1), 1),
            interval("fra1", onset + timedelta(minutes=5), 2.5, failed=0.4),
        ]
    )
    profile = failure_profile(
        ref,
        sub,
        as_of=onset + timedelta(hours=1),
        series=None,
        tz=ZoneInfo("UTC"),
        config=ImpactConfig(),
    )
    got = profile_intervals(profile, sla, ImpactConfig())
    want = _old_profile_intervals(profile, sla, ImpactConfig())
    assert got == want
    # Minute 1 down between degraded minutes, then a gap and a degraded stretch; weight 0
    # leaves the down minute alone, weight 1 merges it with its neighbours.
    assert len(got) == {0.0: 1, 0.5: 4, 1.0: 2}[degraded_weight]
    assert [type(w) for _, _, w in got] == [type(w) for _, _, w in want]
    assert profile.affected().flags.writeable is False
