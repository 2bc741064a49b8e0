"""The compiled dependency graph and failure propagation (requires and k-of-n redundancy).

Every entity that can fail is a node: locations, components, services, service deployments
('<service>@<location>') and subscriptions. Each node has `requires` edges (it fails when any of
them fails) and k-of-n groups (it fails when fewer than k members of a group are healthy).

Propagation is a breadth-first pass over reverse edges with a failed-member counter per group,
so its cost is proportional to what fails, not to the catalog's size. Adjacency is kept in
flat `array` CSR form: compact enough for a million entities, and fast to index from Python.
"""

from __future__ import annotations

from array import array
from collections import deque
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from enum import StrEnum


class NodeKind(StrEnum):
    """Kind of a node in the dependency graph."""

    LOCATION = "location"
    COMPONENT = "component"
    SERVICE = "service"
    DEPLOYMENT = "deployment"
    SUBSCRIPTION = "subscription"


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


@dataclass(frozen=True, slots=True)
class FailureCause:
    """Why a node is down: it was failed directly, lost a required entity, or lost a group."""

    node: str
    kind: str  # "root", "requires" or "group"
    via: tuple[str, ...] = ()
    group: str | None = None
    group_k: int | None = None
    group_n: int | None = None

    def sentence(self) -> str:
        """One readable sentence."""
        if self.kind == "root":
            return f"{self.node} failed"
        if self.kind == "requires":
            return f"{self.node} requires {self.via[0]}, which is down"
        healthy = (self.group_n or 0) - len(self.via)
        return (
            f"{self.node} needs {self.group_k} of {self.group_n} in group '{self.group}', "
            f"but only {healthy} healthy ({', '.join(self.via)} down)"
        )


class DependencyGraph:
    """Immutable compiled graph with forward and reverse CSR adjacency."""

    def __init__(self, nodes: Sequence[NodeSpec]) -> None:
        self.ids: list[str] = [n.id for n in nodes]
        self.kinds: list[NodeKind] = [n.kind for n in nodes]
        self.index: dict[str, int] = {nid: i for i, nid in enumerate(self.ids)}
        self.req_ptr = array("q", [0])
        self.req_idx = array("q")
        self.grp_ptr = array("q", [0])  # node -> range of its groups
        self.grp_k = array("q")
        self.grp_owner = array("q")
        self.grp_names: list[str] = []
        self.mem_ptr = array("q", [0])  # group -> range of its members
        self.mem_idx = array("q")
        for spec in nodes:
            self.req_idx.extend(spec.requires)
            self.req_ptr.append(len(self.req_idx))
            for g in spec.groups:
                self.grp_k.append(g.k)
                self.grp_owner.append(self.index[spec.id])
                self.grp_names.append(g.name)
                self.mem_idx.extend(g.members)
                self.mem_ptr.append(len(self.mem_idx))
            self.grp_ptr.append(len(self.grp_k))
        self._build_reverse()

    def _build_reverse(self) -> None:
        """Reverse edges: for each node, (dependent, group or -1 for requires)."""
        n = len(self.ids)
        counts = array("q", bytes(8 * (n + 1)))
        for dep in self.req_idx:
            counts[dep + 1] += 1
        for m in self.mem_idx:
            counts[m + 1] += 1
        for i in range(n):
            counts[i + 1] += counts[i]
        self.rev_ptr = counts
        fill = array("q", counts[:n])
        total = counts[n]
        self.rev_node = array("q", bytes(8 * total))
        self.rev_group = array("q", bytes(8 * total))
        for v in range(n):
            for e in range(self.req_ptr[v], self.req_ptr[v + 1]):
                u = self.req_idx[e]
                pos = fill[u]
                self.rev_node[pos] = v
                self.rev_group[pos] = -1
                fill[u] = pos + 1
        for g in range(len(self.grp_k)):
            v = self.grp_owner[g]
            for e in range(self.mem_ptr[g], self.mem_ptr[g + 1]):
                u = self.mem_idx[e]
                pos = fill[u]
                self.rev_node[pos] = v
                self.rev_group[pos] = g
                fill[u] = pos + 1

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
        queue = deque(seen)
        out: list[int] = []
        while queue:
            u = queue.popleft()
            nxt = self.dependents_of(u) if reverse else self.dependencies_of(u)
            for v in nxt:
                if v not in seen:
                    seen.add(v)
                    out.append(v)
                    queue.append(v)
        return out

    def propagate(self, failed: Iterable[int]) -> PropagationState:
        """Compute every node that is down when the `failed` nodes fail, with causes."""
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
            u = queue.popleft()
            for e in range(rev_ptr[u], rev_ptr[u + 1]):
                v = rev_node[e]
                g = rev_group[e]
                if g >= 0:
                    members_down = group_failed.setdefault(g, [])
                    members_down.append(u)
                    if v in down:
                        continue
                    n = mem_ptr[g + 1] - mem_ptr[g]
                    if n - len(members_down) >= grp_k[g]:
                        continue
                    down[v] = (2, g)
                elif v in down:
                    continue
                else:
                    down[v] = (1, u)
                queue.append(v)
        return PropagationState(self, down, group_failed)


class PropagationState:
    """Raw outcome of a propagation, by node index; `Catalog` turns it into a typed result."""

    def __init__(
        self,
        graph: DependencyGraph,
        down: dict[int, tuple[int, int]],
        group_failed: dict[int, list[int]],
    ) -> None:
        self.graph = graph
        self.down = down
        self.group_failed = group_failed

    def cause(self, i: int) -> FailureCause:
        """Why node `i` is down."""
        g = self.graph
        code, ref = self.down[i]
        if code == 0:
            return FailureCause(node=g.ids[i], kind="root")
        if code == 1:
            return FailureCause(node=g.ids[i], kind="requires", via=(g.ids[ref],))
        members = self.group_failed[ref]
        return FailureCause(
            node=g.ids[i],
            kind="group",
            via=tuple(g.ids[m] for m in members),
            group=g.grp_names[ref],
            group_k=g.grp_k[ref],
            group_n=g.mem_ptr[ref + 1] - g.mem_ptr[ref],
        )

    def path(self, i: int) -> list[str]:
        """The chain from node `i` back to a directly failed node, `i` first."""
        g = self.graph
        out = [g.ids[i]]
        cur = i
        while True:
            code, ref = self.down[cur]
            if code == 0:
                return out
            cur = ref if code == 1 else self.group_failed[ref][0]
            out.append(g.ids[cur])

    def degraded_groups(self) -> list[tuple[str, str, int, int]]:
        """Groups that lost members but still hold k: (owner, group, healthy, k)."""
        g = self.graph
        out = []
        for grp, members in self.group_failed.items():
            owner = g.grp_owner[grp]
            if owner in self.down:
                continue
            n = g.mem_ptr[grp + 1] - g.mem_ptr[grp]
            out.append((g.ids[owner], g.grp_names[grp], n - len(members), g.grp_k[grp]))
        return sorted(out)
