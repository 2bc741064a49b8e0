"""The `Catalog`: validated entities, the compiled dependency graph, and queries over them."""

from __future__ import annotations

import difflib
from collections.abc import Iterable
from dataclasses import dataclass

from outagelens.errors import CatalogError, UnknownEntityError
from outagelens.topology.graph import (
    DependencyGraph,
    FailureCause,
    GroupSpec,
    NodeKind,
    NodeSpec,
    PropagationState,
)
from outagelens.topology.models import (
    CatalogFile,
    Component,
    Customer,
    Dependent,
    Location,
    Service,
    Subscription,
)
from outagelens.topology.validate import check_catalog, deployment_id, find_cycle, subscription_id


@dataclass(frozen=True, slots=True)
class SubscriptionRef:
    """A subscription with its owner, as the catalog resolves it."""

    id: str
    customer: Customer
    subscription: Subscription

    @property
    def service(self) -> str:
        """Service id."""
        return self.subscription.service


@dataclass(frozen=True)
class Propagation:
    """Everything that is down when a set of entities fails, and why."""

    failed: tuple[str, ...]
    locations: tuple[str, ...]
    components: tuple[str, ...]
    services: tuple[str, ...]
    deployments: tuple[str, ...]
    subscriptions: tuple[str, ...]
    customers: tuple[str, ...]
    partial_subscriptions: tuple[str, ...]
    partial_customers: tuple[str, ...]
    affected_locations: tuple[str, ...]
    causes: dict[str, FailureCause]
    paths: dict[str, tuple[str, ...]]
    degraded_groups: tuple[tuple[str, str, int, int], ...]

    @property
    def affected_customers(self) -> tuple[str, ...]:
        """Customers with a subscription down or running on reduced redundancy of locations."""
        return tuple(sorted({*self.customers, *self.partial_customers}))

    @property
    def down(self) -> frozenset[str]:
        """Every entity id that is down (not customers)."""
        return frozenset(self.causes)

    def is_down(self, entity_id: str) -> bool:
        """Whether an entity is down (a customer: when any of its subscriptions is)."""
        return entity_id in self.causes or entity_id in self.customers


@dataclass(frozen=True)
class BlastRadius:
    """Customers and subscriptions a failure of one entity takes down."""

    entity: str
    customers: tuple[str, ...]
    subscriptions: tuple[str, ...]
    propagation: Propagation


