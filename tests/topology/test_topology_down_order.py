"""Walks without causes: `down_order` gives the nodes `DependencyGraph.propagate` takes down,
in its order, from each of its three walks (node by node, a whole queue at a time, level by
level); the dependency closure by cached rows keeps the order of `dependencies_of`."""

from __future__ import annotations

from collections import deque

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from outagelens.topology.cascade import IntArray
from outagelens.topology.catalog import Catalog
from outagelens.topology.down_order import down_order
from outagelens.topology.graph import DependencyGraph, GroupSpec, NodeKind, NodeSpec
from outagelens.topology.synthetic import generate_catalog


@st.composite
def random_graphs(draw: st.DrawFn) -> DependencyGraph:
    """Any graph: cycles, self-loops, repeated requires, repeated group members, k from 0 to
    one more than the group's size (broken at its first failed member)."""
    n = draw(st.integers(min_value=1, max_value=30))
    node = st.integers(min_value=0, max_value=n - 1)
    specs = []
    for i in range(n):
        requires = draw(st.lists(node, max_size=3))
        groups = []
        for g in range(draw(st.integers(min_value=0, max_value=2))):
            members = tuple(draw(st.lists(node, min_size=1, max_size=5)))
            k = draw(st.integers(min_value=0, max_value=len(members) + 1))
            groups.append(GroupSpec(f"g{g}", k, members))
        specs.append(NodeSpec(f"n{i}", NodeKind.COMPONENT, requires, groups))
    return DependencyGraph.from_specs(specs)


def _listed(order: list[int] | IntArray) -> list[int]:
    """The nodes as Python ints: a list stays as it is (it must hold ints), an array is
    converted."""
    if isinstance(order, list):
        assert all(type(n) is int for n in order)
        return order
    return [int(n) for n in order.tolist()]


@settings(max_examples=300, deadline=None)
@given(
    data=st.data(),
    graph=random_graphs(),
    vector_after=st.sampled_from([0, 1, 2, 3, 5, 8, 5000]),
    batch_after=st.sampled_from([0, 1, 2, 4, 48]),
)
def test_down_order_is_the_propagation_order(
    data: st.DataObject, graph: DependencyGraph, vector_after: int, batch_after: int
) -> None:
    failed = data.draw(st.lists(st.integers(min_value=0, max_value=len(graph) - 1), max_size=4))
    want = list(graph.propagate(failed, vector_after=vector_after).down)
    got = down_order(graph, failed, vector_after=vector_after, batch_after=batch_after)
    assert _listed(got) == want


@pytest.mark.parametrize(
    ("vector_after", "batch_after"),
    [(5000, 48), (5000, 0), (200, 16), (40, 0)],
    ids=["defaults", "queues-at-once", "hand-over-mid-queue", "levels-early"],
)
def test_down_order_of_every_component_and_location_of_a_catalog(
    vector_after: int, batch_after: int
) -> None:
    # A 3,000-entity catalog: whole sites and regions take hundreds of nodes down, and the
    # hand-over to the level-by-level walk falls inside a queue.
    graph = Catalog(generate_catalog(3_000, seed=11)).graph
    starts = [i for i, k in enumerate(graph.kinds) if k in (NodeKind.COMPONENT, NodeKind.LOCATION)]
    sizes = []
    for i in starts:
        want = list(graph.propagate([i], vector_after=vector_after).down)
        got = down_order(graph, [i], vector_after=vector_after, batch_after=batch_after)
        assert _listed(got) == want, graph.ids[i]
        sizes.append(len(want))
    assert max(sizes) > 4 * vector_after or vector_after == 5000
    assert sum(size > batch_after for size in sizes) >= 10


def _upstream_by_lists(graph: DependencyGraph, start: list[int]) -> list[int]:
    """The dependency closure as first written: a deque over `dependencies_of` lists."""
    seen = set(start)
    queue = deque(seen)
    out: list[int] = []
    while queue:
        for v in graph.dependencies_of(queue.popleft()):
            if v not in seen:
                seen.add(v)
                out.append(v)
                queue.append(v)
    return out


@settings(max_examples=300, deadline=None)
@given(data=st.data(), graph=random_graphs())
def test_upstream_closure_by_dependency_rows_keeps_its_order(
    data: st.DataObject, graph: DependencyGraph
) -> None:
    # Twice: the second walk reads the dependency rows the first one kept.
    for _ in range(2):
        start = data.draw(st.lists(st.integers(min_value=0, max_value=len(graph) - 1), max_size=4))
        assert graph.reachable(start, reverse=False) == _upstream_by_lists(graph, start)
