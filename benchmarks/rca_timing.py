"""Time one investigation on a large generated catalog (default 100,000 entities, 24 hours).

    python benchmarks/rca_timing.py --entities 100000 --seed 5 --repeat 3
    python benchmarks/rca_timing.py --entities 100000 --seed 5 --noise harsh --out /tmp/h100k
    python benchmarks/rca_timing.py --case /tmp/suite100k/case-0000   # an already written case

Generates one case with the simulator's suite writer (unless --case is given; --noise picks its
noise level, default: as the suite deals it; --out keeps it), loads the catalog and the signals
directory, then times `investigate()` alone (median of --repeat runs) and prints a table with
the catalog and signal sizes, wall and CPU seconds (time.process_time of this process: on a
shared machine wall time includes waiting for a core), the date, machine and command.
"""

from __future__ import annotations

import argparse
import os
import platform
import statistics
import sys
import tempfile
import time
from datetime import UTC, datetime
from pathlib import Path

from rich.console import Console
from rich.table import Table

REPO_ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(REPO_ROOT / "src"))

from outagelens.investigate import investigate  # noqa: E402
from outagelens.signals import load_signals_dir  # noqa: E402
from outagelens.sim.suite import CATALOG_FILE  # noqa: E402
from outagelens.topology import load_catalog  # noqa: E402


def main() -> None:
    """Generate or take a case, time the investigation, print the table."""
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawTextHelpFormatter)
    ap.add_argument("--entities", type=int, default=100_000)
    ap.add_argument("--seed", type=int, default=5)
    ap.add_argument("--repeat", type=int, default=3)
    ap.add_argument("--case", default=None, help="a written suite case directory")
    ap.add_argument("--noise", choices=("clean", "realistic", "harsh"), default=None)
    ap.add_argument("--out", default=None, help="write the generated case here (kept)")
    args = ap.parse_args()
    if args.case:
        case_dir = Path(args.case)
    else:
        from outagelens.sim.suite import NOISE_LEVELS, write_suite

        root = Path(args.out or tempfile.mkdtemp(prefix="rca-timing-"))
        levels = (args.noise,) if args.noise else NOISE_LEVELS
        [case] = list(
            write_suite(1, root, seed=args.seed, sizes=(args.entities,), noise_levels=levels)
        )
        assert case.directory is not None
        case_dir = case.directory
    t0 = time.perf_counter()
    catalog = load_catalog(case_dir / CATALOG_FILE)
    t1 = time.perf_counter()
    signals = load_signals_dir(case_dir / "signals")
    t2 = time.perf_counter()
    runs: list[float] = []
    cpu: list[float] = []
    result = None
    for _ in range(args.repeat):
        start, start_cpu = time.perf_counter(), time.process_time()
        result = investigate(catalog, signals)
        runs.append(time.perf_counter() - start)
        cpu.append(time.process_time() - start_cpu)
    assert result is not None
    table = Table(title="Investigation time on one large catalog")
    for col in (
        "graph nodes",
        "series keys",
        "minutes",
        "alerts",
        "symptoms",
        "incidents",
        "load catalog s",
        "load signals s",
        "investigate wall s (median)",
        "investigate CPU s (median)",
        "wall runs",
        "CPU runs",
    ):
        table.add_column(col, justify="right")
    table.add_row(
        str(len(catalog.graph)),
        str(len(signals.series.keys)),
        str(signals.series.n_minutes),
        str(len(signals.alerts)),
        str(result.symptom_count),
        str(len(result.incidents)),
        f"{t1 - t0:.1f}",
        f"{t2 - t1:.1f}",
        f"{statistics.median(runs):.2f}",
        f"{statistics.median(cpu):.2f}",
        ", ".join(f"{r:.2f}" for r in runs),
        ", ".join(f"{r:.2f}" for r in cpu),
    )
    console = Console(width=170)
    console.print(table)
    console.print(
        f"{datetime.now(UTC):%Y-%m-%d %H:%M} UTC on {platform.node()} ({platform.machine()}, "
        f"{os.cpu_count()} cores, load {os.getloadavg()[0]:.1f}, Python "
        f"{platform.python_version()}); case {case_dir}; "
        f"command: python benchmarks/rca_timing.py {' '.join(sys.argv[1:])}"
    )


if __name__ == "__main__":
    main()
