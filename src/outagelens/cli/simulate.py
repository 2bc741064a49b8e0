"""`outagelens simulate ...`: run a built-in or YAML scenario, list scenarios, generate a suite."""

from __future__ import annotations

from pathlib import Path

import typer
from rich.console import Console
from rich.progress import BarColumn, MofNCompleteColumn, Progress, TextColumn, TimeElapsedColumn
from rich.table import Table

from outagelens.errors import ScenarioError
from outagelens.sim.builtin import BUILTINS
from outagelens.sim.replay import ReplayConfig, parse_listen, start_replay
from outagelens.sim.runner import SimResult, resolve_scenario, run_scenario
from outagelens.sim.runner import simulate as simulate_scenario
from outagelens.sim.scenario import NoiseConfig
from outagelens.sim.suite import (
    NOISE_LEVELS,
    SuiteCase,
    check_mix,
    parse_mix,
    parse_noise_levels,
    write_suite,
)

app = typer.Typer(
    help="Generate the signals a provider would see during a simulated outage.",
    invoke_without_command=True,
)
console = Console()


def _list() -> None:
    table = Table(title="Built-in scenarios (catalog: examples/three-customers.yaml)")
    table.add_column("name")
    table.add_column("story")
    for b in BUILTINS.values():
        table.add_row(b.name, b.summary)
    console.print(table)


def _written(result: SimResult, out: Path, table_format: str) -> None:
    s = result.signals
    table = Table(title=f"Signals written to {out}")
    table.add_column("file")
    table.add_column("records", justify="right")
    table.add_row(f"series.{table_format}", f"{len(s.series.keys)} rows x {s.series.n_minutes} min")
    table.add_row(
        f"traffic.{table_format}", f"{len(s.traffic.keys)} edges x {s.traffic.n_minutes} min"
    )
    table.add_row("alerts.jsonl", str(len(s.alerts)))
    table.add_row("changes.jsonl", str(len(s.changes)))
    table.add_row("hardware.jsonl", str(len(s.hardware)))
    table.add_row("hazards/*.xml", str(len(s.hazards)))
    table.add_row("truth.json", "ground truth, for scoring only")
    console.print(table)
    console.print(
        f"window {s.window_start:%Y-%m-%d %H:%M} .. {s.window_end:%Y-%m-%d %H:%M} UTC, "
        f"seed {s.meta.seed}",
        highlight=False,
    )


@app.callback()
def simulate(
    ctx: typer.Context,
    catalog: Path | None = typer.Option(
        None, "--catalog", "-c", help="Catalog file (default: the scenario's, or the example)."
    ),
    scenario: str | None = typer.Option(
        None, "--scenario", "-s", help="Built-in scenario name, or a scenario .yaml file."
    ),
    out: Path | None = typer.Option(None, "--out", "-o", help="Signals directory to write."),
    seed: int = typer.Option(0, "--seed", help="Random seed; same seed, same bytes."),
    noise: str | None = typer.Option(
        None, "--noise", help="Replace the scenario's noise knobs: clean, realistic or harsh."
    ),
    table_format: str = typer.Option(
        "parquet", "--format", help="Series and traffic tables: parquet or csv."
    ),
    list_: bool = typer.Option(False, "--list", help="List the built-in scenarios and exit."),
    serve_metrics: str | None = typer.Option(
        None, "--serve-metrics", help="HOST:PORT: replay live as a Prometheus exporter."
    ),
    speed: float = typer.Option(1.0, "--speed", help="Replay speed: scenario s per wall s."),
    start_minute: int = typer.Option(0, "--start-minute", help="Scenario minute to start at."),
    post_to: str | None = typer.Option(
        None, "--post-to", help="OutageLens URL for changes, alarms and CAP hazards."
    ),
    api_key: str | None = typer.Option(None, "--api-key", help="Ingest key for --post-to."),
) -> None:
    """Run a scenario: `--scenario NAME|FILE.yaml --out DIR [--catalog FILE] [--seed N]`."""
    if ctx.invoked_subcommand is not None:
        return
    if list_:
        _list()
        return
    if scenario is None or (out is None and serve_metrics is None):
        raise ScenarioError("give --scenario NAME|FILE.yaml and --out DIR (or --list)")
    cat, scn = resolve_scenario(scenario, catalog)
    if noise is not None:
        if noise not in NOISE_LEVELS:
            raise ScenarioError(f"--noise must be one of {list(NOISE_LEVELS)}, got {noise!r}")
        scn = scn.model_copy(update={"noise": NoiseConfig.level(noise)})
    if table_format not in ("parquet", "csv"):
        raise ScenarioError(f"--format must be parquet or csv, got {table_format!r}")
    if out is not None:
        result = run_scenario(cat, scn, seed, out, table_format=table_format)  # type: ignore[arg-type]
        _written(result, out, table_format)
    else:
        result = simulate_scenario(cat, scn, seed)
    if serve_metrics is not None:
        host, port = parse_listen(serve_metrics)
        config = ReplayConfig(speed, start_minute, host, port, post_to, api_key)
        replay = start_replay(cat, result.signals, config)
        console.print(
            f"replaying from minute {start_minute} at speed {speed:g}: {replay.url} "
            f"(ends {replay.timeline.wall_end:%H:%M:%S} UTC; Ctrl-C stops)",
            highlight=False,
        )
        try:
            replay.wait()
        finally:
            replay.stop()


