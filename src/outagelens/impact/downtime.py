"""Per-minute share of a subscription's traffic that failed, from series or outage intervals.

The grid is whole UTC minutes from the first interval's start to the last interval's end (or
`as_of` while ongoing). Each location carries a share of the subscription's traffic (from the
series' request rates before onset, else equal shares); the subscription's failed share in a
minute is (errors returned + requests that arrived nowhere) over expected requests, summed
across its locations: traffic that a surviving location absorbs after a clean failover does not
count as failed, errors users saw do.
"""

from __future__ import annotations

import math
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta
from functools import cached_property
from zoneinfo import ZoneInfo

import numpy as np
import numpy.typing as npt

from outagelens.correlate.models import AffectedSubscription, OutageInterval
from outagelens.impact import baseline as bl
from outagelens.impact.baseline import Baseline, Floats, SeriesGrid
from outagelens.impact.config import ImpactConfig
from outagelens.impact.models import BaselineMethod
from outagelens.signals import SeriesSet
from outagelens.topology import SubscriptionRef

_MINUTE = timedelta(minutes=1)
Mask = npt.NDArray[np.bool_]


@dataclass(frozen=True)
class FailureProfile:
    """Share of a subscription's traffic that failed in each minute of a grid."""

    start: datetime
    failed: Floats
    expected_requests: Baseline
    source: str
    onset: datetime
    grid: SeriesGrid | None = field(default=None, compare=False)
    """The grid's columns in the series (None when the series do not cover the grid)."""

    @property
    def n(self) -> int:
        """Minutes in the grid."""
        return len(self.failed)

    def minute(self, i: int) -> datetime:
        """Start of minute `i` of the grid."""
        return self.start + i * _MINUTE

    def affected(self) -> Mask:
        """Mask of minutes with any failure (read-only: taken once, read by every figure)."""
        return self._affected

    @cached_property
    def _affected(self) -> Mask:
        mask: Mask = self.failed > 0
        mask.setflags(write=False)
        return mask

    def down(self, config: ImpactConfig) -> Mask:
        """Mask of minutes counted as down."""
        return self.failed >= config.down_threshold

    def first_and_last(self) -> tuple[datetime | None, datetime | None]:
        """Start of the first and end of the last affected minute."""
        hits = np.flatnonzero(self.affected())
        if not len(hits):
            return None, None
        return self.minute(int(hits[0])), self.minute(int(hits[-1]) + 1)


def floor_minute(t: datetime) -> datetime:
    """Start of the UTC minute containing `t`."""
    return t.astimezone(UTC).replace(second=0, microsecond=0)


def incident_grid(intervals: tuple[OutageInterval, ...], as_of: datetime) -> tuple[datetime, int]:
    """Grid start and number of minutes covering every interval (open ends run to `as_of`)."""
    start = floor_minute(min(iv.start for iv in intervals))
    end = max((iv.end or as_of) for iv in intervals)
    n = max(1, math.ceil((end - start) / _MINUTE))
    return start, n


def coverage(start: datetime, n: int, lo: datetime, hi: datetime) -> Floats:
    """Fraction of each grid minute that lies inside [lo, hi)."""
    edges = np.arange(n + 1, dtype=np.float64) * 60.0
    a = (lo - start).total_seconds()
    b = (hi - start).total_seconds()
    left = bl.clip(edges[:-1], a, b)
    right = bl.clip(edges[1:], a, b)
    cov: Floats = (right - left) / 60.0
    return cov


def interval_failures(
    affected: AffectedSubscription, locations: list[str], start: datetime, n: int, as_of: datetime
) -> dict[str, Floats]:
    """Per location: failed share of its own traffic in each minute, from the intervals."""
    out = {loc: np.zeros(n) for loc in locations}
    for iv in affected.intervals:
        cov = coverage(start, n, iv.start, iv.end or as_of)
        row = out.setdefault(iv.location, np.zeros(n))
        np.maximum(row, cov * iv.failed_fraction, out=row)
    return out


def failure_profile(
    ref: SubscriptionRef,
    affected: AffectedSubscription,
    *,
    as_of: datetime,
    series: SeriesSet | None,
    tz: ZoneInfo,
    config: ImpactConfig,
) -> FailureProfile:
    """The failed share per minute of one affected subscription."""
    if not affected.intervals:
        raise ValueError(f"subscription '{affected.subscription}' has no outage intervals")
    start, n = incident_grid(affected.intervals, as_of)
    onset = min(iv.start for iv in affected.intervals)
    locations = list(dict.fromkeys([*ref.subscription.locations, *affected.locations]))
    by_loc = interval_failures(affected, locations, start, n, as_of)
    locations = list(by_loc)
    keys = [(ref.customer.id, ref.subscription.service, loc) for loc in locations]
    grid = series_grid(series, keys, start, n, onset, tz, config)
    loc_expected = (
        None if grid is None or series is None else _location_expected(keys, series, grid, config)
    )
    if loc_expected is None:
        catalog_req = bl.from_catalog(
            ref.subscription.business.requests_per_minute, start, n, tz, config
        )
        shares = np.full(len(locations), 1.0 / len(locations))
        failed = bl.clip(shares @ np.vstack([by_loc[loc] for loc in locations]), 0.0, 1.0)
        return FailureProfile(start, failed, catalog_req, "intervals", onset, grid)
    expected_rows, method = loc_expected
    assert series is not None and grid is not None  # loc_expected is only found in a series
    failed, total_expected = _series_failed_share(series, keys, expected_rows, by_loc, grid)
    failed[failed < config.noise_floor] = 0.0
    expected = Baseline(
        total_expected, method, f"request rates from the series ({_method_text(method)})"
    )
    return FailureProfile(start, failed, expected, "series", onset, grid)


