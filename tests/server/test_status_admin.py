"""Drafts, approval, edits, root-cause confirmation, component overrides, maintenance windows
(on the pages and in the SLA), and 404s of the admin endpoints that take an id."""

from __future__ import annotations

from collections.abc import Iterator
from datetime import UTC, datetime, timedelta
from typing import Any

import pytest
from tests.server.conftest import EXAMPLE_CATALOG, Server, make_server
from tests.server.status_helpers import page_token, seed_incident, service, set_status

from outagelens.impact.sla import maintenance_intervals
from outagelens.server.status.sla import with_maintenances
from outagelens.store.records import IncidentStatus, Scope

CAUSE_WORDS = ("software", "configuration", "hardware", "network", "cause is a")


@pytest.fixture
def approval_server(backend_db: tuple[str, str | None]) -> Iterator[Server]:
    yield from make_server(*backend_db, catalog_path=EXAMPLE_CATALOG, status_auto_publish=False)


def _updates(server: Server, **params: str) -> list[dict[str, Any]]:
    answer = server.get("/api/status/updates", params=params)
    assert answer.status_code == 200, answer.text
    return list(answer.json())


def _summary(server: Server) -> dict[str, Any]:
    return dict(server.client.get("/status/api/v2/summary.json").json())


def test_drafts_wait_for_approval_and_edits_are_kept(approval_server: Server) -> None:
    s = approval_server
    incident = seed_incident(s, confidence=0.3)
    drafts = _updates(s, state="drafted")
    assert sorted(d["audience"] for d in drafts) == [
        "hansa-direktbank",
        "public",
        "rheinlogistik",
        "shopwave",
    ]
    for d in drafts:  # the cause is not reached: no draft names one
        assert not any(w in d["body"].lower() for w in CAUSE_WORDS), d["body"]
        assert "Next update by" in d["body"]
    assert _summary(s)["incidents"][0]["incident_updates"] == []
    public = next(d for d in drafts if d["audience"] == "public")
    body = {"author": "jane", "body": "We are investigating a network disruption in Frankfurt."}
    published = s.post(f"/api/status/updates/{public['id']}/publish", Scope.ADMIN, json=body)
    assert published.status_code == 200, published.text
    assert published.json()["replaces"] == public["id"] and not published.json()["drafted"]
    shown = _summary(s)["incidents"][0]["incident_updates"]
    assert [u["body"] for u in shown] == [body["body"]]
    states = {u["id"]: u["state"] for u in _updates(s, incident_id=incident)}
    assert states[public["id"]] == "superseded" and states[published.json()["id"]] == "published"
    again = s.post(f"/api/status/updates/{public['id']}/publish", Scope.ADMIN, json=body)
    assert again.status_code == 409


def test_cause_is_stated_once_a_person_confirms_it(approval_server: Server) -> None:
    s = approval_server
    incident = seed_incident(s, confidence=0.3)
    override = {"entities": ["fra1-ups-a"], "category": "hardware", "comment": "confirmed on site"}
    assert (
        s.post(f"/api/incidents/{incident}/root-cause", Scope.ADMIN, json=override).status_code
        == 200
    )
    service(s).sync(force=True)
    identified = _updates(s, state="drafted")
    identified = [d for d in identified if d["status"] == "identified"]
    assert len(identified) == 4
    for d in identified:
        assert "hardware failure" in d["body"] and "uninterruptible power supply" in d["body"]
        assert "confirmed on site" not in d["body"]  # internal comments stay internal
    assert _summary(s)["incidents"][0]["status"] == "identified"


def test_confident_hypothesis_is_stated_without_a_person(server: Server) -> None:
    incident = seed_incident(server, confidence=0.3)
    set_status(server, incident, IncidentStatus.IDENTIFIED, snapshot=_confident(server, incident))
    bodies = [u["body"] for u in _updates(server, audience="public")]
    assert len(bodies) == 2
    assert "configuration change" not in bodies[0] and "configuration change" in bodies[1]


def _confident(server: Server, incident: str) -> dict[str, Any]:
    record = server.ctx.store.incident(incident)
    assert record is not None
    snap = dict(record.snapshot)
    snap["hypotheses"] = [{**snap["hypotheses"][0], "confidence": 0.85}]
    return snap


def _component(server: Server, cid: str, audience: str = "public", token: str = "") -> str:
    base = "/status" if audience == "public" else f"/customers/{audience}/status"
    doc = server.client.get(
        f"{base}/api/v2/components.json", params={"token": token} if token else {}
    )
    return str(next(c["status"] for c in doc.json()["components"] if c["id"] == cid))


