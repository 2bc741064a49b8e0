"""Run OutageLens' series detector on the Numenta Anomaly Benchmark (NAB) and score it.

    python benchmarks/nab.py --data /work/shared/data/nab --out /tmp/nab-results

Streams every NAB series through `outagelens.detect.series.SeriesDetector` (the detector
`detect/` uses on SLI series, default parameters), writes one results CSV per data file in NAB's
layout (`timestamp,value,anomaly_score,label`, mirroring `data/`'s folders under --out), scores
them with `outagelens.detect.nab_scoring` (threshold optimized per profile, normalized between
the null and the perfect detector) and prints our scores next to the published ones from
`results/final_results.json`, with the run time, date, machine and command.
"""

from __future__ import annotations

import argparse
import json
import os
import platform
import resource
import sys
import time
from datetime import UTC, datetime
from multiprocessing import Pool
from pathlib import Path

import numpy as np
from numpy.typing import NDArray
from rich.console import Console
from rich.table import Table

REPO_ROOT = Path(__file__).resolve().parent.parent
# Runnable as a plain script from a checkout (the package is not installed in every setup).
sys.path.insert(0, str(REPO_ROOT / "src"))

from outagelens.detect import nab_scoring as ns  # noqa: E402
from outagelens.detect.series import SeriesDetector  # noqa: E402

DEFAULT_DATA = REPO_ROOT.parent / "shared" / "data" / "nab"
TARGETS = {"standard": 74.9, "reward_low_FP_rate": 67.0}
PUBLISHED_SHOWN = ("ARTime", "numenta", "contextOSE", "htmjava", "earthgeckoSkyline", "knncad")


def read_series(
    path: Path,
) -> tuple[NDArray[np.datetime64], NDArray[np.float64], list[tuple[str, str]]]:
    """Timestamps, values and the original (timestamp, value) text of one NAB data file."""
    raw = path.read_text().splitlines()
    if not raw or raw[0].strip() != "timestamp,value":
        raise ns.NabScoringError(f"{path}: line 1: expected header 'timestamp,value'")
    stamps: list[str] = []
    values: list[float] = []
    texts: list[tuple[str, str]] = []
    for number, line in enumerate(raw[1:], start=2):
        if not line.strip():
            continue
        stamp, _, value = line.partition(",")
        try:
            values.append(float(value))
        except ValueError as err:
            raise ns.NabScoringError(f"{path}: line {number}: bad value {value!r}") from err
        stamps.append(stamp)
        texts.append((stamp, value.strip()))
    return np.array(stamps, dtype="datetime64[s]"), np.array(values), texts


def labelled_files(data_dir: Path) -> list[tuple[str, list[list[str]]]]:
    """(data file, its label windows) for every labelled NAB file, in name order."""
    labels: dict[str, list[list[str]]] = json.loads(
        (data_dir / "labels" / "combined_windows.json").read_text()
    )
    return [(rel, labels[rel]) for rel in sorted(labels)]


def analysis_arguments(doc: str | None, argv: list[str] | None) -> argparse.Namespace:
    """--data and --workers of the analysis scripts (nab_breakdown, nab_separability)."""
    parser = argparse.ArgumentParser(description=doc.splitlines()[0] if doc else None)
    parser.add_argument("--data", type=Path, default=DEFAULT_DATA, help="NAB checkout")
    parser.add_argument("--workers", type=int, default=2)
    return parser.parse_args(argv)


def normalized_line(results: list[ns.ProfileResult]) -> str:
    """'normalized: standard 70.79 (t=0.7786), ...' for the analysis scripts."""
    return "normalized: " + ", ".join(
        f"{r.profile.name} {r.normalized:.2f} (t={r.threshold:.4f})" for r in results
    )


def run_file(
    task: tuple[str, str, str, list[list[str]]],
) -> tuple[str, NDArray[np.float64], list[tuple[int, int]]]:
    """Detect on one file, write its results CSV; return its name, scores and window bounds."""
    data_dir, out_dir, rel, windows = task
    timestamps, values, texts = read_series(Path(data_dir) / "data" / rel)
    scores = SeriesDetector().score(timestamps, values)
    bounds = ns.window_bounds(rel, timestamps, [(w[0], w[1]) for w in windows])
    label = np.zeros(len(values), dtype=np.int64)
    for lo, hi in bounds:
        label[lo : hi + 1] = 1
    target = Path(out_dir) / rel
    target.parent.mkdir(parents=True, exist_ok=True)
    rows = (
        f"{stamp},{value},{score:.6f},{flag}"
        for (stamp, value), score, flag in zip(texts, scores, label, strict=True)
    )
    target.write_text("timestamp,value,anomaly_score,label\n" + "\n".join(rows) + "\n")
    return rel, scores, bounds


