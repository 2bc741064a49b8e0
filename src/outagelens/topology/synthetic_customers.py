"""Customers of synthetic catalogs: industries, regulation, subscriptions and tenant instances."""

from __future__ import annotations

import random
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

from outagelens.topology.construct import construct
from outagelens.topology.models import (
    Business,
    Component,
    ComponentKind,
    CreditTier,
    Customer,
    DisasterRecovery,
    Location,
    RedundancyGroup,
    RegulatoryProfile,
    Service,
    Sla,
    Subscription,
)
from outagelens.topology.synthetic_sites import Site

if TYPE_CHECKING:
    from outagelens.topology.synthetic import SyntheticConfig


@dataclass(frozen=True, slots=True)
class Industry:
    """How customers of one industry look: services they buy, what their transactions are."""

    name: str
    weight: float
    services: tuple[str, ...]
    transaction: str | None  # e.g. "orders"; None: no per-transaction business figure
    transaction_value: tuple[float, float]  # range of the average value, EUR
    dora_entity_type: str | None = None  # financial entity type under DORA Art. 2


INDUSTRIES: tuple[Industry, ...] = (
    Industry(
        "e-commerce",
        14,
        ("managed-k8s", "managed-postgres", "cdn", "cache", "object-storage"),
        "orders",
        (25, 150),
    ),
    Industry(
        "banking",
        6,
        ("vm-hosting", "managed-postgres", "message-queue", "backup", "colocation"),
        "payments",
        (50, 900),
        "credit_institution",
    ),
    Industry(
        "payments",
        4,
        ("managed-k8s", "managed-postgres", "message-queue", "cache"),
        "payments",
        (20, 300),
        "payment_institution",
    ),
    Industry(
        "insurance",
        4,
        ("vm-hosting", "managed-postgres", "backup", "object-storage"),
        "claims",
        (400, 5000),
        "insurance_undertaking",
    ),
    Industry(
        "investment",
        2,
        ("vm-hosting", "managed-postgres", "message-queue"),
        "trades",
        (1000, 50000),
        "investment_firm",
    ),
    Industry(
        "saas",
        16,
        (
            "managed-k8s",
            "managed-postgres",
            "object-storage",
            "cache",
            "message-queue",
            "dns-hosting",
        ),
        "signups",
        (0, 50),
    ),
    Industry("media", 8, ("vm-hosting", "cdn", "object-storage"), None, (0, 0)),
    Industry("gaming", 6, ("managed-k8s", "cdn", "cache"), "purchases", (2, 30)),
    Industry(
        "healthcare", 5, ("vm-hosting", "managed-postgres", "backup"), "appointments", (40, 200)
    ),
    Industry(
        "logistics",
        6,
        ("colocation", "vm-hosting", "backup", "message-queue"),
        "shipments",
        (10, 120),
    ),
    Industry("manufacturing", 5, ("colocation", "vm-hosting", "backup"), None, (0, 0)),
    Industry(
        "public-sector",
        4,
        ("vm-hosting", "managed-postgres", "backup", "dns-hosting"),
        None,
        (0, 0),
    ),
    Industry("travel", 5, ("vm-hosting", "managed-postgres", "cdn"), "bookings", (80, 1200)),
    Industry("telecom", 3, ("colocation", "managed-k8s", "dns-hosting"), None, (0, 0)),
)
_WEIGHTS = [i.weight for i in INDUSTRIES]