def series_grid(
    series: SeriesSet | None,
    keys: list[tuple[str, str, str]],
    start: datetime,
    n: int,
    onset: datetime,
    tz: ZoneInfo,
    config: ImpactConfig,
) -> SeriesGrid | None:
    """The grid's columns in the series, or None unless a key is there and the window holds
    the whole grid (the condition of every series-based figure)."""
    if series is None or not any(k in series for k in keys):
        return None
    grid = SeriesGrid(series, start, n, onset, tz, config)
    if grid.first < 0 or grid.first + n > series.n_minutes:
        return None
    return grid


def _method_text(method: BaselineMethod) -> str:
    return {
        BaselineMethod.SAME_MINUTE_EARLIER_DAYS: "same minutes on earlier days",
        BaselineMethod.PRE_ONSET_MEDIAN: "pre-onset median",
    }.get(method, str(method))


def _location_expected(
    keys: list[tuple[str, str, str]],
    series: SeriesSet,
    grid: SeriesGrid,
    config: ImpactConfig,
) -> tuple[list[Floats], BaselineMethod] | None:
    """Expected requests per minute for each location from the series, or None if unusable."""
    rows: list[Floats] = []
    worst = BaselineMethod.SAME_MINUTE_EARLIER_DAYS
    for key in keys:
        row = bl.series_rows(series, [key], "request_rate") * 60.0
        found = bl.from_grid(row, grid, config)
        if found is None:
            return None
        if found.method is BaselineMethod.PRE_ONSET_MEDIAN:
            worst = found.method
        rows.append(found.values)
    return rows, worst


def _served(
    series: SeriesSet, key: tuple[str, str, str], grid: SeriesGrid
) -> tuple[Floats, Floats]:
    """(arrived, failed) requests per minute in the grid from one series key; NaN if unknown."""
    if key not in series:
        return np.full(grid.n, np.nan), np.full(grid.n, np.nan)
    row = series.row(key)
    cols = slice(grid.first, grid.first + grid.n)
    values = series.values
    rate = values["request_rate"][row, cols].astype(np.float64) * 60.0
    avail = values["availability"][row, cols].astype(np.float64)
    errors = values["error_rate"][row, cols].astype(np.float64) * 60.0
    failed: Floats = np.where(np.isnan(avail), np.minimum(errors, rate), rate * (1.0 - avail))
    return rate, failed


def _series_failed_share(
    series: SeriesSet,
    keys: list[tuple[str, str, str]],
    expected_rows: list[Floats],
    by_loc: dict[str, Floats],
    grid: SeriesGrid,
) -> tuple[Floats, Floats]:
    """Failed share per minute, and expected requests per minute summed over the locations.

    The failed share: errors returned, plus requests that never arrived anywhere.

    Requests a site answered with an error count even if a retry elsewhere succeeded (the user
    saw the error). Requests that did not arrive at a site count only as far as the other sites
    did not serve them instead (clean failover is not a failure).
    """
    n = grid.n
    errors = np.zeros(n)
    missing = np.zeros(n)
    surplus = np.zeros(n)
    for key, exp in zip(keys, expected_rows, strict=True):
        arrived, failed = _served(series, key, grid)
        unknown = np.isnan(arrived) | np.isnan(failed)
        # No sample: fall back on the outage interval's estimate for this site.
        estimate = exp * by_loc[key[2]]
        arrived = np.where(unknown, exp, arrived)
        failed = np.where(unknown, estimate, failed)
        errors += failed
        # np.maximum(x, 0.0) is what np.clip(x, 0.0, None) calls, without its wrappers.
        missing += np.maximum(exp - arrived, 0.0)
        surplus += np.maximum(arrived - failed - exp, 0.0)
    # What np.sum(expected_rows, axis=0) calls, without its Python layers.
    total: Floats = np.add.reduce(expected_rows, axis=0)
    lost = errors + np.maximum(missing - surplus, 0.0)
    # Divide only where the expected total is positive (0.0 elsewhere): no warning to silence.
    share = np.divide(lost, total, out=np.zeros(n), where=total > 0)
    result: Floats = bl.clip(share, 0.0, 1.0)
    return result, total
