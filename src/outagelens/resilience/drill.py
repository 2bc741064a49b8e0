"""DR drill: lose each location and each region in turn; check every subscription's RTO/RPO.

RTO: the what-if outage length of the subscription (restore time of the lost site when nothing
takes over, the failover time when a redundancy group or location group takes over).
RPO: the worst data loss over the stateful components the subscription depends on that are
lost: synchronous replication to a surviving target loses nothing, asynchronous loses its lag,
no replication (or a replica lost with the primary) loses everything (unbounded). A replicated
component covers the stateful components it depends on (its replica holds their data).
"""

from __future__ import annotations

import math
from dataclasses import dataclass

from outagelens.resilience.cutsets import bottom_up
from outagelens.resilience.whatif import failover_minutes_by_group, whatif
from outagelens.topology.catalog import Catalog
from outagelens.topology.graph import DependencyGraph, NodeKind
from outagelens.topology.models import Component, ComponentKind

STATEFUL_KINDS = frozenset(
    {ComponentKind.DATABASE, ComponentKind.STORAGE, ComponentKind.MESSAGE_QUEUE}
)


@dataclass(frozen=True, slots=True)
class DrillCheck:
    """One subscription's result in one drill scenario."""

    subscription: str
    customer: str
    affected: bool
    recovery_minutes: float
    data_loss_minutes: float  # math.inf when unbounded
    rto_minutes: float | None
    rpo_minutes: float | None
    lost_data_on: tuple[str, ...]

    @property
    def status(self) -> str:
        """'pass', 'fail', 'unaffected' or 'no-target' (no DR targets in the catalog)."""
        if not self.affected:
            return "unaffected"
        if self.rto_minutes is None or self.rpo_minutes is None:
            return "no-target"
        rto_ok = self.recovery_minutes <= self.rto_minutes
        rpo_ok = self.data_loss_minutes <= self.rpo_minutes
        return "pass" if rto_ok and rpo_ok else "fail"


@dataclass(frozen=True)
class DrillScenario:
    """Loss of one location or one whole region, with every subscription's check."""

    kind: str  # "location" or "region"
    name: str
    locations: tuple[str, ...]
    checks: tuple[DrillCheck, ...]

    def customer_status(self) -> dict[str, str]:
        """Per customer: 'fail' if any subscription fails, else the best-informed status."""
        out: dict[str, str] = {}
        rank = {"fail": 3, "no-target": 2, "pass": 1, "unaffected": 0}
        for c in self.checks:
            if rank[c.status] > rank.get(out.get(c.customer, "unaffected"), 0):
                out[c.customer] = c.status
            out.setdefault(c.customer, c.status)
        return dict(sorted(out.items()))


def data_loss_minutes(comp: Component, lost: frozenset[str]) -> float:
    """Minutes of data lost when `comp` is lost, from its replication settings."""
    rep = comp.replication
    if rep is None or rep.mode == "none":
        return math.inf
    if rep.target is not None and rep.target in lost:
        return math.inf
    return 0.0 if rep.mode == "sync" else rep.lag_seconds / 60.0


def _is_stateful(comp: Component) -> bool:
    return comp.kind in STATEFUL_KINDS or comp.replication is not None


class _StatefulIndex:
    """Stateful components each subscription depends on, and what each one covers."""

    def __init__(self, catalog: Catalog) -> None:
        graph = catalog.graph
        mask = [
            graph.kinds[i] is NodeKind.COMPONENT and _is_stateful(catalog.components[graph.ids[i]])
            for i in range(len(graph))
        ]
        keep = [graph.kinds[i] is NodeKind.SUBSCRIPTION for i in range(len(graph))]
        closure = _closures(graph, mask, keep)
        self.of_subscription = {
            graph.ids[i]: tuple(sorted(graph.ids[x] for x in closure[i] or ()))
            for i in range(len(graph))
            if keep[i]
        }
        self.failovers = failover_minutes_by_group(catalog)
        self._catalog = catalog
        self._covers: dict[str, frozenset[str]] = {}

    def covers(self, component: str) -> frozenset[str]:
        """What a replicated component's replica also holds: everything it depends on."""
        if component not in self._covers:
            self._covers[component] = frozenset(self._catalog.dependencies(component))
        return self._covers[component]


def _closures(
    graph: DependencyGraph, mask: list[bool], keep: list[bool]
) -> list[frozenset[int] | None]:
    """Per kept node: the masked nodes in its dependency closure (bottom-up, shared sets)."""

    def compute(v: int, done: list[frozenset[int] | None]) -> frozenset[int]:
        deps = graph.dependencies_of(v)
        if len(deps) == 1 and not mask[deps[0]]:
            return done[deps[0]] or frozenset()
        acc: set[int] = set()
        for d in deps:
            acc |= done[d] or frozenset()
            if mask[d]:
                acc.add(d)
        return frozenset(acc)

    return bottom_up(graph, keep, compute)


def run_scenario(
    catalog: Catalog,
    kind: str,
    name: str,
    locations: list[str],
    index: _StatefulIndex | None = None,
) -> DrillScenario:
    """Fail `locations` together and check every subscription against its DR targets."""
    index = index or _StatefulIndex(catalog)
    result = whatif(catalog, locations, index.failovers)
    outages = {o.subscription: o for o in result.outages}
    lost = frozenset(catalog.propagate(locations).down)
    checks = []
    for sid, ref in catalog.subscriptions.items():
        lost_state = [c for c in index.of_subscription[sid] if c in lost]
        covered: set[str] = set()
        for c in lost_state:
            if catalog.components[c].replication is not None:
                covered |= index.covers(c)
        lost_state = [c for c in lost_state if c not in covered]
        loss = max(
            (data_loss_minutes(catalog.components[c], lost) for c in lost_state), default=0.0
        )
        outage = outages.get(sid)
        dr = ref.subscription.dr
        checks.append(
            DrillCheck(
                subscription=sid,
                customer=ref.customer.id,
                affected=outage is not None or bool(lost_state),
                recovery_minutes=outage.minutes if outage else 0.0,
                data_loss_minutes=loss,
                rto_minutes=dr.rto_minutes if dr else None,
                rpo_minutes=dr.rpo_minutes if dr else None,
                lost_data_on=tuple(lost_state),
            )
        )
    return DrillScenario(kind, name, tuple(sorted(locations)), tuple(checks))


def dr_drill(catalog: Catalog) -> tuple[DrillScenario, ...]:
    """Every location loss, then every region loss (regions with one location included)."""
    index = _StatefulIndex(catalog)
    scenarios = [
        run_scenario(catalog, "location", loc, [loc], index) for loc in sorted(catalog.locations)
    ]
    regions: dict[str, list[str]] = {}
    for loc in catalog.locations.values():
        regions.setdefault(loc.region, []).append(loc.id)
    scenarios += [
        run_scenario(catalog, "region", r, locs, index) for r, locs in sorted(regions.items())
    ]
    return tuple(scenarios)
