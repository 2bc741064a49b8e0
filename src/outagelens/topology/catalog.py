"""The `Catalog`: validated entities, the compiled dependency graph, and queries over them."""

from __future__ import annotations

import difflib
from collections.abc import Iterable
from dataclasses import dataclass

from outagelens.errors import CatalogError, UnknownEntityError
from outagelens.topology.compile import Inconsistent, compile_catalog
from outagelens.topology.construct import gc_paused
from outagelens.topology.graph import FailureCause, PropagationState
from outagelens.topology.models import (
    CatalogFile,
    Component,
    Customer,
    Location,
    Service,
    Subscription,
)
from outagelens.topology.propagation import Propagation, build_propagation
from outagelens.topology.validate import check_catalog, subscription_id

__all__ = [
    "BlastRadius",
    "Catalog",
    "FailureCause",
    "Propagation",
    "SharedInfrastructure",
    "SubscriptionRef",
]


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
class BlastRadius:
    """Customers and subscriptions a failure of one entity takes down."""

    entity: str
    customers: tuple[str, ...]
    subscriptions: tuple[str, ...]
    propagation: Propagation


class Catalog:
    """A validated catalog with its dependency graph."""

    def __init__(self, data: CatalogFile, *, source: str | None = None) -> None:
        self.data = data
        self.source = source
        self.provider = data.provider
        with gc_paused():
            try:
                self._compiled = compile_catalog(data)
            except Inconsistent as exc:
                check_catalog(data, source)  # names every problem with entity and field
                raise CatalogError(f"inconsistent catalog: {exc}", file=source) from None
            self.locations: dict[str, Location] = {x.id: x for x in data.locations}
            self.components: dict[str, Component] = {x.id: x for x in data.components}
            self.services: dict[str, Service] = {x.id: x for x in data.services}
            self.customers: dict[str, Customer] = {x.id: x for x in data.customers}
            self.subscriptions: dict[str, SubscriptionRef] = {}
            for cust in data.customers:
                for sub in cust.subscriptions:
                    sid = subscription_id(cust.id, sub)
                    self.subscriptions[sid] = SubscriptionRef(sid, cust, sub)
        self.graph = self._compiled.graph
        self._check_cycles()

    def _check_cycles(self) -> None:
        g = self.graph
        cycle = g.find_cycle()
        if cycle is not None:
            names = " -> ".join(g.ids[i] for i in cycle)
            raise CatalogError(
                f"dependency cycle: {names}",
                file=self.source,
                entity=g.ids[cycle[0]],
                field=self._cycle_field(cycle[0], cycle[1]),
            )

    def _cycle_field(self, node: int, nxt: int) -> str:
        """The field of `node` that holds the reference to `nxt`, e.g. 'redundancy[0].members'."""
        g = self.graph
        if nxt in g.requires_of(node):
            return "requires"
        for pos, grp in enumerate(g.groups_of(node)):
            if nxt in g.members_of(grp):
                return f"redundancy[{pos}].members"
        return "requires/redundancy"

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
        subs = self.customers[customer_id].subscriptions
        return [self.subscriptions[subscription_id(customer_id, s)] for s in subs]

    # -- queries -----------------------------------------------------------------------------

    def propagate(self, failed: Iterable[str]) -> Propagation:
        """Everything that is down when the given entities fail, with the cause of each."""
        failed_ids = list(dict.fromkeys(failed))
        nodes = [n for f in failed_ids for n in self._nodes_of(f)]
        return self._result(failed_ids, self.graph.propagate(nodes))

    def _result(self, failed: list[str], state: PropagationState) -> Propagation:
        return build_propagation(self._compiled, failed, state, self.subscriptions)

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
