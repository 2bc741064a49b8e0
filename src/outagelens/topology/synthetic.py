"""Realistic random provider catalogs of any size (50 to 1,000,000 entities), for tests and sims.

`generate_catalog(n, seed=...)` returns a `CatalogFile` (compile it with `Catalog(...)`):

- regions with two or three sites each; large sites have 2N power (utility feed, generators,
  two UPS-backed power paths), N+1 cooling (2 of 3 CRAC units), redundant border routers and
  spines, SAN arrays, a management cluster running the platform (load balancers, Kubernetes,
  DBaaS, object storage, queues, cache, identity, backup, colocation power and network), and
  tenant cells (rack power, leaf pair, hypervisor cluster, a two-node database cluster whose
  second node sits in the next cell); about one cell in ten is single-fed or single-homed;
  small sites have one of everything;
- global DNS and CDN; services deployed per site where the platform they need exists;
- customers of many industries (banks, insurers and payment firms under DORA, with figures),
  each with subscriptions (SLA tiers, fees, business figures), single-site, active-active
  across two sites (`min_healthy_locations: 1`) or stretched (both sites required); tenant
  instances (VMs, worker pools, databases, colocation cages) pin subscriptions to cells.

The same seed and arguments always give the same catalog. Sizes count every entity: locations,
components, services, deployments, customers and subscriptions (`count_entities`).
"""

from __future__ import annotations

import math
import random
from dataclasses import dataclass
from typing import Any

from outagelens.topology.construct import construct, gc_paused
from outagelens.topology.models import (
    CatalogFile,
    Component,
    ComponentKind,
    Customer,
    Location,
    Provider,
    Service,
    ServiceDeployment,
    Software,
)
from outagelens.topology.synthetic_customers import CustomerFactory
from outagelens.topology.synthetic_sites import (
    SERVICE_PLATFORM,
    Site,
    SiteBuilder,
    link_replicas,
    make_location,
)

__all__ = ["SyntheticConfig", "catalog_to_dict", "count_entities", "generate_catalog"]

SERVICE_NAMES: dict[str, str] = {
    "vm-hosting": "Virtual machines",
    "managed-k8s": "Managed Kubernetes",
    "managed-postgres": "Managed PostgreSQL",
    "object-storage": "Object storage",
    "message-queue": "Managed message queue",
    "cache": "Managed cache",
    "colocation": "Colocation",
    "backup": "Backup vault",
    "cdn": "Content delivery network",
    "dns-hosting": "Managed DNS",
}
_NO_DNS = {"colocation", "backup"}  # services that keep working without the provider's DNS


@dataclass(frozen=True, slots=True)
class SyntheticConfig:
    """Knobs of the generator; the defaults give a plausible mid-size European provider."""

    infrastructure_share: float = 0.35  # part of the entities that are provider infrastructure
    sites_per_region: int | None = None  # default: 2 (3 in larger catalogs)
    compact_site_share: float = 0.3  # third sites of a region that are small edge sites
    active_active_share: float = 0.25  # scaled by customer tier
    stretched_share: float = 0.05  # two sites, both required: a classic hidden fragility
    regulated_share: float = 1.0  # share of financial customers that fall under DORA
    provider_name: str = "Synthetic Cloud"


def generate_catalog(
    n_entities: int,
    *,
    seed: int,
    regions: int | None = None,
    config: SyntheticConfig | None = None,
) -> CatalogFile:
    """A random but realistic provider catalog with about `n_entities` entities."""
    with gc_paused():
        return _generate(n_entities, seed, regions, config or SyntheticConfig())


