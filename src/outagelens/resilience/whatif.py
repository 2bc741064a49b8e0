"""What-if: fail some entities and tell who goes down, for how long, and what it costs.

Recovery model (see docs/resilience.md):
* every failed root comes back after its `recovery.restore_minutes` (components and locations;
  other entities use the default of `Recovery`);
* a subscription that is down stays down until enough roots are restored for it to work again:
  the smallest restore time t such that the roots still failed after t no longer down it;
* a redundancy group that loses members but keeps k fails over: for `failover_minutes` its
  owner behaves as failed, so whatever that transient failure would take down has a brief
  outage (the subscription's own location group uses `location_failover_minutes`).
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

from outagelens.resilience.costs import CostEstimate, estimate_outage_cost
from outagelens.resilience.cutsets import ResilienceError
from outagelens.topology.catalog import Catalog
from outagelens.topology.graph import NodeKind, PropagationState
from outagelens.topology.models import Recovery
from outagelens.topology.validate import deployment_id

DEFAULT_RESTORE_MINUTES = Recovery().restore_minutes


@dataclass(frozen=True, slots=True)
class SubscriptionOutage:
    """How one subscription fares in a what-if: down until restored, or a failover blip."""

    subscription: str
    customer: str
    state: str  # "down" or "failover"
    minutes: float
    cost: CostEstimate
    path: tuple[str, ...]  # from the subscription back to a failed root


@dataclass(frozen=True)
class WhatIfResult:
    """Outcome of failing a set of entities together."""

    failed: tuple[str, ...]
    restore_minutes: dict[str, float]
    outages: tuple[SubscriptionOutage, ...]
    degraded_groups: tuple[tuple[str, str, int, int], ...]

    @property
    def customers_down(self) -> tuple[str, ...]:
        """Customers with at least one subscription down (not only failing over)."""
        return tuple(sorted({o.customer for o in self.outages if o.state == "down"}))

    @property
    def total_revenue_lost(self) -> float:
        """Sum of revenue lost over all outages (one currency assumed per catalog)."""
        return sum(o.cost.revenue_lost for o in self.outages)

    @property
    def total_sla_credit(self) -> float:
        """Sum of SLA credits owed over all outages."""
        return sum(o.cost.sla_credit for o in self.outages)


def failover_minutes_by_group(catalog: Catalog) -> dict[tuple[str, str], float]:
    """(owner id, group name) -> failover minutes, for every group in the compiled graph."""
    out: dict[tuple[str, str], float] = {}
    for comp in catalog.data.components:
        out.update({(comp.id, g.name): g.failover_minutes for g in comp.redundancy})
    for svc in catalog.data.services:
        out.update({(svc.id, g.name): g.failover_minutes for g in svc.redundancy})
        for loc, dep in svc.locations.items():
            did = deployment_id(svc.id, loc)
            out.update({(did, g.name): g.failover_minutes for g in dep.redundancy})
    for sid, ref in catalog.subscriptions.items():
        out.update({(sid, g.name): g.failover_minutes for g in ref.subscription.redundancy})
        out.setdefault((sid, "locations"), ref.subscription.location_failover_minutes)
    return out


def restore_minutes_of(catalog: Catalog, entity: str) -> float:
    """Minutes to restore an entity after it failed."""
    if entity in catalog.components:
        return catalog.components[entity].recovery.restore_minutes
    if entity in catalog.locations:
        return catalog.locations[entity].recovery.restore_minutes
    return DEFAULT_RESTORE_MINUTES


def _resolve(catalog: Catalog, failed: Sequence[str]) -> list[int]:
    if not failed:
        raise ResilienceError("what-if needs at least one entity to fail")
    nodes = []
    for f in dict.fromkeys(failed):
        if f in catalog.customers:
            raise ResilienceError(f"'{f}' is a customer; fail components or locations instead")
        catalog.kind_of(f)  # raises UnknownEntityError with suggestions
        nodes.append(catalog.graph.index[f])
    return nodes


def _restore_steps(
    catalog: Catalog, roots: list[int], restore: list[float]
) -> list[tuple[float, frozenset[int]]]:
    """For each distinct restore time t, ascending: what is still down once t has passed."""
    graph = catalog.graph
    steps = []
    for t in sorted(set(restore)):
        still = [r for r, m in zip(roots, restore, strict=True) if m > t]
        steps.append((t, frozenset(graph.propagate(still).down) if still else frozenset()))
    return steps


def _down_minutes(steps: list[tuple[float, frozenset[int]]], sub: int) -> float:
    """Smallest restore time after which the roots still failed no longer down `sub`."""
    for t, down in steps:
        if sub not in down:
            return t
    return steps[-1][0]


def _transient(state: PropagationState, start: int) -> dict[int, int]:
    """Nodes a brief failure of `start` adds to `state`'s outage, each with the node it lost.

    Incremental: only the new failures are walked, counting group losses on top of those
    already in `state`, so a site loss with many failing-over groups stays linear.
    """
    graph = state.graph
    rev_ptr, rev_node, rev_group = graph.rev_ptr, graph.rev_node, graph.rev_group
    extra: dict[int, int] = {start: -1}
    extra_lost: dict[int, int] = {}
    stack = [start]
    while stack:
        u = stack.pop()
        for e in range(rev_ptr[u], rev_ptr[u + 1]):
            v, g = rev_node[e], rev_group[e]
            if g >= 0:
                extra_lost[g] = extra_lost.get(g, 0) + 1
            if v in state.down or v in extra:
                continue
            if g >= 0:
                n = graph.mem_ptr[g + 1] - graph.mem_ptr[g]
                lost = len(state.group_failed.get(g, ())) + extra_lost[g]
                if n - lost >= graph.grp_k[g]:
                    continue
            extra[v] = u
            stack.append(v)
    return extra


def _failover_blips(
    catalog: Catalog, state: PropagationState, failovers: dict[tuple[str, str], float]
) -> dict[int, tuple[float, tuple[str, ...]]]:
    """Subscription -> (longest failover it sits through, path to a failed root)."""
    graph = catalog.graph
    blips: dict[int, tuple[float, tuple[str, ...]]] = {}
    for grp, members in state.group_failed.items():
        owner = graph.grp_owner[grp]
        minutes = failovers.get((graph.ids[owner], graph.grp_names[grp]), 0.0)
        if owner in state.down or minutes <= 0:
            continue
        extra = _transient(state, owner)
        for s in extra:
            if graph.kinds[s] is not NodeKind.SUBSCRIPTION or minutes <= blips.get(s, (0.0,))[0]:
                continue
            chain = [s]
            while extra[chain[-1]] >= 0:
                chain.append(extra[chain[-1]])
            path = [graph.ids[i] for i in chain] + state.path(members[0])
            blips[s] = (minutes, tuple(path))
    return blips


def whatif(
    catalog: Catalog,
    failed: Sequence[str],
    failovers: dict[tuple[str, str], float] | None = None,
) -> WhatIfResult:
    """Who goes down when `failed` fail together, for how long, and what it costs.

    `failovers` (from `failover_minutes_by_group`) can be passed to reuse it across calls.
    """
    graph = catalog.graph
    roots = _resolve(catalog, failed)
    restore = [restore_minutes_of(catalog, graph.ids[r]) for r in roots]
    state = graph.propagate(roots)
    steps = _restore_steps(catalog, roots, restore)
    outages: dict[str, SubscriptionOutage] = {}
    for s in sorted(state.down):
        if graph.kinds[s] is not NodeKind.SUBSCRIPTION:
            continue
        sid = graph.ids[s]
        ref = catalog.subscriptions[sid]
        minutes = _down_minutes(steps, s)
        outages[sid] = SubscriptionOutage(
            sid,
            ref.customer.id,
            "down",
            minutes,
            estimate_outage_cost(ref.subscription, minutes),
            tuple(state.path(s)),
        )
    failovers = failovers if failovers is not None else failover_minutes_by_group(catalog)
    blips = _failover_blips(catalog, state, failovers)
    for s, (minutes, path) in sorted(blips.items()):
        sid = graph.ids[s]
        ref = catalog.subscriptions[sid]
        cost = estimate_outage_cost(ref.subscription, minutes)
        outages[sid] = SubscriptionOutage(sid, ref.customer.id, "failover", minutes, cost, path)
    ordered = sorted(
        outages.values(), key=lambda o: (o.state != "down", -o.minutes, o.subscription)
    )
    return WhatIfResult(
        failed=tuple(graph.ids[r] for r in roots),
        restore_minutes={graph.ids[r]: m for r, m in zip(roots, restore, strict=True)},
        outages=tuple(ordered),
        degraded_groups=tuple(state.degraded_groups()),
    )


def locations_of_region(catalog: Catalog, region: str) -> list[str]:
    """Location ids of one region; raises if the region is unknown."""
    locs = [loc.id for loc in catalog.locations.values() if loc.region == region]
    if not locs:
        known = sorted({loc.region for loc in catalog.locations.values()})
        raise ResilienceError(f"unknown region '{region}' (known: {', '.join(known)})")
    return locs
