"""Property: on random catalogs, reported cut sets down the subscription, are minimal, and
agree with brute-force propagation (size 1 and 2 exactly; size 3 when reported complete)."""

from __future__ import annotations

import itertools
from typing import Any

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from tests.resilience.conftest import build

from outagelens.resilience.cutsets import CutSetConfig, downs, minimal_cut_sets
from outagelens.topology import Catalog


@st.composite
def random_catalogs(draw: st.DrawFn) -> Catalog:
    """A DAG of 2-8 components with requires and k-of-n groups on earlier ones."""
    n = draw(st.integers(min_value=2, max_value=8))
    names = [f"c{i}" for i in range(n)]
    components: list[dict[str, Any]] = []
    for i, name in enumerate(names):
        spec: dict[str, Any] = {"id": name, "kind": "other"}
        earlier = names[:i]
        if earlier:
            reqs = draw(st.lists(st.sampled_from(earlier), max_size=2, unique=True))
            if reqs:
                spec["requires"] = reqs
            if draw(st.booleans()):
                members = draw(st.lists(st.sampled_from(earlier), min_size=1, unique=True))
                k = draw(st.integers(min_value=1, max_value=len(members)))
                spec["redundancy"] = [{"name": "g", "k": k, "members": members}]
        components.append(spec)
    members = draw(st.lists(st.sampled_from(names), min_size=1, max_size=4, unique=True))
    k = draw(st.integers(min_value=1, max_value=len(members)))
    reqs = draw(st.lists(st.sampled_from(names), max_size=1))
    return build(
        components,
        service_requires=reqs or None,
        service_groups=[{"name": "top", "k": k, "members": members}],
    )


@settings(max_examples=80, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(random_catalogs())
def test_cut_sets_are_true_minimal_and_exact(catalog: Catalog) -> None:
    sub = "acme/svc"
    result = minimal_cut_sets(catalog, CutSetConfig(max_order=3)).subscriptions[sub]
    for cut in result.all_sets():
        assert downs(catalog, sub, cut), cut
        for smaller in itertools.combinations(cut, len(cut) - 1):
            assert not downs(catalog, sub, smaller), (cut, smaller)
    units = sorted(catalog.components)
    assert set(result.spofs) == {u for u in units if downs(catalog, sub, [u])}
    reported = set(result.all_sets())
    for size in (2, 3):
        if size == 3 and not result.complete:
            break
        for combo in itertools.combinations(units, size):
            minimal = downs(catalog, sub, combo) and not any(
                downs(catalog, sub, s) for s in itertools.combinations(combo, size - 1)
            )
            assert minimal == (combo in reported), combo


@settings(max_examples=6, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(st.integers(min_value=0, max_value=10_000))
def test_synthetic_catalog_cut_sets_hold(seed: int) -> None:
    from outagelens.topology.synthetic import generate_catalog

    catalog = Catalog(generate_catalog(300, seed=seed))
    analysis = minimal_cut_sets(catalog)
    for sub, result in list(analysis.subscriptions.items())[:12]:
        closure = [d for d in catalog.dependencies(sub) if d in catalog.components]
        assert set(result.spofs) == {c for c in closure if downs(catalog, sub, [c])}, sub
        for cut in result.cut_sets[:40]:
            assert downs(catalog, sub, cut), (sub, cut)
            assert not any(downs(catalog, sub, [x]) for x in cut), (sub, cut)


@settings(max_examples=60, deadline=None)
@given(random_catalogs(), st.data())
def test_incremental_transient_matches_full_propagation(
    catalog: Catalog, data: st.DataObject
) -> None:
    from outagelens.resilience.whatif import _transient

    graph = catalog.graph
    comps = sorted(catalog.components)
    failed = data.draw(st.lists(st.sampled_from(comps), max_size=3, unique=True))
    state = graph.propagate(graph.index[f] for f in failed)
    healthy = [c for c in comps if graph.index[c] not in state.down]
    if not healthy:
        return
    extra = graph.index[data.draw(st.sampled_from(healthy))]
    full = graph.propagate([*(graph.index[f] for f in failed), extra]).down
    assert set(_transient(state, extra)) == set(full) - set(state.down)
