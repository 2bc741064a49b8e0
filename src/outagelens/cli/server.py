"""`outagelens serve`, `outagelens db upgrade`, `outagelens apikey create|list|revoke`."""

from __future__ import annotations

from pathlib import Path

import typer
from rich.console import Console

from outagelens.store.records import Scope

console = Console()
db_app = typer.Typer(help="Database schema management.", no_args_is_help=True)
apikey_app = typer.Typer(help="API keys with scopes (ingest, read, admin).", no_args_is_help=True)

DB_HELP = "Database: SQLite path or URL, or postgresql://... (env OUTAGELENS_DB_URL)."


def serve(
    db: str | None = typer.Option(None, "--db", help=DB_HELP),
    catalog: Path | None = typer.Option(None, "--catalog", help="Catalog YAML to activate."),
    host: str = typer.Option("127.0.0.1", "--host", help="Interface to listen on."),
    port: int = typer.Option(8080, "--port", help="TCP port."),
    prometheus: str | None = typer.Option(
        None, "--prometheus", help="Prometheus URL to read live SLI series from."
    ),
) -> None:
    """Run the OutageLens server (FastAPI on uvicorn); migrations are applied at start."""
    import uvicorn

    from outagelens.server.app import create_app
    from outagelens.server.logs import configure_logging
    from outagelens.server.settings import load_settings
    from outagelens.topology.construct import allow_gc_freeze

    allow_gc_freeze(False)  # a server runs for months: let the collector see every catalog load
    settings = load_settings({"db_url": db, "catalog_path": catalog, "prometheus_url": prometheus})
    configure_logging(settings.log_level)
    app = create_app(settings)
    uvicorn.run(app, host=host, port=port, log_config=None, access_log=False)


@db_app.command("upgrade")
def db_upgrade(db: str | None = typer.Option(None, "--db", help=DB_HELP)) -> None:
    """Apply schema migrations up to the newest revision."""
    from outagelens.server.settings import load_settings
    from outagelens.store.db import current_revision, make_engine, upgrade

    settings = load_settings({"db_url": db})
    engine = make_engine(settings.db_url, schema=settings.db_schema)
    upgrade(engine)
    console.print(f"[green]ok[/]: schema at revision {current_revision(engine)}")


@apikey_app.command("create")
def apikey_create(
    scope: Scope = typer.Option(..., "--scope", help="ingest, read or admin."),
    name: str = typer.Option("cli", "--name", help="Who the key is for (shown as author)."),
    db: str | None = typer.Option(None, "--db", help=DB_HELP),
) -> None:
    """Create an API key and print it once (only its hash is stored)."""
    from outagelens.server.app import open_store
    from outagelens.server.auth import create_api_key
    from outagelens.server.settings import load_settings

    settings = load_settings({"db_url": db})
    key = create_api_key(open_store(settings), scope, name, settings.api_key_pepper)
    console.print(f"[green]created[/] {scope} key for {name!r}; it is shown only once:")
    print(key)


@apikey_app.command("list")
def apikey_list(db: str | None = typer.Option(None, "--db", help=DB_HELP)) -> None:
    """List every API key (id, scope, name, created, revoked); secrets are never stored."""
    from rich.table import Table

    from outagelens.server.app import open_store
    from outagelens.server.settings import load_settings

    keys = open_store(load_settings({"db_url": db})).api_keys()
    table = Table("key id", "scope", "name", "created (UTC)", "state")
    for k in keys:
        state = "[red]revoked[/]" if k.revoked else "[green]active[/]"
        table.add_row(k.key_id, str(k.scope), k.name, f"{k.created_at:%Y-%m-%d %H:%M:%S}", state)
    console.print(table if keys else "no API keys")


@apikey_app.command("revoke")
def apikey_revoke(
    key_id: str = typer.Argument(..., help="The key's id: the part after 'olk_' (see 'list')."),
    db: str | None = typer.Option(None, "--db", help=DB_HELP),
) -> None:
    """Revoke an API key; running servers refuse it within 10 s (their key cache)."""
    from outagelens.server.app import open_store
    from outagelens.server.settings import load_settings

    if not open_store(load_settings({"db_url": db})).revoke_api_key(key_id):
        console.print(f"[red]error[/]: no API key '{key_id}' (see 'outagelens apikey list')")
        raise typer.Exit(1)
    console.print(f"[green]revoked[/] API key {key_id}")
