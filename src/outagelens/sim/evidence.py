"""Turn simulated evidence into signal records: changes, hardware alarms, CAP hazards.

Background noise is added here too (routine changes, harmless alarms), then the noise knobs
(missing alarms, per-source clock skew) act, and records get deterministic ids in time order.
"""

from __future__ import annotations

from collections.abc import Sequence
from datetime import datetime, timedelta

import numpy as np

from outagelens.signals.types import (
    CapArea,
    CapCircle,
    CapInfo,
    Change,
    HardwareAlarm,
    Hazard,
)
from outagelens.sim.decoys import pick_alarm
from outagelens.sim.faults.base import (
    AlarmEvent,
    ChangeEvent,
    FaultContext,
    HazardEvent,
    bump_version,
    config_story,
    pick,
)
from outagelens.sim.faults.software import ACTORS
from outagelens.topology import Catalog


def background_changes(ctx: FaultContext) -> list[ChangeEvent]:
    """Routine changes on components with software, at the background rate."""
    rng = ctx.rng
    comps = [c for c in ctx.catalog.components.values() if c.software]
    expected = ctx.noise.background_changes_per_day * len(comps) * ctx.n_minutes / 1440
    count = int(rng.poisson(expected)) if expected > 0 else 0
    out = []
    for _ in range(count):
        comp = comps[int(rng.integers(len(comps)))]
        assert comp.software is not None  # filtered above
        at = float(rng.uniform(0, ctx.n_minutes))
        version = comp.software.version
        if version and rng.random() < 0.5:
            new = bump_version(version, rng)
            out.append(
                ChangeEvent(
                    at,
                    comp.id,
                    comp.software.name,
                    "deploy",
                    pick(rng, ACTORS),
                    version,
                    new,
                    f"upgrade {comp.software.name} -> {new}",
                )
            )
        else:
            out.append(
                ChangeEvent(
                    at,
                    comp.id,
                    comp.software.name,
                    "config",
                    pick(rng, ACTORS),
                    version,
                    version,
                    config_story(comp, rng),
                )
            )
    return out


def background_alarms(ctx: FaultContext) -> list[AlarmEvent]:
    """Harmless alarms (a failed fan, a spare disk rebuilding) on random components."""
    rng = ctx.rng
    comps = list(ctx.catalog.components)
    expected = ctx.noise.false_alarm_rate * len(comps) * ctx.n_minutes / 1440
    count = int(rng.poisson(expected)) if expected > 0 and comps else 0
    out = []
    for _ in range(count):
        cid = comps[int(rng.integers(len(comps)))]
        kind, message = pick_alarm(ctx, "")
        at = float(rng.uniform(0, ctx.n_minutes))
        cleared = at + float(rng.uniform(5, 240))
        if rng.random() < 0.7:
            out.append(AlarmEvent(at, cid, kind, "minor", message, cleared))
        else:
            out.append(AlarmEvent(at, cid, kind, "warning", message, cleared))
    return out


def skew_of(ctx: FaultContext, source: str) -> float:
    """This run's clock offset of a source, in seconds, drawn within +-max."""
    limit = ctx.noise.skew(source)
    return float(ctx.rng.uniform(-limit, limit)) if limit > 0 else 0.0


def _at(start: datetime, minute: float, skew: float) -> datetime:
    return start + timedelta(seconds=round(minute * 60 + skew))


def to_changes(
    events: Sequence[ChangeEvent], start: datetime, n_minutes: int, skew: float
) -> list[Change]:
    """Change records, ids in time order."""
    kept = sorted(
        (e for e in events if 0 <= e.minute < n_minutes),
        key=lambda e: (e.minute, e.component, e.kind, e.description),
    )
    out = []
    for i, e in enumerate(kept, start=1):
        out.append(
            Change(
                id=f"chg-{i:05d}",
                time=_at(start, e.minute, skew),
                component=e.component,
                software=e.software,
                from_version=e.from_version,
                to_version=e.to_version,
                kind=e.kind,
                actor=e.actor,
                description=e.description,
            )
        )
    return out


def to_alarms(
    events: Sequence[AlarmEvent],
    start: datetime,
    n_minutes: int,
    skew: float,
    missing_rate: float,
    rng: np.random.Generator,
) -> list[HardwareAlarm]:
    """Hardware alarm records; non-essential ones go missing at the missing-alarm rate."""
    ordered = sorted(events, key=lambda e: (e.minute, e.component, e.alarm, e.message))
    draws = rng.random(len(ordered))
    kept = [
        e
        for e, d in zip(ordered, draws, strict=True)
        if 0 <= e.minute < n_minutes and (e.essential or d >= missing_rate)
    ]
    out = []
    for i, e in enumerate(kept, start=1):
        cleared = e.cleared_minute
        out.append(
            HardwareAlarm(
                id=f"alm-{i:05d}",
                time=_at(start, e.minute, skew),
                component=e.component,
                alarm=e.alarm,
                severity=e.severity,
                message=e.message,
                cleared_at=_at(start, cleared, skew)
                if cleared is not None and cleared < n_minutes
                else None,
            )
        )
    return out


def to_hazards(
    catalog: Catalog, events: Sequence[HazardEvent], start: datetime, n_minutes: int, skew: float
) -> list[Hazard]:
    """CAP 1.2 alerts whose area covers each event's location (circle, and its geocodes).

    A location without coordinates or geocodes gets an area with only its description, which
    the area mapping cannot place: give locations lat/lon or geocodes for hazards to count.
    """
    ordered = sorted(
        (e for e in events if 0 <= e.minute < n_minutes), key=lambda e: (e.minute, e.location)
    )
    out = []
    for i, e in enumerate(ordered, start=1):
        loc = catalog.locations[e.location]
        sent = _at(start, e.minute, skew)
        circles = (
            (CapCircle(lat=loc.lat, lon=loc.lon, radius_km=round(e.radius_km, 1)),)
            if loc.lat is not None and loc.lon is not None
            else ()
        )
        area = CapArea(
            area_desc=loc.geography,
            circles=circles,
            geocodes=tuple(sorted(loc.geocodes.items())),
        )
        info = CapInfo(
            language="en-US",
            categories=(e.cap_category,),
            event=e.event,
            response_types=("Monitor",),
            urgency=e.urgency,
            severity=e.severity,
            certainty=e.certainty,
            effective=sent,
            onset=_at(start, max(e.onset_minute, 0.0), skew),
            expires=_at(start, e.expires_minute, skew),
            sender_name=e.sender_name,
            headline=e.headline,
            description=e.description,
            areas=(area,),
        )
        ident = f"{e.sender.split('@')[-1]}.{start:%Y%m%d}.{i:04d}"
        out.append(
            Hazard(
                identifier=ident,
                sender=e.sender,
                sent=sent,
                status="Actual",
                msg_type="Alert",
                scope="Public",
                infos=(info,),
            )
        )
    return out
