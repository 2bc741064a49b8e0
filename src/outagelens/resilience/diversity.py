"""Geographic diversity: subscriptions whose every path runs through one location, one region
or one power feed (a single power, utility feed, UPS or generator component)."""

from __future__ import annotations

from dataclasses import dataclass

from outagelens.resilience.cutsets import single_failure_sets
from outagelens.topology.catalog import Catalog
from outagelens.topology.models import ComponentKind

POWER_KINDS = frozenset(
    {ComponentKind.POWER, ComponentKind.UTILITY_FEED, ComponentKind.UPS, ComponentKind.GENERATOR}
)


@dataclass(frozen=True, slots=True)
class DiversityFinding:
    """Where one subscription lacks diversity; empty fields mean it has it."""

    subscription: str
    customer: str
    locations: tuple[str, ...]
    regions: tuple[str, ...]
    single_locations: tuple[str, ...]  # locations whose loss alone downs it
    single_regions: tuple[str, ...]  # regions whose loss alone downs it
    power_spofs: tuple[str, ...]  # power components whose failure alone downs it

    @property
    def weak(self) -> bool:
        """Whether any single location, region or power component takes it down."""
        return bool(self.single_locations or self.single_regions or self.power_spofs)


def region_losses(catalog: Catalog) -> dict[str, frozenset[str]]:
    """Region -> subscriptions that the loss of the whole region takes down."""
    regions: dict[str, list[str]] = {}
    for loc in catalog.locations.values():
        regions.setdefault(loc.region, []).append(loc.id)
    return {
        r: frozenset(catalog.propagate(locs).subscriptions) for r, locs in sorted(regions.items())
    }


def geographic_diversity(catalog: Catalog) -> tuple[DiversityFinding, ...]:
    """Diversity of every subscription, weakest (single location) first."""
    sites = single_failure_sets(catalog, "location")
    comps = single_failure_sets(catalog, "component")
    by_region = region_losses(catalog)
    out = []
    for sid, ref in catalog.subscriptions.items():
        locs = tuple(ref.subscription.locations)
        out.append(
            DiversityFinding(
                subscription=sid,
                customer=ref.customer.id,
                locations=locs,
                regions=tuple(sorted({catalog.locations[x].region for x in locs})),
                single_locations=sites[sid],
                single_regions=tuple(r for r, subs in by_region.items() if sid in subs),
                power_spofs=tuple(
                    c for c in comps[sid] if catalog.components[c].kind in POWER_KINDS
                ),
            )
        )
    out.sort(key=lambda f: (not f.single_locations, not f.single_regions, f.subscription))
    return tuple(out)
