"""Page snapshots: statuses from the investigation, audience isolation, Statuspage v2 shape."""

from __future__ import annotations

import json
from datetime import timedelta

import pytest

from outagelens.comms.models import (
    ComponentStatus,
    Impact,
    IncidentStatus,
    Maintenance,
    MaintenanceStatus,
)
from outagelens.comms.status import PUBLIC, build_page, interval_status
from outagelens.comms.statuspage_v2 import DOCUMENTS, document
from outagelens.detect.models import HealthState
from outagelens.topology import Catalog
from tests.comms.conftest import T0, make_incident

NOW = T0 + timedelta(minutes=10)


@pytest.mark.parametrize(
    ("state", "fraction", "expected"),
    [
        (HealthState.DOWN, 1.0, ComponentStatus.MAJOR_OUTAGE),
        (HealthState.DOWN, 0.9, ComponentStatus.MAJOR_OUTAGE),
        (HealthState.DOWN, 0.89, ComponentStatus.PARTIAL_OUTAGE),
        (HealthState.DEGRADED, 0.25, ComponentStatus.PARTIAL_OUTAGE),
        (HealthState.DEGRADED, 0.24, ComponentStatus.DEGRADED_PERFORMANCE),
    ],
    ids=["down-all", "down-edge", "down-partial", "degraded-quarter", "degraded-slight"],
)
def test_interval_status_thresholds(
    state: HealthState, fraction: float, expected: ComponentStatus
) -> None:
    assert interval_status(state, fraction) is expected


def test_public_page_marks_affected_components(catalog: Catalog) -> None:
    page = build_page(catalog, [make_incident()], audience=PUBLIC, now=NOW, page_url="http://x/")
    status = {c.id: c.status for c in page.components}
    assert status["vm-hosting@fra1"] is ComponentStatus.MAJOR_OUTAGE
    assert status["managed-k8s@fra1"] is ComponentStatus.MAJOR_OUTAGE
    assert status["colocation@fra1"] is ComponentStatus.PARTIAL_OUTAGE
    assert status["vm-hosting@ams1"] is ComponentStatus.OPERATIONAL
    assert len(page.incidents) == 1
    assert page.incidents[0].impact is Impact.CRITICAL


def test_resolved_incident_leaves_components_operational(catalog: Catalog) -> None:
    inc = make_incident(IncidentStatus.RESOLVED, ended=True)
    page = build_page(catalog, [inc], audience=PUBLIC, now=NOW, page_url="http://x/")
    assert {c.status for c in page.components} == {ComponentStatus.OPERATIONAL}
    assert document(page, "summary.json")["incidents"] == []
    assert len(document(page, "incidents.json")["incidents"]) == 1


def test_customer_page_shows_only_its_own_components(catalog: Catalog) -> None:
    page = build_page(
        catalog, [make_incident()], audience="rheinlogistik", now=NOW, page_url="http://x/"
    )
    assert {c.id for c in page.components} == {"colocation@fra1", "backup@fra2"}
    text = json.dumps([document(page, d) for d in DOCUMENTS])
    for other in ("Hansa", "hansa-direktbank", "ShopWave", "shopwave", "vm-hosting"):
        assert other not in text


def test_public_documents_carry_no_customer_names(catalog: Catalog) -> None:
    page = build_page(catalog, [make_incident()], audience=PUBLIC, now=NOW, page_url="http://x/")
    text = json.dumps([document(page, d) for d in DOCUMENTS])
    for cust in catalog.customers.values():
        assert cust.name not in text
        assert cust.id not in text


def test_incident_not_touching_customer_is_absent_from_its_page(catalog: Catalog) -> None:
    page = build_page(catalog, [make_incident()], audience="grachtenhuis", now=NOW, page_url="u")
    assert page.incidents == ()
    assert document(page, "status.json")["status"] == {
        "indicator": "none",
        "description": "All Systems Operational",
    }


def test_summary_has_statuspage_v2_shape(catalog: Catalog) -> None:
    page = build_page(catalog, [make_incident()], audience=PUBLIC, now=NOW, page_url="http://x/")
    summary = document(page, "summary.json")
    assert set(summary) == {"page", "components", "incidents", "scheduled_maintenances", "status"}
    assert set(summary["page"]) == {"id", "name", "url", "time_zone", "updated_at"}
    assert summary["status"]["indicator"] == "critical"
    comp = summary["components"][0]
    for key in (
        "id",
        "name",
        "status",
        "created_at",
        "updated_at",
        "position",
        "group_id",
        "page_id",
        "group",
        "only_show_if_degraded",
        "showcase",
        "start_date",
    ):
        assert key in comp
    assert summary["components"][0]["updated_at"].endswith("Z")
    inc = summary["incidents"][0]
    assert inc["status"] == "investigating"
    assert inc["impact"] == "critical"


def test_maintenance_sets_under_maintenance_and_is_listed(catalog: Catalog) -> None:
    m = Maintenance(
        id="m1",
        name="Patch window",
        status=MaintenanceStatus.IN_PROGRESS,
        scheduled_for=NOW - timedelta(minutes=5),
        scheduled_until=NOW + timedelta(hours=1),
        created_at=T0,
        updated_at=T0,
        components=("backup@fra2",),
    )
    page = build_page(catalog, [], audience=PUBLIC, now=NOW, page_url="u", maintenances=[m])
    status = {c.id: c.status for c in page.components}
    assert status["backup@fra2"] is ComponentStatus.UNDER_MAINTENANCE
    active = document(page, "scheduled-maintenances/active.json")["scheduled_maintenances"]
    assert [x["id"] for x in active] == ["m1"]
    assert document(page, "scheduled-maintenances/upcoming.json")["scheduled_maintenances"] == []
    assert document(page, "status.json")["status"]["description"] == "Service Under Maintenance"


def test_unknown_document_is_refused(catalog: Catalog) -> None:
    page = build_page(catalog, [], audience=PUBLIC, now=NOW, page_url="u")
    with pytest.raises(KeyError):
        document(page, "secrets.json")
