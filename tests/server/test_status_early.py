"""Pages before the investigation confirms: components marked from customer-facing alerts at
ingest, infrastructure-only alarms never public, incidents announced only once confirmed."""

from __future__ import annotations

import json
from collections.abc import Iterator
from datetime import UTC, datetime, timedelta
from typing import Any

import pytest
from tests.comms.conftest import make_scope
from tests.factories import recording_receiver
from tests.server.conftest import EXAMPLE_CATALOG, Server, make_server
from tests.server.payloads import webhook
from tests.server.status_helpers import CUSTOMERS, service

from outagelens.signals.timefmt import format_time
from outagelens.store.records import IncidentStatus, Scope

CONFIRM = 60.0
BANK = "hansa-direktbank"


@pytest.fixture
def early_server(sqlite_db: tuple[str, str | None]) -> Iterator[Server]:
    yield from make_server(
        *sqlite_db,
        catalog_path=EXAMPLE_CATALOG,
        status_confirm_seconds=CONFIRM,
        status_webhook_allowed_networks="127.0.0.0/8",
    )


@pytest.fixture
def sqlite_db(tmp_path: Any) -> tuple[str, None]:
    return f"sqlite:///{tmp_path / 'early.db'}", None


def _alert(labels: dict[str, str], start: datetime, end: datetime | None = None) -> dict[str, Any]:
    return {
        "status": "firing" if end is None else "resolved",
        "labels": labels,
        "annotations": {"summary": labels["alertname"]},
        "startsAt": format_time(start),
        "endsAt": format_time(end) if end else "0001-01-01T00:00:00Z",
        "generatorURL": "http://prometheus/graph",
        "fingerprint": "f" * 16 if "customer" in labels else "e" * 16,
    }


BANK_DOWN = {
    "alertname": "OutageLensServiceDown",
    "severity": "critical",
    "customer": BANK,
    "service": "vm-hosting",
    "location": "fra1",
}
SPINE_PSU = {
    "alertname": "OutageLensHardwareAlarm",
    "severity": "major",
    "component": "fra1-spine-2",
    "location": "fra1",
    "alarm": "psu_failure",
}


def _summary(server: Server) -> dict[str, Any]:
    """The public page's Statuspage summary, as clients read it."""
    answer = server.client.get("/status/api/v2/summary.json")
    assert answer.status_code == 200
    return dict(answer.json())


def _doc(server: Server, audience: str) -> dict[str, Any]:
    """A private page's summary, from the rendered cache."""
    page = service(server).cache.get(audience)
    assert page is not None
    return dict(json.loads(page.documents["summary.json"]))


def _affected(summary: dict[str, Any]) -> dict[str, str]:
    return {
        c["id"]: c["status"]
        for c in summary["components"]
        if not c["group"] and c["status"] != "operational"
    }


def _stored_updates(server: Server) -> list[dict[str, Any]]:
    return list(server.get("/api/status/updates", Scope.ADMIN).json())


def _ingest(server: Server, *alerts: dict[str, Any]) -> None:
    answer = server.post("/ingest/alertmanager", json=webhook(*alerts))
    assert answer.status_code == 202, answer.text
    assert server.ctx.worker is not None
    while server.ctx.worker.step():  # stored; the investigation has not run
        pass
    service(server).sync(force=True)


def test_customer_alert_marks_its_component_at_once_and_notifies_nobody(
    early_server: Server,
) -> None:
    s = early_server
    start = datetime.now(UTC) - timedelta(seconds=40)
    _ingest(s, _alert(BANK_DOWN, start))

    public, bank = _summary(s), _doc(s, BANK)
    assert _affected(public) == {"vm-hosting@fra1": "partial_outage"}
    assert _affected(bank) == {"vm-hosting@fra1": "partial_outage"}
    assert _affected(_doc(s, "shopwave")) == {}  # not its service
    [incident] = public["incidents"]
    assert incident["status"] == "investigating"
    [update] = incident["incident_updates"]
    assert update["body"].startswith("We are investigating a disruption of Virtual machines")
    assert "The cause is" not in update["body"]
    assert _stored_updates(s) == []  # shown, never stored or sent
    assert s.get("/api/status/outbox", Scope.ADMIN).json() == []

    _ingest(s, _alert(BANK_DOWN, start, datetime.now(UTC) - timedelta(seconds=1)))
    assert _affected(_summary(s)) == {} and _summary(s)["incidents"] == []


def test_infrastructure_alarm_marks_no_component(early_server: Server) -> None:
    _ingest(early_server, _alert(SPINE_PSU, datetime.now(UTC) - timedelta(minutes=2)))
    public = _summary(early_server)
    assert _affected(public) == {} and public["incidents"] == []


