"""Can the series detector's true NAB detections be told from its false positives?

    python benchmarks/nab_separability.py --data /work/shared/data/nab

Runs `SeriesDetector` (default parameters, as `benchmarks/nab.py`, but with the regime break
off: this is the third round's analysis of the two signals it had) on every NAB file, takes the
detections at the standard-profile threshold NAB's sweep chooses and prints:

- per signal (novel shape, range break): how much denser its detections are inside the labelled
  windows than outside them (detections per scored point, inside / outside);
- per signal, for a few causal features measured at each detection (from that point and earlier
  ones only, as a second signal would see them), the area under the ROC curve (AUC) separating
  the first detection in a window from the false positives: 0.5 means the feature does not tell
  them apart, 1.0 (or 0.0) that it separates them perfectly;
- the ceiling such a second signal could reach: the normalized scores when the false positives
  at that threshold are removed (all of them; those of one signal; a random half or quarter),
  every window found kept.

The features: the novelty size (root mean square distance to the 3 nearest earlier
10-point stretches, as a fraction of the range seen so far), the detector's score, the excess
of the value over the range of the previous 400 points (as a fraction of that range), the jump
from the previous value in units of the mean absolute step of the previous 400 points, and the
number of earlier detections in the file.
"""

from __future__ import annotations

import sys
from multiprocessing import Pool
from pathlib import Path

import numpy as np
from numpy.typing import NDArray
from rich.console import Console
from rich.table import Table

REPO_ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(REPO_ROOT / "src"))
sys.path.insert(0, str(REPO_ROOT))

from benchmarks.nab import (  # noqa: E402
    analysis_arguments,
    labelled_files,
    machine,
    normalized_line,
    read_series,
)

from outagelens.detect import nab_scoring as ns  # noqa: E402
from outagelens.detect.series import SeriesDetector, SeriesDetectorConfig  # noqa: E402
from outagelens.detect.streaming import (  # noqa: E402
    forward_fill,
    window_max,
)

FloatArray = NDArray[np.float64]
LOCAL = 400  # points of the local range and step size
SIGNALS = ("novel shape", "range break")
FEATURES = (
    "novelty size",
    "score",
    "excess over the last 400 points' range",
    "jump / mean step of the last 400",
    "earlier detections in the file",
)


class FileRun:
    """One file's signals, window bounds and the causal features of each point."""

    def __init__(
        self,
        rel: str,
        x: FloatArray,
        novelty: FloatArray,
        range_break: FloatArray,
        size: FloatArray,
        bounds: list[tuple[int, int]],
    ) -> None:
        self.rel, self.novelty, self.range_break, self.bounds = rel, novelty, range_break, bounds
        self.size = size
        previous = np.concatenate([[x[0]], x[:-1]]) if len(x) else x
        hi = np.concatenate([[x[0]], window_max(x, LOCAL)[:-1]]) if len(x) else x
        lo = -np.concatenate([[-x[0]], window_max(-x, LOCAL)[:-1]]) if len(x) else x
        self.local_excess = np.maximum(x - hi, lo - x) / np.maximum(hi - lo, 1e-12)
        step = np.abs(x - previous)
        total = np.concatenate([[0.0], np.cumsum(step)])
        start = np.maximum(np.arange(len(x)) - LOCAL, 0)
        mean_step = (total[: len(x)] - total[start]) / np.maximum(np.arange(len(x)) - start, 1)
        self.jump = step / np.maximum(mean_step, 1e-12)


def two_signal_detector() -> SeriesDetector:
    """The default detector with the regime break off (novel shape and range break only)."""
    return SeriesDetector(SeriesDetectorConfig(regime_window=0))


def run_file(task: tuple[str, str, list[list[str]]]) -> FileRun:
    """Signals and features of one file."""
    data_dir, rel, windows = task
    timestamps, values, _ = read_series(Path(data_dir) / "data" / rel)
    detector = two_signal_detector()
    novelty, range_break, _ = detector.signals(timestamps, values)
    x = forward_fill(values)
    size = np.nan_to_num(detector.novelty_size(x))
    bounds = ns.window_bounds(rel, timestamps, [(w[0], w[1]) for w in windows])
    return FileRun(rel, x, novelty, range_break, size, bounds)


def auc(positive: list[float], negative: list[float]) -> float:
    """P(a positive's feature > a negative's), ties counting half (Mann-Whitney)."""
    if not positive or not negative:
        return float("nan")
    a, b = np.asarray(positive)[:, None], np.asarray(negative)[None, :]
    return float((a > b).mean() + 0.5 * (a == b).mean())