def run_corpus(
    data_dir: Path, out_dir: Path, workers: int
) -> tuple[list[ns.ProfileResult], int, int]:
    """Detect on every labelled NAB file in parallel and score the corpus."""
    tasks = [(str(data_dir), str(out_dir), rel, w) for rel, w in labelled_files(data_dir)]
    with Pool(workers) as pool:
        done = pool.map(run_file, tasks, chunksize=1)
    sweeps = [ns.sweep_file(rel, len(scores), bounds) for rel, scores, bounds in done]
    scores = [file_scores for _, file_scores, _ in done]
    return ns.score_corpus(sweeps, scores), sum(len(s) for s in scores), len(tasks)


def render(results: list[ns.ProfileResult], published: dict[str, dict[str, float]]) -> Table:
    """Our row, the published rows, and the targets as one table."""
    table = Table(title="NAB v1.1 scores (normalized: null detector 0, perfect detector 100)")
    table.add_column("detector")
    for r in results:
        table.add_column(r.profile.name, justify="right")
    ours = {r.profile.name: r.normalized for r in results}
    table.add_row(
        "[bold]OutageLens (ours)[/bold]",
        *[f"[bold]{ours[r.profile.name]:.2f}[/bold]" for r in results],
    )
    table.add_row("  threshold chosen", *[f"{r.threshold:.4f}" for r in results])
    for name in PUBLISHED_SHOWN:
        if name in published:
            table.add_row(name, *[f"{published[name][r.profile.name]:.2f}" for r in results])
    table.add_row(
        "target",
        *[f"> {TARGETS[r.profile.name]:.1f}" if r.profile.name in TARGETS else "" for r in results],
    )
    return table


def machine() -> str:
    """CPU model, CPU count, OS and Python version."""
    model = platform.processor() or platform.machine()
    cpuinfo = Path("/proc/cpuinfo")
    if cpuinfo.exists():
        for line in cpuinfo.read_text().splitlines():
            if line.startswith("model name"):
                model = line.split(":", 1)[1].strip()
                break
    return (
        f"{model}, {os.cpu_count()} CPUs, {platform.system()} {platform.release()}, "
        f"Python {platform.python_version()}"
    )


def main(argv: list[str] | None = None) -> int:
    """Parse arguments, run the benchmark, print the table."""
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0] if __doc__ else None)
    parser.add_argument(
        "--data", type=Path, default=DEFAULT_DATA, help="NAB checkout (data/, labels/, results/)"
    )
    parser.add_argument("--out", type=Path, required=True, help="directory for the results CSVs")
    parser.add_argument("--workers", type=int, default=2)
    args = parser.parse_args(argv)
    if not (args.data / "labels" / "combined_windows.json").is_file():
        parser.error(
            f"no NAB corpus at {args.data} (expected labels/combined_windows.json); pass --data"
        )
    console = Console()
    started = time.perf_counter()
    results, points, files = run_corpus(args.data, args.out, args.workers)
    elapsed = time.perf_counter() - started
    usage = resource.getrusage(resource.RUSAGE_CHILDREN)
    cpu = usage.ru_utime + usage.ru_stime
    published = json.loads((args.data / "results" / "final_results.json").read_text())
    console.print(render(results, published))
    console.print(
        f"{points} points in {files} files scored and written in {elapsed:.1f} s "
        f"with {args.workers} workers (worker CPU time {cpu:.1f} s)",
        soft_wrap=True,
    )
    for r in results:
        if r.profile.name in TARGETS:
            goal = TARGETS[r.profile.name]
            verdict = "met" if r.normalized > goal else "NOT met"
            console.print(
                f"target {r.profile.name} > {goal}: {verdict} ({r.normalized:.2f})", soft_wrap=True
            )
    console.print(f"date: {datetime.now(UTC):%Y-%m-%d %H:%M UTC}", soft_wrap=True)
    console.print(f"machine: {machine()}", soft_wrap=True)
    console.print("command: python " + " ".join(sys.argv), soft_wrap=True)
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
