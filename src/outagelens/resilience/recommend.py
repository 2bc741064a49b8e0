"""Recommendations: the smallest catalog changes that remove the most customer-weighted SPOFs.

Each candidate change is applied to a copy of the catalog data, the catalog is rebuilt, and
the SPOF analysis re-run, so every before/after figure is measured, never assumed. Changes:
* `redundant-peer`: a component others require gets a peer (same kind, site and
  dependencies); every direct `requires` on it becomes a 1-of-2 group with the peer;
* `group-member`: a k-of-n group with k == n (each member a SPOF) gets one more member,
  a copy of an existing one, so it tolerates one failure;
* `second-location`: a single-location subscription whose service is deployed elsewhere adds
  that location (another region first) and keeps its needed count, gaining one spare site.
"""

from __future__ import annotations

import itertools
from collections.abc import Callable
from dataclasses import dataclass

from outagelens.errors import CatalogError, OutageLensError
from outagelens.resilience.cutsets import ResilienceError, single_failure_sets, spof_ranking
from outagelens.topology.catalog import Catalog
from outagelens.topology.models import CatalogFile, Component, Dependent, RedundancyGroup
from outagelens.topology.validate import deployment_id, subscription_id

Rewire = Callable[[str, Dependent], Dependent]


@dataclass(frozen=True, slots=True)
class RecommendConfig:
    """How many SPOFs and subscriptions to try changes for, and how many to keep."""

    max_candidates: int = 25
    top: int = 10
    # Each candidate rebuilds and re-analyses the whole catalog; at most this many graph nodes
    # in total are re-analysed (candidates x nodes), so big catalogs try fewer changes.
    work_budget: int = 1_000_000

    def __post_init__(self) -> None:
        if self.max_candidates < 1 or self.top < 1 or self.work_budget < 1:
            raise ResilienceError("max_candidates, top and work_budget must be positive")

    def candidate_limit(self, nodes: int) -> int:
        """How many candidate changes to evaluate on a graph of `nodes` nodes (at least 3)."""
        return max(3, self.work_budget // max(nodes, 1))


@dataclass(frozen=True, slots=True)
class Change:
    """One concrete catalog change."""

    kind: str  # "redundant-peer", "group-member" or "second-location"
    target: str
    description: str
    adds: tuple[str, ...] = ()
    args: tuple[str, ...] = ()  # what `apply_change` needs to make the change again


@dataclass(frozen=True, slots=True)
class ResilienceScore:
    """SPOF figures of a whole catalog."""

    customer_spofs: int  # sum over SPOF components of the customers each takes down
    spof_components: int
    shared_spofs: int  # SPOF components that take down two or more customers
    subscriptions_exposed: int  # subscriptions with at least one component SPOF
    revenue_exposed_per_hour: float  # revenue per hour of those subscriptions


@dataclass(frozen=True, slots=True)
class Recommendation:
    """A change with the measured figures before and after it."""

    change: Change
    before: ResilienceScore
    after: ResilienceScore
    removed_spofs: tuple[str, ...]

    @property
    def gain(self) -> int:
        """Customer-weighted SPOFs removed."""
        return self.before.customer_spofs - self.after.customer_spofs


def score(catalog: Catalog) -> tuple[ResilienceScore, frozenset[str]]:
    """The catalog's SPOF figures and the set of SPOF component ids."""
    singles = single_failure_sets(catalog)
    ranking = spof_ranking(catalog, singles)
    exposed = [s for s, spofs in singles.items() if spofs]
    revenue = sum(
        60 * catalog.subscriptions[s].subscription.business.revenue_per_minute for s in exposed
    )
    return (
        ResilienceScore(
            customer_spofs=sum(len(r.customers) for r in ranking),
            spof_components=len(ranking),
            shared_spofs=sum(1 for r in ranking if r.shared),
            subscriptions_exposed=len(exposed),
            revenue_exposed_per_hour=revenue,
        ),
        frozenset(r.entity for r in ranking),
    )


def _fresh_id(catalog: Catalog, base: str) -> str:
    candidate, n = base, 2
    while catalog.has(candidate):
        candidate, n = f"{base}-{n}", n + 1
    return candidate


def _rewired(data: CatalogFile, fn: Rewire, extra: list[Component] | None = None) -> CatalogFile:
    """Apply `fn(owner id, dependent)` to every component, service, deployment, subscription."""
    comps = [fn(c.id, c) for c in data.components]
    services = []
    for svc in data.services:
        locs = {loc: fn(deployment_id(svc.id, loc), d) for loc, d in svc.locations.items()}
        services.append(fn(svc.id, svc).model_copy(update={"locations": locs}))
    customers = []
    for cust in data.customers:
        subs = [fn(subscription_id(cust.id, s), s) for s in cust.subscriptions]
        customers.append(cust.model_copy(update={"subscriptions": subs}))
    update = {"components": [*comps, *(extra or [])], "services": services, "customers": customers}
    return data.model_copy(update=update)


def with_redundant_peer(catalog: Catalog, component: str) -> tuple[Catalog, Change]:
    """Add a peer of `component` and turn every direct requires on it into a 1-of-2 group."""
    comp = catalog.components[component]
    peer_id = _fresh_id(catalog, f"{component}-peer")

    def fn(owner: str, dep: Dependent) -> Dependent:
        if component not in dep.requires:
            return dep
        taken = {g.name for g in dep.redundancy}
        name = next(
            n
            for n in (f"{component}-pair", *(f"{component}-pair-{i}" for i in range(2, 99)))
            if n not in taken
        )
        group = RedundancyGroup(name=name, k=1, members=[component, peer_id])
        reqs = [r for r in dep.requires if r != component]
        return dep.model_copy(update={"requires": reqs, "redundancy": [*dep.redundancy, group]})

    peer = comp.model_copy(update={"id": peer_id, "name": f"{comp.name or component} (peer)"})
    data = _rewired(catalog.data, fn, [peer])
    where = f" in {comp.location}" if comp.location else ""
    change = Change(
        "redundant-peer",
        component,
        f"add a redundant peer of {component}{where}; dependents need 1 of the 2",
        (peer_id,),
        (component,),
    )
    return Catalog(data, source=catalog.source), change


def with_group_member(catalog: Catalog, owner: str, group: str) -> tuple[Catalog, Change]:
    """Add one member (a copy of the first component member) to group `group` of `owner`."""
    target = next(g for g in _groups_of(catalog, owner) if g.name == group)
    source = next(m for m in target.members if m in catalog.components)
    new_id = _fresh_id(catalog, f"{source}-extra")
    member = catalog.components[source].model_copy(update={"id": new_id})

    def fn(oid: str, dep: Dependent) -> Dependent:
        if oid != owner:
            return dep
        groups = [
            g.model_copy(update={"members": [*g.members, new_id]}) if g.name == group else g
            for g in dep.redundancy
        ]
        return dep.model_copy(update={"redundancy": groups})

    data = _rewired(catalog.data, fn, [member])
    n = len(target.members)
    change = Change(
        "group-member",
        f"{owner}:{group}",
        f"add a member to group '{group}' of {owner} ({target.k} of {n} -> {target.k} of {n + 1})",
        (new_id,),
        (owner, group),
    )
    return Catalog(data, source=catalog.source), change


def with_second_location(catalog: Catalog, sub_id: str, location: str) -> tuple[Catalog, Change]:
    """Add `location` to a subscription, keeping how many locations it needs."""
    ref = catalog.subscriptions[sub_id]
    sub = ref.subscription
    needed = sub.min_healthy_locations or len(sub.locations)

    def fn(oid: str, dep: Dependent) -> Dependent:
        if oid != sub_id:
            return dep
        return dep.model_copy(
            update={"locations": [*sub.locations, location], "min_healthy_locations": needed}
        )

    data = _rewired(catalog.data, fn)
    region = catalog.locations[location].region
    change = Change(
        "second-location",
        sub_id,
        f"run {sub_id} also in {location} ({region}), active-active needing {needed}",
        (),
        (sub_id, location),
    )
    return Catalog(data, source=catalog.source), change


def _groups_of(catalog: Catalog, owner: str) -> list[RedundancyGroup]:
    if owner in catalog.components:
        return list(catalog.components[owner].redundancy)
    if owner in catalog.subscriptions:
        return list(catalog.subscriptions[owner].subscription.redundancy)
    if owner in catalog.services:
        return list(catalog.services[owner].redundancy)
    svc, _, loc = owner.rpartition("@")
    return list(catalog.services[svc].locations[loc].redundancy)


Candidate = Callable[[], tuple[Catalog, Change]]


def _peer_candidates(catalog: Catalog, spofs: list[str]) -> list[Candidate]:
    graph = catalog.graph
    out: list[Candidate] = []
    for x in spofs:
        i = graph.index[x]
        if any(graph.rev_group[e] < 0 for e in range(graph.rev_ptr[i], graph.rev_ptr[i + 1])):
            out.append(lambda x=x: with_redundant_peer(catalog, x))  # type: ignore[misc]
    return out


def _member_candidates(catalog: Catalog, spofs: set[str]) -> list[Candidate]:
    graph = catalog.graph
    out: list[Candidate] = []
    seen: set[tuple[str, str]] = set()
    for g in range(len(graph.grp_k)):
        members = [graph.ids[m] for m in graph.members_of(g)]
        owner, name = graph.ids[graph.grp_owner[g]], graph.grp_names[g]
        if graph.grp_k[g] != len(members) or (owner, name) in seen:
            continue
        if not any(m in spofs for m in members) or not any(
            m in catalog.components for m in members
        ):
            continue
        if not any(grp.name == name for grp in _groups_of(catalog, owner)):
            continue  # the compiled location group of a subscription is not a catalog group
        seen.add((owner, name))
        out.append(lambda o=owner, n=name: with_group_member(catalog, o, n))  # type: ignore[misc]
    return out


def _location_candidates(catalog: Catalog, limit: int) -> list[Candidate]:
    sites = single_failure_sets(catalog, "location")
    refs = sorted(
        (catalog.subscriptions[s] for s, locs in sites.items() if locs),
        key=lambda r: (-r.subscription.business.revenue_per_minute, r.id),
    )
    out: list[Candidate] = []
    for ref in refs[:limit]:
        sub = ref.subscription
        deployed = list(catalog.services[sub.service].locations)
        spare = [loc for loc in deployed if loc not in sub.locations]
        if not spare:
            continue
        regions = {catalog.locations[loc].region for loc in sub.locations}
        spare.sort(key=lambda loc: (catalog.locations[loc].region in regions, loc))
        out.append(lambda s=ref.id, loc=spare[0]: with_second_location(catalog, s, loc))  # type: ignore[misc]
    return out


def recommend(
    catalog: Catalog, config: RecommendConfig | None = None
) -> tuple[Recommendation, ...]:
    """Candidate changes ranked by customer-weighted SPOFs removed, each measured after/before."""
    config = config or RecommendConfig()
    before, spofs_before = score(catalog)
    ranking = spof_ranking(catalog, single_failure_sets(catalog))
    top = [r.entity for r in ranking[: config.max_candidates]]
    kinds = [
        _peer_candidates(catalog, top),
        _member_candidates(catalog, set(top)),
        _location_candidates(catalog, config.max_candidates),
    ]
    # Round-robin over the kinds so a tight budget still tries each kind's best candidates.
    ordered = [c for batch in itertools.zip_longest(*kinds) for c in batch if c is not None]
    candidates = ordered[: config.candidate_limit(len(catalog.graph))]
    out = []
    for make in candidates:
        try:
            changed, change = make()
        except CatalogError:
            continue  # a change the catalog rules reject is no recommendation
        after, spofs_after = score(changed)
        rec = Recommendation(change, before, after, tuple(sorted(spofs_before - spofs_after)))
        if rec.gain > 0 or after.revenue_exposed_per_hour < before.revenue_exposed_per_hour:
            out.append(rec)
    out.sort(
        key=lambda r: (
            -r.gain,
            r.after.revenue_exposed_per_hour - r.before.revenue_exposed_per_hour,
            r.change.kind,
            r.change.target,
        )
    )
    return tuple(out[: config.top])


@dataclass(frozen=True, slots=True)
class Plan:
    """Several recommended changes made together, measured on the combined catalog."""

    changes: tuple[Change, ...]
    before: ResilienceScore
    after: ResilienceScore
    removed_spofs: tuple[str, ...]


def apply_change(catalog: Catalog, change: Change) -> Catalog:
    """Make `change` (as recorded by a recommendation) on `catalog`."""
    makers: dict[str, Callable[..., tuple[Catalog, Change]]] = {
        "redundant-peer": with_redundant_peer,
        "group-member": with_group_member,
        "second-location": with_second_location,
    }
    if change.kind not in makers:
        raise ResilienceError(f"unknown change kind '{change.kind}'")
    changed, _ = makers[change.kind](catalog, *change.args)
    return changed


def combined_plan(
    catalog: Catalog, recommendations: tuple[Recommendation, ...], size: int = 3
) -> Plan | None:
    """Apply the first `size` recommendations one after the other and measure the result.

    A change that no longer applies (its target vanished or was already made redundant by an
    earlier one) is skipped rather than forced.
    """
    if not recommendations:
        return None
    before, spofs_before = score(catalog)
    current = catalog
    made: list[Change] = []
    for rec in recommendations:
        if len(made) == size:
            break
        try:
            current = apply_change(current, rec.change)
        except (KeyError, StopIteration, OutageLensError):
            continue
        made.append(rec.change)
    after, spofs_after = score(current)
    return Plan(tuple(made), before, after, tuple(sorted(spofs_before - spofs_after)))
