"""Pages keep answering from the snapshot when the database is unreachable, with a stale note,
and a restarted server serves the snapshot saved on disk before it reaches the database."""

from __future__ import annotations

from pathlib import Path

from fastapi.testclient import TestClient
from tests.server.conftest import EXAMPLE_CATALOG, make_server
from tests.server.status_helpers import page_token, seed_incident, service

from outagelens.comms.statuspage_v2 import DOCUMENTS
from outagelens.server.app import create_app
from outagelens.server.settings import load_settings
from outagelens.store.db import make_engine
from outagelens.store.sql import SqlStore
from outagelens.store.status_sql import SqlStatusStore

CLOSED_PORT_DB = "postgresql+psycopg://postgres@127.0.0.1:9/none"  # nothing listens on port 9


def test_pages_survive_the_database(backend_db: tuple[str, str | None], tmp_path: Path) -> None:
    snap = tmp_path / "snapshots"
    for s in make_server(*backend_db, catalog_path=EXAMPLE_CATALOG, status_snapshot_dir=snap):
        seed_incident(s)
        token = page_token(s, "shopwave")
        fresh = s.client.get("/status")
        assert fresh.status_code == 200 and "stale-note" not in fresh.text
        before = s.client.get("/status/api/v2/summary.json").json()
        unreachable = make_engine(CLOSED_PORT_DB, pool_size=1)
        svc = service(s)
        svc.ctx.store = SqlStore(unreachable)
        svc.ctx._catalog = None  # the compiled catalog cache must not hide the outage
        svc.store = SqlStatusStore(unreachable)
        assert svc.sync(force=True) is False and svc.cache.stale
        page = s.client.get("/status")
        assert page.status_code == 200 and 'id="stale-note"' in page.text
        assert "Outage of" in page.text
        assert s.client.get("/status/api/v2/summary.json").json() == before
        private = s.client.get("/customers/shopwave/status", params={"token": token})
        assert private.status_code == 200 and 'id="stale-note"' in private.text
        assert (
            s.client.get("/customers/hansa-direktbank/status", params={"token": token}).status_code
            == 404
        )
        unreachable.dispose()
    for audience in ("public", "shopwave", "hansa-direktbank"):
        for doc in DOCUMENTS:
            assert (snap / audience / "api/v2" / doc).is_file()
    _restart_without_database(snap)


def _restart_without_database(snap: Path) -> None:
    settings = load_settings(
        {
            "db_url": CLOSED_PORT_DB,
            "status_snapshot_dir": snap,
            "investigate_in_subprocess": False,
            "status_refresh_seconds": 0.2,
        },
        environ={},
    )
    engine = make_engine(settings.db_url, pool_size=1)
    app = create_app(settings, store=SqlStore(engine))
    with TestClient(app, raise_server_exceptions=False) as client:
        page = client.get("/status")
        assert page.status_code == 200 and 'id="stale-note"' in page.text
        summary = client.get("/status/api/v2/summary.json")
        assert summary.status_code == 200 and summary.json()["status"]["indicator"] != "none"
        assert client.get("/healthz").status_code == 503  # the server itself knows it is cut off
    engine.dispose()
