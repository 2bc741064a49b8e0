"""The nodes a failure takes down, in the order `DependencyGraph.propagate` records them,
without their causes.

The shared-risk model (correlate/explain.py) asks, for each of some two thousand candidate
failures of a time cluster, which nodes go down, and the order matters: it fixes the layout of
the sets built from them, and with it the order of float sums over those sets. This walks the
same breadth-first order as `propagate`, recording no causes: node by node in Python while the
cascade is small; then the whole queue at a time in numpy, each dependent going down at the
first edge of the queue that takes it down (where the node-by-node walk finds it); and once
more than `vector_after` nodes are down, level by level exactly as `continue_vectorized` does.
"""

from __future__ import annotations

from collections import deque
from collections.abc import Iterable
from typing import TYPE_CHECKING

import numpy as np
import numpy.typing as npt

from outagelens.topology.cascade import IntArray, edge_offsets

if TYPE_CHECKING:
    from outagelens.topology.graph import DependencyGraph

_EMPTY = np.zeros(0, dtype=np.int64)


def down_order(
    graph: DependencyGraph,
    failed: Iterable[int],
    *,
    vector_after: int = 5000,
    batch_after: int = 48,
) -> list[int] | IntArray:
    """`list(graph.propagate(failed, vector_after=vector_after).down)`: the down nodes in the
    order they went down. Past `batch_after` nodes down, or at a node with more dependents,
    the queue is taken a whole at a time (a speed setting: any value gives the same order)
    and the nodes come as an array; a walk that ends node by node gives its list."""
    down: set[int] = set()
    order: list[int] = []
    for i in failed:
        if i not in down:
            down.add(i)
            order.append(i)
    queue = deque(order)
    failed_members: dict[int, int] = {}  # group -> edges from down members seen so far
    rev_ptr, rev_node, rev_group = graph.rev_ptr, graph.rev_node, graph.rev_group
    mem_ptr, grp_k = graph.mem_ptr, graph.grp_k
    limit = min(batch_after, vector_after)
    while queue:
        u = queue[0]
        first, last = rev_ptr[u], rev_ptr[u + 1]
        if len(order) > limit or last - first > batch_after:
            # Many down, or many dependents of the next one (a site): the rest in numpy.
            walk = _Walk(graph, order, failed_members)
            return walk.queues(np.asarray(queue, dtype=np.int64), vector_after)
        queue.popleft()
        for e in range(first, last):
            v = rev_node[e]
            g = rev_group[e]
            if g >= 0:
                count = failed_members[g] = failed_members.get(g, 0) + 1
                if v in down or mem_ptr[g + 1] - mem_ptr[g] - count >= grp_k[g]:
                    continue
            elif v in down:
                continue
            down.add(v)
            order.append(v)
            queue.append(v)
    return order


