"""Benchmark: SPOF analysis (and size-2 cut sets) on a large generated catalog.

Run: python3 benchmarks/resilience.py [--entities 100000] [--order2]

Uses `outagelens.topology.synthetic` when present, else a local generator of realistic sites
(2N power, N+1 cooling, redundant routers, racks of hosts, databases) with services deployed in
several sites and customers subscribing in one or two locations.
"""

from __future__ import annotations

import argparse
import datetime as dt
import platform
import random
import sys
import time
from pathlib import Path
from typing import Any

sys.path.insert(0, str(Path(__file__).resolve().parents[1] / "src"))

from rich.console import Console
from rich.table import Table

from outagelens.resilience.cutsets import (
    CutSetConfig,
    minimal_cut_sets,
    single_failure_sets,
    spof_ranking,
)
from outagelens.topology import Catalog, catalog_from_dict


def _site(loc: str, racks: int, rng: random.Random) -> list[dict[str, Any]]:
    """Components of one site: power, cooling, network, then racks of hosts and databases."""
    c: list[dict[str, Any]] = [
        {"id": f"{loc}-grid", "kind": "utility_feed", "location": loc},
        {"id": f"{loc}-gen", "kind": "generator", "location": loc},
        {"id": f"{loc}-ups-a", "kind": "ups", "location": loc},
        {"id": f"{loc}-ups-b", "kind": "ups", "location": loc},
    ]
    src = [{"name": "source", "k": 1, "members": [f"{loc}-grid", f"{loc}-gen"]}]
    for side in "ab":
        c.append(
            {
                "id": f"{loc}-pdu-{side}",
                "kind": "power",
                "location": loc,
                "requires": [f"{loc}-ups-{side}"],
                "redundancy": src,
            }
        )
    power = [{"name": "power", "k": 1, "members": [f"{loc}-pdu-a", f"{loc}-pdu-b"]}]
    for i in range(3):
        c.append({"id": f"{loc}-crac-{i}", "kind": "cooling", "location": loc, "redundancy": power})
    c.append(
        {
            "id": f"{loc}-cooling",
            "kind": "cooling",
            "location": loc,
            "redundancy": [
                {"name": "crac", "k": 2, "members": [f"{loc}-crac-{i}" for i in range(3)]}
            ],
        }
    )
    for i in range(2):
        c.append(
            {
                "id": f"{loc}-router-{i}",
                "kind": "router",
                "location": loc,
                "requires": [f"{loc}-cooling"],
                "redundancy": power,
            }
        )
    c.append(
        {
            "id": f"{loc}-fabric",
            "kind": "network",
            "location": loc,
            "redundancy": [
                {"name": "uplinks", "k": 1, "members": [f"{loc}-router-0", f"{loc}-router-1"]}
            ],
        }
    )
    for r in range(racks):
        tor = f"{loc}-r{r}-tor"
        c.append(
            {
                "id": tor,
                "kind": "switch",
                "location": loc,
                "requires": [f"{loc}-fabric"],
                "redundancy": power,
            }
        )
        hosts = [f"{loc}-r{r}-h{h}" for h in range(rng.randint(6, 10))]
        c.extend(
            {"id": h, "kind": "compute", "location": loc, "requires": [tor, f"{loc}-cooling"]}
            for h in hosts
        )
        c.append(
            {
                "id": f"{loc}-r{r}-db",
                "kind": "database",
                "location": loc,
                "replication": {"mode": "async", "lag_seconds": 30},
                "redundancy": [{"name": "hosts", "k": 2, "members": hosts[:3]}],
            }
        )
        c.append(
            {
                "id": f"{loc}-r{r}-app",
                "kind": "application",
                "location": loc,
                "requires": [f"{loc}-r{r}-db"],
                "redundancy": [{"name": "hosts", "k": 2, "members": hosts[3:6]}],
            }
        )
    return c


