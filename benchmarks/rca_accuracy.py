"""RCA accuracy benchmark: the engine and every baseline on a generated scenario suite.

    python benchmarks/rca_accuracy.py --n 300 --seed 1          # the documented run
    python benchmarks/rca_accuracy.py --quick                   # 36 small cases, ~1 minute

The simulator's suite generator (`outagelens.sim.suite.write_suite`) writes each case (catalog,
signals directory, truth.json) to disk; a worker process then loads the catalog and the signals
directory with the ordinary loaders, runs the engine (`investigate`) and the baselines
(most-alerted, SCORE, Sherlock/Ferret) on them, and only afterwards opens truth.json to score.
Generation and evaluation overlap (one process each; 2 cores).

Metrics, per noise level and per catalog size (entities):
- AC@k: the true root-cause set is among the first k hypotheses (set equality);
  Avg@5 = mean of AC@1..AC@5;
- category: the top hypothesis' cause category equals the true one;
- onset error: |onset of the top hypothesis - true onset| in minutes (engine only);
- customer precision/recall: the primary incident's affected customers against the truth;
- time: seconds per investigation (engine: `investigate` after loading; baselines: their
  ranking after the shared detect stage).
The engine's answer is the top hypothesis of its largest incident.
"""

from __future__ import annotations

import argparse
import os
import platform
import shutil
import sys
import tempfile
import time
from collections import defaultdict
from collections.abc import Iterable
from concurrent.futures import Future, ProcessPoolExecutor
from dataclasses import dataclass, field
from datetime import UTC, datetime
from pathlib import Path

from rich.console import Console
from rich.table import Table

REPO_ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(REPO_ROOT / "src"))

from outagelens.investigate import InvestigateConfig, detect, investigate  # noqa: E402
from outagelens.rca.baselines import MostAlerted, RcaProblem, Score, Sherlock  # noqa: E402
from outagelens.signals import load_signals_dir, load_truth  # noqa: E402
from outagelens.topology import load_catalog  # noqa: E402

METHODS = ("engine", "most-alerted", "score", "sherlock")
QUICK_SIZES = (50, 200, 1_000)
FULL_SIZES = (50, 200, 1_000, 5_000, 20_000, 100_000)


@dataclass
class MethodScore:
    """One method's answer on one case, scored."""

    ranks: list[tuple[str, ...]]
    category: str
    seconds: float
    onset_error: float | None = None
    precision: float | None = None
    recall: float | None = None
    missing_customers: tuple[str, ...] = ()
    extra_customers: tuple[str, ...] = ()


@dataclass
class CaseResult:
    """All methods on one case."""

    name: str
    entities: int
    noise: str
    truth_category: str
    truth_roots: tuple[str, ...]
    methods: dict[str, MethodScore] = field(default_factory=dict)


def evaluate_case(name: str, entities: int, noise: str, case_dir: str, keep: bool) -> CaseResult:
    """Run every method on one written case; read truth.json only to score."""
    catalog = load_catalog(Path(case_dir) / "catalog.yaml")
    signals = load_signals_dir(Path(case_dir) / "signals")
    out: dict[str, MethodScore] = {}
    t0 = time.perf_counter()
    inv = investigate(catalog, signals, config=InvestigateConfig())
    engine_s = time.perf_counter() - t0
    symptoms, _ = detect(catalog, signals, InvestigateConfig())
    problem = RcaProblem(catalog, signals, tuple(symptoms))
    for method in (MostAlerted(), Score(), Sherlock()):
        t0 = time.perf_counter()
        res = method.rank(problem)
        out[method.name] = MethodScore(res.top(5), res.category.value, time.perf_counter() - t0)
    truth = load_truth(Path(case_dir) / "signals")  # scoring only, after every method ran
    primary = inv.incidents[0] if inv.incidents else None
    hyps = primary.hypotheses if primary else []
    engine = MethodScore(
        [h.entities for h in hyps[:5]], hyps[0].category.value if hyps else "unknown", engine_s
    )
    if hyps and hyps[0].onset is not None and truth.onset is not None:
        engine.onset_error = abs((hyps[0].onset - truth.onset).total_seconds()) / 60
    got = set(primary.incident.scope.customers) if primary else set()
    want = set(truth.affected_customers)
    engine.precision = len(got & want) / len(got) if got else (1.0 if not want else 0.0)
    engine.recall = len(got & want) / len(want) if want else 1.0
    engine.missing_customers = tuple(sorted(want - got))
    engine.extra_customers = tuple(sorted(got - want))
    out["engine"] = engine
    if not keep:
        shutil.rmtree(case_dir, ignore_errors=True)
    return CaseResult(
        name,
        entities,
        noise,
        str(truth.category),
        tuple(truth.root_causes),
        {m: out[m] for m in METHODS},
    )


