"""`outagelens catalog ...`: validate, blast radius, dependents, shared infrastructure."""

from __future__ import annotations

from collections import Counter
from pathlib import Path

import typer
from rich.console import Console
from rich.table import Table

from outagelens.topology import Catalog, load_catalog

app = typer.Typer(help="Validate and query a catalog.", no_args_is_help=True)
console = Console()


def _summary_table(catalog: Catalog) -> Table:
    table = Table(title=f"Catalog of {catalog.provider.name}")
    table.add_column("entities")
    table.add_column("count", justify="right")
    table.add_column("details")
    regions = sorted({loc.region for loc in catalog.locations.values()})
    table.add_row("locations", str(len(catalog.locations)), f"regions: {', '.join(regions)}")
    kinds = Counter(str(c.kind) for c in catalog.components.values())
    table.add_row(
        "components",
        str(len(catalog.components)),
        ", ".join(f"{k} {n}" for k, n in sorted(kinds.items())),
    )
    table.add_row("services", str(len(catalog.services)), ", ".join(sorted(catalog.services)))
    table.add_row("customers", str(len(catalog.customers)), ", ".join(sorted(catalog.customers)))
    groups = len(catalog.graph.grp_k)
    table.add_row("subscriptions", str(len(catalog.subscriptions)), "")
    table.add_row("redundancy groups", str(groups), "k-of-n, including location groups")
    return table


@app.command("check")
def check(
    file: Path = typer.Argument(..., help="Catalog file (native YAML or Backstage)."),
) -> None:
    """Validate a catalog and print a summary table."""
    catalog = load_catalog(file)
    console.print(_summary_table(catalog))
    console.print(f"[green]ok[/]: {file} is valid ({len(catalog.graph)} graph nodes)")


@app.command("blast-radius")
def blast_radius(
    file: Path = typer.Argument(..., help="Catalog file."),
    entity: list[str] = typer.Argument(..., help="Entity id(s) that fail together."),
) -> None:
    """Show which customers and subscriptions a failure takes down, and why."""
    catalog = load_catalog(file)
    prop = catalog.propagate(entity)
    table = Table(title=f"Blast radius of {', '.join(entity)}")
    table.add_column("customer")
    table.add_column("subscription")
    table.add_column("state")
    table.add_column("why (path back to the failure)")
    for sid in prop.subscriptions:
        ref = catalog.subscriptions[sid]
        table.add_row(ref.customer.name, sid, "[red]down[/]", " <- ".join(prop.paths[sid]))
    for sid in prop.partial_subscriptions:
        ref = catalog.subscriptions[sid]
        lost = [d for d in prop.deployments if d.split("@")[0] == ref.service]
        table.add_row(
            ref.customer.name, sid, "[yellow]reduced[/]", f"running without {', '.join(lost)}"
        )
    console.print(table)
    console.print(
        f"down: {len(prop.components)} components, {len(prop.deployments)} service deployments, "
        f"{len(prop.subscriptions)} subscriptions of {len(prop.customers)} customers; "
        f"locations affected: {', '.join(prop.affected_locations) or 'none'}"
    )
    if prop.degraded_groups:
        console.print("redundancy groups still holding after the loss:")
        for owner, group, healthy, k in prop.degraded_groups:
            line = f"  {owner} group {group!r}: {healthy} healthy, needs {k}"
            console.print(line, highlight=False, markup=False)


@app.command("dependents")
def dependents(
    file: Path = typer.Argument(..., help="Catalog file."),
    entity: str = typer.Argument(..., help="Entity id."),
    direct: bool = typer.Option(False, "--direct", help="Only direct dependents."),
) -> None:
    """List the entities that depend on ENTITY."""
    catalog = load_catalog(file)
    for dep in catalog.dependents(entity, transitive=not direct):
        console.print(f"{dep}\t{catalog.kind_of(dep)}", highlight=False)


@app.command("shared")
def shared(
    file: Path = typer.Argument(..., help="Catalog file."),
    customer_a: str = typer.Argument(...),
    customer_b: str = typer.Argument(...),
) -> None:
    """Show the infrastructure two customers share, and what would take both down."""
    catalog = load_catalog(file)
    result = catalog.shared_infrastructure(customer_a, customer_b)
    table = Table(title=f"Shared by {customer_a} and {customer_b}")
    table.add_column("entity")
    table.add_column("kind")
    table.add_column("failure takes both down")
    for e in result.shared:
        both = "[red]yes[/]" if e in result.takes_both_down else "no"
        table.add_row(e, catalog.kind_of(e), both)
    console.print(table)
