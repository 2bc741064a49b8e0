"""The compiled dependency graph and failure propagation (requires and k-of-n redundancy).

Every entity that can fail is a node: locations, components, services, service deployments
('<service>@<location>') and subscriptions. Each node has `requires` edges (it fails when any of
them fails) and k-of-n groups (it fails when fewer than k members of a group are healthy).

Propagation is a breadth-first pass over reverse edges with a failed-member counter per group,
so its cost is proportional to what fails, not to the catalog's size. Adjacency is kept in
flat `array` CSR form (fast to index one element at a time from Python), with zero-copy numpy
views of the same buffers for the whole-graph passes (reverse edges, cycle search).
"""

from __future__ import annotations

from array import array
from collections import deque
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from enum import StrEnum

import numpy as np

from outagelens.topology.cascade import (
    FailureCause,
    IntArray,
    PropagationState,
    continue_vectorized,
    gather,
)

__all__ = [
    "KIND_CODES",
    "DependencyGraph",
    "FailureCause",
    "GraphBuilder",
    "GroupSpec",
    "IntArray",
    "NodeKind",
    "NodeSpec",
    "PropagationState",
    "gather",
]


class NodeKind(StrEnum):
    """Kind of a node in the dependency graph."""

    LOCATION = "location"
    COMPONENT = "component"
    SERVICE = "service"
    DEPLOYMENT = "deployment"
    SUBSCRIPTION = "subscription"


KIND_CODES: dict[NodeKind, int] = {k: i for i, k in enumerate(NodeKind)}


@dataclass(frozen=True, slots=True)
class GroupSpec:
    """A k-of-n group of one node, by node indices."""

    name: str
    k: int
    members: tuple[int, ...]


@dataclass(slots=True)
class NodeSpec:
    """A node before compilation: id, kind, requires and groups by node index."""

    id: str
    kind: NodeKind
    requires: list[int] = field(default_factory=list)
    groups: list[GroupSpec] = field(default_factory=list)


def _view(a: array[int]) -> IntArray:
    return np.frombuffer(a, dtype=np.int64) if len(a) else np.zeros(0, dtype=np.int64)


def _to_array(a: IntArray) -> array[int]:
    return array("q", np.ascontiguousarray(a, dtype=np.int64).tobytes())


class GraphBuilder:
    """Collects nodes, then their edges in the same order, without per-node objects."""

    def __init__(self) -> None:
        self.ids: list[str] = []
        self.kinds: list[NodeKind] = []
        self.index: dict[str, int] = {}
        self.duplicates: list[str] = []
        self.req_ptr = array("q", [0])
        self.req_idx = array("q")
        self.grp_ptr = array("q", [0])
        self.grp_k = array("q")
        self.grp_names: list[str] = []
        self.mem_ptr = array("q", [0])
        self.mem_idx = array("q")

    def add_node(self, node_id: str, kind: NodeKind) -> int:
        """Register a node; ids seen before are recorded in `duplicates`."""
        i = len(self.ids)
        if node_id in self.index:
            self.duplicates.append(node_id)
        else:
            self.index[node_id] = i
        self.ids.append(node_id)
        self.kinds.append(kind)
        return i

    def add_edges(
        self, requires: Iterable[int], groups: Iterable[tuple[str, int, Iterable[int]]]
    ) -> None:
        """Edges of the next node (call once per node, in the order the nodes were added)."""
        self.req_idx.extend(requires)
        self.req_ptr.append(len(self.req_idx))
        for name, k, members in groups:
            self.grp_k.append(k)
            self.grp_names.append(name)
            self.mem_idx.extend(members)
            self.mem_ptr.append(len(self.mem_idx))
        self.grp_ptr.append(len(self.grp_k))

    def build(self) -> DependencyGraph:
        """The immutable graph."""
        if len(self.req_ptr) != len(self.ids) + 1:
            raise ValueError(f"edges given for {len(self.req_ptr) - 1} of {len(self.ids)} nodes")
        return DependencyGraph(self)