@app.command("suite")
def suite(
    out: Path = typer.Option(..., "--out", "-o", help="Directory for the suite."),
    n: int | None = typer.Option(
        None, "--n", min=1, help="Number of scenarios (with --mix: defaults to its total)."
    ),
    seed: int = typer.Option(0, "--seed", help="Random seed of the whole suite."),
    sizes: str = typer.Option(
        "50,200,1000,5000",
        "--sizes",
        help="Catalog sizes (entities), comma-separated; each case draws one at random.",
    ),
    mix: str | None = typer.Option(
        None,
        "--mix",
        help="Exact cases per catalog size instead of --sizes, e.g. 50:60,100000:24.",
    ),
    per_catalog: int = typer.Option(
        1, "--per-catalog", min=1, help="Consecutive scenarios sharing one generated catalog."
    ),
    noise: str = typer.Option(
        ",".join(NOISE_LEVELS), "--noise", help="Noise levels to deal, comma-separated."
    ),
) -> None:
    """Generate random scenarios on random catalogs, for the accuracy benchmark."""
    try:
        size_list = tuple(int(x) for x in sizes.split(",") if x.strip())
    except ValueError:
        raise ScenarioError(
            f"--sizes must be integers separated by commas, got {sizes!r}"
        ) from None
    size_mix = parse_mix(mix) if mix is not None else None
    if n is None:
        if size_mix is None:
            raise ScenarioError("--n is required unless --mix gives the number of cases")
        n = sum(size_mix.values())
    if size_mix is not None:
        check_mix(size_mix, n)
    levels = parse_noise_levels(noise)
    cases: list[SuiteCase] = []
    with Progress(
        TextColumn("[bold]suite"),
        BarColumn(),
        MofNCompleteColumn(),
        TimeElapsedColumn(),
        TextColumn("{task.description}"),
        console=console,
    ) as progress:
        task = progress.add_task("", total=n)
        written = write_suite(
            n,
            out,
            seed=seed,
            sizes=size_list,
            mix=size_mix,
            per_catalog=per_catalog,
            noise_levels=levels,
        )
        for case in written:
            cases.append(case)
            progress.update(task, advance=1, description=f"{case.name} ({case.entities} entities)")
    table = Table(title=f"Suite of {len(cases)} scenarios in {out}")
    for col in ("case", "entities", "noise", "directory"):
        table.add_column(col)
    for case in cases[:20]:
        table.add_row(case.name, str(case.entities), case.noise, str(case.directory))
    console.print(table)
    if len(cases) > 20:
        console.print(f"... and {len(cases) - 20} more; index: {out / 'suite.json'}")
