"""The synthetic catalog generator: valid, deterministic, sized, and realistic in shape."""

from __future__ import annotations

import pytest

from outagelens.topology import Catalog
from outagelens.topology.models import CatalogFile, ComponentKind
from outagelens.topology.synthetic import (
    SyntheticConfig,
    catalog_to_dict,
    count_entities,
    generate_catalog,
)


@pytest.mark.parametrize("n", [50, 300, 3000], ids=["tiny", "small", "mid"])
def test_generated_catalog_validates_and_compiles(n: int) -> None:
    data = generate_catalog(n, seed=7)
    # Full pydantic validation of the dump must give back the very same catalog.
    validated = CatalogFile.model_validate(catalog_to_dict(data))
    assert validated == data
    catalog = Catalog(validated)
    assert len(catalog.graph) > 0


@pytest.mark.parametrize("n", [50, 200, 1000, 5000, 20000])
def test_size_is_close_to_requested(n: int) -> None:
    got = count_entities(generate_catalog(n, seed=3))
    assert abs(got - n) <= max(5, 0.05 * n), got


def test_same_seed_same_catalog_other_seed_other_catalog() -> None:
    a = catalog_to_dict(generate_catalog(2000, seed=11))
    b = catalog_to_dict(generate_catalog(2000, seed=11))
    c = catalog_to_dict(generate_catalog(2000, seed=12))
    assert a == b
    assert a != c


def test_regions_argument_sets_region_count() -> None:
    data = generate_catalog(5000, seed=1, regions=4)
    assert len({loc.region for loc in data.locations}) == 4


@pytest.mark.parametrize(
    ("n", "kwargs"),
    [(0, {}), (100, {"regions": 0})],
    ids=["no-entities", "no-regions"],
)
def test_bad_arguments_raise(n: int, kwargs: dict[str, int]) -> None:
    with pytest.raises(ValueError):
        generate_catalog(n, seed=1, **kwargs)


def test_catalog_has_the_realistic_ingredients() -> None:
    data = generate_catalog(20000, seed=5)
    kinds = {c.kind for c in data.components}
    for kind in (
        ComponentKind.UTILITY_FEED,
        ComponentKind.GENERATOR,
        ComponentKind.UPS,
        ComponentKind.COOLING,
        ComponentKind.ROUTER,
        ComponentKind.SWITCH,
        ComponentKind.STORAGE,
        ComponentKind.HYPERVISOR,
        ComponentKind.DATABASE,
        ComponentKind.LOAD_BALANCER,
        ComponentKind.DNS,
        ComponentKind.CDN,
    ):
        assert kind in kinds, kind
    group_ks = {(g.k, len(g.members)) for c in data.components for g in c.redundancy}
    assert (1, 2) in group_ks  # 2N power paths, leaf pairs, replicas
    assert (2, 3) in group_ks  # N+1 cooling
    assert any(c.software and c.software.version for c in data.components)
    assert any(c.replication and c.replication.target for c in data.components)
    subs = [s for c in data.customers for s in c.subscriptions]
    assert any(s.min_healthy_locations == 1 for s in subs)  # active-active
    assert any(len(s.locations) == 1 for s in subs)  # single-site
    assert any(len(s.locations) == 2 and s.min_healthy_locations is None for s in subs)
    assert any(s.sla and len(s.sla.credit_tiers) >= 3 for s in subs)
    dora = [c for c in data.customers if any(r.framework == "DORA" for r in c.regulation)]
    assert dora and all(r.total_clients is not None for c in dora for r in c.regulation)
    assert len({c.industry for c in data.customers}) >= 8
    assert all(s.monthly_fee > 0 for s in subs)


def test_failures_behave_like_a_real_provider() -> None:
    catalog = Catalog(generate_catalog(20000, seed=5))
    site = next(iter(catalog.locations))
    # Losing one of two power paths takes nothing redundant down, but degrades groups.
    pdu = f"{site}-pdu-a"
    assert pdu in catalog.components
    prop = catalog.propagate([pdu])
    assert prop.degraded_groups
    assert len(prop.subscriptions) < len(catalog.subscriptions) // 10
    # Losing the site takes every single-site subscription there down.
    site_prop = catalog.propagate([site])
    single_here = [
        sid
        for sid, ref in catalog.subscriptions.items()
        if list(ref.subscription.locations) == [site]
    ]
    assert single_here and set(single_here) <= set(site_prop.subscriptions)
    assert site_prop.partial_subscriptions  # active-active ones survive in the other site
    # Global DNS is the classic shared dependency of nearly every service.
    dns = catalog.propagate(["global-dns"])
    assert len(dns.subscriptions) > len(catalog.subscriptions) // 2


def test_config_knobs_change_the_mix() -> None:
    none_aa = generate_catalog(
        3000, seed=2, config=SyntheticConfig(active_active_share=0.0, stretched_share=0.0)
    )
    subs = [s for c in none_aa.customers for s in c.subscriptions]
    assert all(len(s.locations) == 1 for s in subs)
