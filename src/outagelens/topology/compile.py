"""Compile a validated `CatalogFile` into the dependency graph and the lookup arrays of results.

Compilation resolves every reference once. It trusts nothing: any unknown id, duplicate or
reference to the wrong kind stops it, and the caller then runs the full checker of `validate.py`,
which names every problem (file, entity, field). A valid catalog thus pays for one pass only.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass

import numpy as np

from outagelens.topology.graph import DependencyGraph, GraphBuilder, IntArray, NodeKind
from outagelens.topology.models import CatalogFile, Dependent, Service, Subscription
from outagelens.topology.validate import deployment_id, subscription_id


class Inconsistent(Exception):
    """Compilation met a reference problem; the full checker will describe it."""


@dataclass(frozen=True, slots=True)
class Compiled:
    """The graph plus per-node arrays that let results be built without per-node lookups."""

    graph: DependencyGraph
    location_of: IntArray  # node -> its location node (locations: themselves), or -1
    owner: IntArray  # subscription node -> customer position, others -1
    customer_ids: list[str]
    customer_rank: IntArray  # customer position -> position of its id in sorted order
    site_ptr: IntArray  # subscription node -> CSR range of its location nodes
    site_idx: IntArray
    rank: IntArray  # node -> position of its id in sorted order


class _Compiler:
    def __init__(self, data: CatalogFile) -> None:
        self.data = data
        self.b = GraphBuilder()
        self.services: dict[str, Service] = {s.id: s for s in data.services}
        self.location_of: list[int] = []
        self.owner: list[int] = []
        self.site_ptr: list[int] = [0]
        self.site_idx: list[int] = []

    def nodes(self) -> None:
        add, d, K = self.b.add_node, self.data, NodeKind
        for loc in d.locations:
            add(loc.id, K.LOCATION)
        for comp in d.components:
            add(comp.id, K.COMPONENT)
        for svc in d.services:
            add(svc.id, K.SERVICE)
            for loc_id in svc.locations:
                add(deployment_id(svc.id, loc_id), K.DEPLOYMENT)
        customers: set[str] = set()
        for cust in d.customers:
            if cust.id in customers or cust.id in self.b.index:
                raise Inconsistent(f"duplicate id {cust.id}")
            customers.add(cust.id)
            for sub in cust.subscriptions:
                add(subscription_id(cust.id, sub), K.SUBSCRIPTION)
        if self.b.duplicates:
            raise Inconsistent(f"duplicate ids {self.b.duplicates[:5]}")

    def res(self, ref: str, *kinds: NodeKind) -> int:
        i = self.b.index.get(ref)
        if i is None or (kinds and self.b.kinds[i] not in kinds):
            raise Inconsistent(f"bad reference {ref!r}")
        return i

    def dep(self, ref: str) -> int:
        i = self.b.index.get(ref)
        if i is None or self.b.kinds[i] is NodeKind.SUBSCRIPTION:
            raise Inconsistent(f"bad reference {ref!r}")
        return i

    def groups(self, dep: Dependent) -> list[tuple[str, int, Iterable[int]]]:
        return [(g.name, g.k, [self.dep(m) for m in g.members]) for g in dep.redundancy]

    def edges(self, requires: list[int], dep: Dependent, location: int) -> None:
        requires.extend(self.dep(r) for r in dep.requires)
        self.b.add_edges(dict.fromkeys(requires), self.groups(dep))
        self.location_of.append(location)
        self.site_ptr.append(len(self.site_idx))

    def all_edges(self) -> None:
        K = NodeKind
        for site in self.data.locations:
            self.b.add_edges((), ())
            self.location_of.append(self.b.index[site.id])
            self.site_ptr.append(len(self.site_idx))
        for comp in self.data.components:
            where = self.res(comp.location, K.LOCATION) if comp.location is not None else -1
            if comp.replication is not None and comp.replication.target is not None:
                self.res(comp.replication.target, K.COMPONENT)
            self.edges([] if where < 0 else [where], comp, where)
        for svc in self.data.services:
            svc_node = self.b.index[svc.id]
            self.edges([], svc, -1)
            for loc_id, deployment in svc.locations.items():
                where = self.res(loc_id, K.LOCATION)
                self.edges([svc_node, where], deployment, where)
        for ci, cust in enumerate(self.data.customers):
            for sub in cust.subscriptions:
                self.subscription(ci, sub)

    def subscription(self, ci: int, sub: Subscription) -> None:
        K, service, locations = NodeKind, sub.service, sub.locations
        svc_node = self.res(service, K.SERVICE)
        deployed = bool(self.services[service].locations)
        locs = [self.res(loc, K.LOCATION) for loc in locations]
        sites = [
            self.res(deployment_id(service, loc), K.DEPLOYMENT) if deployed else li
            for loc, li in zip(locations, locs, strict=True)
        ]
        need = sub.min_healthy_locations or len(sites)
        requires = [svc_node, *(self.dep(r) for r in sub.requires)]
        groups = self.groups(sub)
        if need == len(sites):
            requires.extend(sites)
        else:
            groups.append(("locations", need, sites))
        self.b.add_edges(dict.fromkeys(requires), groups)
        self.location_of.append(-1)
        self.owner.append(ci)
        self.site_idx.extend(locs)
        self.site_ptr.append(len(self.site_idx))

    def result(self) -> Compiled:
        graph = self.b.build()
        n = len(graph)
        owner = np.full(n, -1, dtype=np.int64)
        subs = np.flatnonzero(graph.kind_codes == list(NodeKind).index(NodeKind.SUBSCRIPTION))
        owner[subs] = np.asarray(self.owner, dtype=np.int64)
        order = sorted(range(n), key=graph.ids.__getitem__)
        rank = np.empty(n, dtype=np.int64)
        rank[np.asarray(order, dtype=np.int64)] = np.arange(n, dtype=np.int64)
        customer_ids = [c.id for c in self.data.customers]
        by_name = sorted(range(len(customer_ids)), key=customer_ids.__getitem__)
        customer_rank = np.empty(len(customer_ids), dtype=np.int64)
        customer_rank[np.asarray(by_name, dtype=np.int64)] = np.arange(len(by_name))
        return Compiled(
            graph=graph,
            location_of=np.asarray(self.location_of, dtype=np.int64),
            owner=owner,
            customer_ids=customer_ids,
            customer_rank=customer_rank,
            site_ptr=np.asarray(self.site_ptr, dtype=np.int64),
            site_idx=np.asarray(self.site_idx, dtype=np.int64),
            rank=rank,
        )


def compile_catalog(data: CatalogFile) -> Compiled:
    """Resolve references and build the graph; raises `Inconsistent` on any reference problem."""
    compiler = _Compiler(data)
    compiler.nodes()
    compiler.all_edges()
    return compiler.result()
