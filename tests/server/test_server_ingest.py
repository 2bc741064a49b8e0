"""Ingest contract: 2xx only after commit, idempotent redelivery, 400 lists, 413, 429, 503."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from tests.server.conftest import Server, make_server
from tests.server.payloads import INVALID, VALID, VALID_COUNT, am_alert, pd_trigger, webhook

from outagelens.server.app import create_app
from outagelens.server.auth import create_api_key
from outagelens.server.settings import load_settings
from outagelens.store.db import make_engine
from outagelens.store.records import Scope
from outagelens.store.sql import SqlStore

SOURCES = sorted(VALID)


@pytest.mark.parametrize("source", SOURCES, ids=SOURCES)
def test_valid_signal_is_committed_before_the_answer(server: Server, source: str) -> None:
    path, kwargs = VALID[source]
    count = VALID_COUNT.get(source, 1)
    answer = server.post(path, **kwargs)
    assert answer.status_code == 202, answer.text
    assert answer.json()["accepted"] == count
    # a separate connection sees the rows: they were committed when the answer was sent
    fresh = SqlStore(make_engine(server.ctx.settings.db_url, schema=server.ctx.settings.db_schema))
    assert fresh.inbox_count() == count
    again = server.post(path, **kwargs)
    assert (again.status_code, again.json()["accepted"], again.json()["duplicates"]) == (
        202,
        0,
        count,
    )
    server.drain()
    assert server.ctx.store.inbox_depth() == 0


@pytest.mark.parametrize("case", sorted(INVALID), ids=sorted(INVALID))
def test_invalid_input_is_400_with_a_list(sqlite_server: Server, case: str) -> None:
    path, kwargs, expected = INVALID[case]
    answer = sqlite_server.post(path, **kwargs)
    assert answer.status_code == 400, answer.text
    problems = answer.json()["errors"]
    assert problems and all(set(p) == {"where", "message"} for p in problems)
    assert expected in problems[0]["message"] + problems[0]["where"]
    assert sqlite_server.ctx.store.inbox_count() == 0


@pytest.mark.parametrize(
    ("path", "content_type"),
    [
        ("/ingest/alertmanager", "application/json"),
        ("/ingest/cloudevents", "application/cloudevents+json"),
        ("/ingest/changes", "application/json"),
    ],
    ids=["alertmanager", "cloudevents", "changes"],
)
def test_deeply_nested_json_is_400(sqlite_server: Server, path: str, content_type: str) -> None:
    body = b"[" * 200_000 + b"]" * 200_000
    answer = sqlite_server.post(path, content=body, headers={"content-type": content_type})
    assert answer.status_code == 400, answer.text


def test_every_invalid_item_is_listed(sqlite_server: Server) -> None:
    path, kwargs, _ = INVALID["changes-missing"]
    problems = sqlite_server.post(path, **kwargs).json()["errors"]
    assert {p["where"] for p in problems} == {
        "changes[1].time",
        "changes[1].component",
        "changes[1].software",
        "changes[1].kind",
        "changes[1].actor",
    }


def test_alert_resolution_is_a_new_delivery_and_wins(sqlite_server: Server) -> None:
    sqlite_server.post("/ingest/alertmanager", json=webhook(am_alert("A")))
    sqlite_server.post("/ingest/alertmanager", json=webhook(am_alert("A", "resolved")))
    sqlite_server.post("/ingest/alertmanager", json=webhook(am_alert("A")))  # late redelivery
    sqlite_server.drain()
    [stored] = sqlite_server.ctx.store.signals("alert")
    assert stored.payload["status"] == "resolved"
    assert sqlite_server.ctx.store.inbox_count() == 2


def test_pagerduty_dedup_key_lifecycle(sqlite_server: Server) -> None:
    trigger = pd_trigger("dk-9")
    assert sqlite_server.post("/ingest/pagerduty", json=trigger).json()["dedup_key"] == "dk-9"
    resolve = {
        "routing_key": trigger["routing_key"],
        "event_action": "resolve",
        "dedup_key": "dk-9",
    }
    sqlite_server.post("/ingest/pagerduty", json=resolve)
    sqlite_server.drain()
    [stored] = sqlite_server.ctx.store.signals("alert")
    assert stored.payload["status"] == "resolved"
    assert stored.payload["labels"]["component"] == "fra1-ups-a"
    assert stored.payload["labels"]["location"] == "fra1"


def test_pagerduty_generates_a_dedup_key(sqlite_server: Server) -> None:
    event = pd_trigger()
    del event["dedup_key"]
    answer = sqlite_server.post("/ingest/pagerduty", json=event)
    assert answer.status_code == 202 and len(answer.json()["dedup_key"]) == 32


def _stream(size: int) -> Iterator[bytes]:
    for _ in range(size // 65536):
        yield b"x" * 65536


@pytest.mark.parametrize(
    "kwargs",
    [
        {"content": b"{" + b" " * (1024 * 1024 + 10) + b"}"},
        {"content": _stream(2 * 1024 * 1024)},
    ],
    ids=["content-length", "chunked-stream"],
)
def test_too_large_is_413(sqlite_server: Server, kwargs: dict[str, Any]) -> None:
    answer = sqlite_server.post("/ingest/alertmanager", **kwargs)
    assert answer.status_code == 413
    assert "exceeds" in answer.json()["errors"][0]["message"]


def test_rate_limit_is_429_per_key(tmp_path: Path) -> None:
    url = f"sqlite:///{tmp_path / 'rl.db'}"
    for server in make_server(url, None, rate_limit_per_second=0.01, rate_limit_burst=2):
        path, kwargs = VALID["changes"]
        codes = [server.post(path, **kwargs).status_code for _ in range(3)]
        assert codes == [202, 202, 429]
        limited = server.post(path, **kwargs)
        assert int(limited.headers["Retry-After"]) >= 1
        other = {"Authorization": server.keys[Scope.ADMIN]["Authorization"]}
        assert server.client.post(path, headers=other, **kwargs).status_code == 202


def test_inbox_over_its_bound_is_503(tmp_path: Path) -> None:
    for server in make_server(f"sqlite:///{tmp_path / 'b.db'}", None, inbox_bound=2):
        ok = server.post("/ingest/alertmanager", json=webhook(am_alert("A"), am_alert("B")))
        full = server.post("/ingest/alertmanager", json=webhook(am_alert("C")))
        assert (ok.status_code, full.status_code) == (202, 503)
        assert full.headers["Retry-After"] == "5"
        server.drain()
        assert server.post("/ingest/alertmanager", json=webhook(am_alert("C"))).status_code == 202


def test_unreachable_store_is_503_with_retry_after(tmp_path: Path) -> None:
    from fastapi.testclient import TestClient

    good = SqlStore(make_engine(f"sqlite:///{tmp_path / 'k.db'}"))
    from outagelens.store.db import upgrade

    upgrade(good.engine)
    key = create_api_key(good, Scope.ADMIN, "k", "")
    down = SqlStore(make_engine("postgresql://postgres@127.0.0.1:1/none"))
    down.api_key = good.api_key  # type: ignore[method-assign]  # auth works, storage does not
    settings = load_settings({"worker_enabled": False}, environ={})
    app = create_app(settings, store=down)
    with TestClient(app) as client:
        answer = client.post(
            "/ingest/alertmanager",
            json=webhook(am_alert("A")),
            headers={"Authorization": f"Bearer {key}"},
        )
    assert answer.status_code == 503
    assert answer.headers["Retry-After"] == "5"
    assert "database unavailable" in answer.json()["errors"][0]["message"]


@pytest.mark.parametrize(
    ("scope", "path", "method", "expected"),
    [
        (None, "/ingest/changes", "post", 401),
        (Scope.READ, "/ingest/changes", "post", 403),
        (Scope.INGEST, "/api/incidents", "get", 403),
        (Scope.INGEST, "/metrics", "get", 403),
        (Scope.READ, "/api/incidents", "get", 200),
        (Scope.READ, "/api/catalog", "post", 403),
        (Scope.ADMIN, "/api/incidents", "get", 200),
        ("bogus", "/api/incidents", "get", 401),
    ],
    ids=[
        "no-key",
        "read-cannot-ingest",
        "ingest-cannot-read",
        "ingest-no-metrics",
        "read-reads",
        "read-cannot-upload",
        "admin-reads",
        "unknown-key",
    ],
)
def test_scopes(sqlite_server: Server, scope: Any, path: str, method: str, expected: int) -> None:
    if scope is None:
        headers = {}
    elif scope == "bogus":
        headers = {"Authorization": "Bearer olk_000000000000_nope"}
    else:
        headers = sqlite_server.keys[scope]
    body = {"json": []} if method == "post" else {}
    answer = getattr(sqlite_server.client, method)(path, headers=headers, **body)
    assert answer.status_code == expected, answer.text


def test_pagerduty_second_lifecycle_of_a_dedup_key_resolves(sqlite_server: Server) -> None:
    """Resolves carry no timestamp: the second one must not be taken for the first."""
    first = pd_trigger("dk-7")
    second = pd_trigger("dk-7")
    second["payload"]["timestamp"] = "2026-03-14T11:00:00Z"
    resolve = {"routing_key": first["routing_key"], "event_action": "resolve", "dedup_key": "dk-7"}
    answers = [
        sqlite_server.post("/ingest/pagerduty", json=event).json()
        for event in (first, resolve, second, resolve)
    ]
    assert [a["accepted"] for a in answers] == [1, 1, 1, 1]
    assert sqlite_server.post("/ingest/pagerduty", json=second).json()["duplicates"] == 1
    sqlite_server.drain()
    alerts = sorted(
        (s.time.hour, s.payload["status"]) for s in sqlite_server.ctx.store.signals("alert")
    )
    assert alerts == [(9, "resolved"), (11, "resolved")]
