"""Cause attribution: a probability over cause categories from evidence on the candidate.

Naive-Bayes combination: log P(category) + sum of the log-likelihood ratios of the evidence
items that speak for it, normalised with a softmax. Weights (documented in docs/investigation.md):

- hardware alarm on the candidate: hardware, `w_alarm_self`;
- alarms upstream (dependencies, group members) that together take it down: `w_alarm_chain`;
- power alarms (utility loss, UPS on battery, generator): natural_disaster, `w_power`;
- environment alarms (cooling, temperature, water, fire): natural_disaster, `w_environment`;
- a CAP hazard in force whose area covers its location: natural_disaster, `w_hazard`;
- a change on it shortly before onset: software, `w_change_self` (halving every hour);
- a change on what it directly depends on: software, `w_change_dep`;
- a rollback on it during the incident (the remediation): software, `w_rollback`;
- attack-like ingress at its location's edge: cyberattack, `w_attack`;
- a legitimate-looking surge (usual source mix, no SYN flood): cyberattack, `-w_flash_crowd`.

A redundant peer's alarm counts only if the alarmed set, propagated through the catalog,
actually takes the candidate down; a hazard for a neighbouring area, or a change on an
unrelated component, never counts. Evidence after onset + `after_minutes` is ignored
(a cause starts before its effects).
"""

from __future__ import annotations

import math
from dataclasses import dataclass, field
from datetime import datetime, timedelta

from outagelens.rca.models import CauseCategory, Evidence
from outagelens.rca.signals_index import (
    ENVIRONMENT_ALARMS,
    POWER_ALARMS,
    SignalsIndex,
    window,
)
from outagelens.signals.types import Change, HardwareAlarm
from outagelens.topology.graph import NodeKind
from outagelens.topology.models import ComponentKind

EDGE_KINDS = frozenset(
    {
        ComponentKind.EDGE,
        ComponentKind.ROUTER,
        ComponentKind.FIREWALL,
        ComponentKind.DDOS_PROTECTION,
        ComponentKind.LOAD_BALANCER,
        ComponentKind.API_GATEWAY,
        ComponentKind.CDN,
        ComponentKind.DNS,
    }
)
SITE_KINDS = frozenset(
    {
        ComponentKind.POWER,
        ComponentKind.UTILITY_FEED,
        ComponentKind.UPS,
        ComponentKind.GENERATOR,
        ComponentKind.COOLING,
    }
)


# Localization prior of an alarm on the candidate itself, by ITU X.733 perceived severity.
SEVERITY_SHARE: dict[str, float] = {"critical": 2.0, "major": 1.5, "minor": 0.75, "warning": 0.5}


def _default_priors() -> dict[CauseCategory, float]:
    return {
        CauseCategory.HARDWARE: 0.3,
        CauseCategory.SOFTWARE: 0.3,
        CauseCategory.CYBERATTACK: 0.1,
        CauseCategory.NATURAL_DISASTER: 0.1,
        CauseCategory.UNKNOWN: 0.2,
    }


@dataclass(frozen=True, slots=True)
class AttributionConfig:
    """Evidence windows and log-likelihood-ratio weights of cause attribution."""

    priors: dict[CauseCategory, float] = field(default_factory=_default_priors)
    alarm_before_minutes: float = 60.0
    change_before_minutes: float = 120.0
    hazard_before_minutes: float = 360.0
    after_minutes: float = 10.0  # clocks drift and decisive alarms trail the first errors
    change_after_minutes: float = 2.0  # change clocks drift a little; later changes are responses
    rollback_after_minutes: float = 30.0  # a rollback up to this long after recovery counts
    w_rollback: float = 2.0
    w_alarm_self: float = 3.0
    w_alarm_chain: float = 2.5
    w_power: float = 2.5
    w_environment: float = 2.5
    w_hazard: float = 2.5
    w_change_self: float = 3.0
    w_change_dep: float = 1.5
    w_attack: float = 4.0
    w_flash_crowd: float = 1.5


