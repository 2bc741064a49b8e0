"""Monthly SLA uptime and service credits, following the usual cloud conventions.

- The month is the calendar month in the SLA's time zone; an outage spanning two months counts
  in each for the part that falls in it.
- Maintenance windows are removed from both the eligible minutes and the unavailable minutes.
- Every minute counts once: where incidents overlap, the heavier weight wins.
- A down minute weighs 1, a degraded minute the SLA's `degraded_weight`.
- The tier reached is the last (strictest) tier whose `below_percent` is above the uptime;
  uptime exactly at a threshold does not reach that tier.
- Credit = monthly fee × tier percent, capped at `max_credit_percent`; nothing is paid when the
  amount is below `min_credit`.
"""

from __future__ import annotations

import itertools
from collections.abc import Iterable, Sequence
from datetime import UTC, datetime, timedelta
from functools import lru_cache
from zoneinfo import ZoneInfo

import numpy as np

from outagelens.impact.config import ImpactConfig
from outagelens.impact.downtime import FailureProfile
from outagelens.impact.models import SlaAssessment
from outagelens.topology import SubscriptionRef
from outagelens.topology.construct import construct
from outagelens.topology.models import Sla
from outagelens.topology.sla_terms import credit_for

__all__ = ["WeightedInterval", "assess_sla", "credit_for"]

WeightedInterval = tuple[datetime, datetime, float]
"""(start, end, weight): weight 1 for down, the SLA's degraded_weight for degraded."""

_MINUTE = timedelta(minutes=1)
UPTIME_DECIMALS = 6


def month_bounds(t: datetime, tz: ZoneInfo) -> tuple[datetime, datetime, str]:
    """UTC start and end of the calendar month (in `tz`) containing `t`, and its 'YYYY-MM'."""
    local = t.astimezone(tz)
    return _month_bounds(local.year, local.month, tz)


@lru_cache(maxsize=256)
def _month_bounds(year: int, month: int, tz: ZoneInfo) -> tuple[datetime, datetime, str]:
    # One month's bounds serve every subscription assessed in it (immutable values).
    start = datetime(year, month, 1, tzinfo=tz)
    next_year, next_month = (year + 1, 1) if month == 12 else (year, month + 1)
    end = datetime(next_year, next_month, 1, tzinfo=tz)
    return start.astimezone(UTC), end.astimezone(UTC), f"{year:04d}-{month:02d}"


def months_touched(
    intervals: Iterable[WeightedInterval], tz: ZoneInfo
) -> list[tuple[datetime, datetime, str]]:
    """Every SLA month that any interval overlaps, in order."""
    seen: dict[str, tuple[datetime, datetime, str]] = {}
    for start, end, _ in intervals:
        cursor = start
        while cursor < end:
            bounds = month_bounds(cursor, tz)
            seen.setdefault(bounds[2], bounds)
            cursor = bounds[1]
    return [seen[k] for k in sorted(seen)]


def maintenance_intervals(sla: Sla) -> list[tuple[datetime, datetime]]:
    """The SLA's maintenance windows as aware UTC intervals."""
    out = []
    for w in sla.maintenance_windows:
        start = datetime.fromisoformat(w.start).astimezone(UTC)
        end = datetime.fromisoformat(w.end).astimezone(UTC)
        out.append((start, end))
    return out


def _minutes(a: datetime, b: datetime) -> float:
    return (b - a) / _MINUTE


