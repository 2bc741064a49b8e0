"""The `outagelens` command line: Typer app; each topic registers its commands here."""

from __future__ import annotations

import sys

import typer
from rich.console import Console

from outagelens import __version__
from outagelens.cli import catalog as catalog_cli
from outagelens.cli import impact as impact_cli
from outagelens.cli import investigate as investigate_cli
from outagelens.cli import report as report_cli
from outagelens.cli import resilience as resilience_cli
from outagelens.cli import server as server_cli
from outagelens.cli import simulate as simulate_cli
from outagelens.errors import OutageLensError

app = typer.Typer(
    name="outagelens",
    help="Investigate widespread outages: scope, root cause, impact, communication, resilience.",
    no_args_is_help=True,
    add_completion=False,
    pretty_exceptions_enable=False,
)
app.add_typer(catalog_cli.app, name="catalog")
app.command("investigate")(investigate_cli.investigate)
app.add_typer(simulate_cli.app, name="simulate")
app.command("resilience")(resilience_cli.resilience_command)
app.command("whatif")(resilience_cli.whatif_command)
app.command("impact")(impact_cli.impact)
app.command("report")(report_cli.report)
app.command("demo")(report_cli.demo)
app.command("serve")(server_cli.serve)
app.add_typer(server_cli.db_app, name="db")
app.add_typer(server_cli.apikey_app, name="apikey")

err_console = Console(stderr=True)


def _version(value: bool) -> None:
    if value:
        print(f"outagelens {__version__}")
        raise typer.Exit()


@app.callback()
def _root(
    version: bool = typer.Option(
        False, "--version", callback=_version, is_eager=True, help="Print the version and exit."
    ),
) -> None:
    """OutageLens command line."""


def main() -> None:
    """Entry point: run the app, turning OutageLens errors into one clear message and exit 2."""
    try:
        app(standalone_mode=False)
    except OutageLensError as exc:
        err_console.print(f"[bold red]error:[/] {exc}", highlight=False, markup=True)
        sys.exit(2)
    except typer.Exit as exc:
        sys.exit(exc.exit_code)
    except typer.Abort:
        err_console.print("aborted")
        sys.exit(1)
    except Exception as exc:
        import click

        if isinstance(exc, click.ClickException):
            exc.show()
            sys.exit(exc.exit_code)
        raise