def test_incident_without_customer_impact_is_never_public(sqlite_db: tuple[str, None]) -> None:
    # What the investigation makes of a PSU alarm on a redundant spine: a confident hardware
    # cause, and no customer in scope.
    for s in make_server(*sqlite_db, catalog_path=EXAMPLE_CATALOG, status_confirm_seconds=0):
        scope = make_scope().model_copy(
            update={"customers": (), "services": (), "subscriptions": ()}
        )
        snapshot = {
            "scope": scope.model_dump(mode="json"),
            "hypotheses": [{"entities": ["fra1-spine-2"], "category": "hardware", "confidence": 1}],
            "summary": "PSU failure",
            "belief": {"customers": [], "root_cause": ["fra1-spine-2"]},
        }
        s.ctx.store.create_incident("rc:fra1-spine-2", snapshot, IncidentStatus.IDENTIFIED)
        service(s).sync(force=True)
        assert _stored_updates(s) == []
        assert _summary(s)["incidents"] == []


def _snapshot(*, ended_after: timedelta | None = None) -> dict[str, Any]:
    """A confident incident on all three customers, as the live investigation stores it."""
    scope = make_scope()
    if ended_after is not None:
        scope = scope.model_copy(
            update={
                "end": scope.start + ended_after,
                "ongoing": False,
                "duration_minutes": ended_after / timedelta(minutes=1),
            }
        )
    return {
        "scope": scope.model_dump(mode="json"),
        "hypotheses": [{"entities": ["fra1-fabric"], "category": "software", "confidence": 0.9}],
        "summary": "fabric change",
        "belief": {"customers": list(CUSTOMERS), "root_cause": ["fra1-fabric"]},
    }


def _seed(server: Server) -> tuple[str, datetime]:
    """Store an open incident; its id and creation time."""
    record = server.ctx.store.create_incident(
        "rc:fra1-fabric", _snapshot(), IncidentStatus.IDENTIFIED
    )
    return record.id, record.created_at


def test_incident_is_announced_only_once_confirmed(early_server: Server) -> None:
    s = early_server
    with recording_receiver() as receiver:
        body = {"audience": "public", "kind": "webhook", "target": receiver.url, "secret": "s" * 20}
        assert s.post("/api/status/subscribers", Scope.ADMIN, json=body).status_code == 200
        _, created = _seed(s)
        service(s).sync(now=created + timedelta(seconds=CONFIRM - 5), force=True)
        [shown] = _summary(s)["incidents"]
        assert shown["status"] == "investigating"  # no cause is stated before confirmation
        assert "The cause is" not in shown["incident_updates"][0]["body"]
        assert _stored_updates(s) == []

        service(s).sync(now=created + timedelta(seconds=CONFIRM + 1), force=True)
        stages = {(u["audience"], u["status"]) for u in _stored_updates(s)}
        assert stages == {("public", "identified")} | {(c, "identified") for c in CUSTOMERS}
        [shown] = _summary(s)["incidents"]
        assert shown["status"] == "identified"
        assert len(s.get("/api/status/outbox", Scope.ADMIN).json()) == 1


def test_short_lived_incident_sends_no_notice(early_server: Server) -> None:
    s = early_server
    incident_id, created = _seed(s)
    service(s).sync(now=created + timedelta(seconds=10), force=True)
    assert [i["status"] for i in _summary(s)["incidents"]] == ["investigating"]
    # Merged into another incident before it was confirmed: its symptoms lasted 30 s.
    s.ctx.store.update_incident(
        incident_id,
        snapshot=_snapshot(ended_after=timedelta(seconds=30)),
        status=IncidentStatus.MONITORING,
    )
    for later in (CONFIRM + 1, 10 * CONFIRM):
        service(s).sync(now=created + timedelta(seconds=later), force=True)
        assert _stored_updates(s) == []
        assert _summary(s)["incidents"] == []


def test_cause_confirmed_by_a_person_is_announced_at_once(early_server: Server) -> None:
    s = early_server
    incident_id, created = _seed(s)
    body = {"entities": ["fra1-fabric"], "category": "software", "comment": "rollback started"}
    answer = s.post(f"/api/incidents/{incident_id}/root-cause", Scope.ADMIN, json=body)
    assert answer.status_code == 200, answer.text
    service(s).sync(now=created + timedelta(seconds=5), force=True)
    assert {u["status"] for u in _stored_updates(s)} == {"identified"}
    assert [i["status"] for i in _summary(s)["incidents"]] == ["identified"]


