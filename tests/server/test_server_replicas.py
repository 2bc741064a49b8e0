"""Two server replicas on one database: one works the inbox, the other stands by and takes over.

Real processes (forked), real SQLite file or PostgreSQL schema; the active replica is SIGKILLed.
"""

from __future__ import annotations

import multiprocessing
import time
from collections.abc import Callable, Iterator
from pathlib import Path

import httpx
import pytest
from tests.server.payloads import am_alert, webhook
from tests.server.test_server_crash import free_port, kill, wait_ready
from tests.store.databases import BACKENDS, database

from outagelens.server.auth import create_api_key
from outagelens.store.db import make_engine, upgrade
from outagelens.store.records import Scope
from outagelens.store.sql import SqlStore


def _serve(url: str, schema: str | None, port: int) -> None:
    import uvicorn

    from outagelens.server.app import create_app
    from outagelens.server.settings import load_settings

    values = {
        "db_url": url,
        "db_schema": schema,
        "log_level": "WARNING",
        "worker_standby_seconds": 0.2,
    }
    settings = load_settings(values, environ={})
    uvicorn.run(create_app(settings), host="127.0.0.1", port=port, log_level="warning")


@pytest.fixture(params=BACKENDS)
def shared_db(request: pytest.FixtureRequest, tmp_path: Path) -> Iterator[tuple[str, str | None]]:
    with database(request.param, tmp_path) as db:
        yield db


def _until(what: str, check: Callable[[], bool], seconds: float = 20) -> None:
    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline:
        if check():
            return
        time.sleep(0.1)
    raise AssertionError(f"not within {seconds} s: {what}")


def test_one_replica_works_the_inbox_and_the_other_takes_over(
    shared_db: tuple[str, str | None],
) -> None:
    url, schema = shared_db
    store = SqlStore(make_engine(url, schema=schema))
    upgrade(store.engine)
    key = create_api_key(store, Scope.ADMIN, "replicas", "")
    headers = {"Authorization": f"Bearer {key}"}
    fork = multiprocessing.get_context("fork")
    procs, clients = [], []
    for _ in range(2):
        port = free_port()
        proc = fork.Process(target=_serve, args=(url, schema, port))
        proc.start()
        client = httpx.Client(base_url=f"http://127.0.0.1:{port}", headers=headers, timeout=5)
        wait_ready(client, proc)
        procs.append(proc)
        clients.append(client)
    try:

        def workers() -> list[str]:
            return [c.get("/healthz").json()["worker"] for c in clients]

        _until("one active replica", lambda: sorted(workers()) == ["active", "standby"])
        active = workers().index("active")
        standby = 1 - active
        # ingest through the standby: the active replica processes it
        body = webhook(am_alert("replica-1"), am_alert("replica-2"))
        assert clients[standby].post("/ingest/alertmanager", json=body).status_code == 202
        _until("both alerts processed", lambda: len(store.signals("alert")) == 2)
        assert store.inbox_depth() == 0

        kill(procs[active])
        _until(
            "the standby takes over",
            lambda: clients[standby].get("/healthz").json()["worker"] == "active",
        )
        body = webhook(am_alert("replica-3"))
        assert clients[standby].post("/ingest/alertmanager", json=body).status_code == 202
        _until("the new alert processed", lambda: len(store.signals("alert")) == 3)
        names = sorted(s.payload["labels"]["alertname"] for s in store.signals("alert"))
        assert names == ["replica-1", "replica-2", "replica-3"]  # each exactly once
        metrics = clients[standby].get("/metrics").text
        assert "outagelens_worker_active 1.0" in metrics
    finally:
        for proc, client in zip(procs, clients, strict=True):
            client.close()
            if proc.is_alive():
                kill(proc)
        store.engine.dispose()
