"""Benchmark: SPOF analysis (and size-2 cut sets) on a large generated catalog.

Run: python3 benchmarks/resilience.py [--entities 100000] [--order2]

The catalog comes from `outagelens.topology.synthetic.generate_catalog` (realistic sites with
2N power, N+1 cooling, redundant network, tenant cells; customers single-site, active-active or
stretched). Entities are counted as the generator counts them (locations, components, services,
deployments, customers, subscriptions).
"""

from __future__ import annotations

import argparse
import datetime as dt
import os
import platform
import sys
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1] / "src"))

from rich.console import Console
from rich.table import Table

from outagelens.resilience.cutsets import (
    CutSetConfig,
    minimal_cut_sets,
    single_failure_sets,
    spof_ranking,
)
from outagelens.topology import Catalog
from outagelens.topology.synthetic import count_entities, generate_catalog


def main() -> None:
    """Generate, time, print one table."""
    parser = argparse.ArgumentParser()
    parser.add_argument("--entities", type=int, default=100_000)
    parser.add_argument("--seed", type=int, default=1)
    parser.add_argument("--order2", action="store_true", help="also time exact size-2 cut sets")
    args = parser.parse_args()
    t0 = time.perf_counter()
    data = generate_catalog(args.entities, seed=args.seed)
    catalog = Catalog(data)
    t_build = time.perf_counter() - t0
    n_entities = count_entities(data)
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
        f"{platform.system()} {os.cpu_count()} cpus py{platform.python_version()}",
    )
    table.add_row("entities (generator count)", f"{n_entities:,}")
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