def detections(
    runs: list[FileRun], sweeps: list[ns.FileSweep], threshold: float, detector: SeriesDetector
) -> tuple[dict[str, dict[str, list[list[float]]]], dict[str, list[int]]]:
    """Features of first-in-window detections and false positives per signal; counts in/out."""
    feats: dict[str, dict[str, list[list[float]]]] = {
        s: {"first in window": [], "false positive": []} for s in SIGNALS
    }
    counts = {s: [0, 0] for s in SIGNALS}  # detections inside, outside windows
    for run, sweep in zip(runs, sweeps, strict=True):
        score = detector.combine(run.novelty, run.range_break)
        hits = np.flatnonzero(score >= threshold)
        seen: set[int] = set()
        for rank, i in enumerate(hits):
            window = int(sweep.window_id[i])
            if window == ns.PROBATIONARY:
                continue
            signal = SIGNALS[1] if run.range_break[i] >= run.novelty[i] else SIGNALS[0]
            counts[signal][0 if window >= 0 else 1] += 1
            row = [run.size[i], score[i], run.local_excess[i], run.jump[i], float(rank)]
            if window < 0:
                feats[signal]["false positive"].append(row)
            elif window not in seen:
                seen.add(window)
                feats[signal]["first in window"].append(row)
    return feats, counts


def without_false_positives(
    runs: list[FileRun],
    sweeps: list[ns.FileSweep],
    threshold: float,
    detector: SeriesDetector,
    signal: str | None,
    keep_share: float,
    rng: np.random.Generator,
) -> list[FloatArray]:
    """Scores with false positives at `threshold` removed (only `signal`'s, if given).

    Each false positive is removed with probability 1 - keep_share; removing one can let a later
    point through the refractory filter, so removal repeats (up to 20 passes) on what appears.
    """
    out = []
    for run, sweep in zip(runs, sweeps, strict=True):
        novelty, range_break = run.novelty.copy(), run.range_break.copy()
        decided: set[int] = set()
        for _ in range(20):
            score = detector.combine(novelty, range_break)
            hits = np.flatnonzero((score >= threshold) & (sweep.window_id == ns.NO_WINDOW))
            fresh = [int(i) for i in hits if int(i) not in decided]
            if not fresh:
                break
            for i in fresh:
                decided.add(i)
                by = SIGNALS[1] if range_break[i] >= novelty[i] else SIGNALS[0]
                if (signal is None or by == signal) and rng.random() >= keep_share:
                    novelty[i] = range_break[i] = 0.0
        out.append(detector.combine(novelty, range_break))
    return out


def main(argv: list[str] | None = None) -> int:
    """Parse arguments, run the detector, print the separability and the ceilings."""
    args = analysis_arguments(__doc__, argv)
    tasks = [(str(args.data), rel, windows) for rel, windows in labelled_files(args.data)]
    with Pool(args.workers) as pool:
        runs: list[FileRun] = pool.map(run_file, tasks, chunksize=1)
    sweeps = [ns.sweep_file(r.rel, len(r.novelty), r.bounds) for r in runs]
    detector = two_signal_detector()
    scores = [detector.combine(r.novelty, r.range_break) for r in runs]
    results = ns.score_corpus(sweeps, scores)
    threshold = next(r for r in results if r.profile is ns.STANDARD).threshold
    console = Console()
    console.print(normalized_line(results))
    feats, counts = detections(runs, sweeps, threshold, detector)
    inside = sum(int((s.window_id >= 0).sum()) for s in sweeps)
    outside = sum(int((s.window_id == ns.NO_WINDOW).sum()) for s in sweeps)
    table = Table(title=f"detections at the standard threshold {threshold:.4f}: separability")
    table.add_column("measure")
    for signal in SIGNALS:
        table.add_column(signal, justify="right")
    table.add_row(
        "first in window / false positives",
        *[
            f"{len(feats[s]['first in window'])} / {len(feats[s]['false positive'])}"
            for s in SIGNALS
        ],
    )
    table.add_row(
        "density inside / outside windows",
        *[f"{(counts[s][0] / inside) / max(counts[s][1] / outside, 1e-12):.1f}x" for s in SIGNALS],
    )
    for k, name in enumerate(FEATURES):
        cells = []
        for s in SIGNALS:
            pos = [row[k] for row in feats[s]["first in window"]]
            neg = [row[k] for row in feats[s]["false positive"]]
            cells.append(f"{auc(pos, neg):.2f}")
        table.add_row(f"AUC: {name}", *cells)
    console.print(table)
    ceiling = Table(title="ceiling: scores with false positives removed (windows kept)")
    ceiling.add_column("false positives removed (seed 0)")
    for r in results:
        ceiling.add_column(r.profile.name, justify="right")
    rng = np.random.default_rng(0)
    removals: list[tuple[str, str | None, float]] = [
        ("all", None, 0.0),
        ("those of novel shape", SIGNALS[0], 0.0),
        ("a random half", None, 0.5),
        ("a random quarter", None, 0.75),
    ]
    for label, only, keep in removals:
        trimmed = without_false_positives(runs, sweeps, threshold, detector, only, keep, rng)
        row = ns.score_corpus(sweeps, trimmed)
        ceiling.add_row(label, *[f"{r.normalized:.2f}" for r in row])
    console.print(ceiling)
    console.print(f"machine: {machine()}", soft_wrap=True)
    console.print("command: python " + " ".join(sys.argv), soft_wrap=True)
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
