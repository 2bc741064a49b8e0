"""Outcome of a propagation by node index, and its vectorized continuation for large cascades.

`DependencyGraph.propagate` walks failures node by node; when a cascade grows past a threshold
it hands over to `continue_vectorized`, which proceeds level by level with numpy. Both produce a
`PropagationState` with the same interface: `down` (node -> (cause code, via node or group)),
`group_failed` (group -> its members that are down), `cause`, `path` and `degraded_groups`.
"""

from __future__ import annotations

from collections import deque
from collections.abc import Iterator, Mapping, Sequence
from dataclasses import dataclass
from typing import TYPE_CHECKING

import numpy as np
import numpy.typing as npt

if TYPE_CHECKING:
    from outagelens.topology.graph import DependencyGraph

IntArray = npt.NDArray[np.int64]


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


def edge_offsets(ptr: IntArray, nodes: IntArray) -> tuple[IntArray, IntArray]:
    """Positions of the CSR rows of `nodes`, concatenated, and the node each belongs to."""
    starts = ptr[nodes]
    lens = ptr[nodes + 1] - starts
    total = int(lens.sum())
    if total == 0:
        empty = np.zeros(0, dtype=np.int64)
        return empty, empty
    offsets = np.repeat(starts - np.cumsum(lens) + lens, lens) + np.arange(total)
    return offsets, np.repeat(nodes, lens)


def gather(ptr: IntArray, idx: IntArray, nodes: IntArray) -> tuple[IntArray, IntArray]:
    """CSR rows of `nodes` concatenated: (entries, the node each entry belongs to)."""
    offsets, owners = edge_offsets(ptr, nodes)
    return idx[offsets], owners


