"""Property tests on random catalogs: monotone, blast radius = propagation, BFS = fixpoint."""

from __future__ import annotations

from typing import Any

from hypothesis import given, settings
from hypothesis import strategies as st
from tests.topology.builders import raw_catalog

from outagelens.topology import Catalog, catalog_from_dict


@st.composite
def random_dags(draw: st.DrawFn) -> dict[str, Any]:
    """A compact random DAG of components: node i depends only on nodes below i."""
    n = draw(st.integers(min_value=1, max_value=14))
    components: list[dict[str, Any]] = []
    for i in range(n):
        below = [f"c{j}" for j in range(i)]
        requires = draw(st.lists(st.sampled_from(below), unique=True, max_size=3)) if below else []
        groups = []
        if len(below) >= 2:
            for gi in range(draw(st.integers(min_value=0, max_value=2))):
                members = draw(
                    st.lists(st.sampled_from(below), min_size=2, max_size=4, unique=True)
                )
                k = draw(st.integers(min_value=1, max_value=len(members)))
                groups.append({"name": f"g{gi}", "k": k, "members": members})
        components.append(
            {"id": f"c{i}", "kind": "other", "requires": requires, "redundancy": groups}
        )
    return raw_catalog(components)


def _catalog(raw: dict[str, Any]) -> Catalog:
    return catalog_from_dict(raw, source="random")


def naive_fixpoint(raw: dict[str, Any], failed: set[str]) -> set[str]:
    """Iterate until nothing changes: down if failed, any requires down, or a group below k."""
    down = set(failed)
    changed = True
    while changed:
        changed = False
        for c in raw["components"]:
            if c["id"] in down:
                continue
            lost_group = any(
                sum(m not in down for m in g["members"]) < g["k"] for g in c["redundancy"]
            )
            if lost_group or any(r in down for r in c["requires"]):
                down.add(c["id"])
                changed = True
    return down


def _ids(raw: dict[str, Any]) -> list[str]:
    return [c["id"] for c in raw["components"]]


@settings(max_examples=100, deadline=None)
@given(data=st.data(), raw=random_dags())
def test_bfs_equals_naive_fixpoint(data: st.DataObject, raw: dict[str, Any]) -> None:
    failed = data.draw(st.sets(st.sampled_from(_ids(raw))))
    catalog = _catalog(raw)
    expected = naive_fixpoint(raw, failed)
    assert set(catalog.propagate(sorted(failed)).components) == expected
    # The vectorized continuation used for large cascades must agree exactly.
    index = catalog.graph.index
    state = catalog.graph.propagate([index[f] for f in sorted(failed)], vector_after=0)
    assert {catalog.graph.ids[i] for i in state.down} == expected


@settings(max_examples=100, deadline=None)
@given(data=st.data(), raw=random_dags())
def test_propagation_is_monotone(data: st.DataObject, raw: dict[str, Any]) -> None:
    ids = _ids(raw)
    small = data.draw(st.sets(st.sampled_from(ids)))
    extra = data.draw(st.sets(st.sampled_from(ids)))
    catalog = _catalog(raw)
    assert set(catalog.propagate(small).down) <= set(catalog.propagate(small | extra).down)


@settings(max_examples=100, deadline=None)
@given(data=st.data(), raw=random_dags())
def test_blast_radius_equals_propagation_of_one(data: st.DataObject, raw: dict[str, Any]) -> None:
    entity = data.draw(st.sampled_from(_ids(raw)))
    catalog = _catalog(raw)
    radius = catalog.blast_radius(entity)
    prop = catalog.propagate([entity])
    assert radius.propagation == prop
    assert (radius.customers, radius.subscriptions) == (prop.customers, prop.subscriptions)


@settings(max_examples=100, deadline=None)
@given(data=st.data(), raw=random_dags())
def test_every_path_ends_at_a_failed_entity(data: st.DataObject, raw: dict[str, Any]) -> None:
    failed = data.draw(st.sets(st.sampled_from(_ids(raw)), min_size=1))
    prop = _catalog(raw).propagate(sorted(failed))
    for entity, path in prop.paths.items():
        assert path[0] == entity and path[-1] in failed
        cause = prop.causes[entity]
        assert (cause.kind == "root") == (entity in failed)
