"""What a fault model produces: failure phases over time, and the evidence a provider would see.

Times inside the simulator are float minutes after the window start; they become UTC datetimes
only when the signals are emitted, so every model works on one clock.
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from typing import Literal

import numpy as np

from outagelens.errors import ScenarioError
from outagelens.sim.scenario import Category, FaultSpec, NoiseConfig
from outagelens.topology import Catalog
from outagelens.topology.models import Component, ComponentKind

Mode = Literal["down", "degraded"]


@dataclass(frozen=True)
class Phase:
    """Entities failed directly over [start, end) minutes, and how hard their dependents fail."""

    start: float
    end: float
    failed: tuple[str, ...]
    mode: Mode = "down"
    error_fraction: float = 1.0
    latency_factor: float = 1.0


@dataclass(frozen=True)
class AlarmEvent:
    """A hardware or facility alarm before ids and clock skew are applied."""

    minute: float
    component: str
    alarm: str
    severity: Literal["critical", "major", "minor", "warning"]
    message: str
    cleared_minute: float | None = None
    essential: bool = False  # never dropped by missing_alarm_rate (e.g. a decoy's only sign)


@dataclass(frozen=True)
class ChangeEvent:
    """A deploy, configuration change or rollback on one component."""

    minute: float
    component: str
    software: str
    kind: Literal["deploy", "config", "rollback"]
    actor: str
    from_version: str | None
    to_version: str | None
    description: str


@dataclass(frozen=True)
class HazardEvent:
    """A public warning (CAP 1.2) about a hazard around one location."""

    minute: float  # when it was sent
    location: str
    event: str
    cap_category: str  # CAP <category>: Met, Geo, Infra...
    urgency: str
    severity: str
    certainty: str
    onset_minute: float
    expires_minute: float
    headline: str
    description: str
    radius_km: float
    sender: str
    sender_name: str


@dataclass(frozen=True)
class TrafficEffect:
    """Multipliers on one location's ingress over [start, end) (DDoS, flash sale)."""

    location: str
    start: float
    end: float
    requests: float
    distinct_sources: float
    new_source_share: float
    syn_ratio: float | None
    ramp_minutes: float = 5.0


@dataclass(frozen=True)
class LoadEffect:
    """A request/throughput multiplier on one customer's series rows (a flash sale)."""

    customer: str
    location: str | None
    start: float
    end: float
    factor: float
    ramp_minutes: float = 10.0


@dataclass
class Evidence:
    """Everything besides SLI series that a fault or decoy leaves behind."""

    alarms: list[AlarmEvent] = field(default_factory=list)
    changes: list[ChangeEvent] = field(default_factory=list)
    hazards: list[HazardEvent] = field(default_factory=list)
    traffic: list[TrafficEffect] = field(default_factory=list)
    load: list[LoadEffect] = field(default_factory=list)

    def extend(self, other: Evidence) -> None:
        """Add another evidence set to this one."""
        self.alarms.extend(other.alarms)
        self.changes.extend(other.changes)
        self.hazards.extend(other.hazards)
        self.traffic.extend(other.traffic)
        self.load.extend(other.load)


@dataclass
class FaultEffect:
    """A fault as the simulator applies it: phases for propagation, evidence, and the truth."""

    category: Category
    root_causes: tuple[str, ...]
    phases: list[Phase]
    evidence: Evidence
    description: str

    @property
    def onset(self) -> float:
        """First minute anything is failed."""
        return min(p.start for p in self.phases)

    @property
    def end(self) -> float:
        """Minute the last phase ends."""
        return max(p.end for p in self.phases)


@dataclass(frozen=True)
class FaultContext:
    """What every fault model needs: the catalog, the window length, noise knobs, a generator."""

    catalog: Catalog
    n_minutes: int
    noise: NoiseConfig
    rng: np.random.Generator


# ---------------------------------------------------------------------------- catalog helpers

POWER_KINDS = frozenset({ComponentKind.POWER, ComponentKind.UPS, ComponentKind.UTILITY_FEED})
EDGE_KINDS = (ComponentKind.EDGE, ComponentKind.DDOS_PROTECTION)


def components_at(
    catalog: Catalog, location: str, kinds: Iterable[ComponentKind] | None = None
) -> list[Component]:
    """Components in a location (optionally of given kinds), in catalog order."""
    wanted = set(kinds) if kinds is not None else None
    return [
        c
        for c in catalog.components.values()
        if c.location == location and (wanted is None or c.kind in wanted)
    ]


