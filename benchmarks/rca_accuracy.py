"""RCA accuracy benchmark: the engine and every baseline on a generated scenario suite.

    python benchmarks/rca_accuracy.py --n 300 --seed 1          # the documented run
    python benchmarks/rca_accuracy.py --quick                   # 36 small cases, ~1 minute
    python benchmarks/rca_accuracy.py --suite-dir /tmp/suite300 # keep the suite; reruns reuse it

The simulator's suite generator (`outagelens.sim.suite.write_suite`) writes each case (catalog,
signals directory, truth.json) to disk; a worker process then loads the catalog and the signals
directory with the ordinary loaders, runs the engine (`investigate`) and the baselines
(most-alerted, SCORE, Sherlock/Ferret) on them, and only afterwards opens truth.json to score.
Generation and evaluation overlap (one process each; 2 cores).

The full run deals its 300 cases over catalogs of 50 to 100,000 entities by a fixed mix
(FULL_MIX: every size gets its count, with categories and noise levels even within each size);
cases of one size share a catalog three at a time (--per-catalog). --sizes instead draws a size
per case from a list, as --quick does. With --suite-dir the suite is written there once and a
later run with the same parameters only evaluates it (--generate-only: only write it).

Metrics, per noise level and per catalog size (entities):
- AC@k: the true root-cause set is among the first k hypotheses (set equality);
  Avg@5 = mean of AC@1..AC@5;
- category: the top hypothesis' cause category equals the true one;
- onset error: |onset of the top hypothesis - true onset| in minutes (engine only);
- customer precision/recall: the primary incident's affected customers against the truth;
- time: seconds per investigation (engine: `investigate` after loading; baselines: their
  ranking after the shared detect stage).
The engine's answer is the top hypothesis of its largest incident. A last table gives the time
per phase and catalog size: generating a case (main process) and evaluating it (worker: loading
plus every method), wall and CPU seconds.
"""

from __future__ import annotations

import argparse
import os
import platform
import resource
import shutil
import sys
import tempfile
import time
from collections import defaultdict
from collections.abc import Iterable, Iterator, Mapping
from concurrent.futures import Future, ProcessPoolExecutor
from dataclasses import dataclass, field, replace
from datetime import UTC, datetime
from pathlib import Path

from rich.console import Console
from rich.table import Table

REPO_ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(REPO_ROOT / "src"))

from outagelens.errors import ScenarioError  # noqa: E402
from outagelens.investigate import InvestigateConfig, detect, investigate  # noqa: E402
from outagelens.rca.baselines import MostAlerted, RcaProblem, Score, Sherlock  # noqa: E402
from outagelens.signals import load_signals_dir, load_truth  # noqa: E402
from outagelens.sim.scenario import NoiseLevel  # noqa: E402
from outagelens.sim.suite import (  # noqa: E402
    CATALOG_FILE,
    NOISE_LEVELS,
    check_mix,
    parse_mix,
    parse_noise_levels,
    read_suite_index,
    suite_parameters,
    write_suite,
)
from outagelens.topology import Catalog, load_catalog  # noqa: E402

METHODS = ("engine", "most-alerted", "score", "sherlock")
QUICK_SIZES = (50, 200, 1_000)
# 300 cases; every 12 cases of a size hold each (category, noise level) pair once, so 60, 48
# and 24 cases give 5, 4 and 2 of each pair.
FULL_MIX = {50: 60, 200: 60, 1_000: 60, 5_000: 48, 20_000: 48, 100_000: 24}
FULL_PER_CATALOG = 3


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
    catalog = _catalog(Path(case_dir) / CATALOG_FILE)
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


_CATALOGS: dict[tuple[int, int, int, int], Catalog] = {}


def _catalog(path: Path) -> Catalog:
    """Load a catalog, reusing the last one when the file is the same (cases that share a
    catalog are hard links to one file, evaluated one after the other)."""
    info = path.stat()
    key = (info.st_dev, info.st_ino, info.st_size, info.st_mtime_ns)
    if key not in _CATALOGS:
        _CATALOGS.clear()
        _CATALOGS[key] = load_catalog(path)
    return _CATALOGS[key]


@dataclass(frozen=True)
class Job:
    """One written case to evaluate."""

    name: str
    entities: int
    noise: str
    directory: str


