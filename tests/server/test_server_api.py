"""REST API: incidents (lifecycle, history, overrides, notes), catalog, signals, operations."""

from __future__ import annotations

import time
from collections.abc import Iterator
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

import pytest
from tests.server.conftest import EXAMPLE_CATALOG, Server, make_server

from outagelens.errors import InvestigationError
from outagelens.server.live import LiveInvestigator, next_status, status_of, upsert_incidents
from outagelens.store.records import IncidentStatus, Scope

S = IncidentStatus
NOW = datetime(2026, 3, 14, 12, 0, tzinfo=UTC)


def snap(
    root: list[str],
    *,
    confidence: float = 0.9,
    end: datetime | None = None,
    customers: tuple[str, ...] = ("shopwave",),
) -> dict[str, Any]:
    """A stored snapshot in the shape live.snapshot_of writes."""
    start = datetime(2026, 3, 14, 9, 0, tzinfo=UTC)
    scope = {
        "start": start.isoformat(),
        "end": end.isoformat() if end else None,
        "ongoing": end is None,
        "duration_minutes": 30.0,
        "first_alert_at": None,
        "detection_delay_minutes": None,
        "customers": list(customers),
        "services": ["checkout"],
        "locations": ["fra1"],
        "regions": ["eu-central"],
        "geography": [],
        "subscriptions": [],
    }
    hyps = (
        [
            {
                "rank": 1,
                "entities": root,
                "confidence": confidence,
                "log_likelihood": -1.0,
                "category": "hardware",
                "category_probabilities": {"hardware": 1.0},
                "summary": f"{root} failed",
            }
        ]
        if root
        else []
    )
    out: dict[str, Any] = {
        "scope": scope,
        "hypotheses": hyps,
        "impact": None,
        "timeline": [],
        "summary": "s",
        "symptom_count": 3,
    }
    from outagelens.server.live import belief_of

    out["belief"] = belief_of(out)
    return out


@pytest.mark.parametrize(
    ("confidence", "end", "expected"),
    [
        (0.9, None, S.IDENTIFIED),
        (0.3, None, S.INVESTIGATING),
        (0.9, NOW - timedelta(minutes=5), S.MONITORING),
        (0.9, NOW - timedelta(minutes=30), S.RESOLVED),
    ],
    ids=["confident", "unsure", "recently-clear", "quiet"],
)
def test_status_from_evidence(confidence: float, end: datetime | None, expected: S) -> None:
    assert status_of(snap(["ups-a"], confidence=confidence, end=end), 0.6, 15, NOW) == expected


@pytest.mark.parametrize(
    ("current", "evidence", "expected"),
    [
        (S.INVESTIGATING, S.IDENTIFIED, S.IDENTIFIED),
        (S.IDENTIFIED, S.INVESTIGATING, S.IDENTIFIED),
        (S.MONITORING, S.IDENTIFIED, S.IDENTIFIED),
        (S.RESOLVED, S.INVESTIGATING, S.INVESTIGATING),
        (S.IDENTIFIED, S.MONITORING, S.MONITORING),
        (S.MONITORING, S.RESOLVED, S.RESOLVED),
    ],
    ids=["forward", "no-backslide", "relapse", "reopen", "clearing", "quiet"],
)
def test_lifecycle_moves(current: S, evidence: S, expected: S) -> None:
    assert next_status(current, evidence) == expected


def test_live_upsert_versions_only_when_belief_changes(sqlite_server: Server) -> None:
    ctx = sqlite_server.ctx
    [first] = upsert_incidents(ctx, [snap(["ups-a"], confidence=0.3)], NOW)
    assert upsert_incidents(ctx, [snap(["ups-a"], confidence=0.3)], NOW) == [first]
    assert ctx.store.incident(first) is not None
    assert ctx.store.incident(first).version == 1  # type: ignore[union-attr]
    upsert_incidents(ctx, [snap(["ups-a"], confidence=0.95)], NOW)  # more sure: identified
    upsert_incidents(ctx, [snap(["ups-a"], end=NOW - timedelta(minutes=40))], NOW)
    history = sqlite_server.get(f"/api/incidents/{first}/versions").json()
    assert [(v["version"], v["status"]) for v in history] == [
        (1, "investigating"),
        (2, "identified"),
        (3, "resolved"),
    ]
    assert [v["root_cause"]["confidence"] for v in history] == [0.3, 0.95, 0.9]