def _hit(ranks: list[tuple[str, ...]], roots: tuple[str, ...], k: int) -> bool:
    return any(set(r) == set(roots) for r in ranks[:k])


def summarize(results: Iterable[CaseResult], key: str) -> dict[str, dict[str, dict[str, float]]]:
    """Per group (noise or entities) and method: the averaged metrics."""
    groups: dict[str, list[CaseResult]] = defaultdict(list)
    for r in results:
        groups[str(getattr(r, key))].append(r)
        groups["all"].append(r)
    table: dict[str, dict[str, dict[str, float]]] = {}
    for g, rs in groups.items():
        table[g] = {}
        for m in METHODS:
            scores = [(r, r.methods[m]) for r in rs]
            ac = [
                sum(_hit(s.ranks, r.truth_roots, k) for r, s in scores) / len(rs)
                for k in range(1, 6)
            ]
            row = {
                "n": float(len(rs)),
                "ac1": ac[0],
                "ac3": ac[2],
                "avg5": sum(ac) / 5,
                "cat": sum(s.category == r.truth_category for r, s in scores) / len(rs),
                "time": sum(s.seconds for _, s in scores) / len(rs),
            }
            onsets = [s.onset_error for _, s in scores if s.onset_error is not None]
            if onsets:
                row["onset"] = sorted(onsets)[len(onsets) // 2]
            precs = [s.precision for _, s in scores if s.precision is not None]
            recs = [s.recall for _, s in scores if s.recall is not None]
            if precs:
                row["prec"] = sum(precs) / len(precs)
                row["rec"] = sum(recs) / len(recs)
            table[g][m] = row
    return table


def _order(groups: Iterable[str]) -> list[str]:
    named = {"clean": 0, "realistic": 1, "harsh": 2}
    return sorted(
        groups, key=lambda g: (g == "all", named.get(g, 9), int(g) if g.isdigit() else 0, g)
    )


def render(title: str, table: dict[str, dict[str, dict[str, float]]]) -> Table:
    """A Rich table of one summary."""
    t = Table(title=title)
    for col in (
        "group",
        "n",
        "method",
        "AC@1",
        "AC@3",
        "Avg@5",
        "category",
        "onset err (min, median)",
        "cust. precision",
        "cust. recall",
        "s/investigation",
    ):
        t.add_column(col, justify="left" if col in ("group", "method") else "right")
    for g in _order(table):
        for m in METHODS:
            row = table[g][m]
            t.add_row(
                g,
                f"{row['n']:.0f}",
                m,
                f"{row['ac1']:.2f}",
                f"{row['ac3']:.2f}",
                f"{row['avg5']:.2f}",
                f"{row['cat']:.2f}",
                f"{row['onset']:.1f}" if "onset" in row else "-",
                f"{row['prec']:.2f}" if "prec" in row else "-",
                f"{row['rec']:.2f}" if "rec" in row else "-",
                f"{row['time']:.2f}",
            )
        t.add_section()
    return t


def _md_row(group: str, method: str, r: dict[str, float]) -> str:
    onset = f"{r['onset']:.1f}" if "onset" in r else "-"
    prec = f"{r['prec']:.2f}" if "prec" in r else "-"
    rec = f"{r['rec']:.2f}" if "rec" in r else "-"
    return (
        f"| {group} | {r['n']:.0f} | {method} | {r['ac1']:.2f} | {r['ac3']:.2f} | "
        f"{r['avg5']:.2f} | {r['cat']:.2f} | {onset} | {prec} | {rec} | {r['time']:.2f} |"
    )


def markdown(title: str, table: dict[str, dict[str, dict[str, float]]]) -> str:
    """The same summary as a Markdown table."""
    lines = [
        f"**{title}**",
        "",
        "| group | n | method | AC@1 | AC@3 | Avg@5 | category | onset err (min, median) "
        "| cust. precision | cust. recall | s/investigation |",
        "|---|---|---|---|---|---|---|---|---|---|---|",
    ]
    for g in _order(table):
        lines.extend(_md_row(g, m, table[g][m]) for m in METHODS)
    return "\n".join(lines) + "\n"


def run_suite(
    n: int, seed: int, sizes: tuple[int, ...], root: Path, keep: bool, console: Console
) -> list[CaseResult]:
    """Generate the suite case by case and evaluate each in a worker as soon as it is written."""
    from outagelens.sim.suite import write_suite

    futures: list[Future[CaseResult]] = []
    with ProcessPoolExecutor(max_workers=1) as pool:
        for i, case in enumerate(write_suite(n, root, seed=seed, sizes=sizes), start=1):
            futures.append(
                pool.submit(
                    evaluate_case, case.name, case.entities, case.noise, str(case.directory), keep
                )
            )
            console.print(
                f"[dim]generated {i}/{n} ({case.entities} entities, {case.noise})[/]",
                highlight=False,
            )
        return [f.result() for f in futures]


def print_misses(results: list[CaseResult], console: Console) -> None:
    """The engine's wrong answers and customer mismatches, one line each."""
    for r in results:
        e = r.methods["engine"]
        if e.missing_customers or e.extra_customers:
            console.print(
                f"customers {r.name} {r.entities} {r.noise}: missing "
                f"{e.missing_customers} extra {e.extra_customers}",
                highlight=False,
            )
        if not _hit(e.ranks, r.truth_roots, 1) or e.category != r.truth_category:
            console.print(
                f"miss {r.name} {r.entities} {r.noise}: truth {r.truth_roots} "
                f"{r.truth_category}; got {e.ranks[:3]} {e.category}",
                highlight=False,
            )


def main() -> None:
    """Parse arguments, generate the suite, evaluate it, print the tables."""
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawTextHelpFormatter)
    ap.add_argument("--n", type=int, default=300, help="number of scenarios")
    ap.add_argument("--seed", type=int, default=1)
    ap.add_argument("--sizes", default=None, help="comma-separated catalog sizes (entities)")
    ap.add_argument("--quick", action="store_true", help="36 cases on catalogs of 50..1,000")
    ap.add_argument("--out", default=None, help="suite directory (default: a temporary one)")
    ap.add_argument("--keep", action="store_true", help="keep each case's files")
    ap.add_argument("--markdown", default=None, help="also write the tables as Markdown here")
    ap.add_argument("--show-misses", action="store_true", help="list the engine's misses")
    args = ap.parse_args()
    n = 36 if args.quick and args.n == 300 else args.n
    default = QUICK_SIZES if args.quick else FULL_SIZES
    sizes = tuple(int(s) for s in args.sizes.split(",")) if args.sizes else default
    root = Path(args.out or tempfile.mkdtemp(prefix="rca-suite-"))
    console = Console(width=170)
    started = time.perf_counter()
    results = run_suite(n, args.seed, sizes, root, args.keep, console)
    wall = time.perf_counter() - started
    by_noise, by_size = summarize(results, "noise"), summarize(results, "entities")
    cmd = "python benchmarks/rca_accuracy.py " + " ".join(sys.argv[1:])
    header = (
        f"{datetime.now(UTC):%Y-%m-%d %H:%M} UTC on {platform.node()} "
        f"({platform.processor() or platform.machine()}, {os.cpu_count()} cores, "
        f"Python {platform.python_version()}); {n} scenarios, seed {args.seed}, sizes "
        f"{', '.join(map(str, sizes))}; wall time {wall / 60:.1f} min; command: `{cmd}`"
    )
    console.print(render("RCA accuracy by noise level", by_noise))
    console.print(render("RCA accuracy by catalog size (entities)", by_size))
    console.print(header)
    if args.show_misses:
        print_misses(results, console)
    if args.markdown:
        tables = markdown("By noise level", by_noise) + "\n"
        tables += markdown("By catalog size (entities)", by_size)
        Path(args.markdown).write_text(header + "\n\n" + tables, encoding="utf-8")
    if not args.keep and not args.out:
        shutil.rmtree(root, ignore_errors=True)


if __name__ == "__main__":
    main()