@dataclass
class Timing:
    """Seconds spent on one case per phase (generation is 0 when the suite was reused)."""

    entities: int
    generate_wall: float = 0.0
    generate_cpu: float = 0.0
    evaluate_wall: float = 0.0
    evaluate_cpu: float = 0.0
    worker_peak_gb: float = 0.0


def _cpu_seconds() -> float:
    use = resource.getrusage(resource.RUSAGE_SELF)
    return use.ru_utime + use.ru_stime


def _peak_gb() -> float:
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024**2


def evaluate_timed(job: Job, keep: bool) -> tuple[CaseResult, float, float, float]:
    """evaluate_case, with its wall and CPU seconds and the worker's peak RSS so far (GB)."""
    wall, cpu = time.perf_counter(), _cpu_seconds()
    result = evaluate_case(job.name, job.entities, job.noise, job.directory, keep)
    return result, time.perf_counter() - wall, _cpu_seconds() - cpu, _peak_gb()


@dataclass(frozen=True)
class SuitePlan:
    """Which suite to evaluate and where it lives."""

    n: int
    seed: int
    sizes: tuple[int, ...]
    mix: Mapping[int, int] | None
    per_catalog: int
    noise_levels: tuple[NoiseLevel, ...]
    root: Path
    keep: bool  # keep each case's files after evaluating it
    reuse: bool = False  # a complete suite with these parameters is already in root

    def parameters(self) -> dict[str, object]:
        """What suite.json must record for the suite in root to be this one."""
        return suite_parameters(
            self.n,
            self.seed,
            sizes=self.sizes,
            mix=self.mix,
            per_catalog=self.per_catalog,
            noise_levels=self.noise_levels,
        )


def _written_jobs(plan: SuitePlan, timings: dict[str, Timing]) -> Iterator[Job]:
    """Generate the suite case by case, timing each case's generation."""
    cases = write_suite(
        plan.n, plan.root, seed=plan.seed, sizes=plan.sizes, mix=plan.mix,
        per_catalog=plan.per_catalog, noise_levels=plan.noise_levels,
    )  # fmt: skip
    while True:
        wall, cpu = time.perf_counter(), _cpu_seconds()
        case = next(cases, None)
        if case is None:
            return
        timings[case.name] = Timing(case.entities, time.perf_counter() - wall, _cpu_seconds() - cpu)
        yield Job(case.name, case.entities, case.noise, str(case.directory))


def _indexed_jobs(plan: SuitePlan, timings: dict[str, Timing]) -> Iterator[Job]:
    """The cases of an already written suite, from its index (which holds no answers)."""
    index = read_suite_index(plan.root) or {"cases": []}
    for entry in index["cases"]:
        timings[entry["name"]] = Timing(int(entry["entities"]))
        yield Job(
            entry["name"], int(entry["entities"]), entry["noise"], str(plan.root / entry["name"])
        )


def run_suite(
    plan: SuitePlan, workers: int, console: Console, generate_only: bool = False
) -> tuple[list[CaseResult], dict[str, Timing]]:
    """Evaluate every case in a worker as soon as it is written (or read from the index).

    At most a few written cases wait for evaluation, so a temporary suite never fills the
    disk with 100,000-entity cases that the worker has not reached yet.
    """
    timings: dict[str, Timing] = {}
    jobs = _indexed_jobs(plan, timings) if plan.reuse else _written_jobs(plan, timings)
    futures: list[Future[tuple[CaseResult, float, float, float]]] = []
    with ProcessPoolExecutor(max_workers=workers) as pool:
        for i, job in enumerate(jobs, start=1):
            if generate_only and not plan.keep:
                shutil.rmtree(job.directory, ignore_errors=True)  # timing the generation only
            elif not generate_only:
                pending = [f for f in futures if not f.done()]
                if not plan.reuse and len(pending) >= 3 * workers:
                    pending[0].result()
                futures.append(pool.submit(evaluate_timed, job, plan.keep))
            took = "" if plan.reuse else f" in {timings[job.name].generate_wall:.1f} s"
            console.print(
                f"[dim]{'queued' if plan.reuse else 'generated'} {i}/{plan.n} {job.name} "
                f"({job.entities} entities, {job.noise}){took}[/]",
                highlight=False,
            )
        results = []
        for future in futures:
            result, wall, cpu, peak = future.result()
            timing = timings[result.name]
            timing.evaluate_wall, timing.evaluate_cpu, timing.worker_peak_gb = wall, cpu, peak
            results.append(result)
    return results, timings


