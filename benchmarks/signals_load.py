"""Time writing and loading SLI series of catalog-scale sizes (24 h at 1-minute resolution).

Run from the repository root:  PYTHONPATH=src python3 benchmarks/signals_load.py [keys ...]
Prints one row per size: keys, rows, file size, write and load seconds, peak extra memory.

    PYTHONPATH=src python3 benchmarks/signals_load.py --dir PATH
loads one signals directory with `load_signals_dir` instead and prints its wall and CPU seconds
and the process's peak RSS (run it alone: the peak is the whole process's).
"""

from __future__ import annotations

import os
import platform
import resource
import sys
import tempfile
import time
from datetime import UTC, datetime
from pathlib import Path

import numpy as np

from outagelens.signals.directory import load_signals_dir
from outagelens.signals.frames import SERIES_METRICS, SeriesSet
from outagelens.signals.series_io import read_frame, write_frame

START = datetime(2026, 3, 14, tzinfo=UTC)
MINUTES = 24 * 60


def make_series(n_keys: int, seed: int = 1) -> SeriesSet:
    """n_keys (customer, service, location) series with 1% of samples missing."""
    rng = np.random.default_rng(seed)
    keys = sorted(
        {(f"cust-{i % 997:04d}", f"svc-{i // 997:03d}", f"loc-{i % 37:02d}") for i in range(n_keys)}
    )
    shape = (len(keys), MINUTES)
    values = {m: rng.random(shape, dtype=np.float32) for m in SERIES_METRICS}
    values["availability"][rng.random(shape) < 0.01] = np.nan
    return SeriesSet(start=START, n_minutes=MINUTES, keys=tuple(keys), values=values)


def run(n_keys: int, folder: Path) -> tuple[int, int, int, float, float, float]:
    """Write and load one size; return keys, rows, bytes, write s, load s, load CPU s."""
    series = make_series(n_keys)
    path = folder / f"series-{n_keys}.parquet"
    t0 = time.perf_counter()
    write_frame(series, path)
    t1, c1 = time.perf_counter(), time.process_time()
    loaded = read_frame(SeriesSet, path, start=START, n_minutes=MINUTES)
    t2, c2 = time.perf_counter(), time.process_time()
    if loaded != series:
        raise SystemExit(f"round trip mismatch at {n_keys} keys")
    return len(series), len(series) * MINUTES, path.stat().st_size, t1 - t0, t2 - t1, c2 - c1


def load_dir(path: Path) -> None:
    """Load one signals directory; print what it holds, wall and CPU seconds and peak RSS."""
    machine = platform.processor() or platform.machine()
    print(f"# signals_load --dir  {datetime.now(UTC):%Y-%m-%d %H:%M}Z  {machine}  "
          f"python {platform.python_version()}")  # fmt: skip
    print(f"# PYTHONPATH=src python3 benchmarks/signals_load.py --dir {path}")
    print(f"# load average at start: {os.getloadavg()[0]:.1f} on {os.cpu_count()} CPUs")
    rss0 = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
    t0, c0 = time.perf_counter(), time.process_time()
    signals = load_signals_dir(path)
    t1, c1 = time.perf_counter(), time.process_time()
    rss = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
    size = sum(f.stat().st_size for f in path.rglob("*") if f.is_file())
    print(f"series keys {len(signals.series)}, traffic keys {len(signals.traffic)}, "
          f"{signals.meta.n_minutes} minutes, {size / 1e6:.0f} MB on disk")  # fmt: skip
    print(f"load wall {t1 - t0:.2f} s, CPU {c1 - c0:.2f} s, "
          f"peak RSS {rss:.0f} MB (before loading {rss0:.0f} MB)")  # fmt: skip


def main(argv: list[str]) -> None:
    """Print the benchmark table (or, with --dir PATH, time loading one directory)."""
    if argv[:1] == ["--dir"]:
        if len(argv) != 2:
            raise SystemExit("usage: signals_load.py --dir PATH")
        load_dir(Path(argv[1]))
        return
    sizes = [int(a) for a in argv] or [1_000, 10_000]
    machine = platform.processor() or platform.machine()
    print(f"# signals_load  {datetime.now(UTC):%Y-%m-%d %H:%M}Z  {machine}  "
          f"python {platform.python_version()}")  # fmt: skip
    print("# PYTHONPATH=src python3 benchmarks/signals_load.py " + " ".join(map(str, sizes)))
    print(f"# load average at start: {os.getloadavg()[0]:.1f} on {os.cpu_count()} CPUs")
    head = f"{'keys':>8} {'rows':>12} {'MB':>8} {'write s':>8} {'load s':>8} {'load cpu s':>10}"
    print(f"{head} {'maxrss MB':>10}")
    with tempfile.TemporaryDirectory() as tmp:
        for n in sizes:
            keys, rows, size, w, r, c = run(n, Path(tmp))
            rss = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
            cells = f"{keys:>8} {rows:>12} {size / 1e6:>8.1f} {w:>8.2f} {r:>8.2f} {c:>10.2f}"
            print(f"{cells} {rss:>10.0f}")


if __name__ == "__main__":
    main(sys.argv[1:])