def test_component_override_and_its_history(server: Server) -> None:
    seed_incident(server)
    assert _component(server, "colocation@fra1") == "partial_outage"
    path = "/api/status/components/colocation@fra1/override"
    body = {"status": "major_outage", "author": "jane", "comment": "whole hall dark"}
    assert server.post(path, Scope.ADMIN, json=body).status_code == 200
    assert _component(server, "colocation@fra1") == "major_outage"
    token = page_token(server, "rheinlogistik")
    assert _component(server, "colocation@fra1", "rheinlogistik", token) == "major_outage"
    cleared = server.post(path, Scope.ADMIN, json={"status": None, "author": "jane"})
    assert cleared.status_code == 200
    assert _component(server, "colocation@fra1") == "partial_outage"
    history = server.get("/api/status/components/colocation@fra1/overrides").json()
    assert [(h["status"], h["author"]) for h in history] == [
        ("major_outage", "jane"),
        (None, "jane"),
    ]


def test_maintenance_shows_on_pages_that_list_the_component(server: Server) -> None:
    now = datetime.now(UTC)
    body = {
        "name": "Router firmware upgrade",
        "components": ["vm-hosting@fra2"],
        "scheduled_for": (now - timedelta(hours=1)).isoformat(),
        "scheduled_until": (now + timedelta(hours=1)).isoformat(),
        "author": "jane",
    }
    made = server.post("/api/status/maintenances", Scope.ADMIN, json=body)
    assert made.status_code == 200, made.text
    assert _component(server, "vm-hosting@fra2") == "under_maintenance"
    active = server.client.get("/status/api/v2/scheduled-maintenances/active.json").json()
    assert [m["name"] for m in active["scheduled_maintenances"]] == ["Router firmware upgrade"]
    nordpress = page_token(server, "nordpress")
    assert _component(server, "vm-hosting@fra2", "nordpress", nordpress) == "under_maintenance"
    shop = server.client.get(
        "/customers/shopwave/status/api/v2/scheduled-maintenances.json",
        params={"token": page_token(server, "shopwave")},
    ).json()
    assert shop["scheduled_maintenances"] == []
    mid = made.json()["id"]
    cancel = server.client.delete(
        f"/api/status/maintenances/{mid}", headers=server.keys[Scope.ADMIN]
    )
    assert cancel.status_code == 204
    assert _component(server, "vm-hosting@fra2") == "operational"


def test_stored_maintenance_reaches_the_sla(server: Server) -> None:
    start = datetime(2026, 11, 26, 13, 0, tzinfo=UTC)
    body = {
        "name": "fabric work",
        "components": ["vm-hosting@fra1"],
        "scheduled_for": start.isoformat(),
        "scheduled_until": (start + timedelta(hours=2)).isoformat(),
        "author": "jane",
    }
    assert server.post("/api/status/maintenances", Scope.ADMIN, json=body).status_code == 200
    catalog = server.ctx.catalog()
    assert catalog is not None
    adjusted = with_maintenances(catalog, service(server).store.maintenances())
    total = 0
    for sid, ref in adjusted.subscriptions.items():
        windows = maintenance_intervals(ref.subscription.sla) if ref.subscription.sla else []
        before = catalog.subscriptions[sid].subscription.sla
        added = len(windows) - (len(before.maintenance_windows) if before else 0)
        uses_fra1_vms = (
            ref.subscription.service == "vm-hosting" and "fra1" in ref.subscription.locations
        )
        assert added == (1 if uses_fra1_vms and before else 0), sid
        if added:
            assert (start, start + timedelta(hours=2)) in windows
        total += added
    assert total >= 1  # hansa-direktbank's online banking runs on VMs in fra1


@pytest.mark.parametrize(
    ("method", "path", "body"),
    [
        ("post", "/api/status/customers/nobody/tokens", {}),
        ("delete", "/api/status/tokens/nope", None),
        ("post", "/api/status/updates/nope/publish", {"author": "a"}),
        ("post", "/api/status/updates/nope/discard", {"author": "a"}),
        (
            "post",
            "/api/status/incidents/nope/updates",
            {"audience": "public", "status": "investigating", "body": "x", "author": "a"},
        ),
        ("post", "/api/status/components/nope@fra1/override", {"status": None, "author": "a"}),
        ("delete", "/api/status/maintenances/nope", None),
        ("delete", "/api/status/subscribers/nope", None),
    ],
    ids=[
        "token-customer",
        "token",
        "publish",
        "discard",
        "write",
        "override",
        "maintenance",
        "subscriber",
    ],
)
def test_admin_ids_unknown_are_404(
    sqlite_server: Server, method: str, path: str, body: Any
) -> None:
    kwargs = {"json": body} if body is not None else {}
    answer = getattr(sqlite_server.client, method)(
        path, headers=sqlite_server.keys[Scope.ADMIN], **kwargs
    )
    assert answer.status_code == 404, answer.text
    read_only = getattr(sqlite_server.client, method)(
        path, headers=sqlite_server.keys[Scope.READ], **kwargs
    )
    assert read_only.status_code == 403
