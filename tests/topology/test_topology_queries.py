"""Queries: dependents, dependencies, shared infrastructure, lookups, the compiled graph."""

from __future__ import annotations

import pytest
from tests.topology.builders import two_site_catalog

from outagelens.errors import UnknownEntityError
from outagelens.topology import load_catalog
from outagelens.topology.graph import DependencyGraph, GroupSpec, NodeKind, NodeSpec

EXAMPLE = "examples/three-customers.yaml"


@pytest.mark.parametrize(
    ("entity", "transitive", "expected"),
    [
        ("a-power", False, ["a-host"]),
        ("a-power", True, ["a-host", "bank/web", "shop/web", "web@a"]),
        ("dns", False, ["web"]),
        ("dns", True, ["bank/web", "shop/web", "web", "web@a", "web@b"]),
        ("b", False, ["b-host", "b-power", "web@b"]),
        ("bank/web", True, []),
    ],
    ids=["power-direct", "power-transitive", "dns-direct", "dns-transitive", "site-direct", "leaf"],
)
def test_dependents(entity: str, transitive: bool, expected: list[str]) -> None:
    assert two_site_catalog().dependents(entity, transitive=transitive) == expected


def test_dependencies_of_a_customer_cover_its_subscriptions() -> None:
    deps = two_site_catalog().dependencies("bank")
    assert deps == ["a", "a-host", "a-power", "dns", "web", "web@a"]
    assert two_site_catalog().dependencies("web@b", transitive=False) == ["b", "b-host", "web"]


def test_shared_infrastructure() -> None:
    shared = two_site_catalog().shared_infrastructure("shop", "bank")
    assert set(shared.shared) == {"a", "a-host", "a-power", "dns", "web", "web@a"}
    # Only what is not redundant for the active-active shop takes both down.
    assert shared.takes_both_down == ("dns", "web")


def test_shared_infrastructure_in_the_example() -> None:
    catalog = load_catalog(EXAMPLE)
    shared = catalog.shared_infrastructure("shopwave", "hansa-direktbank")
    assert "fra1-cooling" in shared.shared
    assert "global-dns" in shared.takes_both_down
    assert "fra1-cooling" not in shared.takes_both_down  # shopwave fails over to ams1


def test_unknown_entities_suggest_close_ids() -> None:
    catalog = two_site_catalog()
    with pytest.raises(UnknownEntityError, match="did you mean: a-host"):
        catalog.propagate(["a-hots"])
    with pytest.raises(UnknownEntityError):
        catalog.shared_infrastructure("shop", "nobody")
    with pytest.raises(UnknownEntityError):
        catalog.subscriptions_of("web")


def test_lookups() -> None:
    catalog = two_site_catalog()
    assert catalog.kind_of("web@a") == "deployment" and catalog.kind_of("shop") == "customer"
    assert catalog.location_of("a-host") == ["a"] and catalog.location_of("shop") == ["a", "b"]
    assert catalog.location_of("web@b") == ["b"] and catalog.location_of("dns") == []
    assert [s.id for s in catalog.subscriptions_of("shop")] == ["shop/web"]
    assert catalog.has("bank/web") and not catalog.has("nope")


def test_graph_from_specs_and_cycle_search() -> None:
    specs = [
        NodeSpec("x", NodeKind.COMPONENT),
        NodeSpec("y", NodeKind.COMPONENT, requires=[0]),
        NodeSpec("z", NodeKind.COMPONENT, groups=[GroupSpec("g", 1, (0, 1))]),
    ]
    graph = DependencyGraph.from_specs(specs)
    assert graph.find_cycle() is None
    assert graph.dependents_of(0) == [1, 2] and graph.dependencies_of(2) == [0, 1]
    assert graph.propagate([0]).down.keys() == {0, 1, 2}
    looped = DependencyGraph.from_specs([*specs[:2], NodeSpec("z", NodeKind.COMPONENT, [2])])
    assert looped.find_cycle() == [2, 2]


def test_large_cascade_switches_to_vectorized_with_same_results() -> None:
    catalog = load_catalog(EXAMPLE)
    g = catalog.graph
    for entity in ("fra1", "global-dns", "fra1-pdu-a", "fra1-grid"):
        one = g.propagate([g.index[entity]])
        vec = g.propagate([g.index[entity]], vector_after=0)
        assert set(one.down) == set(vec.down), entity
        assert one.degraded_groups() == vec.degraded_groups(), entity
        assert set(one.group_failed) == set(vec.group_failed), entity
        for node in vec.down:
            path = vec.path(node)
            assert path[0] == g.ids[node] and path[-1] == entity
