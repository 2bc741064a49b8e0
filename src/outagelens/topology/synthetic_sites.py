"""Infrastructure of synthetic catalogs: regions, sites and what runs in them (see `synthetic`).

Models are built with `model_construct` (no validation) because a million validated models take
minutes; the builders only produce values the models accept, and the tests validate generated
catalogs in full to keep it that way.
"""

from __future__ import annotations

import random
from dataclasses import dataclass, field

from outagelens.topology.construct import construct
from outagelens.topology.models import (
    Component,
    ComponentKind,
    Location,
    Recovery,
    RedundancyGroup,
    Replication,
    Software,
)

# (region id, site code, geography, ISO country, IANA time zone, lat, lon, NUTS3 or "")
REGIONS: tuple[tuple[str, str, str, str, str, float, float, str], ...] = (
    ("eu-central", "fra", "Frankfurt am Main, DE", "DE", "Europe/Berlin", 50.11, 8.68, "DE712"),
    ("eu-west", "ams", "Amsterdam, NL", "NL", "Europe/Amsterdam", 52.37, 4.90, "NL329"),
    ("eu-north", "sto", "Stockholm, SE", "SE", "Europe/Stockholm", 59.33, 18.07, "SE110"),
    ("eu-south", "mil", "Milan, IT", "IT", "Europe/Rome", 45.46, 9.19, "ITC4C"),
    ("eu-west-2", "par", "Paris, FR", "FR", "Europe/Paris", 48.86, 2.35, "FR101"),
    ("eu-west-3", "dub", "Dublin, IE", "IE", "Europe/Dublin", 53.35, -6.26, "IE061"),
    ("eu-central-2", "zrh", "Zurich, CH", "CH", "Europe/Zurich", 47.38, 8.54, "CH040"),
    ("eu-east", "waw", "Warsaw, PL", "PL", "Europe/Warsaw", 52.23, 21.01, "PL911"),
    ("eu-south-2", "mad", "Madrid, ES", "ES", "Europe/Madrid", 40.42, -3.70, "ES300"),
    ("eu-central-3", "vie", "Vienna, AT", "AT", "Europe/Vienna", 48.21, 16.37, "AT130"),
    ("uk-south", "lon", "London, GB", "GB", "Europe/London", 51.51, -0.13, ""),
    ("us-east", "iad", "Ashburn, US", "US", "America/New_York", 39.04, -77.49, ""),
    ("us-west", "sjc", "San Jose, US", "US", "America/Los_Angeles", 37.34, -121.89, ""),
    ("us-central", "dfw", "Dallas, US", "US", "America/Chicago", 32.78, -96.80, ""),
    ("ca-central", "yul", "Montreal, CA", "CA", "America/Toronto", 45.50, -73.57, ""),
    ("sa-east", "gru", "Sao Paulo, BR", "BR", "America/Sao_Paulo", -23.55, -46.63, ""),
    ("ap-southeast", "sin", "Singapore, SG", "SG", "Asia/Singapore", 1.35, 103.82, ""),
    ("ap-northeast", "nrt", "Tokyo, JP", "JP", "Asia/Tokyo", 35.68, 139.69, ""),
    ("ap-south", "bom", "Mumbai, IN", "IN", "Asia/Kolkata", 19.08, 72.88, ""),
    ("ap-southeast-2", "syd", "Sydney, AU", "AU", "Australia/Sydney", -33.87, 151.21, ""),
    ("me-central", "dxb", "Dubai, AE", "AE", "Asia/Dubai", 25.20, 55.27, ""),
    ("af-south", "jnb", "Johannesburg, ZA", "ZA", "Africa/Johannesburg", -26.20, 28.05, ""),
)