class PropagationState:
    """Raw outcome of a propagation, by node index; `Catalog` turns it into a typed result."""

    def __init__(
        self,
        graph: DependencyGraph,
        down: Mapping[int, tuple[int, int]],
        group_failed: Mapping[int, Sequence[int]],
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
            # A group's first failed member went down before the group's owner did.
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

    def down_array(self) -> IntArray:
        """Down node indices as a numpy array, in the order they went down."""
        return np.fromiter(self.down, dtype=np.int64, count=len(self.down))


@dataclass(slots=True)
class _Arrays:
    mask: npt.NDArray[np.bool_]  # node is down
    code: npt.NDArray[np.int8]  # 0 root, 1 requires, 2 group (valid where mask)
    ref: IntArray  # via node or group (valid where mask)
    stamp: IntArray  # when it went down: earlier stamps went down first
    gcount: IntArray  # group -> members down
    order: list[int]  # down nodes in the order they went down


class _DownNodes(Mapping[int, tuple[int, int]]):
    def __init__(self, a: _Arrays) -> None:
        self._a = a

    def __getitem__(self, i: int) -> tuple[int, int]:
        if i not in self:
            raise KeyError(i)
        return int(self._a.code[i]), int(self._a.ref[i])

    def __contains__(self, i: object) -> bool:
        mask = self._a.mask
        if not isinstance(i, int | np.integer) or not 0 <= i < len(mask):
            return False
        return bool(mask[i])

    def __iter__(self) -> Iterator[int]:
        return iter(self._a.order)

    def __len__(self) -> int:
        return len(self._a.order)


class _GroupMembers(Mapping[int, Sequence[int]]):
    """Group -> its down members, the earliest first (computed on access)."""

    def __init__(self, graph: DependencyGraph, a: _Arrays, touched: IntArray) -> None:
        self._g, self._a, self._touched = graph, a, touched

    def __getitem__(self, grp: int) -> Sequence[int]:
        if grp not in self:
            raise KeyError(grp)
        members = np.asarray(self._g.members_of(grp), dtype=np.int64)
        members = members[self._a.mask[members]]
        ordered: list[int] = members[np.argsort(self._a.stamp[members], kind="stable")].tolist()
        return ordered

    def __contains__(self, grp: object) -> bool:
        gc = self._a.gcount
        if not isinstance(grp, int | np.integer) or not 0 <= grp < len(gc):
            return False
        return bool(gc[grp] > 0)

    def __iter__(self) -> Iterator[int]:
        return iter(self._touched.tolist())

    def __len__(self) -> int:
        return len(self._touched)


class ArrayState(PropagationState):
    """A propagation state backed by numpy arrays (large cascades)."""

    def __init__(self, graph: DependencyGraph, a: _Arrays, touched: IntArray) -> None:
        super().__init__(graph, _DownNodes(a), _GroupMembers(graph, a, touched))
        self._a = a
        self._touched = touched

    def degraded_groups(self) -> list[tuple[str, str, int, int]]:
        """Groups that lost members but still hold k: (owner, group, healthy, k)."""
        g, a, t = self.graph, self._a, self._touched
        owners = g.np_grp_owner[t]
        keep = t[~a.mask[owners]]
        healthy = g.np_grp_n[keep] - a.gcount[keep]
        out = [
            (g.ids[g.grp_owner[grp]], g.grp_names[grp], h, g.grp_k[grp])
            for grp, h in zip(keep.tolist(), healthy.tolist(), strict=True)
        ]
        return sorted(out)

    def down_array(self) -> IntArray:
        """Down node indices as a numpy array, in the order they went down."""
        return np.asarray(self._a.order, dtype=np.int64)


def _arrays_from(
    graph: DependencyGraph, down: dict[int, tuple[int, int]], group_failed: dict[int, list[int]]
) -> _Arrays:
    n, n_groups = len(graph), len(graph.grp_k)
    a = _Arrays(
        mask=np.zeros(n, dtype=np.bool_),
        code=np.zeros(n, dtype=np.int8),
        ref=np.zeros(n, dtype=np.int64),
        stamp=np.zeros(n, dtype=np.int64),
        gcount=np.zeros(n_groups, dtype=np.int64),
        order=list(down),
    )
    nodes = np.asarray(a.order, dtype=np.int64)
    a.mask[nodes] = True
    a.code[nodes] = [c for c, _ in down.values()]
    a.ref[nodes] = [r for _, r in down.values()]
    a.stamp[nodes] = np.arange(len(nodes))
    for grp, members in group_failed.items():
        a.gcount[grp] = len(members)
    return a


def continue_vectorized(
    graph: DependencyGraph,
    down: dict[int, tuple[int, int]],
    group_failed: dict[int, list[int]],
    queue: deque[int],
) -> PropagationState:
    """Finish a propagation level by level: `queue` holds down nodes not yet expanded."""
    a = _arrays_from(graph, down, group_failed)
    touched = [np.asarray(list(group_failed), dtype=np.int64)]
    frontier = np.asarray(queue, dtype=np.int64)
    level = len(a.order)
    while len(frontier):
        level += 1
        offsets, src = edge_offsets(graph.np_rev_ptr, frontier)
        dependents, groups = graph.np_rev_node[offsets], graph.np_rev_group[offsets]
        by_req = groups < 0
        new_req = _mark(a, dependents[by_req], src[by_req], 1, level)
        grp = groups[~by_req]
        new_grp = np.zeros(0, dtype=np.int64)
        if len(grp):
            hit, counts = np.unique(grp, return_counts=True)
            touched.append(hit[a.gcount[hit] == 0])
            a.gcount[hit] += counts
            broken = hit[graph.np_grp_n[hit] - a.gcount[hit] < graph.np_grp_k[hit]]
            new_grp = _mark(a, graph.np_grp_owner[broken], broken, 2, level)
        frontier = np.concatenate([new_req, new_grp])
    return ArrayState(graph, a, np.concatenate(touched))


def _mark(a: _Arrays, nodes: IntArray, via: IntArray, code: int, level: int) -> IntArray:
    """Mark the nodes not yet down as down with the given cause; return them."""
    keep = ~a.mask[nodes]
    fresh, first = np.unique(nodes[keep], return_index=True)
    a.mask[fresh] = True
    a.code[fresh] = code
    a.ref[fresh] = via[keep][first]
    a.stamp[fresh] = level
    a.order.extend(fresh.tolist())
    return fresh