def test_global_service_alert_is_covered_by_its_incident_in_any_location() -> None:
    """A global service is one component on every page, whatever location an alert names: an
    open incident covering the subscription covers the alert, so no second, provisional
    incident is shown for the same component."""
    from outagelens.comms.models import IncidentStatus as PageStatus
    from outagelens.comms.status import LiveIncident
    from outagelens.correlate.models import AffectedSubscription, OutageInterval
    from outagelens.correlate.models import Scope as IncidentScope
    from outagelens.detect.models import HealthState
    from outagelens.server.status.reported import Report, covered_keys, reported_incident
    from outagelens.topology import load_catalog

    catalog = load_catalog(EXAMPLE_CATALOG)
    assert not catalog.services["cdn"].locations  # global
    start = datetime.now(UTC) - timedelta(minutes=5)
    report = Report(
        subscription="nordpress/cdn",
        customer="nordpress",
        service="cdn",
        location="ams1",  # where the probe saw it; the subscription lists fra2
        start=start,
        state=HealthState.DOWN,
        failed_fraction=0.5,
        fingerprint="c" * 16,
    )
    interval = OutageInterval(
        location="fra2", start=start, state=HealthState.DOWN, failed_fraction=0.9
    )
    scope = IncidentScope(
        start=start,
        ongoing=True,
        duration_minutes=5.0,
        first_alert_at=start,
        customers=("nordpress",),
        services=("cdn",),
        locations=("fra2",),
        regions=(catalog.locations["fra2"].region,),
        geography=(catalog.locations["fra2"].geography,),
        subscriptions=(
            AffectedSubscription(
                subscription="nordpress/cdn",
                customer="nordpress",
                service="cdn",
                state=HealthState.DOWN,
                locations=("fra2",),
                intervals=(interval,),
            ),
        ),
    )
    incident = LiveIncident(
        id="inc-1",
        status=PageStatus.IDENTIFIED,
        created_at=start,
        updated_at=start,
        scope=scope,
    )
    now = datetime.now(UTC)
    assert reported_incident(catalog, [report], covered_keys([incident]), now) is None
    assert reported_incident(catalog, [report], {}, now) is not None  # uncovered: shown


def test_alert_of_a_resolved_incident_brings_no_provisional_incident_back(
    early_server: Server,
) -> None:
    """A person resolves the incident while Alertmanager still fires the alert that started
    during it: the page does not show the outage again as a provisional incident. An alert of
    the same component that starts after the resolution is news and is shown."""
    s = early_server
    incident_id, _ = _seed(s)  # covers hansa-direktbank's vm-hosting in fra1
    start = datetime.now(UTC) - timedelta(minutes=2)
    _ingest(s, _alert(BANK_DOWN, start))
    assert [i["status"] for i in _summary(s)["incidents"]] == ["investigating"]  # the seeded one

    resolve = {"status": "resolved"}
    answer = s.post(f"/api/incidents/{incident_id}/status", Scope.ADMIN, json=resolve)
    assert answer.status_code == 200, answer.text
    service(s).sync(force=True)
    assert _summary(s)["incidents"] == []  # resolved before it was announced; alert covered
    assert _affected(_summary(s)) == {}

    again = dict(_alert(BANK_DOWN, datetime.now(UTC)), fingerprint="a" * 16)
    _ingest(s, again)
    [shown] = _summary(s)["incidents"]
    assert shown["status"] == "investigating" and shown["id"].startswith("reported-")
    assert _affected(_summary(s)) == {"vm-hosting@fra1": "partial_outage"}


def test_coverage_of_open_and_resolved_incidents() -> None:
    """An open incident covers every alert of its subscriptions; a resolved one those that
    started at or before its resolution; the widest coverage of a key wins."""
    from outagelens.comms.models import IncidentStatus as PageStatus
    from outagelens.comms.status import LiveIncident
    from outagelens.server.status.reported import covered_keys

    scope = make_scope()
    t = scope.start
    key = ("hansa-direktbank", "vm-hosting", "fra1")

    def live(status: PageStatus, resolved_at: datetime | None) -> LiveIncident:
        return LiveIncident(
            id=f"inc-{status.value}",
            status=status,
            created_at=t,
            updated_at=t + timedelta(minutes=1),
            scope=scope,
            resolved_at=resolved_at,
        )

    done = live(PageStatus.RESOLVED, t + timedelta(minutes=30))
    assert covered_keys([done])[key] == t + timedelta(minutes=30)
    assert covered_keys([live(PageStatus.RESOLVED, None)])[key] == t + timedelta(minutes=1)
    assert covered_keys([done, live(PageStatus.IDENTIFIED, None)])[key] is None
    assert covered_keys([live(PageStatus.MONITORING, None), done])[key] is None
    later = live(PageStatus.RESOLVED, t + timedelta(hours=2))
    assert covered_keys([later, done])[key] == t + timedelta(hours=2)
    assert ("shopwave", "managed-k8s", "fra1") in covered_keys([done])
    assert covered_keys([]) == {}