@dataclass(frozen=True, slots=True)
class Attribution:
    """Category probabilities, the evidence behind them, and how direct that evidence is."""

    category: CauseCategory
    probabilities: dict[CauseCategory, float]
    evidence_for: tuple[Evidence, ...]
    evidence_against: tuple[Evidence, ...]
    direct_support: float  # prior from evidence on the candidate itself (for localization)
    first_evidence: datetime | None


@dataclass(frozen=True, slots=True)
class _Place:
    """An entity's locations, and whether it is site plant (or a site) or an edge."""

    locations: tuple[str, ...]
    is_site: bool
    is_edge: bool


class Attributor:
    """Gathers evidence on candidate root causes and attributes a cause category."""

    def __init__(self, index: SignalsIndex, config: AttributionConfig | None = None) -> None:
        self.index = index
        self.catalog = index.catalog
        self.config = config or AttributionConfig()
        self._upstream_cache: dict[str, frozenset[str]] = {}
        self._changed_deps: dict[str, list[str]] = {}
        self._plant: dict[str, frozenset[str]] | None = None
        # Nodes down when a set of alarmed components fails together: many candidates of an
        # incident share the same alarmed components upstream, so each set propagates once.
        self._down_cache: dict[frozenset[int], frozenset[int]] = {}
        self._no_evidence: Attribution | None = None
        # The candidates of one incident share its onset, and under harsh noise thousands of
        # lone symptoms each score a few candidates: the evidence windows of the last onset,
        # and the alarmed components of the last (`alarmed_upstream`, window), are kept.
        self._last_alarm_window: tuple[datetime, tuple[datetime, datetime]] | None = None
        self._last_change_window: tuple[datetime, tuple[datetime, datetime]] | None = None
        self._alarmed_now: tuple[frozenset[str], datetime, datetime, frozenset[str]] | None = None
        self._places: dict[str, _Place] = {}

    def attribute(
        self,
        entities: tuple[str, ...],
        onset: datetime,
        max_support: float = 4.0,
        end: datetime | None = None,
        alarmed_upstream: frozenset[str] | None = None,
    ) -> Attribution:
        """Evidence and category probabilities for a candidate failing at `onset`; the
        localization prior of each entity is capped at `max_support`.

        `alarmed_upstream`, when given, holds every component with an alarm (at any time)
        upstream of the entities that are components (more does no harm): where none of them
        alarms around the onset, the alarm chain is known empty without walking the catalog
        upstream of each candidate (the localizer has this set per incident)."""
        items: list[tuple[Evidence, float]] = []  # (evidence, localization prior share)
        support = 0.0
        for e in entities:
            mine = [
                *self._alarms(e, onset, alarmed_upstream),
                *self._changes(e, onset),
                *self._rollbacks(e, onset, end),
            ]
            mine.extend(self._traffic_and_hazards(e, onset))
            support += min(max_support, sum(share for _, share in mine))
            items.extend(mine)
        return self._combine(items, support)

    def _alarm_window(self, onset: datetime) -> tuple[datetime, datetime]:
        """The alarm window around `onset` (kept for the last onset)."""
        cfg = self.config
        self._last_alarm_window, found = _kept_window(
            self._last_alarm_window, onset, cfg.alarm_before_minutes, cfg.after_minutes
        )
        return found

    def _change_window(self, onset: datetime) -> tuple[datetime, datetime]:
        """The change window around `onset` (kept for the last onset)."""
        cfg = self.config
        self._last_change_window, found = _kept_window(
            self._last_change_window, onset, cfg.change_before_minutes, cfg.change_after_minutes
        )
        return found

    def _combine(self, items: list[tuple[Evidence, float]], support: float) -> Attribution:
        if not items:
            # No evidence: the priors alone (most candidates of lone false symptoms under
            # harsh noise). Attribution is immutable, so one instance serves them all.
            if self._no_evidence is None:
                self._no_evidence = self._combine_items([], 0.0)
            return self._no_evidence
        return self._combine_items(items, support)

    def _combine_items(self, items: list[tuple[Evidence, float]], support: float) -> Attribution:
        cfg = self.config
        logp = {c: math.log(p) for c, p in cfg.priors.items()}
        for ev, _ in items:
            if ev.category is not None:
                logp[ev.category] += ev.weight
        top = max(logp.values())
        z = sum(math.exp(v - top) for v in logp.values())
        probs = {c: math.exp(v - top) / z for c, v in logp.items()}
        cat = max(probs, key=lambda c: (probs[c], c != CauseCategory.UNKNOWN))
        ev_for = tuple(ev for ev, _ in items if ev.supports)
        ev_against = tuple(ev for ev, _ in items if not ev.supports)
        times = [ev.time for ev, share in items if ev.supports and share > 0 and ev.time]
        return Attribution(
            category=cat,
            probabilities={c: round(p, 4) for c, p in probs.items()},
            evidence_for=ev_for,
            evidence_against=ev_against,
            direct_support=support,
            first_evidence=min(times) if times else None,
        )

    def _alarm_weight(self, kind: str) -> tuple[CauseCategory, float]:
        cfg = self.config
        if kind in POWER_ALARMS:
            return CauseCategory.NATURAL_DISASTER, cfg.w_power
        if kind in ENVIRONMENT_ALARMS:
            return CauseCategory.NATURAL_DISASTER, cfg.w_environment
        return CauseCategory.HARDWARE, cfg.w_alarm_self

    def _alarms(
        self, entity: str, onset: datetime, alarmed_upstream: frozenset[str] | None = None
    ) -> list[tuple[Evidence, float]]:
        cfg = self.config
        start, end = self._alarm_window(onset)
        out: list[tuple[Evidence, float]] = []
        for a in self.index.alarms_between(entity, start, end):
            cat, w = self._alarm_weight(a.alarm)
            ev = _alarm_evidence(a.component, a.alarm, a.time, a.message, cat, w, "on it")
            out.append((ev, alarm_share(a.alarm, a.severity)))
        chain = self._chain_alarms(entity, start, end, alarmed_upstream)
        for comp, alarm in chain:
            cat, w = self._alarm_weight(alarm.alarm)
            w = min(w, cfg.w_alarm_chain)
            rel = f"upstream of {entity}"
            # Evidence for the category only: alarms upstream that take the candidate down
            # make the alarmed components, not the candidate, the likelier root cause.
            out.append(
                (_alarm_evidence(comp, alarm.alarm, alarm.time, alarm.message, cat, w, rel), 0.0)
            )
        return out

    def _chain_alarms(
        self,
        entity: str,
        start: datetime,
        end: datetime,
        alarmed_upstream: frozenset[str] | None = None,
    ) -> list[tuple[str, HardwareAlarm]]:
        """Alarms upstream of the entity whose components, failed together, take it down
        (`alarmed_upstream`: see `attribute`)."""
        if alarmed_upstream is not None and entity not in self.catalog.locations:
            # Only these can be alarmed and upstream of it (a site's plant is not upstream of
            # the site, so a location asks the whole index): when none alarms in the window,
            # no catalog walk is needed.
            alarmed_now = self._alarmed_among(alarmed_upstream, start, end)
        else:
            alarmed_now = self.index.alarmed_components(start, end)
        if not alarmed_now:
            return []
        g = self.catalog.graph
        upstream = list(alarmed_now & self._upstream(entity))
        if not upstream:
            return []
        if entity not in self.catalog.locations and g.index[entity] not in self._down(upstream):
            return []
        return [(d, a) for d in sorted(upstream) for a in self.index.alarms_between(d, start, end)]

    def _alarmed_among(
        self, components: frozenset[str], start: datetime, end: datetime
    ) -> frozenset[str]:
        """Those of `components` with an alarm in [start, end] (kept for the last ask: every
        candidate of an incident asks it of the incident's alarmed components)."""
        last = self._alarmed_now
        if last is not None and last[0] is components and last[1] == start and last[2] == end:
            return last[3]
        alarms_between = self.index.alarms_between
        alarmed = frozenset(c for c in components if alarms_between(c, start, end))
        self._alarmed_now = (components, start, end, alarmed)
        return alarmed

    def _down(self, components: list[str]) -> frozenset[int]:
        """Graph nodes down when `components` fail together (cached per set)."""
        g = self.catalog.graph
        key = frozenset(g.index[c] for c in components)
        down = self._down_cache.get(key)
        if down is None:
            down = self._down_cache[key] = frozenset(g.propagate(key).down)
        return down

    def _upstream(self, entity: str) -> frozenset[str]:
        """Components upstream of an entity (for a location: its power and cooling plant)."""
        cached = self._upstream_cache.get(entity)
        if cached is None:
            g = self.catalog.graph
            if entity in self.catalog.locations:
                cached = self._site_plant().get(entity, frozenset())
            elif entity in g.index:
                deps = g.reachable([g.index[entity]], reverse=False)
                cached = frozenset(g.ids[d] for d in deps if g.kinds[d] is NodeKind.COMPONENT)
            else:
                cached = frozenset()
            self._upstream_cache[entity] = cached
        return cached

    def _site_plant(self) -> dict[str, frozenset[str]]:
        """Location -> its power and cooling components (one pass over the catalog)."""
        if self._plant is None:
            plant: dict[str, set[str]] = {}
            for c in self.catalog.components.values():
                if c.location is not None and c.kind in SITE_KINDS:
                    plant.setdefault(c.location, set()).add(c.id)
            self._plant = {loc: frozenset(ids) for loc, ids in plant.items()}
        return self._plant

    def _changes(self, entity: str, onset: datetime) -> list[tuple[Evidence, float]]:
        out: list[tuple[Evidence, float]] = []
        if entity not in self.catalog.components:
            return out
        deps = self._changed_dependencies(entity)
        if not deps and entity not in self.index.changes:
            return out  # nothing it runs on, and nothing on it, ever changed
        cfg = self.config
        start, end = self._change_window(onset)
        changed_between = self.index.changed_between
        if changed_between(entity, start, end):
            out.extend(self._change_items(entity, cfg.w_change_self, 2.0, "on it", onset))
        for d in deps:
            # The relation is spelled out only for a dependency that changed in the window
            # (most candidates under harsh noise have some changed dependency, few in time).
            if changed_between(d, start, end):
                rel = f"on {d}, which {entity} depends on"
                out.extend(self._change_items(d, cfg.w_change_dep, 0.0, rel, onset))
        return out

    def _change_items(
        self, comp: str, w: float, share: float, rel: str, onset: datetime
    ) -> list[tuple[Evidence, float]]:
        """Evidence of the changes (not rollbacks) on `comp` in the change window of `onset`,
        each with its weight `w` and localization share `share` halving every hour."""
        start, end = self._change_window(onset)
        out: list[tuple[Evidence, float]] = []
        for ch in self.index.changes_between(comp, start, end):
            if ch.kind == "rollback":
                continue
            mins = (onset - ch.time).total_seconds() / 60
            # Closer changes are likelier culprits; the weight halves every 60 minutes.
            weight = w * (0.5 ** max(0.0, mins / 60.0))
            out.append(
                (
                    Evidence(
                        kind="change",
                        supports=True,
                        entity=comp,
                        time=ch.time,
                        weight=round(weight, 3),
                        category=CauseCategory.SOFTWARE,
                        sentence=(
                            f"{describe_change(ch)} {rel} at {ch.time:%H:%M} UTC by "
                            f"{ch.actor}, {mins:.0f} min before onset"
                        ),
                        data={"change_id": ch.id, "kind": ch.kind, "software": ch.software},
                    ),
                    share * 0.5 ** max(0.0, mins / 60.0),
                )
            )
        return out

    def _changed_dependencies(self, entity: str) -> list[str]:
        """Direct dependencies of a component with any change (cached: a site or shared
        service has thousands of dependencies and is a candidate of many incidents)."""
        cached = self._changed_deps.get(entity)
        if cached is None:
            g = self.catalog.graph
            changed = self.index.changes
            cached = [g.ids[d] for d in g.dependencies_of(g.index[entity]) if g.ids[d] in changed]
            self._changed_deps[entity] = cached
        return cached

    def _rollbacks(
        self, entity: str, onset: datetime, end: datetime | None
    ) -> list[tuple[Evidence, float]]:
        """A rollback on the candidate during the incident: the fix was undoing its change."""
        if entity not in self.index.changes:
            return []
        cfg = self.config
        until = (end or onset + timedelta(hours=6)) + timedelta(minutes=cfg.rollback_after_minutes)
        out: list[tuple[Evidence, float]] = []
        for ch in self.index.changes_between(entity, onset, until):
            if ch.kind != "rollback":
                continue
            ev = Evidence(
                kind="rollback",
                supports=True,
                entity=entity,
                time=ch.time,
                weight=cfg.w_rollback,
                category=CauseCategory.SOFTWARE,
                sentence=f"{ch.software} on {entity} was rolled back to {ch.to_version} at "
                f"{ch.time:%H:%M} UTC by {ch.actor}, during the incident",
                data={"change_id": ch.id},
            )
            out.append((ev, 1.5))
        return out

    def _traffic_and_hazards(self, entity: str, onset: datetime) -> list[tuple[Evidence, float]]:
        out: list[tuple[Evidence, float]] = []
        place = self._places.get(entity) or self._place(entity)
        for loc in place.locations:
            out.extend(self._traffic(entity, loc, onset, place.is_edge))
            out.extend(self._hazards(entity, loc, onset, place.is_site))
        return out

    def _place(self, entity: str) -> _Place:
        """Where an entity sits and what kind of place it is (cached per entity)."""
        comp = self.catalog.components.get(entity)
        place = self._places[entity] = _Place(
            locations=tuple(self.catalog.location_of(entity) if self.catalog.has(entity) else ()),
            is_site=entity in self.catalog.locations
            or (comp is not None and comp.kind in SITE_KINDS),
            is_edge=comp is not None and comp.kind in EDGE_KINDS,
        )
        return place

    def _traffic(
        self, entity: str, loc: str, onset: datetime, is_edge: bool
    ) -> list[tuple[Evidence, float]]:
        """Attack-like ingress (for) or a legitimate surge (against a cyberattack)."""
        cfg = self.config
        out: list[tuple[Evidence, float]] = []
        for et in self.index.edge_traffic(loc, onset):
            if not (et.attack or et.flash_crowd):
                continue
            data = {
                "surge": round(et.surge, 2),
                "new_share": round(et.new_share, 3),
                "syn_ratio": round(et.syn_ratio, 3),
            }
            ev = Evidence(
                kind="traffic_attack" if et.attack else "traffic_surge_legitimate",
                supports=et.attack,
                entity=et.component,
                time=et.peak_time,
                weight=cfg.w_attack if et.attack else -cfg.w_flash_crowd,
                category=CauseCategory.CYBERATTACK,
                sentence=et.sentence() + ("" if et.attack else "; not an attack"),
                data=data,
            )
            # The component the traffic was measured at is the entry point under attack.
            share = 2.0 if et.component == entity else 0.5 if is_edge else 0.0
            out.append((ev, share if et.attack else 0.0))
        return out

    def _hazards(
        self, entity: str, loc: str, onset: datetime, is_site: bool
    ) -> list[tuple[Evidence, float]]:
        """CAP hazards covering the location (for), and those elsewhere (ignored, listed)."""
        if not self.index.hazard_locations:
            return []
        cfg = self.config
        out: list[tuple[Evidence, float]] = []
        start, end = window(onset, cfg.hazard_before_minutes, cfg.after_minutes)
        share = 1.5 if entity in self.catalog.locations else 1.0 if is_site else 0.0
        for hz in self.index.hazards_at(loc, start, end):
            info = hz.infos[0] if hz.infos else None
            what = info.event if info else "hazard"
            sev = info.severity if info else "Unknown"
            ev = Evidence(
                kind="hazard",
                supports=True,
                entity=loc,
                time=hz.onset,
                weight=cfg.w_hazard,
                category=CauseCategory.NATURAL_DISASTER,
                sentence=f"CAP {sev} '{what}' from {hz.sender} covers {loc} "
                f"since {hz.onset:%H:%M} UTC",
                data={"identifier": hz.identifier, "event": what},
            )
            out.append((ev, share))
        for hz in self.index.hazards_elsewhere(loc, start, end):
            what = hz.infos[0].event if hz.infos else "hazard"
            ev = Evidence(
                kind="hazard_elsewhere",
                supports=False,
                entity=loc,
                time=hz.onset,
                weight=0.0,
                category=CauseCategory.NATURAL_DISASTER,
                sentence=f"CAP '{what}' from {hz.sender} does not cover {loc}; ignored",
                data={"identifier": hz.identifier},
            )
            out.append((ev, 0.0))
        return out