# tier -> (share, services (min, max), active-active factor, monthly fee base, SLA template)
TIERS: dict[str, tuple[float, tuple[int, int], float, float, str | None]] = {
    "enterprise": (0.15, (2, 4), 2.4, 25000.0, "premium"),
    "business": (0.45, (1, 3), 1.0, 4000.0, "standard"),
    "standard": (0.40, (1, 2), 0.2, 600.0, "basic"),
}
SLA_TEMPLATES: dict[str, tuple[float, tuple[tuple[float, float], ...]]] = {
    "premium": (99.99, ((99.99, 10), (99.9, 25), (99.0, 50), (95.0, 100))),
    "standard": (99.95, ((99.95, 10), (99.0, 25), (95.0, 100))),
    "basic": (99.9, ((99.9, 10), (99.0, 25))),
}
AUTHORITIES: dict[str, str] = {
    "DE": "BaFin",
    "NL": "DNB",
    "SE": "Finansinspektionen",
    "IT": "Banca d'Italia",
    "FR": "ACPR",
    "IE": "Central Bank of Ireland",
    "ES": "Banco de Espana",
    "PL": "KNF",
    "AT": "FMA",
}
_SYLLABLES = (
    "nord",
    "sued",
    "ost",
    "west",
    "alp",
    "rhein",
    "hansa",
    "lumen",
    "vita",
    "aurum",
    "fjord",
    "terra",
    "nova",
    "blau",
    "gruen",
    "stern",
    "kraft",
    "pixel",
    "cargo",
    "medi",
    "porta",
    "vento",
    "silva",
    "mare",
    "delta",
    "orbit",
    "quell",
    "berg",
)
_SUFFIX = {
    "DE": "GmbH",
    "AT": "GmbH",
    "CH": "AG",
    "NL": "B.V.",
    "FR": "SAS",
    "IT": "S.p.A.",
    "ES": "S.L.",
    "SE": "AB",
    "PL": "sp. z o.o.",
    "IE": "Ltd",
    "GB": "Ltd",
}
_PLACED = {
    "vm-hosting": "vm",
    "managed-k8s": "pool",
    "managed-postgres": "db",
    "colocation": "cage",
}


