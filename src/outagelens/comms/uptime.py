"""Per-component uptime history: one bar a day over the last 90 days, from incident intervals."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import date, datetime, timedelta
from zoneinfo import ZoneInfo

from outagelens.comms.models import COMPONENT_SEVERITY, ComponentStatus


@dataclass(frozen=True)
class OutageSpan:
    """A stretch of time one component was not operational."""

    component: str
    start: datetime
    end: datetime | None
    status: ComponentStatus


@dataclass(frozen=True)
class DayBar:
    """One day of one component's history."""

    day: date
    uptime_percent: float
    worst: ComponentStatus
    outage_minutes: float


def _overlap_minutes(a0: datetime, a1: datetime, b0: datetime, b1: datetime) -> float:
    return max(0.0, (min(a1, b1) - max(a0, b0)).total_seconds() / 60)


def uptime_history(
    component: str,
    spans: Sequence[OutageSpan],
    *,
    now: datetime,
    days: int = 90,
    timezone: str = "UTC",
) -> list[DayBar]:
    """Daily bars, oldest first; a major outage minute counts fully, a partial one half.

    Degraded performance and maintenance do not reduce uptime (Statuspage's convention).
    """
    tz = ZoneInfo(timezone)
    today = now.astimezone(tz).date()
    mine = [s for s in spans if s.component == component]
    bars: list[DayBar] = []
    for offset in range(days - 1, -1, -1):
        day = today - timedelta(days=offset)
        d0 = datetime(day.year, day.month, day.day, tzinfo=tz)
        d1 = min(d0 + timedelta(days=1), now)
        if d1 <= d0:
            continue
        total = (d1 - d0).total_seconds() / 60
        lost = 0.0
        outage = 0.0
        worst = ComponentStatus.OPERATIONAL
        for s in mine:
            minutes = _overlap_minutes(d0, d1, s.start, s.end or now)
            if minutes <= 0:
                continue
            if COMPONENT_SEVERITY[s.status] > COMPONENT_SEVERITY[worst]:
                worst = s.status
            if s.status is ComponentStatus.MAJOR_OUTAGE:
                lost += minutes
                outage += minutes
            elif s.status is ComponentStatus.PARTIAL_OUTAGE:
                lost += minutes * 0.5
                outage += minutes
        bars.append(DayBar(day, round(100.0 * (1 - min(lost, total) / total), 3), worst, outage))
    return bars


def overall_uptime(bars: Sequence[DayBar]) -> float:
    """Mean uptime over the bars, in percent."""
    return round(sum(b.uptime_percent for b in bars) / len(bars), 3) if bars else 100.0
