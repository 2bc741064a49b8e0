"""Headless Chromium (Playwright, system browser) watches the public page and a customer's
private page of a real uvicorn server while the three-customer scenario is replayed into it in
phases: everything operational, then the Frankfurt outage, then recovery."""

from __future__ import annotations

import socket
import threading
import time
from collections.abc import Iterator
from dataclasses import dataclass
from datetime import timedelta
from pathlib import Path
from typing import Any

import httpx
import pytest
import uvicorn
from tests.server.conftest import EXAMPLE_CATALOG
from tests.server.status_replay import replay_until

from outagelens.server.app import create_app
from outagelens.server.auth import create_api_key
from outagelens.server.settings import load_settings
from outagelens.server.status.tokens import new_page_token
from outagelens.signals import load_signals_dir
from outagelens.sim.builtin import three_customers
from outagelens.sim.runner import simulate, write_result
from outagelens.store.records import Scope
from outagelens.topology import load_catalog

BANK = "hansa-direktbank"
FRA1 = ["colocation@fra1", "managed-k8s@fra1", "managed-postgres@fra1", "vm-hosting@fra1"]
OUTAGE = {"partial_outage", "major_outage"}


@dataclass
class LiveServer:
    """A uvicorn server on a loopback port, with its app and keys."""

    base: str
    app: Any
    ingest_key: str
    bank_token: str

    def post(self, path: str, **kwargs: Any) -> httpx.Response:
        headers = {"Authorization": f"Bearer {self.ingest_key}", **kwargs.pop("headers", {})}
        return httpx.post(self.base + path, headers=headers, timeout=60, **kwargs)

    def settle(self) -> None:
        """Process the inbox, investigate, rebuild the pages (what the threads do over time)."""
        self.app.state.ctx.worker.drain()
        self.app.state.status.sync(force=True)


def _free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


@pytest.fixture
def live_server(tmp_path: Path) -> Iterator[LiveServer]:
    settings = load_settings(
        {
            "db_url": f"sqlite:///{tmp_path / 'live.db'}",
            "catalog_path": EXAMPLE_CATALOG,
            "worker_enabled": False,
            "investigate_in_subprocess": False,
            "window_minutes": 1440,
            "rate_limit_burst": 100_000,
            "rate_limit_per_second": 100_000,
            "status_refresh_seconds": 0.5,
        },
        environ={},
    )
    app = create_app(settings)
    store = app.state.ctx.store
    key = create_api_key(store, Scope.INGEST, "replay", "")
    token, record = new_page_token(BANK, "bank ops", "")
    app.state.status.store.add_page_token(record)
    port = _free_port()
    server = uvicorn.Server(uvicorn.Config(app, host="127.0.0.1", port=port, log_level="warning"))
    thread = threading.Thread(target=server.run, daemon=True)
    thread.start()
    deadline = time.monotonic() + 20
    while not server.started and time.monotonic() < deadline:
        time.sleep(0.05)
    assert server.started
    try:
        yield LiveServer(f"http://127.0.0.1:{port}", app, key, token)
    finally:
        server.should_exit = True
        thread.join(20)


def _statuses(page: Any) -> dict[str, str]:
    rows = page.locator("ul.components > li")
    return {
        str(rows.nth(i).get_attribute("id"))[len("component-") :]: str(
            rows.nth(i).get_attribute("data-status")
        )
        for i in range(rows.count())
    }


def test_pages_follow_the_replayed_outage(
    browser: Any, live_server: LiveServer, tmp_path: Path
) -> None:
    scenario = tmp_path / "scenario"
    write_result(simulate(load_catalog(EXAMPLE_CATALOG), three_customers(), seed=7), scenario)
    start = load_signals_dir(scenario).window_start
    context = browser.new_context(viewport={"width": 375, "height": 800})  # a phone
    public, private = context.new_page(), context.new_page()
    errors: list[str] = []
    for p in (public, private):
        p.on("console", lambda m: errors.append(m.text) if m.type == "error" else None)
    private_url = f"{live_server.base}/customers/{BANK}/status?token={live_server.bank_token}"
    seen: list[tuple[str, dict[str, str], dict[str, str]]] = []
    for cutoff in (
        start + timedelta(hours=13, minutes=20),
        start + timedelta(hours=14, minutes=30),
        None,
    ):
        replay_until(live_server.post, scenario, tmp_path, cutoff)
        live_server.settle()
        public.goto(f"{live_server.base}/status")
        private.goto(private_url)
        seen.append(
            (public.locator("#page-status").inner_text(), _statuses(public), _statuses(private))
        )
    (
        (calm, calm_public, calm_bank),
        (outage, out_public, out_bank),
        (after, end_public, end_bank),
    ) = seen
    assert calm == "All Systems Operational" and set(calm_public.values()) == {"operational"}
    assert set(calm_bank.values()) == {"operational"}
    assert outage != "All Systems Operational"
    assert {out_public[c] for c in FRA1} <= OUTAGE
    assert all(v == "operational" for c, v in out_public.items() if "@fra1" not in c)
    assert set(out_bank) == {"vm-hosting@fra1", "managed-postgres@fra1"}
    assert set(out_bank.values()) <= OUTAGE
    assert after == "All Systems Operational" and set(end_public.values()) == {"operational"}
    assert set(end_bank.values()) == {"operational"}
    history = public.locator("section[aria-labelledby=history-h] article")
    assert history.count() >= 1 and "Resolved" in history.first.inner_text()
    bank_text = private.content()
    assert "ShopWave" not in bank_text and "RheinLogistik" not in bank_text
    assert "Resolved" in private.locator("section[aria-labelledby=history-h]").inner_text()
    width = public.evaluate("document.documentElement.scrollWidth")
    assert width <= 376, "the page scrolls sideways on a phone"
    assert public.locator("html").get_attribute("lang")
    assert errors == []
    context.close()
