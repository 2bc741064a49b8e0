"""`outagelens report` and `outagelens demo`: postmortems from signals, and the main job."""

from __future__ import annotations

import tempfile
import time
from pathlib import Path

import typer
from rich.console import Console
from rich.progress import Progress, SpinnerColumn, TextColumn, TimeElapsedColumn

from outagelens.report.pipeline import ReportRun, report_files, run_demo
from outagelens.report.render import ReportFormat

console = Console()


def _progress() -> Progress:
    return Progress(
        SpinnerColumn(),
        TextColumn("{task.description}"),
        TimeElapsedColumn(),
        console=console,
        transient=True,
    )


def _done(run: ReportRun, started: float) -> None:
    top = run.incident.top
    sc = run.incident.incident.scope
    console.print(
        f"[bold]incident {run.incident.incident.id}[/]: {len(sc.customers)} customers, "
        f"{sc.duration_minutes:.0f} min, root cause "
        + (
            f"[bold]{', '.join(top.entities)}[/] ({top.category.value}, "
            f"{100 * top.confidence:.0f}%)"
            if top
            else "unknown"
        )
    )
    for path in run.files:
        if path.suffix in (".md", ".html", ".pdf"):
            console.print(f"  wrote {path}")
    console.print(f"done in {time.monotonic() - started:.1f} s")


def report(
    catalog: Path = typer.Option(..., "--catalog", help="Catalog file."),
    signals: Path = typer.Option(..., "--signals", help="Signals directory (docs/signals.md)."),
    fmt: str = typer.Option("html", "--format", help="md, html or pdf."),
    out: Path = typer.Option(..., "--out", help="File to write (Markdown also writes charts)."),
    incident: str | None = typer.Option(None, "--incident", help="Incident id (default: primary)."),
) -> None:
    """Investigate a signals directory and write the postmortem of its primary incident."""
    if fmt not in ("md", "html", "pdf"):
        raise typer.BadParameter(f"--format must be md, html or pdf, not '{fmt}'")
    started = time.monotonic()
    with _progress() as bar:
        task = bar.add_task("loading")
        run = report_files(
            catalog,
            signals,
            fmt_cast(fmt),
            out,
            incident_id=incident,
            step=lambda s: bar.update(task, description=s),
        )
    _done(run, started)


def fmt_cast(fmt: str) -> ReportFormat:
    """Narrow a validated format string."""
    if fmt == "md":
        return "md"
    if fmt == "pdf":
        return "pdf"
    return "html"


def demo(
    out: Path | None = typer.Option(None, "--out", help="Directory (default: a new temp dir)."),
    seed: int = typer.Option(0, "--seed", help="Simulation seed."),
) -> None:
    """Simulate the three-customer outage, investigate it, write the postmortem (HTML, Markdown)."""
    target = out or Path(tempfile.mkdtemp(prefix="outagelens-demo-"))
    target.mkdir(parents=True, exist_ok=True)
    started = time.monotonic()
    with _progress() as bar:
        task = bar.add_task("starting")
        run = run_demo(target, seed=seed, step=lambda s: bar.update(task, description=s))
    _done(run, started)
    console.print(f"[green]Postmortem written to {target}[/] (open postmortem.html)")
