"""Server fixtures: an app on SQLite or PostgreSQL with one key per scope, worker driven by hand."""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import pytest
from fastapi.testclient import TestClient
from tests.store.databases import BACKENDS, database

from outagelens.server.app import create_app, open_store
from outagelens.server.auth import create_api_key
from outagelens.server.context import ServerContext
from outagelens.server.settings import load_settings
from outagelens.store.records import Scope

EXAMPLE_CATALOG = Path(__file__).resolve().parents[2] / "examples" / "three-customers.yaml"


@dataclass
class Server:
    """A test client plus the app's context and an Authorization header per scope."""

    client: TestClient
    ctx: ServerContext
    keys: dict[Scope, dict[str, str]]

    def post(self, path: str, scope: Scope = Scope.INGEST, **kwargs: Any) -> Any:
        """POST with the key of `scope`."""
        return self.client.post(
            path, headers={**self.keys[scope], **kwargs.pop("headers", {})}, **kwargs
        )

    def get(self, path: str, scope: Scope = Scope.READ, **kwargs: Any) -> Any:
        """GET with the key of `scope`."""
        return self.client.get(path, headers=self.keys[scope], **kwargs)

    def drain(self) -> None:
        """Process the whole inbox and run the live investigation now."""
        assert self.ctx.worker is not None
        self.ctx.worker.drain()


def make_server(url: str, schema: str | None, **overrides: Any) -> Iterator[Server]:
    """Build an app with the given settings and yield it inside a running TestClient."""
    # in-thread investigation: a child process per test would cost seconds of imports each;
    # incidents are announced at once (the confirmation wait has its own tests, which set it)
    values = {
        "db_url": url,
        "db_schema": schema,
        "worker_enabled": False,
        "investigate_in_subprocess": False,
        "status_confirm_seconds": 0,
        **overrides,
    }
    settings = load_settings(values, environ={})
    store = open_store(settings)
    app = create_app(settings, store=store)
    keys = {
        s: {"Authorization": f"Bearer {create_api_key(store, s, f'{s}-key', '')}"} for s in Scope
    }
    with TestClient(app, raise_server_exceptions=False) as client:
        yield Server(client, app.state.ctx, keys)


@pytest.fixture(params=BACKENDS)
def backend_db(request: pytest.FixtureRequest, tmp_path: Path) -> Iterator[tuple[str, str | None]]:
    """(url, schema) of an empty database, SQLite and PostgreSQL."""
    with database(request.param, tmp_path) as db:
        yield db


@pytest.fixture
def server(backend_db: tuple[str, str | None]) -> Iterator[Server]:
    """A server with the example catalog active, on each backend."""
    yield from make_server(*backend_db, catalog_path=EXAMPLE_CATALOG)


@pytest.fixture
def sqlite_server(tmp_path: Path) -> Iterator[Server]:
    """A server on SQLite only (for tests about HTTP behaviour, not storage)."""
    yield from make_server(f"sqlite:///{tmp_path / 'ol.db'}", None, catalog_path=EXAMPLE_CATALOG)
