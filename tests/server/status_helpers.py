"""Builders for the status-page tests: a stored incident on the example catalog, page tokens."""

from __future__ import annotations

from typing import Any

from tests.comms.conftest import make_scope
from tests.server.conftest import Server

from outagelens.server.status.service import StatusService
from outagelens.store.records import IncidentStatus, Scope

CUSTOMERS = ("hansa-direktbank", "rheinlogistik", "shopwave")


def seed_incident(
    server: Server,
    *,
    status: IncidentStatus = IncidentStatus.INVESTIGATING,
    confidence: float = 0.3,
    ended: bool = False,
) -> str:
    """Store an incident touching all three customers in fra1; returns its id."""
    scope = make_scope(ended=ended).model_dump(mode="json")
    snapshot: dict[str, Any] = {
        "scope": scope,
        "hypotheses": [
            {"entities": ["fra1-fabric"], "category": "software", "confidence": confidence}
        ],
        "summary": "fabric change",
        "belief": {"customers": list(CUSTOMERS), "root_cause": ["fra1-fabric"]},
    }
    record = server.ctx.store.create_incident("rc:fra1-fabric", snapshot, status)
    service(server).sync(force=True)
    return record.id


def set_status(server: Server, incident_id: str, status: IncidentStatus, **kwargs: Any) -> None:
    """Move an incident as the live investigation would, then sync the pages."""
    server.ctx.store.update_incident(incident_id, status=status, **kwargs)
    service(server).sync(force=True)


def service(server: Server) -> StatusService:
    """The app's status service."""
    svc = server.client.app.state.status  # type: ignore[attr-defined]
    assert isinstance(svc, StatusService)
    return svc


def page_token(server: Server, customer: str) -> str:
    """A new page token for a customer."""
    answer = server.post(f"/api/status/customers/{customer}/tokens", Scope.ADMIN, json={})
    assert answer.status_code == 200, answer.text
    return str(answer.json()["token"])