class _Walk:
    """The numpy state of a walk past its first nodes: a down mask, each group's count of
    failed member edges, and the down nodes in order (as chunks)."""

    def __init__(self, graph: DependencyGraph, order: list[int], failed_members: dict[int, int]):
        self.g = graph
        self.mask = np.zeros(len(graph), dtype=np.bool_)
        self.mask[order] = True
        self.count = np.zeros(len(graph.grp_k), dtype=np.int64)
        if failed_members:
            self.count[list(failed_members)] = list(failed_members.values())
        self.chunks: list[IntArray] = [np.asarray(order, dtype=np.int64)]
        self.size = len(order)

    def _take(self, nodes: IntArray) -> None:
        self.mask[nodes] = True
        self.chunks.append(nodes)
        self.size += len(nodes)

    def _done(self) -> IntArray:
        return np.concatenate(self.chunks)

    def queues(self, queue: IntArray, vector_after: int) -> IntArray:
        """Expand the queue a whole at a time, in the node-by-node walk's order: a dependent
        goes down at the first edge that takes it down (a requires edge, or the edge that
        leaves its group fewer than k healthy members), and the dependents come in the order
        of those edges."""
        g = self.g
        while len(queue):
            if self.size > vector_after:
                return self.levels(queue)
            starts = g.np_rev_ptr[queue]
            lens = g.np_rev_ptr[queue + 1] - starts
            ends = np.cumsum(lens)
            total = int(ends[-1])
            if total == 0:
                break
            edges = np.repeat(starts - ends + lens, lens) + np.arange(total)
            dependents, groups = g.np_rev_node[edges], g.np_rev_group[edges]
            fires = groups < 0
            by_group = np.flatnonzero(~fires)
            grp = groups[by_group]
            if len(grp):
                self._breaking(grp, by_group, fires)
            trigger = np.flatnonzero(fires & ~self.mask[dependents])
            nodes, first_at = np.unique(dependents[trigger], return_index=True)
            at = trigger[first_at]
            by_edge = np.argsort(at)
            new, at = nodes[by_edge], at[by_edge]
            cut = len(queue)
            if self.size + len(new) > vector_after:
                # The walk hands over to `levels` before the node after the one whose
                # dependents first bring the count past `vector_after`.
                source = np.searchsorted(ends, at, side="right")
                cut = min(cut, int(source[vector_after - self.size]) + 1)
            if cut < len(queue):
                kept = np.searchsorted(ends, at, side="right") < cut
                new = new[kept]
                grp = grp[by_group < ends[cut - 1]]
            if len(grp):
                np.add.at(self.count, grp, 1)
            self._take(new)
            if cut < len(queue):
                return self.levels(np.concatenate([queue[cut:], new]))
            queue = new
        return self._done()

    def _breaking(self, grp: IntArray, at: IntArray, fires: npt.NDArray[np.bool_]) -> None:
        """Mark in `fires` the group edges (of groups `grp`, at positions `at`) after which
        their group has fewer than k healthy members. Only groups that break within this
        queue matter: an earlier break took the owner down then (a k above the group's size
        breaks it at its first failed member)."""
        g = self.g
        before = self.count[grp]
        limit = g.np_grp_n[grp] - g.np_grp_k[grp]  # broken once more members than this fail
        gained = np.bincount(grp, minlength=len(self.count))[grp]
        crossing = np.flatnonzero((limit < before + gained) & (before <= np.maximum(limit, 0)))
        if not len(crossing):
            return
        sub = grp[crossing]
        # Each crossing edge's count right after it: its rank among its group's edges.
        sort = np.argsort(sub, kind="stable")
        ordered = sub[sort]
        starts = np.flatnonzero(np.concatenate([[True], ordered[1:] != ordered[:-1]]))
        runs = np.diff(np.append(starts, len(ordered)))
        rank = np.empty(len(sub), dtype=np.int64)
        rank[sort] = np.arange(len(sub)) - np.repeat(starts, runs)
        fires[at[crossing]] = before[crossing] + rank + 1 > limit[crossing]

    def levels(self, frontier: IntArray) -> IntArray:
        """Finish level by level as `continue_vectorized` does: each level's new dependents
        by requires edges in node order, then those of broken groups in node order."""
        g = self.g
        while len(frontier):
            offsets, _ = edge_offsets(g.np_rev_ptr, frontier)
            dependents, groups = g.np_rev_node[offsets], g.np_rev_group[offsets]
            by_req = groups < 0
            new_req = self._fresh(dependents[by_req])
            grp = groups[~by_req]
            new_grp = _EMPTY
            if len(grp):
                hit, counts = np.unique(grp, return_counts=True)
                self.count[hit] += counts
                broken = hit[g.np_grp_n[hit] - self.count[hit] < g.np_grp_k[hit]]
                new_grp = self._fresh(g.np_grp_owner[broken])
            frontier = np.concatenate([new_req, new_grp])
        return self._done()

    def _fresh(self, nodes: IntArray) -> IntArray:
        fresh = np.unique(nodes[~self.mask[nodes]])
        self._take(fresh)
        return fresh