# Software per component role: (name, versions seen across the fleet).
SOFTWARE: dict[str, tuple[str, tuple[str, ...]]] = {
    "router": ("junos", ("22.4R3", "23.2R2", "23.4R1")),
    "edge": ("edge-filter", ("5.1.3", "5.2.0")),
    "switch": ("arista-eos", ("4.30.5M", "4.31.2F", "4.32.1F")),
    "storage": ("ontap", ("9.13.1", "9.14.1")),
    "hypervisor": ("proxmox-ve", ("8.1", "8.2")),
    "k8s": ("kubernetes", ("1.29.8", "1.30.4", "1.31.1")),
    "lb": ("haproxy", ("2.8.10", "2.9.7")),
    "postgres": ("postgresql", ("15.8", "16.4")),
    "dbaas": ("patroni", ("3.2.2", "3.3.2")),
    "objstore": ("ceph", ("18.2.4", "19.1.0")),
    "mq": ("rabbitmq", ("3.12.14", "3.13.6")),
    "cache": ("redis", ("7.2.5", "7.4.0")),
    "iam": ("keycloak", ("24.0.5", "25.0.2")),
    "backup": ("veeam", ("12.1", "12.2")),
    "dns": ("powerdns", ("4.9.1",)),
    "cdn": ("varnish", ("7.5.0",)),
}

# Service id -> site platform roles its deployment requires (in every site that has them).
SERVICE_PLATFORM: dict[str, tuple[str, ...]] = {
    "vm-hosting": ("lb", "iam"),
    "managed-k8s": ("k8s", "lb", "iam"),
    "managed-postgres": ("dbaas",),
    "object-storage": ("objstore", "lb"),
    "message-queue": ("mq",),
    "cache": ("cache",),
    "colocation": ("colo-power", "colo-net", "cooling"),
    "backup": ("backup",),
}


@dataclass(slots=True)
class Site:
    """One generated site: its id, the platform role -> component ids, and its tenant cells."""

    id: str
    region: str
    platform: dict[str, list[str]] = field(default_factory=dict)
    hypervisors: list[str] = field(default_factory=list)
    databases: list[str] = field(default_factory=list)
    database_positions: list[int] = field(default_factory=list)  # index in the component list