def alarm_share(alarm: str, severity: str) -> float:
    """How much an alarm on a component makes *it* the root cause (localization prior).

    A UPS on battery, or a generator starting, shows the component doing its job after a loss
    upstream: evidence for the category (power), not against the component, so it adds nothing
    to its localization unless the alarm itself is critical for a generator (failed to start).
    """
    if alarm in ("ups_on_battery", "over_temperature", "water_leak", "fire_alarm"):
        return 0.0  # conditions around it or a response to a loss upstream, not its failure
    if alarm == "cooling_failure":
        return 1.0  # capacity exceeded: the unit fails, but the environment made it fail
    if alarm == "generator_start" and severity != "critical":
        return 0.0
    return SEVERITY_SHARE.get(severity, 1.0)


def _alarm_evidence(
    component: str, alarm: str, time: datetime, message: str, cat: CauseCategory, w: float, rel: str
) -> Evidence:
    return Evidence(
        kind="alarm",
        supports=True,
        entity=component,
        time=time,
        weight=w,
        category=cat,
        sentence=f"{alarm} alarm on {component} ({rel}) at {time:%H:%M} UTC"
        + (f": {message}" if message else ""),
        data={"alarm": alarm},
    )


def describe_change(ch: Change) -> str:
    """'deploy of nginx 1.24 -> 1.25', or 'config change of arista-eos 4.31.2F' when the
    version stays the same (a configuration change) or only one version is known."""
    old, new = ch.from_version, ch.to_version
    noun = "config change" if ch.kind == "config" else ch.kind
    if old and new and old != new:
        return f"{noun} of {ch.software} {old} -> {new}"
    version = new or old
    return f"{noun} of {ch.software}" + (f" {version}" if version else "")


_Window = tuple[datetime, datetime]


def _kept_window(
    last: tuple[datetime, _Window] | None, onset: datetime, before: float, after: float
) -> tuple[tuple[datetime, _Window], _Window]:
    """`window(onset, before, after)`, reusing `last` when it was made for the same onset; the
    pair to keep for the next call, and the window."""
    if last is not None and last[0] == onset:
        return last, last[1]
    found = window(onset, before, after)
    return (onset, found), found