class Catalog:
    """A validated catalog with its dependency graph."""

    def __init__(self, data: CatalogFile, *, source: str | None = None) -> None:
        check_catalog(data, source)
        self.data = data
        self.source = source
        self.provider = data.provider
        self.locations: dict[str, Location] = {x.id: x for x in data.locations}
        self.components: dict[str, Component] = {x.id: x for x in data.components}
        self.services: dict[str, Service] = {x.id: x for x in data.services}
        self.customers: dict[str, Customer] = {x.id: x for x in data.customers}
        self.subscriptions: dict[str, SubscriptionRef] = {}
        for cust in data.customers:
            for sub in cust.subscriptions:
                sid = subscription_id(cust.id, sub)
                self.subscriptions[sid] = SubscriptionRef(sid, cust, sub)
        self.graph = DependencyGraph(self._nodes())
        self._check_cycles()

    # -- compilation -------------------------------------------------------------------------

    def _nodes(self) -> list[NodeSpec]:
        specs: list[NodeSpec] = []
        for loc in self.data.locations:
            specs.append(NodeSpec(loc.id, NodeKind.LOCATION))
        for comp in self.data.components:
            specs.append(NodeSpec(comp.id, NodeKind.COMPONENT))
        for svc in self.data.services:
            specs.append(NodeSpec(svc.id, NodeKind.SERVICE))
            for loc_id in svc.locations:
                specs.append(NodeSpec(deployment_id(svc.id, loc_id), NodeKind.DEPLOYMENT))
        for sid in self.subscriptions:
            specs.append(NodeSpec(sid, NodeKind.SUBSCRIPTION))
        index = {s.id: i for i, s in enumerate(specs)}

        def fill(spec: NodeSpec, dep: Dependent, extra: Iterable[str] = ()) -> None:
            spec.requires = [index[r] for r in dict.fromkeys([*extra, *dep.requires])]
            spec.groups = [
                GroupSpec(g.name, g.k, tuple(index[m] for m in g.members)) for g in dep.redundancy
            ]

        for comp in self.data.components:
            fill(specs[index[comp.id]], comp, [comp.location] if comp.location else [])
        for svc in self.data.services:
            fill(specs[index[svc.id]], svc)
            for loc_id, dep in svc.locations.items():
                fill(specs[index[deployment_id(svc.id, loc_id)]], dep, [svc.id, loc_id])
        for sid, ref in self.subscriptions.items():
            self._fill_subscription(specs[index[sid]], ref, index)
        return specs

    def _fill_subscription(
        self, spec: NodeSpec, ref: SubscriptionRef, index: dict[str, int]
    ) -> None:
        sub = ref.subscription
        svc = self.services[sub.service]
        sites = [deployment_id(svc.id, loc) if svc.locations else loc for loc in sub.locations]
        k = sub.min_healthy_locations or len(sites)
        requires = [svc.id, *sub.requires]
        groups = [
            GroupSpec(g.name, g.k, tuple(index[m] for m in g.members)) for g in sub.redundancy
        ]
        if k == len(sites):
            requires.extend(sites)
        else:
            groups.append(GroupSpec("locations", k, tuple(index[s] for s in sites)))
        spec.requires = [index[r] for r in dict.fromkeys(requires)]
        spec.groups = groups

    def _check_cycles(self) -> None:
        g = self.graph
        cycle = find_cycle(len(g), g.dependencies_of)
        if cycle is not None:
            names = " -> ".join(g.ids[i] for i in cycle)
            raise CatalogError(
                f"dependency cycle: {names}",
                file=self.source,
                entity=g.ids[cycle[0]],
                field="requires/redundancy",
            )

    # -- lookups -----------------------------------------------------------------------------

    def kind_of(self, entity_id: str) -> str:
        """'location', 'component', 'service', 'deployment', 'subscription' or 'customer'."""
        if entity_id in self.customers:
            return "customer"
        return str(self.graph.kinds[self._node(entity_id)])

    def has(self, entity_id: str) -> bool:
        """Whether the catalog holds an entity with this id."""
        return entity_id in self.graph.index or entity_id in self.customers

    def _node(self, entity_id: str) -> int:
        try:
            return self.graph.index[entity_id]
        except KeyError:
            known = [*self.graph.index, *self.customers]
            close = difflib.get_close_matches(entity_id, known, n=3, cutoff=0.6)
            raise UnknownEntityError(entity_id, close) from None

    def _nodes_of(self, entity_id: str) -> list[int]:
        """Graph nodes an entity stands for (a customer: its subscriptions)."""
        if entity_id in self.customers:
            return [
                self.graph.index[subscription_id(entity_id, s)]
                for s in self.customers[entity_id].subscriptions
            ]
        return [self._node(entity_id)]

    def location_of(self, entity_id: str) -> list[str]:
        """Locations an entity sits in (a subscription or customer: all it uses)."""
        if entity_id in self.locations:
            return [entity_id]
        if entity_id in self.components:
            loc = self.components[entity_id].location
            return [loc] if loc else []
        if "@" in entity_id and entity_id in self.graph.index:
            return [entity_id.rsplit("@", 1)[1]]
        if entity_id in self.subscriptions:
            return list(self.subscriptions[entity_id].subscription.locations)
        if entity_id in self.customers:
            locs: dict[str, None] = {}
            for s in self.customers[entity_id].subscriptions:
                locs.update(dict.fromkeys(s.locations))
            return list(locs)
        self._node(entity_id)
        return []

    def subscriptions_of(self, customer_id: str) -> list[SubscriptionRef]:
        """A customer's subscriptions."""
        if customer_id not in self.customers:
            self._node(customer_id)
            raise UnknownEntityError(customer_id)
        return [r for r in self.subscriptions.values() if r.customer.id == customer_id]

    # -- queries -----------------------------------------------------------------------------

    def propagate(self, failed: Iterable[str]) -> Propagation:
        """Everything that is down when the given entities fail, with the cause of each."""
        failed_ids = list(dict.fromkeys(failed))
        nodes = [n for f in failed_ids for n in self._nodes_of(f)]
        return self._result(failed_ids, self.graph.propagate(nodes))

    def _result(self, failed: list[str], state: PropagationState) -> Propagation:
        g = self.graph
        by_kind: dict[NodeKind, list[str]] = {k: [] for k in NodeKind}
        causes: dict[str, FailureCause] = {}
        paths: dict[str, tuple[str, ...]] = {}
        affected_locs: dict[str, None] = {}
        for i in sorted(state.down, key=g.ids.__getitem__):
            nid = g.ids[i]
            by_kind[g.kinds[i]].append(nid)
            causes[nid] = state.cause(i)
            paths[nid] = tuple(state.path(i))
            affected_locs.update(dict.fromkeys(self.location_of(nid)))
        customers = sorted(
            {self.subscriptions[s].customer.id for s in by_kind[NodeKind.SUBSCRIPTION]}
        )
        degraded = state.degraded_groups()
        partial = sorted({owner for owner, _, _, _ in degraded if owner in self.subscriptions})
        partial_customers = sorted(
            {self.subscriptions[s].customer.id for s in partial} - set(customers)
        )
        return Propagation(
            failed=tuple(failed),
            locations=tuple(by_kind[NodeKind.LOCATION]),
            components=tuple(by_kind[NodeKind.COMPONENT]),
            services=tuple(by_kind[NodeKind.SERVICE]),
            deployments=tuple(by_kind[NodeKind.DEPLOYMENT]),
            subscriptions=tuple(by_kind[NodeKind.SUBSCRIPTION]),
            customers=tuple(customers),
            partial_subscriptions=tuple(partial),
            partial_customers=tuple(partial_customers),
            affected_locations=tuple(sorted(affected_locs)),
            causes=causes,
            paths=paths,
            degraded_groups=tuple(degraded),
        )

    def blast_radius(self, entity_id: str) -> BlastRadius:
        """Customers and subscriptions that a failure of `entity_id` takes down."""
        prop = self.propagate([entity_id])
        return BlastRadius(entity_id, prop.customers, prop.subscriptions, prop)

    def dependents(self, entity_id: str, *, transitive: bool = True) -> list[str]:
        """Entities that depend on `entity_id` (directly, or through any chain)."""
        g = self.graph
        start = self._nodes_of(entity_id)
        if transitive:
            found = g.reachable(start, reverse=True)
        else:
            found = list(dict.fromkeys(d for s in start for d in g.dependents_of(s)))
        return sorted(g.ids[i] for i in found)

    def dependencies(self, entity_id: str, *, transitive: bool = True) -> list[str]:
        """Entities that `entity_id` depends on (directly, or through any chain)."""
        g = self.graph
        start = self._nodes_of(entity_id)
        if transitive:
            found = g.reachable(start, reverse=False)
        else:
            found = list(dict.fromkeys(d for s in start for d in g.dependencies_of(s)))
        return sorted(g.ids[i] for i in found)

    def shared_infrastructure(self, customer_a: str, customer_b: str) -> SharedInfrastructure:
        """Entities both customers depend on, and those whose failure downs both."""
        for c in (customer_a, customer_b):
            if c not in self.customers:
                raise UnknownEntityError(c, difflib.get_close_matches(c, list(self.customers)))
        a = set(self.dependencies(customer_a))
        b = set(self.dependencies(customer_b))
        shared = sorted(a & b)
        both_down = [
            e for e in shared if {customer_a, customer_b} <= set(self.propagate([e]).customers)
        ]
        return SharedInfrastructure(customer_a, customer_b, tuple(shared), tuple(both_down))


@dataclass(frozen=True)
class SharedInfrastructure:
    """What two customers share, and which shared entities take both down when they fail."""

    customer_a: str
    customer_b: str
    shared: tuple[str, ...]
    takes_both_down: tuple[str, ...]