class SiteBuilder:
    """Appends the components of one site to a shared list, with realistic redundancy."""

    def __init__(self, rng: random.Random, out: list[Component]) -> None:
        self.rng = rng
        self.out = out

    def _soft(self, role: str) -> Software:
        name, versions = SOFTWARE[role]
        return construct(Software, name=name, version=self.rng.choice(versions))

    def add(
        self,
        cid: str,
        kind: ComponentKind,
        site: str,
        *,
        requires: list[str] | None = None,
        groups: list[RedundancyGroup] | None = None,
        soft: str | None = None,
        restore: float | None = None,
        name: str | None = None,
    ) -> str:
        """Append one component and return its id."""
        values: dict[str, object] = {"id": cid, "kind": kind, "location": site}
        if name is not None:
            values["name"] = name
        if requires:
            values["requires"] = requires
        if groups:
            values["redundancy"] = groups
        if soft is not None:
            values["software"] = self._soft(soft)
        if restore is not None:
            values["recovery"] = construct(Recovery, restore_minutes=restore)
        self.out.append(construct(Component, **values))
        return cid

    def power(self, s: str, *, full: bool) -> tuple[list[str], list[RedundancyGroup]]:
        """Utility feed, generators, UPS and power paths; returns (requires, groups) for loads."""
        K = ComponentKind
        grid = self.add(f"{s}-grid", K.UTILITY_FEED, s, restore=180.0, name="Utility feed")
        gens = [
            self.add(f"{s}-gen-{i}", K.GENERATOR, s, name=f"Diesel generator {i}")
            for i in range(1, 3 if full else 2)
        ]
        source = [_group("source", 1, [grid, *gens])]
        if not full:
            ups = self.add(f"{s}-ups", K.UPS, s, restore=120.0)
            path = self.add(f"{s}-power", K.POWER, s, requires=[ups], groups=source)
            return [path], []
        paths = []
        for side in ("a", "b"):
            ups = self.add(f"{s}-ups-{side}", K.UPS, s, restore=120.0, name=f"UPS {side.upper()}")
            paths.append(
                self.add(f"{s}-pdu-{side}", K.POWER, s, requires=[ups], groups=source)
            )  # 2N: two independent paths, each fed by grid or generators
        return [], [_group("power", 1, paths)]

    def full_site(self, site: Site, cells: int) -> None:
        """A large site: 2N power, N+1 cooling, redundant network, tenant cells."""
        K, s = ComponentKind, site.id
        _, pwr = self.power(s, full=True)
        cracs = [self.add(f"{s}-crac-{i}", K.COOLING, s, groups=pwr) for i in range(1, 4)]
        cooling = self.add(f"{s}-cooling", K.COOLING, s, groups=[_group("crac", 2, cracs)])
        borders = [
            self.add(f"{s}-border-{i}", K.ROUTER, s, requires=[cooling], groups=pwr, soft="router")
            for i in (1, 2)
        ]
        edge = self.add(f"{s}-edge", K.EDGE, s, groups=[_group("uplinks", 1, borders)], soft="edge")
        spines = [
            self.add(f"{s}-spine-{i}", K.SWITCH, s, requires=[cooling], groups=pwr, soft="switch")
            for i in range(1, 5)
        ]
        fabric = self.add(f"{s}-fabric", K.NETWORK, s, groups=[_group("spines", 2, spines)])
        sans = [
            self.add(
                f"{s}-san-{i}", K.STORAGE, s, requires=[fabric, cooling], groups=pwr, soft="storage"
            )
            for i in range(1, max(1, cells // 16) + 2)
        ]
        mgmt = self.add(
            f"{s}-mgmt-hv",
            K.HYPERVISOR,
            s,
            requires=[fabric, sans[0], cooling],
            groups=pwr,
            soft="hypervisor",
        )
        self._platform(site, mgmt, edge, fabric, sans[-1], cooling, pwr)
        for c in range(cells):
            self._cell(site, c, fabric, sans[c % len(sans)], cooling, pwr[0].members)
        self._pair_databases(site)

    def _platform(
        self,
        site: Site,
        mgmt: str,
        edge: str,
        fabric: str,
        san: str,
        cooling: str,
        pwr: list[RedundancyGroup],
    ) -> None:
        K, s, p = ComponentKind, site.id, site.platform
        lbs = [
            self.add(
                f"{s}-lb-{i}", K.LOAD_BALANCER, s, requires=[edge, fabric], groups=pwr, soft="lb"
            )
            for i in (1, 2)
        ]
        p["lb"] = [self.add(f"{s}-lb", K.LOAD_BALANCER, s, groups=[_group("nodes", 1, lbs)])]
        p["k8s"] = [self.add(f"{s}-k8s", K.CONTAINER_PLATFORM, s, requires=[mgmt], soft="k8s")]
        p["dbaas"] = [self.add(f"{s}-dbaas", K.DATABASE, s, requires=[mgmt], soft="dbaas")]
        p["objstore"] = [
            self.add(
                f"{s}-objstore", K.STORAGE, s, requires=[fabric, san], groups=pwr, soft="objstore"
            )
        ]
        p["mq"] = [self.add(f"{s}-mq", K.MESSAGE_QUEUE, s, requires=[mgmt], soft="mq")]
        p["cache"] = [self.add(f"{s}-cache", K.CACHE, s, requires=[mgmt], soft="cache")]
        p["iam"] = [self.add(f"{s}-iam", K.IDENTITY, s, requires=[mgmt], soft="iam")]
        p["backup"] = [
            self.add(
                f"{s}-backup", K.STORAGE, s, requires=[fabric, cooling], groups=pwr, soft="backup"
            )
        ]
        p["colo-power"] = [
            self.add(
                f"{s}-colo-power",
                K.POWER,
                s,
                requires=[cooling],
                groups=[_group("feeds", 1, pwr[0].members)],
            )
        ]
        p["colo-net"] = [self.add(f"{s}-colo-net", K.NETWORK, s, requires=[edge, fabric])]
        p["cooling"] = [cooling]

    def _cell(
        self, site: Site, c: int, fabric: str, san: str, cooling: str, pdus: list[str]
    ) -> None:
        """A tenant cell (rack row): rack power, leaf pair, hypervisor cluster, database nodes."""
        K, s, rng = ComponentKind, site.id, self.rng
        pre = f"{s}-c{c:04d}"
        # About one cell in ten is single-fed or single-homed: realistic legacy debt.
        if rng.random() < 0.1:
            rack = self.add(f"{pre}-rpdu", K.POWER, s, requires=[pdus[0]])
        else:
            rack = self.add(f"{pre}-rpdu", K.POWER, s, groups=[_group("feeds", 1, pdus)])
        leaves = [
            self.add(f"{pre}-leaf-{x}", K.SWITCH, s, requires=[rack, fabric], soft="switch")
            for x in ("a", "b")
        ]
        net = [_group("leaves", 1, leaves)] if rng.random() >= 0.1 else []
        hv = self.add(
            f"{pre}-hv",
            K.HYPERVISOR,
            s,
            requires=[rack, san, cooling, *([] if net else leaves[:1])],
            groups=net,
            soft="hypervisor",
        )
        site.hypervisors.append(hv)
        site.databases.append(f"{pre}-pg")

    def _pair_databases(self, site: Site) -> None:
        """Each cell's database cluster: a node on its own hypervisor and one on the next cell's."""
        K, s, hvs = ComponentKind, site.id, site.hypervisors
        for c, db in enumerate(site.databases):
            nodes = [
                self.add(
                    f"{db}-{j + 1}",
                    K.DATABASE,
                    s,
                    requires=[hvs[(c + j) % len(hvs)]],
                    soft="postgres",
                )
                for j in range(2 if len(hvs) > 1 else 1)
            ]
            self.add(db, K.DATABASE, s, groups=[_group("replicas", 1, nodes)], soft="dbaas")
            site.database_positions.append(len(self.out) - 1)

    def compact_site(self, site: Site) -> None:
        """A small site: one power path, single cooling and network, one cell."""
        K, s = ComponentKind, site.id
        req, _ = self.power(s, full=False)
        power = req[0]
        cooling = self.add(f"{s}-cooling", K.COOLING, s, requires=[power])
        border = self.add(f"{s}-border", K.ROUTER, s, requires=[power, cooling], soft="router")
        edge = self.add(f"{s}-edge", K.EDGE, s, requires=[border], soft="edge")
        fabric = self.add(f"{s}-fabric", K.NETWORK, s, requires=[power, cooling], soft="switch")
        hv = self.add(
            f"{s}-hv", K.HYPERVISOR, s, requires=[fabric, power, cooling], soft="hypervisor"
        )
        lb = self.add(f"{s}-lb", K.LOAD_BALANCER, s, requires=[edge, hv], soft="lb")
        pg = self.add(f"{s}-pg", K.DATABASE, s, requires=[hv], soft="postgres")
        site.database_positions.append(len(self.out) - 1)
        k8s = self.add(f"{s}-k8s", K.CONTAINER_PLATFORM, s, requires=[hv], soft="k8s")
        backup = self.add(f"{s}-backup", K.STORAGE, s, requires=[fabric, power], soft="backup")
        site.platform.update(
            lb=[lb],
            k8s=[k8s],
            dbaas=[pg],
            backup=[backup],
            iam=[],
            **{"colo-power": [power], "colo-net": [edge], "cooling": [cooling]},
        )
        site.hypervisors.append(hv)
        site.databases.append(pg)


def _group(name: str, k: int, members: list[str]) -> RedundancyGroup:
    return construct(RedundancyGroup, name=name, k=k, members=members)


def make_location(rng: random.Random, region_index: int, site_index: int) -> Location:
    """A site of a region; regions past the table repeat its metros with a numbered suffix."""
    base = REGIONS[region_index % len(REGIONS)]
    series = region_index // len(REGIONS)
    region, code, geo, country, tz, lat, lon, nuts = base
    if series:
        region, code = f"{region}-{series + 1}", f"{code}{series + 1}x"
    values: dict[str, object] = {
        "id": f"{code}{site_index + 1}",
        "region": region,
        "geography": geo,
        "country": country,
        "timezone": tz,
        "lat": round(lat + rng.uniform(-0.2, 0.2), 4),
        "lon": round(lon + rng.uniform(-0.2, 0.2), 4),
        "recovery": construct(Recovery, restore_minutes=480.0),
    }
    if nuts:
        values["geocodes"] = {"NUTS3": nuts}
    return construct(Location, **values)


def link_replicas(rng: random.Random, sites: list[Site], comps: list[Component]) -> None:
    """Give about half the database clusters an async replica in another site of the region."""
    for site in sites:
        peers = [p for p in sites if p.region == site.region and p.id != site.id]
        if not peers:
            continue
        for i in site.database_positions:
            if rng.random() < 0.5:
                target = rng.choice(rng.choice(peers).databases)
                rep = construct(
                    Replication,
                    mode="async",
                    lag_seconds=float(rng.choice((1, 5, 30))),
                    target=target,
                )
                comps[i] = comps[i].model_copy(update={"replication": rep})