class CustomerFactory:
    """Makes one customer at a time, with its tenant instance components."""

    def __init__(
        self,
        rng: random.Random,
        sites: list[Site],
        services: list[Service],
        locations: list[Location],
        cfg: SyntheticConfig,
    ) -> None:
        self.rng = rng
        self.cfg = cfg
        self.sites = {s.id: s for s in sites}
        self.country = {loc.id: loc.country or "" for loc in locations}
        self.regions: dict[str, list[str]] = {}
        for s in sites:
            self.regions.setdefault(s.region, []).append(s.id)
        self.region_names = list(self.regions)
        self.deployed: dict[str, set[str]] = {s.id: set(s.locations) for s in services}

    def make(self, index: int) -> tuple[Customer, list[Component]]:
        """Customer number `index` and the tenant components its subscriptions run on."""
        rng = self.rng
        industry = rng.choices(INDUSTRIES, _WEIGHTS)[0]
        tier = rng.choices(list(TIERS), [t[0] for t in TIERS.values()])[0]
        region = rng.choice(self.region_names)
        home = self.regions[region]
        country = self.country[home[0]]
        stem = rng.choice(_SYLLABLES) + rng.choice(_SYLLABLES)
        cid = f"{stem}-{industry.name}-{index:06d}"
        name = f"{stem.capitalize()} {industry.name.replace('-', ' ').title()} "
        name += _SUFFIX.get(country, "Inc.")
        lo, hi = TIERS[tier][1]
        wanted = rng.sample(industry.services, min(len(industry.services), rng.randint(lo, hi)))
        regulation = self._regulation(industry, country)
        subs: list[Subscription] = []
        tenants: list[Component] = []
        for svc in wanted:
            sub = self._subscription(cid, svc, home, tier, industry, bool(regulation), tenants)
            if sub is not None:
                subs.append(sub)
        values: dict[str, Any] = {"id": cid, "name": name, "industry": industry.name}
        values.update(tier=tier, subscriptions=subs, contacts=[f"noc@{stem}.example"])
        if regulation:
            values["regulation"] = regulation
        return construct(Customer, **values), tenants

    def _regulation(self, industry: Industry, country: str) -> list[RegulatoryProfile]:
        rng = self.rng
        if industry.dora_entity_type is None or country not in AUTHORITIES:
            return []
        if rng.random() >= self.cfg.regulated_share:
            return []
        clients = int(rng.lognormvariate(11, 1.5))
        daily = float(int(clients * rng.uniform(0.05, 1.0)))
        others = [c for c in AUTHORITIES if c != country]
        profile = construct(
            RegulatoryProfile,
            framework="DORA",
            entity_type=industry.dora_entity_type,
            total_clients=clients,
            total_financial_counterparts=rng.randint(5, 400),
            daily_transactions=daily,
            daily_transaction_value=round(daily * rng.uniform(*industry.transaction_value), 2),
            member_states=[country, *rng.sample(others, rng.randint(0, 3))],
            competent_authority=AUTHORITIES[country],
        )
        return [profile]

    def _placement(self, cid: str, svc: str, site: str) -> Component | None:
        """The tenant's own instance in a site (VMs, worker pool, database, cage), if any."""
        role = _PLACED.get(svc)
        if role is None:
            return None
        s = self.sites[site]
        deployment = f"{svc}@{site}"
        if role in ("vm", "pool"):
            host, kind = self.rng.choice(s.hypervisors), ComponentKind.APPLICATION
        elif role == "db":
            host, kind = self.rng.choice(s.databases), ComponentKind.DATABASE
        else:
            host, kind = s.platform["colo-power"][0], ComponentKind.OTHER
        return construct(
            Component,
            id=f"{cid}-{role}-{site}",
            kind=kind,
            location=site,
            requires=[deployment, host],
        )

    def _subscription(
        self,
        cid: str,
        svc: str,
        home: list[str],
        tier: str,
        industry: Industry,
        regulated: bool,
        tenants: list[Component],
    ) -> Subscription | None:
        rng, cfg = self.rng, self.cfg
        deployed = self.deployed.get(svc)
        if deployed is None:
            return None  # not offered by this provider at this size
        eligible = [s for s in home if s in deployed] if deployed else home
        if not eligible:
            return None
        locs = [rng.choice(eligible)]
        min_healthy: int | None = None
        roll = rng.random()
        if len(eligible) > 1 and roll < cfg.active_active_share * TIERS[tier][2]:
            locs, min_healthy = rng.sample(eligible, 2), 1
        elif len(eligible) > 1 and roll > 1 - cfg.stretched_share:
            locs = rng.sample(eligible, 2)
        placed = [p for p in (self._placement(cid, svc, s) for s in locs) if p is not None]
        tenants.extend(placed)
        values: dict[str, Any] = {"service": svc, "locations": locs}
        if min_healthy is not None:
            values["min_healthy_locations"] = min_healthy
            values["location_failover_minutes"] = float(rng.choice((0, 1, 5)))
            if placed:
                ids = [p.id for p in placed]
                values["redundancy"] = [
                    construct(RedundancyGroup, name="instances", k=1, members=ids)
                ]
        elif placed:
            values["requires"] = [p.id for p in placed]
        self._money(values, tier, industry, regulated)
        return construct(Subscription, **values)

    def _money(
        self, values: dict[str, Any], tier: str, industry: Industry, regulated: bool
    ) -> None:
        """SLA, fee, business figures, DR targets and DORA criticality of one subscription."""
        rng = self.rng
        values["monthly_fee"] = round(TIERS[tier][3] * rng.lognormvariate(0, 0.6), 2)
        template = TIERS[tier][4]
        if template is not None and rng.random() < 0.9:
            target, tiers = SLA_TEMPLATES[template]
            values["sla"] = construct(
                Sla,
                target_percent=target,
                credit_tiers=[
                    construct(CreditTier, below_percent=b, credit_percent=c) for b, c in tiers
                ],
                degraded_weight=rng.choice((0.0, 0.5, 1.0)),
            )
        users = int(rng.lognormvariate(8 + 2 * (tier == "enterprise"), 1.2))
        biz: dict[str, Any] = {"end_users": users, "requests_per_minute": float(users // 3)}
        if industry.transaction is not None:
            tpm = round(users * rng.uniform(0.0005, 0.01), 2)
            value = round(rng.uniform(*industry.transaction_value), 2)
            biz.update(
                transaction_name=industry.transaction,
                transactions_per_minute=tpm,
                transaction_value=value,
                revenue_per_minute=round(tpm * value, 2),
            )
        values["business"] = construct(Business, **biz)
        if tier == "enterprise" or regulated:
            rto = float(rng.choice((15, 60, 120, 240)))
            values["dr"] = construct(
                DisasterRecovery, rto_minutes=rto, rpo_minutes=float(rng.choice((0, 5, 15, 60)))
            )
        if regulated and rng.random() < 0.7:
            values["critical"] = True
