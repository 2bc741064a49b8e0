"""Notifications with a real recording receiver and a real SMTP server: exact counts, component
filters, retries after 5xx, no redirects, SSRF refusals, no duplicates after a restart, and
signatures that verify."""

from __future__ import annotations

import json
import socket
import time
from collections.abc import Iterator
from email import message_from_bytes
from pathlib import Path
from typing import Any

import pytest
from tests.factories import RecordingReceiver, recording_receiver
from tests.server.conftest import EXAMPLE_CATALOG, Server, make_server
from tests.server.status_helpers import seed_incident, set_status

from outagelens.comms.notify import DELIVERY_HEADER, SIGNATURE_HEADER, verify
from outagelens.store.records import IncidentStatus, Scope

SECRET = "s3cret-s3cret-s3cret"
FAST = {
    "catalog_path": EXAMPLE_CATALOG,
    "status_webhook_allowed_networks": "127.0.0.0/8",
    "status_retry_first_seconds": 0.05,
}


@pytest.fixture
def receiver() -> Iterator[RecordingReceiver]:
    with recording_receiver() as rec:
        yield rec


@pytest.fixture
def notify_server(backend_db: tuple[str, str | None]) -> Iterator[Server]:
    yield from make_server(*backend_db, **FAST)


def subscribe(server: Server, audience: str, url: str, components: list[str] | None = None) -> str:
    body = {
        "audience": audience,
        "kind": "webhook",
        "target": url,
        "secret": SECRET,
        "components": components or [],
    }
    answer = server.post("/api/status/subscribers", Scope.ADMIN, json=body)
    assert answer.status_code == 200, answer.text
    return str(answer.json()["id"])


def settle(server: Server, expected: int, timeout: float = 15.0) -> list[dict[str, Any]]:
    """Wait until `expected` notifications exist and none is still pending."""
    deadline = time.monotonic() + timeout
    rows: list[dict[str, Any]] = []
    while time.monotonic() < deadline:
        rows = server.get("/api/status/outbox", Scope.ADMIN).json()
        done = [r for r in rows if r["delivered_at"] or r["failed_at"]]
        if len(rows) == expected and len(done) == expected:
            return rows
        time.sleep(0.05)
    raise AssertionError(f"outbox did not settle at {expected}: {json.dumps(rows)[:2000]}")


def by_path(rec: RecordingReceiver) -> dict[str, int]:
    out: dict[str, int] = {}
    for r in rec.requests:
        out[r.path] = out.get(r.path, 0) + 1
    return out


def test_exact_counts_filters_and_signatures(
    notify_server: Server, receiver: RecordingReceiver
) -> None:
    s = notify_server
    subscribe(s, "public", receiver.url + "/all")
    subscribe(s, "public", receiver.url + "/colo", ["colocation@fra1"])
    subscribe(s, "public", receiver.url + "/ams", ["vm-hosting@ams1"])
    subscribe(s, "shopwave", receiver.url + "/shopwave")
    subscribe(s, "grachtenhuis", receiver.url + "/untouched")
    incident = seed_incident(s)  # investigating: one update per audience
    settle(s, 3)
    set_status(s, incident, IncidentStatus.IDENTIFIED)
    settle(s, 6)
    assert by_path(receiver) == {"/all": 2, "/colo": 2, "/shopwave": 2}
    ids = [r.headers[DELIVERY_HEADER] for r in receiver.requests]
    assert len(set(ids)) == len(ids)
    for r in receiver.requests:
        assert verify(SECRET, r.body, r.headers[SIGNATURE_HEADER], now=int(time.time()))
        assert not verify(
            "wrong-secret-wrong", r.body, r.headers[SIGNATURE_HEADER], now=int(time.time())
        )
        payload = json.loads(r.body)
        assert payload["id"] == r.headers[DELIVERY_HEADER]
        if r.path == "/shopwave":
            assert payload["incident"]["components"] == ["managed-k8s@fra1"]
            assert "hansa" not in r.body.decode().lower()
    stages = [json.loads(r.body)["update"]["status"] for r in receiver.requests if r.path == "/all"]
    assert stages == ["investigating", "identified"]


def test_retries_after_5xx_then_delivers_once(notify_server: Server) -> None:
    with recording_receiver(script=[500, 503, 502]) as rec:
        subscribe(notify_server, "public", rec.url + "/hook")
        seed_incident(notify_server)
        rows = settle(notify_server, 1)
    assert len(rec.requests) == 4
    assert len({r.headers[DELIVERY_HEADER] for r in rec.requests}) == 1
    assert rows[0]["attempts"] == 4 and rows[0]["delivered_at"] and not rows[0]["failed_at"]