def test_incident_endpoints(sqlite_server: Server) -> None:
    srv = sqlite_server
    [inc] = upsert_incidents(srv.ctx, [snap(["fra1-ups-a"])], NOW)
    got = srv.get(f"/api/incidents/{inc}").json()
    assert (got["status"], got["root_cause"]["source"]) == ("identified", "investigation")
    assert [i["id"] for i in srv.get("/api/incidents?status=identified").json()] == [inc]
    assert srv.get("/api/incidents?status=resolved").json() == []
    bad = {"entities": ["no-such-thing"], "category": "hardware"}
    answer = srv.post(f"/api/incidents/{inc}/root-cause", scope=Scope.ADMIN, json=bad)
    assert answer.status_code == 400 and "no-such-thing" in answer.text
    good = {"entities": ["fra1-grid"], "category": "natural_disaster", "comment": "flood"}
    over = srv.post(f"/api/incidents/{inc}/root-cause", scope=Scope.ADMIN, json=good).json()
    assert over["root_cause"]["entities"] == ["fra1-grid"]
    assert over["computed_root_cause"]["entities"] == ["fra1-ups-a"]
    assert over["root_cause"]["author"] == "admin-key"
    note = srv.post(f"/api/incidents/{inc}/notes", scope=Scope.ADMIN, json={"text": "called"})
    assert note.status_code == 201
    assert [n["text"] for n in srv.get(f"/api/incidents/{inc}/notes").json()] == ["called"]
    moved = srv.post(
        f"/api/incidents/{inc}/status", scope=Scope.ADMIN, json={"status": "monitoring"}
    )
    assert moved.json()["status"] == "monitoring" and moved.json()["version"] == 2
    investigation = srv.get(f"/api/incidents/{inc}/investigation").json()
    assert investigation["hypotheses"][0]["entities"] == ["fra1-ups-a"]
    assert investigation["root_cause"]["entities"] == ["fra1-grid"]
    assert srv.get(f"/api/incidents/{inc}/impact").json() == {}
    for path in ("", "/versions", "/notes", "/report", "/investigation"):
        missing = srv.get(f"/api/incidents/nope{path}")
        assert missing.status_code == 404, path


def test_catalog_upload_validate_and_get(sqlite_server: Server) -> None:
    srv = sqlite_server
    text = EXAMPLE_CATALOG.read_text()
    got = srv.get("/api/catalog").json()
    assert got["provider"] == "Nordwind Cloud" and got["counts"]["customers"] >= 3
    yaml = {"content-type": "application/yaml"}
    checked = srv.post("/api/catalog/validate", Scope.READ, content=text, headers=yaml)
    assert checked.json()["valid"] is True
    broken = text.replace("kind: ups", "kind: flux-capacitor", 1)
    answer = srv.post("/api/catalog", scope=Scope.ADMIN, content=broken, headers=yaml)
    assert answer.status_code == 400
    assert any("kind" in p["message"] for p in answer.json()["errors"])
    not_yaml = srv.post("/api/catalog/validate", Scope.READ, content="a: [", headers=yaml)
    assert not_yaml.status_code == 400 and "YAML" in not_yaml.text
    new = srv.post("/api/catalog", scope=Scope.ADMIN, content=text + "\n# v2\n", headers=yaml)
    assert new.status_code == 201 and new.json()["id"] != got["id"]
    assert srv.get("/api/catalog").json()["id"] == new.json()["id"]


def test_signals_query_inbox_and_metrics(sqlite_server: Server) -> None:
    from tests.server.payloads import VALID

    for source in ("alertmanager", "changes"):
        path, kwargs = VALID[source]
        sqlite_server.post(path, **kwargs)
    sqlite_server.drain()
    kinds = [s["kind"] for s in sqlite_server.get("/api/signals").json()]
    assert sorted(kinds) == ["alert", "alert", "change"]
    assert len(sqlite_server.get("/api/signals?kind=change").json()) == 1
    assert sqlite_server.get("/api/signals?since=2026-03-14T09:00:00").status_code == 400
    assert sqlite_server.get("/api/inbox").json() == {"total": 3, "depth": 0}
    text = sqlite_server.get("/metrics").text
    assert 'outagelens_ingest_signals_total{result="accepted",source="alertmanager"} 2.0' in text
    assert "outagelens_processing_latency_seconds_count 3.0" in text
    assert sqlite_server.client.get("/healthz").json() == {
        "status": "ok",
        "inbox_depth": 0,
        "worker": "disabled",  # these tests drive the worker by hand
    }


def test_server_runs_on_the_memory_store() -> None:
    from fastapi.testclient import TestClient
    from tests.server.payloads import VALID

    from outagelens.server.app import create_app
    from outagelens.server.auth import create_api_key
    from outagelens.server.settings import load_settings
    from outagelens.store.memory import MemoryStore

    store = MemoryStore()
    settings = load_settings({"worker_enabled": False, "catalog_path": EXAMPLE_CATALOG}, {})
    app = create_app(settings, store=store)
    key = {"Authorization": f"Bearer {create_api_key(store, Scope.ADMIN, 'm', '')}"}
    with TestClient(app) as client:
        path, kwargs = VALID["alertmanager"]
        assert client.post(path, headers=key, **kwargs).json() == {"accepted": 2, "duplicates": 0}
        app.state.ctx.worker.drain()
        assert len(client.get("/api/signals", headers=key).json()) == 2


