"""Benchmark: time to simulate a 24-hour scenario on synthetic catalogs of growing size.

Run from the repository root:  PYTHONPATH=src python3 benchmarks/simulate.py [--sizes 1000,100000]
Prints one row per size: catalog build time, simulate time (all signals in memory), write time
(signals directory with Parquet), each as wall / CPU seconds (CPU: this process, all threads;
on a shared machine wall time depends on the load, CPU time much less), the Parquet size,
series rows and alert count, and the peak resident memory.
"""

from __future__ import annotations

import argparse
import os
import platform
import resource
import sys
import tempfile
import time
from datetime import UTC, datetime
from pathlib import Path

import numpy as np
from rich.console import Console
from rich.table import Table

from outagelens.sim.runner import simulate, write_result
from outagelens.sim.suite import random_scenario
from outagelens.topology import Catalog
from outagelens.topology.synthetic import count_entities, generate_catalog


def _peak_mb() -> float:
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024


def _clock() -> tuple[float, float]:
    use = resource.getrusage(resource.RUSAGE_SELF)
    return time.perf_counter(), use.ru_utime + use.ru_stime


def _since(mark: tuple[float, float]) -> str:
    wall, cpu = _clock()
    return f"{wall - mark[0]:.2f} / {cpu - mark[1]:.2f}"


def _machine() -> str:
    cpu = platform.processor() or platform.machine()
    try:
        with open("/proc/cpuinfo", encoding="utf-8") as f:
            for line in f:
                if line.startswith("model name"):
                    cpu = line.split(":", 1)[1].strip()
                    break
    except OSError:
        pass
    return (
        f"{platform.node()} / {cpu} / {os.cpu_count()} cores / Python {platform.python_version()}"
    )


def bench(size: int, seed: int, category: str) -> list[str]:
    """One table row: time each step of a 24-hour scenario on a catalog of `size` entities."""
    t0 = _clock()
    data = generate_catalog(size, seed=seed)
    catalog = Catalog(data)
    built = _since(t0)
    t1 = _clock()
    scenario = random_scenario(
        catalog,
        category,  # type: ignore[arg-type]
        "realistic",
        np.random.default_rng(seed),
        name="bench",
    )
    result = simulate(catalog, scenario, seed)
    simulated = _since(t1)
    with tempfile.TemporaryDirectory() as tmp:
        t2 = _clock()
        write_result(result, tmp)
        written = _since(t2)
        parquet_mb = (Path(tmp) / "series.parquet").stat().st_size / 1e6
    total = _since(t1)
    s = result.signals
    return [
        f"{count_entities(data):,}",
        category,
        f"{len(s.series.keys):,} x {s.series.n_minutes}",
        f"{len(s.alerts):,}",
        built,
        simulated,
        written,
        total,
        f"{parquet_mb:,.0f}",
        f"{_peak_mb():,.0f}",
    ]


def main() -> None:
    """Parse arguments, run each size, print the table."""
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--sizes", default="1000,100000")
    parser.add_argument("--seed", type=int, default=1)
    parser.add_argument("--category", default="natural_disaster")
    args = parser.parse_args()
    console = Console(width=150)
    table = Table(title="outagelens simulate: one 24-hour scenario (realistic noise)")
    for col in (
        "entities",
        "category",
        "series rows x min",
        "alerts",
        "catalog s",
        "simulate s",
        "write s",
        "simulate+write s",
        "series.parquet MB",
        "peak RSS MB",
    ):
        table.add_column(col, justify="right")
    for size in (int(x) for x in args.sizes.split(",")):
        table.add_row(*bench(size, args.seed, args.category))
    console.print(table)
    console.print(f"date: {datetime.now(UTC):%Y-%m-%d %H:%M} UTC")
    console.print(f"machine: {_machine()}")
    console.print(f"command: PYTHONPATH=src python3 {' '.join(sys.argv)}")
    console.print(f"load average at the end: {os.getloadavg()[0]:.1f}")
    console.print("times are wall / CPU seconds; peak RSS is the process's maximum so far.")


if __name__ == "__main__":
    main()
