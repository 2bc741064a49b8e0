"""From fault phases to what each SLI row goes through: down, degraded, or carrying extra load.

Each phase is propagated through the catalog; the result is turned into spans on the series
rows (one row per customer, service and location). Spans are sparse: only rows that something
happened to carry any, so a 100,000-entity catalog costs what the fault touches.
"""

from __future__ import annotations

import zoneinfo
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime

import numpy as np

from outagelens.sim.faults.base import FaultEffect, LoadEffect, Phase
from outagelens.sim.scenario import NoiseConfig
from outagelens.topology import Catalog, Propagation
from outagelens.topology.validate import deployment_id

OK, DEGRADED, DOWN = 0, 1, 2


@dataclass(frozen=True)
class Rows:
    """The SLI series rows: sorted (customer, service, location) keys and per-row figures."""

    keys: tuple[tuple[str, str, str], ...]
    of_subscription: dict[str, tuple[int, ...]]  # in the subscription's location order
    location: tuple[str, ...]
    requests_per_s: np.ndarray  # baseline at the daily peak, per row
    throughput_per_min: np.ndarray  # business transactions per minute; NaN: no KPI
    tz_hours: np.ndarray  # UTC offset of the row's location, hours


@dataclass(frozen=True)
class Span:
    """Something that happens to one row over [start, end) minute columns."""

    row: int
    start: int
    end: int
    state: int  # DEGRADED or DOWN; OK for a pure load change
    error_fraction: float = 0.0
    latency_factor: float = 1.0
    load: float = 1.0


STRAGGLER_SHARE = 0.05
"""Share of a lost site's traffic that still reaches it after location failover."""


@dataclass(frozen=True)
class PhaseOutcome:
    """One phase of one fault with what it takes down."""

    fault: int  # index into the list of effects
    phase: Phase
    propagation: Propagation


def utc_offset_hours(catalog: Catalog, location: str, at: datetime) -> float:
    """UTC offset of a location's time zone at a given time, in hours (0 if unknown)."""
    try:
        zone = zoneinfo.ZoneInfo(catalog.locations[location].timezone)
    except (zoneinfo.ZoneInfoNotFoundError, ValueError, KeyError):
        return 0.0
    offset = at.astimezone(zone).utcoffset()
    return offset.total_seconds() / 3600 if offset is not None else 0.0


def build_rows(catalog: Catalog, rng: np.random.Generator, at: datetime) -> Rows:
    """One row per (customer, service, location) of every subscription, with baseline figures."""
    acc: dict[tuple[str, str, str], list[float]] = {}
    members: dict[str, list[tuple[str, str, str]]] = {}
    for sid, ref in catalog.subscriptions.items():
        sub = ref.subscription
        n = len(sub.locations)
        rpm = sub.business.requests_per_minute or float(rng.lognormal(np.log(600), 1.0))
        tpm = sub.business.transactions_per_minute
        keys = [(ref.customer.id, sub.service, loc) for loc in sub.locations]
        members[sid] = keys
        for key in keys:
            got = acc.setdefault(key, [0.0, 0.0])
            got[0] += rpm / 60 / n
            got[1] += tpm / n
    keys_sorted = sorted(acc)
    index = {k: i for i, k in enumerate(keys_sorted)}
    locs = tuple(k[2] for k in keys_sorted)
    offsets = {loc: utc_offset_hours(catalog, loc, at) for loc in sorted(set(locs))}
    return Rows(
        keys=tuple(keys_sorted),
        of_subscription={sid: tuple(index[k] for k in ks) for sid, ks in members.items()},
        location=locs,
        requests_per_s=np.array([acc[k][0] for k in keys_sorted], dtype=np.float64),
        # No business KPI (0 transactions): throughput is "no sample", not zero.
        throughput_per_min=np.array([acc[k][1] or np.nan for k in keys_sorted], dtype=np.float64),
        tz_hours=np.array([offsets[loc] for loc in locs], dtype=np.float64),
    )


def resolve(catalog: Catalog, effects: Sequence[FaultEffect]) -> list[PhaseOutcome]:
    """Propagate every phase of every fault (phases are independent; see docs/simulator.md)."""
    out = []
    for i, effect in enumerate(effects):
        for phase in effect.phases:
            if phase.end > phase.start:
                out.append(PhaseOutcome(i, phase, catalog.propagate(phase.failed)))
    return out


def lost_locations(catalog: Catalog, sid: str, down: frozenset[str]) -> list[str]:
    """Locations of a subscription whose deployment (or site, or the whole service) is down."""
    sub = catalog.subscriptions[sid].subscription
    svc = catalog.services[sub.service]
    if sub.service in down:
        return list(sub.locations)
    return [
        loc
        for loc in sub.locations
        if loc in down or (svc.locations and deployment_id(svc.id, loc) in down)
    ]


def lost_rows(catalog: Catalog, rows: Rows, sid: str, down: frozenset[str]) -> list[int]:
    """Series rows of a subscription in its lost locations."""
    lost = set(lost_locations(catalog, sid, down))
    sub = catalog.subscriptions[sid].subscription
    return [
        row
        for loc, row in zip(sub.locations, rows.of_subscription[sid], strict=True)
        if loc in lost
    ]