def require_component(catalog: Catalog, fault: FaultSpec) -> Component:
    """The fault's target as a component, or a ScenarioError naming the target."""
    comp = catalog.components.get(fault.target)
    if comp is None:
        kind = catalog.kind_of(fault.target) if catalog.has(fault.target) else "unknown entity"
        raise ScenarioError(
            f"fault target '{fault.target}' ({kind}): a {fault.category} fault needs a component"
        )
    return comp


def require_location(catalog: Catalog, entity: str, category: str) -> str:
    """The location of a target (a location itself, or a component's site)."""
    if entity in catalog.locations:
        return entity
    comp = catalog.components.get(entity)
    if comp is not None and comp.location:
        return comp.location
    raise ScenarioError(
        f"fault target '{entity}': a {category} fault needs a location or a located component"
    )


def redundant_peers(catalog: Catalog, component_id: str) -> list[str]:
    """Components that sit in a redundancy group together with this one (its failover peers)."""
    peers: dict[str, None] = {}
    for comp in catalog.components.values():
        for group in comp.redundancy:
            if component_id in group.members:
                peers.update(dict.fromkeys(m for m in group.members if m != component_id))
    return [p for p in peers if p in catalog.components]


def pick(rng: np.random.Generator, items: Sequence[str]) -> str:
    """One item, chosen reproducibly."""
    return items[int(rng.integers(len(items)))]


def param(fault: FaultSpec, name: str, default: float) -> float:
    """A numeric fault parameter, with a ScenarioError naming it if it is not a number."""
    value = fault.parameters.get(name, default)
    if isinstance(value, bool) or not isinstance(value, int | float):
        raise ScenarioError(
            f"fault on '{fault.target}': parameters.{name} must be a number, got {value!r}"
        )
    return float(value)


def choice_param(fault: FaultSpec, name: str, allowed: Sequence[str], default: str) -> str:
    """A string fault parameter restricted to `allowed`; `default` may be "" (not given)."""
    value = fault.parameters.get(name, default)
    if value not in allowed and not (value == default == ""):
        raise ScenarioError(
            f"fault on '{fault.target}': parameters.{name} must be one of {list(allowed)}, "
            f"got {value!r}"
        )
    return str(value)


def bump_version(version: str | None, rng: np.random.Generator) -> str:
    """A plausible next version: the last number goes up by 1 or 2 (1.30.4 -> 1.30.5, 23.4R1 ->
    23.4R2, 4.31.2F -> 4.31.3F)."""
    if not version:
        return f"1.{int(rng.integers(0, 20))}.{int(rng.integers(0, 10))}"
    step = 1 + int(rng.integers(0, 2))
    numbers = list(re.finditer(r"\d+", version))
    if not numbers:
        return f"{version}.{step}"
    last = numbers[-1]
    return f"{version[: last.start()]}{int(last.group()) + step}{version[last.end() :]}"


CONFIG_STORIES: dict[str, tuple[str, ...]] = {
    "network": ("route policy update", "EVPN VNI mapping change", "ACL cleanup",
                "BGP timers tuned", "MTU change on uplinks"),
    "balancer": ("TLS cipher list change", "timeout defaults changed", "backend pool resized",
                 "health check interval changed"),
    "data": ("connection pool limits lowered", "autovacuum settings tuned",
             "replication slot settings changed", "max_connections raised"),
    "platform": ("feature flag enabled for all tenants", "admission webhook enabled",
                 "resource quotas changed", "scheduler policy update"),
}  # fmt: skip
_STORY_OF_KIND: dict[ComponentKind, str] = {
    ComponentKind.NETWORK: "network", ComponentKind.ROUTER: "network",
    ComponentKind.SWITCH: "network", ComponentKind.FIREWALL: "network",
    ComponentKind.EDGE: "network", ComponentKind.DDOS_PROTECTION: "network",
    ComponentKind.DNS: "network", ComponentKind.CDN: "balancer",
    ComponentKind.LOAD_BALANCER: "balancer", ComponentKind.API_GATEWAY: "balancer",
    ComponentKind.DATABASE: "data", ComponentKind.STORAGE: "data", ComponentKind.CACHE: "data",
    ComponentKind.MESSAGE_QUEUE: "data",
}  # fmt: skip


def config_story(component: Component, rng: np.random.Generator) -> str:
    """A plausible description of a configuration change on this kind of component."""
    return pick(rng, CONFIG_STORIES[_STORY_OF_KIND.get(component.kind, "platform")])