def weighted_minutes(
    intervals: Sequence[WeightedInterval],
    lo: datetime,
    hi: datetime,
    excluded: Sequence[tuple[datetime, datetime]] = (),
) -> tuple[float, float]:
    """(counted, excluded) weighted minutes of the intervals' union within [lo, hi).

    Overlapping intervals count once, at their heaviest weight; minutes inside `excluded`
    windows go to the second figure instead of the first.
    """
    if not intervals:
        return 0.0, 0.0  # what the loop below gives: no minute has a weight
    cuts = {lo, hi}
    for s, e, _ in intervals:
        cuts.update(t for t in (s, e) if lo < t < hi)
    for s, e in excluded:
        cuts.update(t for t in (s, e) if lo < t < hi)
    points = sorted(cuts)
    counted = skipped = 0.0
    for a, b in itertools.pairwise(points):
        weight = max((w for s, e, w in intervals if s <= a and e >= b), default=0.0)
        if weight <= 0:
            continue
        if any(s <= a and e >= b for s, e in excluded):
            skipped += weight * _minutes(a, b)
        else:
            counted += weight * _minutes(a, b)
    return counted, skipped


def _window_minutes(
    windows: Sequence[tuple[datetime, datetime]], lo: datetime, hi: datetime
) -> float:
    """Minutes of the union of windows inside [lo, hi)."""
    total, _ = weighted_minutes([(s, e, 1.0) for s, e in windows], lo, hi)
    return total


def profile_intervals(
    profile: FailureProfile, sla: Sla, config: ImpactConfig
) -> list[WeightedInterval]:
    """The incident's minutes as SLA-weighted intervals, consecutive equal weights merged."""
    down = profile.down(config)
    weights = np.where(down, 1.0, np.where(profile.affected(), sla.degraded_weight, 0.0))
    out: list[WeightedInterval] = []
    for i, w in enumerate(weights.tolist()):  # Python floats: the same values, read faster
        if w <= 0:
            continue
        start = profile.minute(i)
        if out and out[-1][1] == start and out[-1][2] == w:
            out[-1] = (out[-1][0], start + _MINUTE, w)
        else:
            out.append((start, start + _MINUTE, w))
    return out


def assess_sla(
    ref: SubscriptionRef,
    incident: Sequence[WeightedInterval],
    earlier: Sequence[WeightedInterval] = (),
    *,
    at: datetime | None = None,
) -> list[SlaAssessment]:
    """One assessment per SLA month the incident touches, earlier incidents included.

    An incident without unavailable minutes is assessed for the month containing `at`.
    """
    sla = ref.subscription.sla
    if sla is None:
        return []
    tz = ZoneInfo(sla.timezone)
    if incident:
        months = months_touched(incident, tz)
    elif at is not None:
        months = [month_bounds(at, tz)]
    else:
        return []
    maint = maintenance_intervals(sla)
    out = []
    for lo, hi, label in months:
        month_minutes = _minutes(lo, hi)
        maint_minutes = _window_minutes(maint, lo, hi)
        eligible = month_minutes - maint_minutes
        unavailable, skipped = weighted_minutes([*incident, *earlier], lo, hi, maint)
        # Without earlier incidents this month (the usual case), this incident's own minutes
        # are the same call on the same intervals.
        own = weighted_minutes(incident, lo, hi, maint)[0] if earlier else unavailable
        before, _ = weighted_minutes(earlier, lo, hi, maint)
        uptime = 100.0 if eligible <= 0 else 100.0 * (eligible - unavailable) / eligible
        uptime = round(uptime, UPTIME_DECIMALS)
        fee = ref.subscription.monthly_fee
        tier, pct, amount, note = credit_for(sla, fee, uptime)
        out.append(
            construct(  # our own typed values: no re-validation (checked in tests/impact)
                SlaAssessment,
                subscription=ref.id,
                month=label,
                timezone=sla.timezone,
                month_start=lo,
                month_end=hi,
                target_percent=sla.target_percent,
                uptime_percent=uptime,
                eligible_minutes=round(eligible, 3),
                unavailable_minutes=round(unavailable, 3),
                incident_minutes=round(own, 3),
                earlier_minutes=round(before, 3),
                excluded_maintenance_minutes=round(skipped, 3),
                met=uptime >= sla.target_percent,
                tier_below_percent=tier,
                credit_percent=pct,
                credit_amount=amount,
                currency=ref.subscription.business.currency,
                monthly_fee=fee,
                note=note,
            )
        )
    return out