def _generate(n_entities: int, seed: int, regions: int | None, cfg: SyntheticConfig) -> CatalogFile:
    if n_entities < 1:
        raise ValueError(f"n_entities must be positive, got {n_entities}")
    rng = random.Random(seed)
    n_regions = regions if regions is not None else _default_regions(n_entities)
    if n_regions < 1:
        raise ValueError(f"regions must be positive, got {regions}")
    per_region = cfg.sites_per_region or (
        3 if n_entities >= 2000 else 2 if n_entities >= 100 else 1
    )
    locations: list[Location] = []
    sites: list[Site] = []
    for r in range(n_regions):
        for j in range(per_region):
            loc = make_location(rng, r, j)
            locations.append(loc)
            sites.append(Site(loc.id, loc.region))
    components: list[Component] = []
    _build_sites(rng, cfg, sites, components, n_entities, per_region)
    link_replicas(rng, sites, components)
    components.extend(_global_components(rng))
    services = _services(sites)
    count = len(locations) + len(components) + len(services)
    count += sum(len(s.locations) for s in services)
    factory = CustomerFactory(rng, sites, services, locations, cfg)
    customers: list[Customer] = []
    while count < n_entities or not customers:
        customer, tenants = factory.make(len(customers))
        customers.append(customer)
        components.extend(tenants)
        count += 1 + len(customer.subscriptions) + len(tenants)
    return construct(
        CatalogFile,
        version=1,
        provider=construct(Provider, name=cfg.provider_name, timezone="Europe/Berlin"),
        locations=locations,
        components=components,
        services=services,
        customers=customers,
    )


def _default_regions(n: int) -> int:
    if n < 2000:
        return 1
    return max(2, min(40, round(math.sqrt(n) / 60)))


def _build_sites(
    rng: random.Random,
    cfg: SyntheticConfig,
    sites: list[Site],
    components: list[Component],
    n_entities: int,
    per_region: int,
) -> None:
    """Size cells so that infrastructure takes about `infrastructure_share` of the entities."""
    budget = cfg.infrastructure_share * n_entities / len(sites)
    builder = SiteBuilder(rng, components)
    full_fixed, per_cell = 36, 7.1
    cells = max(0, int((budget - full_fixed) / per_cell))
    for j, site in enumerate(sites):
        third = j % per_region >= 2
        if cells < 2 or (third and rng.random() < cfg.compact_site_share):
            builder.compact_site(site)
        else:
            builder.full_site(site, cells)


def _global_components(rng: random.Random) -> list[Component]:
    dns = construct(
        Component,
        id="global-dns",
        kind=ComponentKind.DNS,
        name="Anycast authoritative DNS",
        software=construct(Software, name="powerdns", version="4.9.1"),
    )
    cdn = construct(
        Component,
        id="global-cdn",
        kind=ComponentKind.CDN,
        name="Content delivery network",
        software=construct(Software, name="varnish", version=rng.choice(("7.4.3", "7.5.0"))),
    )
    return [dns, cdn]


def _services(sites: list[Site]) -> list[Service]:
    """Every service deployed in each site whose platform offers all it needs."""
    out: list[Service] = []
    for sid, roles in SERVICE_PLATFORM.items():
        deployments: dict[str, ServiceDeployment] = {}
        for site in sites:
            if all(role in site.platform for role in roles):
                needs = [c for role in roles for c in site.platform[role]]
                deployments[site.id] = construct(ServiceDeployment, requires=needs)
        if deployments:
            values: dict[str, Any] = {"id": sid, "name": SERVICE_NAMES[sid]}
            values["locations"] = deployments
            if sid not in _NO_DNS:
                values["requires"] = ["global-dns"]
            out.append(construct(Service, **values))
    out.append(
        construct(
            Service, id="cdn", name=SERVICE_NAMES["cdn"], requires=["global-cdn", "global-dns"]
        )
    )
    out.append(
        construct(
            Service, id="dns-hosting", name=SERVICE_NAMES["dns-hosting"], requires=["global-dns"]
        )
    )
    return out


def count_entities(catalog: CatalogFile) -> int:
    """Locations, components, services, deployments, customers and subscriptions."""
    return (
        len(catalog.locations)
        + len(catalog.components)
        + len(catalog.services)
        + sum(len(s.locations) for s in catalog.services)
        + len(catalog.customers)
        + sum(len(c.subscriptions) for c in catalog.customers)
    )


def catalog_to_dict(catalog: CatalogFile) -> dict[str, Any]:
    """The catalog as plain data in the native file format (for `yaml.safe_dump`)."""
    return catalog.model_dump(mode="json", exclude_unset=True)