def phase_rows(timings: Iterable[Timing]) -> list[list[str]]:
    """Per catalog size and overall: cases, then generation and evaluation seconds per case
    (wall, CPU) and in total, and the largest worker peak RSS."""
    groups: dict[str, list[Timing]] = defaultdict(list)
    for t in timings:
        groups[str(t.entities)].append(t)
        groups["all"].append(t)
    rows = []
    for g in _order(groups):
        ts = groups[g]
        n = len(ts)
        gen_w, gen_c = sum(t.generate_wall for t in ts), sum(t.generate_cpu for t in ts)
        ev_w, ev_c = sum(t.evaluate_wall for t in ts), sum(t.evaluate_cpu for t in ts)
        rows.append(
            [
                g,
                str(n),
                f"{gen_w / n:.2f} / {gen_c / n:.2f}",
                f"{ev_w / n:.2f} / {ev_c / n:.2f}",
                f"{gen_w / 60:.1f} / {gen_c / 60:.1f}",
                f"{ev_w / 60:.1f} / {ev_c / 60:.1f}",
                f"{max(t.worker_peak_gb for t in ts):.1f}",
            ]
        )
    return rows


PHASE_COLUMNS = (
    "entities",
    "cases",
    "generate s/case",
    "evaluate s/case",
    "generate min",
    "evaluate min",
    "worker peak GB",
)


def render_phases(timings: Iterable[Timing]) -> Table:
    """The time per phase as a Rich table."""
    t = Table(
        title="Time per phase, wall / CPU (generation: main process; evaluation: the worker,"
        " loading included; worker peak: its largest RSS)"
    )
    for col in PHASE_COLUMNS:
        t.add_column(col, justify="left" if col == "entities" else "right")
    for row in phase_rows(timings):
        t.add_row(*row)
    return t


def markdown_phases(timings: Iterable[Timing]) -> str:
    """The time per phase as a Markdown table."""
    lines = [
        "**Time per phase, wall / CPU** (generation: main process; evaluation: the worker, "
        "loading included)",
        "",
        "| " + " | ".join(PHASE_COLUMNS) + " |",
        "|" + "---|" * len(PHASE_COLUMNS),
    ]
    lines.extend("| " + " | ".join(row) + " |" for row in phase_rows(timings))
    return "\n".join(lines) + "\n"


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


def _plan(args: argparse.Namespace) -> SuitePlan:
    """The suite the arguments ask for, and whether --suite-dir already holds it."""
    if args.mix and (args.sizes or args.quick):
        raise ScenarioError("--mix gives the sizes itself: drop --sizes / --quick")
    try:
        drawn = tuple(int(s) for s in args.sizes.split(",")) if args.sizes else None
    except ValueError:
        raise ScenarioError(
            f"--sizes must be integers separated by commas, got {args.sizes!r}"
        ) from None
    if args.quick or args.sizes:
        mix = None
        per_catalog = args.per_catalog or 1
        n = 36 if args.quick and args.n is None else (args.n or 300)
    else:
        mix = parse_mix(args.mix) if args.mix else FULL_MIX
        per_catalog = args.per_catalog or FULL_PER_CATALOG
        n = sum(mix.values()) if args.n is None else args.n
        check_mix(mix, n)
    sizes = drawn or (QUICK_SIZES if args.quick else tuple(sorted(FULL_MIX)))
    levels = tuple(parse_noise_levels(args.noise))
    if args.suite_dir:
        root, keep = Path(args.suite_dir), True
    else:
        root, keep = Path(args.out or tempfile.mkdtemp(prefix="rca-suite-")), args.keep
    plan = SuitePlan(n, args.seed, sizes, mix, per_catalog, levels, root, keep)
    index = read_suite_index(root) if args.suite_dir else None
    if index is None:
        return plan
    wanted = plan.parameters()
    differs = sorted(k for k, v in wanted.items() if index.get(k) != v)
    if differs:
        raise ScenarioError(
            f"--suite-dir {root} holds a suite made with other parameters ({', '.join(differs)}:"
            f" {[index.get(k) for k in differs]}, asked for {[wanted[k] for k in differs]});"
            " delete it or choose another directory"
        )
    return replace(plan, reuse=True)