def generate(entities: int, seed: int = 7) -> Catalog:
    """A catalog of about `entities` locations, components, services and customers."""
    rng = random.Random(seed)
    racks_per_site = 40
    per_site = 17 + racks_per_site * 11
    sites = max(2, entities // (per_site + 60))
    locs = [f"s{i}" for i in range(sites)]
    comps: list[dict[str, Any]] = [{"id": "global-dns", "kind": "dns"}]
    for loc in locs:
        comps.extend(_site(loc, racks_per_site, rng))
    services = []
    subs_budget = entities - len(comps) - sites
    n_services = max(1, subs_budget // 40)
    for s in range(n_services):
        where = rng.sample(locs, min(3, len(locs)))
        services.append(
            {
                "id": f"svc{s}",
                "name": f"Service {s}",
                "requires": ["global-dns"],
                "locations": {
                    loc: {"requires": [f"{loc}-r{rng.randrange(racks_per_site)}-app"]}
                    for loc in where
                },
            }
        )
    customers = []
    n_customers = max(1, entities - len(comps) - sites - n_services)
    for cu in range(n_customers):
        svc = services[rng.randrange(n_services)]
        where = list(svc["locations"])
        two = rng.random() < 0.4
        sub: dict[str, Any] = {
            "service": svc["id"],
            "locations": where[:2] if two else where[:1],
            "business": {"revenue_per_minute": rng.choice([5, 50, 500])},
        }
        if two:
            sub["min_healthy_locations"] = 1
        customers.append(
            {
                "id": f"cust{cu}",
                "name": f"Customer {cu}",
                "industry": "retail",
                "subscriptions": [sub],
            }
        )
    raw = {
        "provider": {"name": "Bench"},
        "locations": [
            {"id": loc, "region": f"r{i % 5}", "geography": loc} for i, loc in enumerate(locs)
        ],
        "components": comps,
        "services": services,
        "customers": customers,
    }
    return catalog_from_dict(raw, source="generated")


def main() -> None:
    """Generate, time, print one table."""
    parser = argparse.ArgumentParser()
    parser.add_argument("--entities", type=int, default=100_000)
    parser.add_argument("--order2", action="store_true", help="also time exact size-2 cut sets")
    args = parser.parse_args()
    t0 = time.perf_counter()
    catalog = generate(args.entities)
    t_build = time.perf_counter() - t0
    n_entities = (
        len(catalog.locations)
        + len(catalog.components)
        + len(catalog.services)
        + len(catalog.customers)
    )
    t0 = time.perf_counter()
    singles = single_failure_sets(catalog)
    ranking = spof_ranking(catalog, singles)
    t_spof = time.perf_counter() - t0
    t0 = time.perf_counter()
    sites = single_failure_sets(catalog, "location")
    t_site = time.perf_counter() - t0
    table = Table(title="Resilience benchmark")
    table.add_column("measure")
    table.add_column("value", justify="right")
    table.add_row("command", " ".join(["python3", *sys.argv]))
    table.add_row("date (UTC)", dt.datetime.now(dt.UTC).isoformat(timespec="seconds"))
    table.add_row(
        "machine",
        f"{platform.machine()} {platform.processor() or ''} "
        f"{platform.system()} py{platform.python_version()}",
    )
    table.add_row("entities (locations+components+services+customers)", f"{n_entities:,}")
    table.add_row("graph nodes", f"{len(catalog.graph):,}")
    table.add_row("subscriptions", f"{len(catalog.subscriptions):,}")
    table.add_row("catalog generation + compile (s)", f"{t_build:.2f}")
    table.add_row("SPOF analysis, all subscriptions + ranking (s)", f"{t_spof:.2f}")
    table.add_row("distinct component SPOFs", f"{len(ranking):,}")
    table.add_row("site-loss SPOFs (locations) (s)", f"{t_site:.2f}")
    table.add_row("subscriptions with a single site", f"{sum(1 for v in sites.values() if v):,}")
    if args.order2:
        t0 = time.perf_counter()
        analysis = minimal_cut_sets(catalog, CutSetConfig(max_order=2))
        t2 = time.perf_counter() - t0
        pairs = sum(len(s.cut_sets) for s in analysis.subscriptions.values())
        table.add_row("exact cut sets up to size 2 (s)", f"{t2:.2f}")
        table.add_row("size-2 cut sets found", f"{pairs:,}")
    Console().print(table)


if __name__ == "__main__":
    main()
