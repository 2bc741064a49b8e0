"""Crash test: SIGKILL the real server at random moments while a client posts unique alerts.

Every alert answered 2xx must be in the inbox exactly once afterwards; alerts not answered are
re-sent after the restart (as Alertmanager retries), which must not create duplicates.
"""

from __future__ import annotations

import multiprocessing
import os
import random
import signal
import socket
import subprocess
import sys
import threading
import time
from collections import Counter
from pathlib import Path
from typing import Protocol

import httpx
import pytest
from tests.server.payloads import am_alert, webhook

from outagelens.server.auth import create_api_key
from outagelens.store.db import make_engine, upgrade
from outagelens.store.records import Scope
from outagelens.store.sql import SqlStore

REPETITIONS = int(os.environ.get("OUTAGELENS_CRASH_REPETITIONS", "20"))
SRC = str(Path(__file__).resolve().parents[2] / "src")


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


SETTINGS = {"rate_limit_per_second": 100000.0, "rate_limit_burst": 100000, "log_level": "WARNING"}


class ServerProcess(Protocol):
    """A server process we can SIGKILL: a Popen or a multiprocessing Process."""

    pid: int | None


def start_cli_server(db: Path, port: int) -> subprocess.Popen[bytes]:
    """`python -m outagelens serve` in a fresh interpreter (about 2 s of imports)."""
    env = {
        **os.environ,
        "PYTHONPATH": SRC,
        "OUTAGELENS_LOG_LEVEL": "WARNING",
        "OUTAGELENS_RATE_LIMIT_PER_SECOND": "100000",
        "OUTAGELENS_RATE_LIMIT_BURST": "100000",
    }
    cmd = [sys.executable, "-m", "outagelens", "serve", "--db", str(db), "--port", str(port)]
    return subprocess.Popen(cmd, env=env, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)


def _serve(db: Path, port: int) -> None:
    import uvicorn

    from outagelens.server.app import create_app
    from outagelens.server.settings import load_settings

    settings = load_settings({"db_url": f"sqlite:///{db}", **SETTINGS}, environ={})
    uvicorn.run(create_app(settings), host="127.0.0.1", port=port, log_level="warning")


def start_forked_server(db: Path, port: int) -> multiprocessing.process.BaseProcess:
    """The same server in a forked child: a separate process, without the import time."""
    proc = multiprocessing.get_context("fork").Process(target=_serve, args=(db, port))
    proc.start()
    return proc


def alive(proc: ServerProcess) -> bool:
    if isinstance(proc, subprocess.Popen):
        return proc.poll() is None
    assert isinstance(proc, multiprocessing.process.BaseProcess)
    return proc.is_alive()


def kill(proc: ServerProcess) -> None:
    assert proc.pid is not None
    os.kill(proc.pid, signal.SIGKILL)
    if isinstance(proc, subprocess.Popen):
        proc.wait()
    else:
        assert isinstance(proc, multiprocessing.process.BaseProcess)
        proc.join()


def wait_ready(client: httpx.Client, proc: ServerProcess) -> None:
    deadline = time.monotonic() + 30
    while time.monotonic() < deadline:
        assert alive(proc), "server exited during start"
        try:
            if client.get("/healthz").status_code == 200:
                return
        except httpx.TransportError:
            pass
        time.sleep(0.05)
    raise AssertionError("server did not start within 30 s")


def post_until_killed(
    client: httpx.Client,
    pending: list[int],
    next_id: list[int],
    acked: set[int],
    stop: threading.Event,
) -> None:
    """Send pending (unanswered) ids first, then new ones, two per request."""
    while not stop.is_set():
        if not pending:
            pending.extend([next_id[0], next_id[0] + 1])
            next_id[0] += 2
        batch = pending[:2]
        body = webhook(*(am_alert(f"crash-{i}") for i in batch))
        try:
            answer = client.post("/ingest/alertmanager", json=body)
        except httpx.TransportError:
            return
        if answer.status_code == 202:
            acked.update(batch)
            del pending[:2]


def test_acknowledged_alerts_survive_sigkill_exactly_once(tmp_path: Path) -> None:
    db = tmp_path / "crash.db"
    store = SqlStore(make_engine(f"sqlite:///{db}"))
    upgrade(store.engine)
    key = create_api_key(store, Scope.INGEST, "crash", "")
    store.engine.dispose()
    rng = random.Random(7)
    acked: set[int] = set()
    pending: list[int] = []
    next_id = [0]
    for rep in range(REPETITIONS):
        port = free_port()
        # the first run goes through the real CLI; the others fork to keep the test short
        proc: ServerProcess = (
            start_cli_server(db, port) if rep == 0 else start_forked_server(db, port)
        )
        headers = {"Authorization": f"Bearer {key}"}
        with httpx.Client(
            base_url=f"http://127.0.0.1:{port}", headers=headers, timeout=5
        ) as client:
            wait_ready(client, proc)
            stop = threading.Event()
            sender = threading.Thread(
                target=post_until_killed, args=(client, pending, next_id, acked, stop)
            )
            sender.start()
            time.sleep(rng.uniform(0.05, 0.5))
            kill(proc)
            stop.set()
            sender.join(10)
    store = SqlStore(make_engine(f"sqlite:///{db}"))
    names = Counter(s.payload["labels"]["alertname"] for s in _inbox_alerts(store))
    assert len(acked) > REPETITIONS  # the client really got answers between kills
    missing = [i for i in acked if names[f"crash-{i}"] == 0]
    doubled = [n for n, c in names.items() if c > 1]
    assert missing == [] and doubled == []


def _inbox_alerts(store: SqlStore) -> list[object]:
    from sqlalchemy import select

    from outagelens.store.sql import INBOX

    with store.engine.connect() as conn:
        rows = conn.execute(select(INBOX.c.payload).where(INBOX.c.source == "alertmanager"))
        return [_Payload(r.payload) for r in rows]


class _Payload:
    def __init__(self, payload: dict[str, object]) -> None:
        self.payload = payload


pytestmark = pytest.mark.filterwarnings("ignore::DeprecationWarning")
