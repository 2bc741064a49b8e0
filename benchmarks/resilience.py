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
import resource
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


class _Timer:
    """Wall-clock and CPU seconds of a block (CPU time is less disturbed by a busy machine)."""

    def __enter__(self) -> _Timer:
        self.wall0, self.cpu0 = time.perf_counter(), time.process_time()
        return self

    def __exit__(self, *exc: object) -> None:
        self.wall = time.perf_counter() - self.wall0
        self.cpu = time.process_time() - self.cpu0

    def __str__(self) -> str:
        return f"{self.wall:.2f} (cpu {self.cpu:.2f})"


def main() -> None:
    """Generate, time, print one table."""
    parser = argparse.ArgumentParser()
    parser.add_argument("--entities", type=int, default=100_000)
    parser.add_argument("--seed", type=int, default=1)
    parser.add_argument("--order2", action="store_true", help="also time exact size-2 cut sets")
    args = parser.parse_args()
    with _Timer() as t_build:
        data = generate_catalog(args.entities, seed=args.seed)
        catalog = Catalog(data)
    n_entities = count_entities(data)
    with _Timer() as t_spof:
        singles = single_failure_sets(catalog)
        ranking = spof_ranking(catalog, singles)
    with _Timer() as t_site:
        sites = single_failure_sets(catalog, "location")
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
    table.add_row("catalog generation + compile (s)", str(t_build))
    table.add_row("SPOF analysis, all subscriptions + ranking (s)", str(t_spof))
    table.add_row("distinct component SPOFs", f"{len(ranking):,}")
    table.add_row("site-loss SPOFs (locations) (s)", str(t_site))
    table.add_row("subscriptions with a single site", f"{sum(1 for v in sites.values() if v):,}")
    if args.order2:
        with _Timer() as t2:
            analysis = minimal_cut_sets(catalog, CutSetConfig(max_order=2))
        pairs = sum(len(s.cut_sets) for s in analysis.subscriptions.values())
        table.add_row("exact cut sets up to size 2 (s)", str(t2))
        table.add_row("size-2 cut sets found", f"{pairs:,}")
    peak_mb = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
    table.add_row("peak memory (MB, whole process)", f"{peak_mb:,.0f}")
    table.add_row("load average at end (1 min)", f"{os.getloadavg()[0]:.1f}")
    Console().print(table)


if __name__ == "__main__":
    main()
