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

from outagelens.resilience.whatif import whatif
from outagelens.topology.catalog import Catalog
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


def _uncovered(catalog: Catalog, stateful: list[str]) -> list[str]:
    """Drop stateful components whose data a replicated stateful dependent already holds."""
    covered: set[str] = set()
    for c in stateful:
        if catalog.components[c].replication is not None:
            covered.update(catalog.dependencies(c))
    return [c for c in stateful if c not in covered]


def run_scenario(catalog: Catalog, kind: str, name: str, locations: list[str]) -> DrillScenario:
    """Fail `locations` together and check every subscription against its DR targets."""
    result = whatif(catalog, locations)
    outages = {o.subscription: o for o in result.outages}
    lost = frozenset(catalog.propagate(locations).down)
    checks = []
    for sid, ref in catalog.subscriptions.items():
        deps = catalog.dependencies(sid)
        lost_state = [
            c
            for c in deps
            if c in lost and c in catalog.components and _is_stateful(catalog.components[c])
        ]
        lost_state = _uncovered(catalog, lost_state)
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
                lost_data_on=tuple(sorted(lost_state)),
            )
        )
    return DrillScenario(kind, name, tuple(sorted(locations)), tuple(checks))


def dr_drill(catalog: Catalog) -> tuple[DrillScenario, ...]:
    """Every location loss, then every region loss (regions with one location included)."""
    scenarios = [run_scenario(catalog, "location", loc, [loc]) for loc in sorted(catalog.locations)]
    regions: dict[str, list[str]] = {}
    for loc in catalog.locations.values():
        regions.setdefault(loc.region, []).append(loc.id)
    scenarios += [run_scenario(catalog, "region", r, locs) for r, locs in sorted(regions.items())]
    return tuple(scenarios)
