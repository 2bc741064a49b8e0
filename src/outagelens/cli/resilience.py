"""`outagelens resilience` and `outagelens whatif`: parse arguments, call the core, print."""

from __future__ import annotations

import json
from collections import Counter
from pathlib import Path

import typer
from rich.console import Console
from rich.table import Table

from outagelens.resilience.cutsets import CutSetConfig, ResilienceError
from outagelens.resilience.html import write_html
from outagelens.resilience.recommend import RecommendConfig
from outagelens.resilience.report import (
    ResilienceConfig,
    ResilienceReport,
    analyze,
    report_to_json,
    whatif_to_json,
)
from outagelens.resilience.whatif import WhatIfResult, locations_of_region, whatif
from outagelens.topology import load_catalog

console = Console()


def _spof_table(report: ResilienceReport, top: int) -> Table:
    table = Table(title="Single points of failure (components), by customers taken down")
    for col, just in (
        ("component", "left"),
        ("kind", "left"),
        ("customers", "right"),
        ("taken down", "left"),
        ("revenue/h", "right"),
    ):
        table.add_column(col, justify=just)  # type: ignore[arg-type]
    for r in report.components.ranking[:top]:
        name = f"[bold red]{r.entity}[/]" if r.shared else r.entity
        table.add_row(
            name,
            r.kind,
            str(len(r.customers)),
            ", ".join(r.customers[:5])
            + (f" +{len(r.customers) - 5}" if len(r.customers) > 5 else ""),
            f"{r.revenue_per_hour:,.0f} {r.currency}",
        )
    return table


def _drill_table(report: ResilienceReport) -> Table:
    customers = sorted({c.customer for sc in report.drill for c in sc.checks})
    if len(customers) > 8:
        return _drill_summary(report)
    table = Table(title="DR drill: RTO/RPO per customer when a location or region is lost")
    table.add_column("scenario")
    for c in customers:
        table.add_column(c)
    style = {
        "fail": "[red]fail[/]",
        "pass": "[green]pass[/]",
        "no-target": "[yellow]no target[/]",
        "unaffected": "[dim]-[/]",
    }
    for sc in report.drill:
        status = sc.customer_status()
        table.add_row(
            f"{sc.kind} {sc.name}", *(style[status.get(c, "unaffected")] for c in customers)
        )
    return table


def _drill_summary(report: ResilienceReport) -> Table:
    """Counts of customers per status, for catalogs with too many customers for columns."""
    table = Table(title="DR drill: customers per status when a location or region is lost")
    table.add_column("scenario")
    for status in ("fail", "pass", "no-target", "unaffected"):
        table.add_column(status, justify="right")
    for sc in report.drill:
        counts = Counter(sc.customer_status().values())
        table.add_row(
            f"{sc.kind} {sc.name}",
            *(str(counts[s]) for s in ("fail", "pass", "no-target", "unaffected")),
        )
    return table


def _recommend_table(report: ResilienceReport) -> Table:
    table = Table(title="Recommendations (measured by re-running the analysis)")
    table.add_column("#", justify="right")
    table.add_column("change")
    table.add_column("customer-weighted SPOFs", justify="right")
    table.add_column("revenue exposed/h", justify="right")
    for i, r in enumerate(report.recommendations, 1):
        table.add_row(
            str(i),
            r.change.description,
            f"{r.before.customer_spofs} -> {r.after.customer_spofs}",
            f"{r.before.revenue_exposed_per_hour:,.0f} -> {r.after.revenue_exposed_per_hour:,.0f}",
        )
    return table


def resilience_command(
    catalog: Path = typer.Option(..., "--catalog", help="Catalog file."),
    as_json: bool = typer.Option(False, "--json", help="Print the JSON document instead."),
    html: Path | None = typer.Option(None, "--html", help="Write a self-contained HTML report."),
    max_order: int = typer.Option(2, "--max-order", help="Largest cut set size (3+ is bounded)."),
    top: int = typer.Option(15, "--top", help="Rows of SPOFs and recommendations to show."),
    candidates: int = typer.Option(
        25, "--candidates", help="SPOFs and subscriptions to try changes for (each re-analyzed)."
    ),
) -> None:
    """SPOFs, cut sets, geographic diversity, DR drill and recommendations for a catalog."""
    config = ResilienceConfig(
        CutSetConfig(max_order=max_order), RecommendConfig(max_candidates=candidates, top=top)
    )
    report = analyze(load_catalog(catalog), config)
    if html is not None:
        write_html(report, html)
    if as_json:
        print(json.dumps(report_to_json(report), indent=2))
        return
    console.print(_spof_table(report, top))
    weak = [d for d in report.diversity if d.single_locations or d.single_regions]
    console.print(
        f"{len(weak)} of {len(report.diversity)} subscriptions lack geographic diversity."
    )
    console.print(_drill_table(report))
    console.print(_recommend_table(report))
    for lesson in report.lessons():
        console.print(f"- {lesson}", highlight=False)
    if html is not None:
        console.print(f"[green]wrote[/] {html}")


def _whatif_table(result: WhatIfResult) -> Table:
    table = Table(title=f"What if {', '.join(result.failed)} fail(s)")
    for col in (
        "customer",
        "subscription",
        "state",
        "minutes",
        "revenue lost",
        "SLA credit",
        "path",
    ):
        table.add_column(col)
    for o in result.outages:
        table.add_row(
            o.customer,
            o.subscription,
            o.state,
            f"{o.minutes:g}",
            f"{o.cost.revenue_lost:,.0f} {o.cost.currency}",
            f"{o.cost.sla_credit:,.0f} {o.cost.currency}",
            " <- ".join(o.path),
        )
    return table


def whatif_command(
    catalog: Path = typer.Option(..., "--catalog", help="Catalog file."),
    fail: list[str] = typer.Option([], "--fail", help="Entity ids to fail, comma-separated."),
    fail_location: list[str] = typer.Option([], "--fail-location", help="Location(s) lost."),
    fail_region: list[str] = typer.Option([], "--fail-region", help="Region(s) lost."),
    as_json: bool = typer.Option(False, "--json", help="Print the JSON document instead."),
) -> None:
    """Who goes down when the given entities fail, for how long, and what it costs."""
    cat = load_catalog(catalog)
    failed = [x.strip() for arg in fail for x in arg.split(",") if x.strip()]
    for arg in fail_location:
        for loc in (x.strip() for x in arg.split(",") if x.strip()):
            if loc not in cat.locations:
                raise ResilienceError(f"--fail-location: '{loc}' is not a location of {catalog}")
            failed.append(loc)
    for region in fail_region:
        failed.extend(locations_of_region(cat, region))
    result = whatif(cat, failed)
    if as_json:
        print(json.dumps(whatif_to_json(result), indent=2))
        return
    console.print(_whatif_table(result))
    console.print(
        f"customers down: {', '.join(result.customers_down) or 'none'}; revenue lost "
        f"{result.total_revenue_lost:,.0f}; SLA credits {result.total_sla_credit:,.0f}",
        highlight=False,
    )