def failover_minutes(catalog: Catalog, sid: str, prop: Propagation) -> float:
    """How long a subscription that lost a redundant member (not a location) stutters: its
    degraded groups' failover time, at least one minute."""
    sub = catalog.subscriptions[sid].subscription
    names = {group for owner, group, _, _ in prop.degraded_groups if owner == sid}
    times = [g.failover_minutes for g in sub.redundancy if g.name in names]
    return max([1.0, *times])


def phase_spans(
    catalog: Catalog,
    rows: Rows,
    outcome: PhaseOutcome,
    n_minutes: int,
    degrade_instead: dict[int, float],
) -> list[Span]:
    """Spans one phase puts on the rows; `degrade_instead` maps rows to a partial error fraction."""
    phase, prop = outcome.phase, outcome.propagation
    start = max(0, int(np.floor(phase.start)))
    end = min(n_minutes, int(np.ceil(phase.end)))
    if end <= start:
        return []
    spans: list[Span] = []
    down = prop.down

    def hit(row: int, hard: bool) -> None:
        if phase.mode == "degraded":
            spans.append(
                Span(row, start, end, DEGRADED, phase.error_fraction, phase.latency_factor)
            )
        elif hard and row not in degrade_instead:
            spans.append(Span(row, start, end, DOWN, 1.0, 1.0))
        else:
            frac = degrade_instead.get(row, 0.35)
            spans.append(Span(row, start, end, DEGRADED, frac, 1.5 + 2 * frac))

    for sid in prop.subscriptions:
        lost = lost_rows(catalog, rows, sid, down)
        all_rows = rows.of_subscription[sid]
        for row in lost or all_rows:
            hit(row, True)
        for row in all_rows if lost else ():
            if row not in lost:
                hit(row, False)  # the other locations of an all-locations subscription limp
    for sid in prop.partial_subscriptions:
        lost = lost_rows(catalog, rows, sid, down)
        all_rows = rows.of_subscription[sid]
        survivors = [r for r in all_rows if r not in lost]
        for row in lost:
            hit(row, True)
        if lost and survivors:
            # The surviving sites take over the load once the subscription's location failover
            # (DNS, global load balancing) has moved the users; until then the share of users
            # routed to the lost site fails.
            failover = catalog.subscriptions[sid].subscription.location_failover_minutes
            moved = min(end, start + int(np.ceil(failover)))
            extra = len(all_rows) / len(survivors)
            if moved < end:
                for row in survivors:
                    spans.append(Span(row, moved, end, OK, 0.0, 1.15, extra))
                for row in lost:
                    # Once moved, only stragglers (stale DNS caches) still reach the lost site.
                    spans.append(Span(row, moved, end, OK, 0.0, 1.0, STRAGGLER_SHARE))
        elif not lost:
            # A redundant member (an instance, a replica) failed: a failover stutter, then the
            # survivors carry the load a little slower.
            blip = min(end, start + max(1, round(failover_minutes(catalog, sid, prop))))
            for row in all_rows:
                spans.append(Span(row, start, blip, DEGRADED, 0.25, 1.5))
                spans.append(Span(row, blip, end, OK, 0.0, 1.1))
    return spans


def recovery_spans(spans: Sequence[Span], n_minutes: int, rng: np.random.Generator) -> list[Span]:
    """After a row comes back from down, a few minutes of elevated errors (cold caches, retries)."""
    out = []
    for s in spans:
        if s.state == DOWN and s.end < n_minutes:
            ramp = int(rng.integers(2, 7))
            out.append(Span(s.row, s.end, min(n_minutes, s.end + ramp), DEGRADED, 0.12, 1.8))
    return out


def load_spans(rows: Rows, loads: Sequence[LoadEffect], n_minutes: int) -> list[Span]:
    """Spans of legitimate load changes (flash sales) on a customer's rows."""
    out = []
    for effect in loads:
        start = max(0, int(effect.start))
        end = min(n_minutes, int(np.ceil(effect.end)))
        for row, key in enumerate(rows.keys):
            if key[0] == effect.customer and effect.location in (None, key[2]):
                out.append(Span(row, start, end, OK, 0.0, 1.1, effect.factor))
    return out


def degrade_choices(
    spans_rows: Sequence[int], noise: NoiseConfig, rng: np.random.Generator
) -> dict[int, float]:
    """Rows of one fault that degrade instead of going down (noise knob), with their fraction."""
    out: dict[int, float] = {}
    p = noise.partial_degradation_probability
    for row in sorted(set(spans_rows)):
        draw = rng.random()
        frac = float(rng.uniform(0.3, 0.8))
        if draw < p:
            out[row] = frac
    return out


def row_states(spans: Sequence[Span], n_rows: int, n_minutes: int) -> dict[int, np.ndarray]:
    """Per row with any fault span: int8 state per minute (max over spans)."""
    out: dict[int, np.ndarray] = {}
    for s in spans:
        if s.state == OK:
            continue
        arr = out.get(s.row)
        if arr is None:
            arr = out[s.row] = np.zeros(n_minutes, dtype=np.int8)
        np.maximum(arr[s.start : s.end], s.state, out=arr[s.start : s.end])
    return out
