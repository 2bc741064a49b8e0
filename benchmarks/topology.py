"""Benchmark of the topology core on synthetic catalogs: generation, load, compile, propagation.

    PYTHONPATH=src python3 benchmarks/topology.py                    # 1,000,000 entities
    PYTHONPATH=src python3 benchmarks/topology.py --entities 200000 --yaml-entities 20000

Prints one Rich table with the date, the machine and the command. Memory is the peak resident
set size of the process (getrusage) after each stage, so it includes Python itself and every
stage before.
"""

from __future__ import annotations

import argparse
import json
import os
import platform
import random
import resource
import statistics
import sys
import tempfile
import time
from collections.abc import Callable
from datetime import UTC, datetime
from pathlib import Path
from typing import TypeVar

import yaml
from rich.console import Console
from rich.table import Table

from outagelens.topology import Catalog, load_catalog
from outagelens.topology.construct import gc_paused
from outagelens.topology.models import CatalogFile
from outagelens.topology.synthetic import catalog_to_dict, count_entities, generate_catalog

T = TypeVar("T")
Row = tuple[str, str, str]


def _timed(fn: Callable[[], T]) -> tuple[T, float]:
    start = time.perf_counter()
    out = fn()
    return out, time.perf_counter() - start


def _rss_mb() -> float:
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024  # KiB on Linux


def _machine() -> str:
    cpu = platform.processor() or platform.machine()
    try:
        for line in Path("/proc/cpuinfo").read_text().splitlines():
            if line.startswith("model name"):
                cpu = line.split(":", 1)[1].strip()
                break
    except OSError:
        pass
    mem = os.sysconf("SC_PAGE_SIZE") * os.sysconf("SC_PHYS_PAGES") / 2**30
    load = os.getloadavg()[0]
    return (
        f"{platform.node()}: {cpu}, {os.cpu_count()} cores, {mem:.0f} GiB RAM, "
        f"load {load:.1f}; Python {platform.python_version()}"
    )


def yaml_rows(n: int, seed: int) -> list[Row]:
    """Write a catalog of n entities as YAML, then time reading, validating and compiling it."""
    data = generate_catalog(n, seed=seed)
    dumper = getattr(yaml, "CSafeDumper", yaml.SafeDumper)
    with tempfile.TemporaryDirectory() as tmp:
        path = Path(tmp) / "catalog.yaml"
        text = yaml.dump(catalog_to_dict(data), Dumper=dumper, sort_keys=False)
        path.write_text(text)
        size_mb = path.stat().st_size / 2**20
        loader = getattr(yaml, "CSafeLoader", yaml.SafeLoader)
        with gc_paused():  # as load_catalog does
            raw, t_parse = _timed(lambda: yaml.load(path.read_text(), Loader=loader))
            model, t_validate = _timed(lambda: CatalogFile.model_validate(raw))
            _, t_compile = _timed(lambda: Catalog(model))
        _, t_total = _timed(lambda: load_catalog(path))
        json_path = Path(tmp) / "catalog.json"
        json_path.write_text(json.dumps(catalog_to_dict(data)))
        _, t_json = _timed(lambda: load_catalog(json_path))
    label = f"YAML file, {count_entities(data):,} entities ({size_mb:.0f} MiB)"
    return [
        (label, "parse (libyaml)", f"{t_parse:.2f} s"),
        (label, "validate (pydantic)", f"{t_validate:.2f} s"),
        (label, "compile (Catalog)", f"{t_compile:.2f} s"),
        (label, "load_catalog, end to end", f"{t_total:.2f} s"),
        (label, "load_catalog of the same catalog as JSON", f"{t_json:.2f} s"),
        (label, "peak RSS so far", f"{_rss_mb():,.0f} MiB"),
    ]


def _propagation_rows(catalog: Catalog, label: str, samples: int, seed: int) -> list[Row]:
    ids = catalog.graph.ids
    rng = random.Random(seed)
    picks = [ids[rng.randrange(len(ids))] for _ in range(samples)]
    times: list[tuple[float, str, int]] = []
    for entity in picks:
        prop, t = _timed(lambda e=entity: catalog.propagate([e]))  # type: ignore[misc]
        times.append((t, entity, len(prop.causes)))
    times.sort()
    secs = [t for t, _, _ in times]
    p95 = secs[min(len(secs) - 1, int(0.95 * len(secs)))]
    worst_t, worst_e, worst_n = times[-1]
    median = statistics.median(secs)
    rows: list[Row] = [
        (label, f"propagate 1 random failure, median of {samples}", f"{median * 1e3:.2f} ms"),
        (label, "propagate 1 random failure, p95", f"{p95 * 1e3:.2f} ms"),
        (label, "propagate 1 random failure, max", f"{worst_t * 1e3:.1f} ms ({worst_e}: "
         f"{worst_n:,} down)"),
    ]  # fmt: skip
    site = catalog.data.locations[0].id
    worst = [(site, "a whole site"), (f"{site}-pdu-a", "one of two site power paths"),
             (f"{site}-fabric", "site network fabric"), ("global-dns", "global DNS")]  # fmt: skip
    for entity, what in worst:
        if not catalog.has(entity):
            continue
        runs = [_timed(lambda e=entity: catalog.propagate([e])) for _ in range(3)]  # type: ignore[misc]
        prop, t = runs[-1][0], statistics.median(r[1] for r in runs)
        down = f"{len(prop.causes):,} down, {len(prop.subscriptions):,} subscriptions"
        rows.append((label, f"propagate {what} ({entity})", f"{t * 1e3:.0f} ms ({down})"))
    return rows


def big_rows(n: int, seed: int, samples: int) -> list[Row]:
    """Generate and compile a catalog of n entities and time single-failure propagation."""
    data, t_gen = _timed(lambda: generate_catalog(n, seed=seed))
    label = f"synthetic, {count_entities(data):,} entities"
    rss_gen = _rss_mb()
    catalog, t_compile = _timed(lambda: Catalog(data))
    rows: list[Row] = [
        (label, "generate_catalog", f"{t_gen:.1f} s"),
        (label, "peak RSS after generation", f"{rss_gen:,.0f} MiB"),
        (label, f"compile Catalog ({len(catalog.graph):,} graph nodes)", f"{t_compile:.1f} s"),
        (label, "peak RSS after compile", f"{_rss_mb():,.0f} MiB"),
    ]
    return rows + _propagation_rows(catalog, label, samples, seed)


def main() -> None:
    """Parse arguments, run the stages, print the table."""
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--entities", type=int, default=1_000_000)
    parser.add_argument("--yaml-entities", type=int, default=100_000, help="0 to skip")
    parser.add_argument("--failures", type=int, default=200, help="random single failures")
    parser.add_argument("--seed", type=int, default=1)
    args = parser.parse_args()
    started = datetime.now(UTC)
    rows: list[Row] = []
    if args.yaml_entities:
        rows += yaml_rows(args.yaml_entities, args.seed)
    rows += big_rows(args.entities, args.seed, args.failures)
    table = Table(title="OutageLens topology benchmark")
    for col in ("catalog", "measure", "result"):
        table.add_column(col)
    for row in rows:
        table.add_row(*row)
    console = Console(width=160)
    console.print(table)
    console.print(f"date: {started:%Y-%m-%d %H:%M} UTC", highlight=False)
    console.print(f"machine: {_machine()}", highlight=False)
    console.print(f"command: PYTHONPATH=src python3 {' '.join(sys.argv)}", highlight=False)


if __name__ == "__main__":
    main()
