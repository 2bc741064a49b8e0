"""The worker: new alerts start a live investigation at once, other signals wait for the timer;
listeners (the status pages) hear of stored alerts and of finished passes."""

from __future__ import annotations

from pathlib import Path

from fastapi.testclient import TestClient
from tests.server.payloads import CHANGE, am_alert, webhook

from outagelens.server.app import create_app, open_store
from outagelens.server.auth import create_api_key
from outagelens.server.settings import load_settings
from outagelens.store.records import Scope


class CountingLive:
    """A live step that counts its passes (the investigation itself is tested elsewhere)."""

    def __init__(self) -> None:
        self.passes = 0

    def __call__(self) -> None:
        self.passes += 1

    def close(self) -> None:
        """Nothing to release."""


def test_alerts_start_a_pass_at_once_other_signals_wait(tmp_path: Path) -> None:
    settings = load_settings(
        {
            "db_url": f"sqlite:///{tmp_path / 'w.db'}",
            "worker_enabled": False,
            "investigate_every_seconds": 3600,
            "status_enabled": False,
        },
        environ={},
    )
    store = open_store(settings)
    live = CountingLive()
    app = create_app(settings, store=store, live=live)
    worker = app.state.ctx.worker
    heard: list[int] = []
    worker.listeners.append(lambda: heard.append(live.passes))
    headers = {"Authorization": f"Bearer {create_api_key(store, Scope.INGEST, 'k', '')}"}
    with TestClient(app) as client:
        worker.drain()  # the first pass
        assert (live.passes, heard) == (1, [1])

        assert client.post("/ingest/changes", json=CHANGE, headers=headers).status_code == 202
        assert worker.step() == 1
        assert not worker.live_step()  # a change waits for investigate_every_seconds
        assert (live.passes, heard) == (1, [1])

        answer = client.post("/ingest/alertmanager", json=webhook(am_alert("A")), headers=headers)
        assert answer.status_code == 202
        assert worker.step() == 1
        assert heard == [1, 1]  # told as soon as the alert is stored, before any pass
        assert worker.live_step()  # an alert does not wait
        assert (live.passes, heard) == (2, [1, 1, 2])
        assert not worker.live_step()  # and nothing new since


class BusyLive:
    """A live step whose pass runs until `close()` ends it, as the real one's child does."""

    def __init__(self) -> None:
        import threading

        self.started = threading.Event()
        self.closed = threading.Event()

    def __call__(self) -> None:
        from outagelens.errors import InvestigationError

        self.started.set()
        if self.closed.wait(60):
            raise InvestigationError("the live investigation is shut down")

    def close(self) -> None:
        """End the pass under way (LiveInvestigator terminates its child)."""
        self.closed.set()


def test_stop_ends_a_busy_live_pass_at_once(tmp_path: Path) -> None:
    """Shutdown closes the live step before waiting for the live thread: a pass in progress
    must not hold the process up until the join times out."""
    import time

    from outagelens.server.metrics import Metrics
    from outagelens.server.worker import Worker

    settings = load_settings(
        {"db_url": f"sqlite:///{tmp_path / 'b.db'}", "status_enabled": False}, environ={}
    )
    live = BusyLive()
    worker = Worker(open_store(settings), settings, Metrics(), live)
    worker.start()
    assert live.started.wait(10)  # the first pass is under way
    began = time.monotonic()
    worker.stop(timeout=10)
    assert time.monotonic() - began < 5
    assert not any(t.is_alive() for t in worker._threads)


def test_a_failed_batch_does_not_lose_a_pagerduty_resolve(tmp_path: Path) -> None:
    """When storing a batch fails (database gone), its PagerDuty events are applied again on
    the retry: the in-memory open alerts must not have moved on, or the retried resolve finds
    no open alert and is dropped, and the alert stays open for good."""
    import sqlite3

    import pytest
    from tests.server.payloads import pd_trigger

    from outagelens.errors import StoreError

    path = tmp_path / "pd.db"
    settings = load_settings(
        {"db_url": f"sqlite:///{path}", "worker_enabled": False, "status_enabled": False},
        environ={},
    )
    store = open_store(settings)
    app = create_app(settings, store=store)
    worker = app.state.ctx.worker
    headers = {"Authorization": f"Bearer {create_api_key(store, Scope.INGEST, 'k', '')}"}
    resolve = {"routing_key": "R0UT1NGKEY", "event_action": "resolve", "dedup_key": "dk-1"}
    with TestClient(app) as client:
        assert client.post("/ingest/pagerduty", json=pd_trigger(), headers=headers).status_code
        assert worker.step() == 1
        assert client.post("/ingest/pagerduty", json=resolve, headers=headers).status_code == 202

        broken = sqlite3.connect(path)  # the signals table refuses writes for one pass
        for when in ("INSERT", "UPDATE"):
            broken.execute(
                f"CREATE TRIGGER refuse_{when} BEFORE {when} ON signals"
                " BEGIN SELECT RAISE(ABORT, 'disk failure'); END"
            )
        broken.commit()
        with pytest.raises(StoreError):
            worker.step()
        for when in ("INSERT", "UPDATE"):
            broken.execute(f"DROP TRIGGER refuse_{when}")
        broken.commit()
        broken.close()

        assert worker.step() == 1  # the retry
        [alert] = store.signals("alert")
        assert alert.end is not None, "the resolve was dropped: the alert is still open"