def _arguments() -> argparse.ArgumentParser:
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawTextHelpFormatter)
    ap.add_argument("--n", type=int, default=None, help="number of scenarios (default 300)")
    ap.add_argument("--seed", type=int, default=1)
    ap.add_argument("--mix", default=None, help="cases per catalog size, e.g. 50:60,100000:24")
    ap.add_argument("--sizes", default=None, help="catalog sizes to draw from, comma-separated")
    ap.add_argument("--per-catalog", type=int, default=None, help="cases sharing one catalog")
    ap.add_argument(
        "--noise", default=",".join(NOISE_LEVELS), help="noise levels (default: all three)"
    )
    ap.add_argument("--quick", action="store_true", help="36 cases on catalogs of 50..1,000")
    ap.add_argument("--suite-dir", default=None, help="write the suite here, or reuse it")
    ap.add_argument(
        "--generate-only",
        action="store_true",
        help="only write the suite (without --suite-dir: time its generation, keep nothing)",
    )
    ap.add_argument("--workers", type=int, default=1, help="evaluation processes (default 1)")
    ap.add_argument("--out", default=None, help="suite directory (default: a temporary one)")
    ap.add_argument("--keep", action="store_true", help="keep each case's files")
    ap.add_argument("--markdown", default=None, help="also write the tables as Markdown here")
    ap.add_argument("--show-misses", action="store_true", help="list the engine's misses")
    return ap


def main() -> None:
    """Parse arguments, generate the suite (or reuse it), evaluate it, print the tables."""
    args = _arguments().parse_args()
    try:
        plan = _plan(args)
    except ScenarioError as exc:
        sys.exit(f"error: {exc}")
    if args.generate_only and plan.reuse:  # without --suite-dir: generate, time, delete
        print(f"{plan.root} already holds this suite; nothing to generate")
        return
    console = Console(width=170)
    load_before = os.getloadavg()[0]
    started = time.perf_counter()
    temporary = not plan.keep and not args.out
    try:
        results, timings = run_suite(plan, args.workers, console, args.generate_only)
    except BaseException:  # Ctrl-C or a failure: do not leave gigabytes of cases behind
        if temporary:
            shutil.rmtree(plan.root, ignore_errors=True)
        raise
    wall = time.perf_counter() - started
    cmd = "python benchmarks/rca_accuracy.py " + " ".join(sys.argv[1:])
    sizes = (
        ", ".join(f"{k}: {v}" for k, v in sorted(plan.mix.items()))
        if plan.mix
        else f"drawn from {', '.join(map(str, plan.sizes))}"
    )
    suite = "reused from " + str(plan.root) if plan.reuse else "generated"
    header = (
        f"{datetime.now(UTC):%Y-%m-%d %H:%M} UTC on {platform.node()} "
        f"({platform.processor() or platform.machine()}, {os.cpu_count()} cores, "
        f"Python {platform.python_version()}; load average {load_before:.1f} at the start, "
        f"{os.getloadavg()[0]:.1f} at the end); {plan.n} scenarios, seed {plan.seed}, "
        f"sizes ({sizes}), {plan.per_catalog} per catalog, noise {', '.join(plan.noise_levels)}, "
        f"suite {suite}; wall time {wall / 60:.1f} min; generator peak RSS {_peak_gb():.1f} GB; "
        f"command: `{cmd}`"
    )
    console.print(render_phases(timings.values()))
    if args.generate_only:
        console.print(header)
        if args.markdown:
            Path(args.markdown).write_text(
                header + "\n\n" + markdown_phases(timings.values()), encoding="utf-8"
            )
        if temporary:
            shutil.rmtree(plan.root, ignore_errors=True)
        return
    by_noise, by_size = summarize(results, "noise"), summarize(results, "entities")
    console.print(render("RCA accuracy by noise level", by_noise))
    console.print(render("RCA accuracy by catalog size (entities)", by_size))
    console.print(header)
    if args.show_misses:
        print_misses(results, console)
    if args.markdown:
        tables = markdown("By noise level", by_noise) + "\n"
        tables += markdown("By catalog size (entities)", by_size) + "\n"
        tables += markdown_phases(timings.values())
        Path(args.markdown).write_text(header + "\n\n" + tables, encoding="utf-8")
    if temporary:
        shutil.rmtree(plan.root, ignore_errors=True)


if __name__ == "__main__":
    main()
