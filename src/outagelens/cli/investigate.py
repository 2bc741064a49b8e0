"""`outagelens investigate`: scope and ranked root causes from a catalog and a signals directory."""

from __future__ import annotations

from datetime import datetime
from pathlib import Path

import typer
from rich.console import Console, Group
from rich.panel import Panel
from rich.progress import BarColumn, Progress, TextColumn, TimeElapsedColumn
from rich.table import Table

from outagelens.cli.impact_view import render_impact
from outagelens.errors import SignalError
from outagelens.investigate import investigate as run_investigation
from outagelens.investigation import IncidentInvestigation, Investigation
from outagelens.signals import load_signals_dir
from outagelens.signals.prometheus import prometheus_window
from outagelens.signals.timefmt import parse_time
from outagelens.signals.types import SignalSet
from outagelens.topology import load_catalog

console = Console()


def investigate(
    catalog: Path = typer.Option(..., "--catalog", help="Catalog file (native YAML)."),
    signals: Path | None = typer.Option(
        None, "--signals", help="Signals directory (docs/signals.md)."
    ),
    prometheus: str | None = typer.Option(
        None, "--prometheus", help="Read SLI series from this Prometheus (with --from, --to)."
    ),
    from_: str | None = typer.Option(None, "--from", help="Window start, ISO 8601 with zone."),
    to: str | None = typer.Option(None, "--to", help="Window end, ISO 8601 with zone."),
    alertmanager_url: str | None = typer.Option(
        None, "--alertmanager-url", help="Take the active alerts from this Alertmanager."
    ),
    as_json: bool = typer.Option(False, "--json", help="Print the Investigation as JSON."),
    incidents: int = typer.Option(3, "--incidents", min=1, help="Incidents to show in detail."),
) -> None:
    """Investigate a window of signals: what is affected, since when, what failed and why."""
    cat = load_catalog(catalog)
    sig = _signals(catalog, signals, prometheus, from_, to, alertmanager_url)
    if as_json:
        result = run_investigation(cat, sig)
        print(result.model_dump_json(indent=2))
        return
    with Progress(
        TextColumn("{task.description}"),
        BarColumn(),
        TimeElapsedColumn(),
        console=console,
        transient=True,
    ) as bar:
        task = bar.add_task("investigating", total=None)

        def progress(stage: str, done: int, total: int) -> None:
            bar.update(task, description=f"{stage}", completed=done, total=max(total, 1))

        result = run_investigation(cat, sig, progress=progress)
    render(result, incidents)


def _signals(
    catalog: Path,
    signals: Path | None,
    prometheus: str | None,
    from_: str | None,
    to: str | None,
    alertmanager_url: str | None,
) -> SignalSet:
    """The signals directory, or a window read from Prometheus (docs/prometheus.md)."""
    if prometheus is None:
        if signals is None:
            raise SignalError("give --signals DIR, or --prometheus URL --from ISO --to ISO")
        return load_signals_dir(signals)
    if from_ is None or to is None:
        raise SignalError("--prometheus needs --from and --to (ISO 8601 times)")
    return prometheus_window(
        prometheus,
        _when(from_, "--from"),
        _when(to, "--to"),
        alertmanager_url=alertmanager_url,
        catalog_ref=str(catalog),
    )


def _when(text: str, option: str) -> datetime:
    try:
        return parse_time(text)
    except ValueError as exc:
        raise SignalError(f"{option} {text!r}: {exc}") from None


def render(result: Investigation, limit: int) -> None:
    """Print an investigation as Rich tables."""
    console.print(
        f"[bold]{result.catalog_provider}[/]: window {result.window_start:%Y-%m-%d %H:%M} to "
        f"{result.window_end:%Y-%m-%d %H:%M} UTC, {result.symptom_count} symptoms, "
        f"{len(result.incidents)} incident(s)"
    )
    if not result.incidents:
        console.print("[green]No incident found.[/]")
    for ii in result.incidents[:limit]:
        console.print(
            Panel(
                Group(
                    _scope_table(ii),
                    _hypothesis_table(ii),
                    _evidence(ii),
                    *([render_impact(ii.impact)] if ii.impact is not None else []),
                ),
                title=f"incident {ii.incident.id}",
                expand=True,
            )
        )
    rest = result.incidents[limit:]
    if rest:
        console.print(
            f"{len(rest)} more small incident(s): "
            + ", ".join(
                f"{ii.incident.id} ({', '.join(ii.top.entities) if ii.top else '?'})" for ii in rest
            )
        )


def _scope_table(ii: IncidentInvestigation) -> Table:
    sc = ii.incident.scope
    t = Table(title="Scope", show_header=False, expand=True)
    t.add_column("field", style="bold")
    t.add_column("value")
    end = "ongoing" if sc.ongoing or sc.end is None else f"{sc.end:%Y-%m-%d %H:%M} UTC"
    t.add_row("start", f"{sc.start:%Y-%m-%d %H:%M} UTC")
    t.add_row("end", end)
    t.add_row("duration", f"{sc.duration_minutes:.0f} min")
    delay = (
        "no alert"
        if sc.detection_delay_minutes is None
        else (f"{sc.detection_delay_minutes:.1f} min (first alert {sc.first_alert_at:%H:%M})")
    )
    t.add_row("detection delay", delay)
    t.add_row("customers", ", ".join(sc.customers) or "-")
    t.add_row("services", ", ".join(sc.services) or "-")
    t.add_row("locations", ", ".join(sc.locations) or "-")
    t.add_row("geography", "; ".join(sc.geography) or "-")
    for sub in sc.subscriptions:
        ivs = ", ".join(
            f"{iv.location} {iv.state.value} {100 * iv.failed_fraction:.0f}% from {iv.start:%H:%M}"
            for iv in sub.intervals
        )
        t.add_row(f"  {sub.subscription}", ivs)
    return t


def _hypothesis_table(ii: IncidentInvestigation) -> Table:
    t = Table(title="Ranked root-cause hypotheses", expand=True)
    for col in ("#", "root cause", "category", "confidence", "explains", "against"):
        t.add_column(col)
    for h in ii.hypotheses:
        cat_p = h.category_probabilities.get(h.category, 0.0)
        t.add_row(
            str(h.rank),
            ", ".join(h.entities),
            f"{h.category.value} ({100 * cat_p:.0f}%)",
            f"{100 * h.confidence:.0f}%",
            str(len(h.explained)),
            f"{h.contradicted_count} healthy, {len(h.unexplained)} unexplained",
        )
    return t


def _evidence(ii: IncidentInvestigation) -> Table:
    t = Table(title="Evidence for the top hypothesis", show_header=False, expand=True)
    t.add_column("", width=2)
    t.add_column("evidence")
    top = ii.top
    if top is None:
        return t
    t.add_row("", f"[bold]{top.summary}[/]")
    for ev in top.evidence_for:
        t.add_row("[green]+[/]", ev.sentence)
    for ev in top.evidence_against:
        t.add_row("[red]-[/]", ev.sentence)
    return t