@pytest.fixture
def child_investigator(tmp_path: Path) -> Iterator[LiveInvestigator]:
    """A live investigator on SQLite whose investigation child process is up."""
    url = f"sqlite:///{tmp_path / 'child.db'}"
    for server in make_server(
        url, None, catalog_path=EXAMPLE_CATALOG, investigate_in_subprocess=True
    ):
        live = LiveInvestigator(server.ctx)
        assert live._pool is not None
        live._pool.submit(time.sleep, 0).result()  # start the child
        yield live
        live.close()


def test_a_dead_investigation_process_is_replaced(child_investigator: LiveInvestigator) -> None:
    import os
    import signal

    live = child_investigator
    assert live._pool is not None
    for pid in list(live._pool._processes):
        os.kill(pid, signal.SIGKILL)
    time.sleep(0.5)
    with pytest.raises(InvestigationError, match="restarted"):
        live()
    live()  # the replacement works (no signals yet: nothing to investigate)


def test_api_keys_list_create_and_revoke(server: Server) -> None:
    srv = server
    admin = srv.keys[Scope.ADMIN]
    listed = srv.client.get("/api/keys", headers=admin)
    assert listed.status_code == 200
    assert {k["scope"] for k in listed.json()} == {"ingest", "read", "admin"}
    assert all("key" not in k and "key_hash" not in k for k in listed.json())
    assert srv.get("/api/keys", Scope.READ).status_code == 403

    made = srv.client.post("/api/keys", headers=admin, json={"scope": "read", "name": "grafana"})
    assert made.status_code == 201, made.text
    body = made.json()
    assert body["key"].startswith(f"olk_{body['key_id']}_") and body["revoked"] is False
    new = {"Authorization": f"Bearer {body['key']}"}
    assert srv.client.get("/api/incidents", headers=new).status_code == 200
    bad = srv.client.post("/api/keys", headers=admin, json={"scope": "root", "name": "x"})
    assert bad.status_code in (400, 422) and "scope" in bad.text
    blank = srv.client.post("/api/keys", headers=admin, json={"scope": "read", "name": "  "})
    assert blank.status_code in (400, 422) and "name" in blank.text

    assert srv.client.delete(f"/api/keys/{body['key_id']}", headers=admin).status_code == 204
    refused = srv.client.get("/api/incidents", headers=new)  # at once: the cache forgets it
    assert refused.status_code == 401 and "revoked" in refused.text
    states = {k["key_id"]: k["revoked"] for k in srv.client.get("/api/keys", headers=admin).json()}
    assert states[body["key_id"]] is True
    missing = srv.client.delete("/api/keys/nosuchkey", headers=admin)
    assert missing.status_code == 404 and "nosuchkey" in missing.text


def test_closing_stops_a_busy_investigation_process(
    child_investigator: LiveInvestigator,
) -> None:
    """At shutdown the child goes at once, not when its current investigation ends."""
    live = child_investigator
    assert live._pool is not None
    children = list(live._pool._processes.values())
    busy = live._pool.submit(time.sleep, 120)  # a long investigation, say
    started = time.monotonic()
    live.close()
    assert time.monotonic() - started < 10
    assert children and not any(c.is_alive() for c in children)
    assert busy.cancelled() or busy.done()
    live.close()  # closing twice is harmless
    with pytest.raises(InvestigationError, match="shut down"):
        live()  # no pass, and no new child, after close
    assert live._pool is None


def test_a_lookup_racing_a_revocation_does_not_cache_the_key_as_valid() -> None:
    """A request that read a key just before another request revoked it must not put the
    unrevoked record back into the key cache: later requests would pass for KEY_CACHE_SECONDS."""
    from fastapi.testclient import TestClient

    from outagelens.server.app import create_app
    from outagelens.server.auth import create_api_key
    from outagelens.server.settings import load_settings
    from outagelens.store.memory import MemoryStore
    from outagelens.store.records import ApiKeyRecord

    class RacingStore(MemoryStore):
        """Revokes the key (as DELETE /api/keys does) between reading it and returning it."""

        ctx: Any = None

        def api_key(self, key_id: str) -> ApiKeyRecord | None:
            record = super().api_key(key_id)
            if self.ctx is not None:
                ctx, self.ctx = self.ctx, None
                assert self.revoke_api_key(key_id)
                ctx.forget_key(key_id)
            return record

    store = RacingStore()
    settings = load_settings({"worker_enabled": False}, {})
    app = create_app(settings, store=store)
    key = create_api_key(store, Scope.READ, "grafana", "")
    headers = {"Authorization": f"Bearer {key}"}
    with TestClient(app) as client:
        store.ctx = app.state.ctx
        client.get("/api/incidents", headers=headers)  # raced: either answer is fair
        later = client.get("/api/incidents", headers=headers)
        assert later.status_code == 401 and "revoked" in later.text