class DependencyGraph:
    """Immutable compiled graph with forward and reverse CSR adjacency."""

    def __init__(self, built: GraphBuilder) -> None:
        self.ids = built.ids
        self.kinds = built.kinds
        self.index = built.index
        self.req_ptr, self.req_idx = built.req_ptr, built.req_idx
        self.grp_ptr, self.grp_k, self.grp_names = built.grp_ptr, built.grp_k, built.grp_names
        self.mem_ptr, self.mem_idx = built.mem_ptr, built.mem_idx
        n = len(self.ids)
        grp_ptr = _view(self.grp_ptr)
        self.grp_owner = _to_array(np.repeat(np.arange(n, dtype=np.int64), np.diff(grp_ptr)))
        self.kind_codes = np.fromiter((KIND_CODES[k] for k in self.kinds), np.int8, n)
        self._build_reverse()
        # numpy views of the same buffers, for vectorized passes
        self.np_rev_ptr, self.np_rev_node = _view(self.rev_ptr), _view(self.rev_node)
        self.np_rev_group, self.np_grp_owner = _view(self.rev_group), _view(self.grp_owner)
        self.np_grp_k = _view(self.grp_k)
        self.np_grp_n = np.diff(_view(self.mem_ptr))
        self._deps: list[tuple[int, ...] | None] = [None] * n  # see `_upstream`

    @classmethod
    def from_specs(cls, nodes: Sequence[NodeSpec]) -> DependencyGraph:
        """Compile node specs (convenient for small hand-made graphs)."""
        builder = GraphBuilder()
        for spec in nodes:
            builder.add_node(spec.id, spec.kind)
        for spec in nodes:
            builder.add_edges(spec.requires, ((g.name, g.k, g.members) for g in spec.groups))
        return builder.build()

    def _build_reverse(self) -> None:
        """Reverse edges: for each node, (dependent, group or -1 for requires), by numpy sort."""
        n = len(self.ids)
        req_ptr, mem_ptr = _view(self.req_ptr), _view(self.mem_ptr)
        owners = np.repeat(np.arange(n, dtype=np.int64), np.diff(req_ptr))
        groups = np.repeat(np.arange(len(self.grp_k), dtype=np.int64), np.diff(mem_ptr))
        target = np.concatenate([_view(self.req_idx), _view(self.mem_idx)])
        dependent = np.concatenate([owners, _view(self.grp_owner)[groups]])
        group = np.concatenate([np.full(len(owners), -1, dtype=np.int64), groups])
        order = np.argsort(target, kind="stable")
        counts = np.bincount(target, minlength=n) if len(target) else np.zeros(n, np.int64)
        self.rev_ptr = _to_array(np.concatenate([[0], np.cumsum(counts)]))
        self.rev_node = _to_array(dependent[order])
        self.rev_group = _to_array(group[order])

    def __len__(self) -> int:
        return len(self.ids)

    def requires_of(self, i: int) -> list[int]:
        """Indices a node requires."""
        return list(self.req_idx[self.req_ptr[i] : self.req_ptr[i + 1]])

    def groups_of(self, i: int) -> list[int]:
        """Group indices owned by a node."""
        return list(range(self.grp_ptr[i], self.grp_ptr[i + 1]))

    def members_of(self, g: int) -> list[int]:
        """Member node indices of a group."""
        return list(self.mem_idx[self.mem_ptr[g] : self.mem_ptr[g + 1]])

    def dependencies_of(self, i: int) -> list[int]:
        """Every node this node depends on directly (requires and group members)."""
        deps = self.requires_of(i)
        for g in self.groups_of(i):
            deps.extend(self.members_of(g))
        return deps

    def dependents_of(self, i: int) -> list[int]:
        """Every node that depends on this one directly."""
        return list(dict.fromkeys(self.rev_node[self.rev_ptr[i] : self.rev_ptr[i + 1]]))

    def reachable(self, start: Iterable[int], *, reverse: bool) -> list[int]:
        """Transitive closure from `start` (excluded) along dependents or dependencies."""
        seen: set[int] = set(start)
        if not reverse:
            return self._upstream(seen)
        queue = deque(seen)
        out: list[int] = []
        while queue:
            u = queue.popleft()
            for v in self.dependents_of(u):
                if v not in seen:
                    seen.add(v)
                    out.append(v)
                    queue.append(v)
        return out

    def _upstream(self, seen: set[int]) -> list[int]:
        """`reachable` along dependencies from the nodes in `seen` (taken in its order), in
        `dependencies_of` order: breadth first over a list that grows as it is read, each
        node's dependencies a tuple kept once asked (thousands of observations' upstream
        closures per investigation, mostly over the same sites and components)."""
        order = list(seen)
        starts = len(order)
        deps = self._deps
        i = 0
        while i < len(order):
            u = order[i]
            i += 1
            row = deps[u]
            if row is None:
                row = deps[u] = self._dependency_row(u)
            for v in row:
                if v not in seen:
                    seen.add(v)
                    order.append(v)
        return order[starts:]

    def _dependency_row(self, u: int) -> tuple[int, ...]:
        """`dependencies_of(u)` as a tuple: requires, then each group's members in order
        (a node's groups, and their members, lie next to each other)."""
        first, last = self.grp_ptr[u], self.grp_ptr[u + 1]
        return (
            *self.req_idx[self.req_ptr[u] : self.req_ptr[u + 1]],
            *self.mem_idx[self.mem_ptr[first] : self.mem_ptr[last]],
        )

    def find_cycle(self) -> list[int] | None:
        """A dependency cycle as node indices (first repeated last), or None.

        Peels nodes whose dependencies are all peeled, level by level in numpy; whatever is left
        lies on or upstream of a cycle, and walking remaining dependencies from it finds one.
        """
        n = len(self.ids)
        rev_ptr, rev_node = _view(self.rev_ptr), _view(self.rev_node)
        remaining = np.diff(_view(self.req_ptr)).copy()
        np.add.at(remaining, _view(self.grp_owner), np.diff(_view(self.mem_ptr)))
        frontier = np.flatnonzero(remaining == 0)
        peeled = len(frontier)
        while len(frontier):
            dependents, _ = gather(rev_ptr, rev_node, frontier)
            touched, counts = np.unique(dependents, return_counts=True)
            remaining[touched] -= counts
            frontier = touched[remaining[touched] == 0]
            peeled += len(frontier)
        if peeled == n:
            return None
        node = int(np.flatnonzero(remaining > 0)[0])
        seen: dict[int, int] = {}
        path: list[int] = []
        while node not in seen:
            seen[node] = len(path)
            path.append(node)
            node = next(d for d in self.dependencies_of(node) if remaining[d] > 0)
        return [*path[seen[node] :], node]

    def propagate(self, failed: Iterable[int], *, vector_after: int = 5000) -> PropagationState:
        """Compute every node that is down when the `failed` nodes fail, with causes.

        Breadth-first, one node at a time (cheapest for the usual small failures); once more
        than `vector_after` nodes are down it continues level by level in numpy, which keeps a
        failure of, say, global DNS in a million-entity catalog well under a second.
        """
        down: dict[int, tuple[int, int]] = {}  # node -> (cause kind code, via node or group)
        group_failed: dict[int, list[int]] = {}
        queue: deque[int] = deque()
        for i in failed:
            if i not in down:
                down[i] = (0, -1)
                queue.append(i)
        rev_ptr, rev_node, rev_group = self.rev_ptr, self.rev_node, self.rev_group
        mem_ptr, grp_k = self.mem_ptr, self.grp_k
        while queue:
            if len(down) > vector_after:
                return continue_vectorized(self, down, group_failed, queue)
            u = queue.popleft()
            for e in range(rev_ptr[u], rev_ptr[u + 1]):
                v = rev_node[e]
                g = rev_group[e]
                if g >= 0:
                    members_down = group_failed.get(g)
                    if members_down is None:
                        group_failed[g] = members_down = []
                    members_down.append(u)
                    if v in down or mem_ptr[g + 1] - mem_ptr[g] - len(members_down) >= grp_k[g]:
                        continue
                    down[v] = (2, g)
                elif v in down:
                    continue
                else:
                    down[v] = (1, u)
                queue.append(v)
        return PropagationState(self, down, group_failed)