@pytest.mark.parametrize("code", [400, 302, 410], ids=["bad-request", "redirect", "gone"])
def test_permanent_refusals_are_not_retried(notify_server: Server, code: int) -> None:
    with recording_receiver(script=[code]) as rec:
        rec.redirect_to = rec.url + "/elsewhere"
        subscribe(notify_server, "public", rec.url + "/hook")
        seed_incident(notify_server)
        rows = settle(notify_server, 1)
    assert [r.path for r in rec.requests] == ["/hook"]  # the redirect is never followed
    assert rows[0]["failed_at"] and rows[0]["attempts"] == 1
    assert str(code) in rows[0]["last_error"]


@pytest.mark.parametrize(
    "url",
    [
        "http://127.0.0.1:9/hook",
        "http://169.254.169.254/latest/meta-data",
        "http://10.0.0.1/hook",
        "http://[::1]/hook",
        "ftp://example.com/hook",
        "http://user:pw@example.com/hook",
    ],
    ids=["loopback", "link-local", "private", "ipv6-loopback", "scheme", "credentials"],
)
def test_ssrf_targets_are_refused_unless_allowed(sqlite_server: Server, url: str) -> None:
    body = {"audience": "public", "kind": "webhook", "target": url, "secret": SECRET}
    answer = sqlite_server.post("/api/status/subscribers", Scope.ADMIN, json=body)
    assert answer.status_code == 400
    assert answer.json()["errors"][0]["where"] == "body.target"


def test_no_duplicates_after_restart(backend_db: tuple[str, str | None], tmp_path: Path) -> None:
    with recording_receiver(script=[503]) as rec:
        slow = {**FAST, "status_retry_first_seconds": 1.5}
        for s in make_server(*backend_db, **slow):
            subscribe(s, "public", rec.url + "/hook")
            incident = seed_incident(s)
            deadline = time.monotonic() + 10
            while not rec.requests and time.monotonic() < deadline:
                time.sleep(0.02)
            assert len(rec.requests) == 1  # the first try failed; the retry is pending
        for s in make_server(*backend_db, **FAST):  # restart: the pending retry is delivered
            rows = settle(s, 1)
            assert rows[0]["delivered_at"] and rows[0]["attempts"] == 2
            set_status(s, incident, IncidentStatus.IDENTIFIED)
            settle(s, 2)
        for s in make_server(*backend_db, **FAST):  # restart again: nothing is sent twice
            s.post("/api/status/sync", Scope.ADMIN)
            time.sleep(0.5)
            settle(s, 2)
    assert len(rec.requests) == 3
    assert len({r.headers[DELIVERY_HEADER] for r in rec.requests}) == 2


class _Mailbox:
    def __init__(self) -> None:
        self.messages: list[tuple[list[str], bytes]] = []

    async def handle_DATA(self, server: Any, session: Any, envelope: Any) -> str:
        self.messages.append((list(envelope.rcpt_tos), bytes(envelope.content)))
        return "250 OK"


def _free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


def test_email_over_smtp_once_per_update(backend_db: tuple[str, str | None]) -> None:
    controller_mod = pytest.importorskip("aiosmtpd.controller")
    box = _Mailbox()
    port = _free_port()
    controller = controller_mod.Controller(box, hostname="127.0.0.1", port=port)
    controller.start()
    try:
        for s in make_server(
            *backend_db, **FAST, status_smtp_host="127.0.0.1", status_smtp_port=port
        ):
            body = {"audience": "hansa-direktbank", "kind": "email", "target": "ops@bank.example"}
            assert s.post("/api/status/subscribers", Scope.ADMIN, json=body).status_code == 200
            incident = seed_incident(s)
            settle(s, 1)
            set_status(s, incident, IncidentStatus.IDENTIFIED)
            settle(s, 2)
    finally:
        controller.stop()
    assert len(box.messages) == 2
    for rcpt, raw in box.messages:
        msg = message_from_bytes(raw)
        assert rcpt == ["ops@bank.example"]
        assert msg["Message-ID"].startswith("<inc-")
        text = msg.get_payload(decode=True).decode()
        assert "Virtual machines" in text and "shopwave" not in text.lower()
    subjects = [message_from_bytes(raw)["Subject"] for _, raw in box.messages]
    assert [s.rsplit(": ", 1)[1] for s in subjects] == ["investigating", "identified"]
