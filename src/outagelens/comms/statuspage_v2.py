"""JSON documents in the shape of the Statuspage public API v2, from a page snapshot.

Existing Statuspage clients and widgets read these unchanged: same paths
(`/api/v2/summary.json`, `status.json`, `components.json`, `incidents.json`,
`incidents/unresolved.json`, `scheduled-maintenances.json`, `.../upcoming.json`,
`.../active.json`), same field names and value vocabularies.
"""

from __future__ import annotations

from datetime import datetime
from typing import Any

from outagelens.comms.models import (
    IMPACT_ORDER,
    ComponentStatus,
    Impact,
    IncidentStatus,
    IncidentUpdate,
    Indicator,
    Maintenance,
    MaintenanceStatus,
    PageComponent,
    PageIncident,
    PageSnapshot,
)

JSON = dict[str, Any]

_DESCRIPTIONS = {
    Indicator.NONE: "All Systems Operational",
    Indicator.MINOR: "Minor Service Outage",
    Indicator.MAJOR: "Partial System Outage",
    Indicator.CRITICAL: "Major Service Outage",
}


def ts(value: datetime | None) -> str | None:
    """Statuspage timestamps: ISO 8601 with milliseconds and offset."""
    if value is None:
        return None
    return value.isoformat(timespec="milliseconds").replace("+00:00", "Z")


def page_status(snapshot: PageSnapshot) -> JSON:
    """The page-level indicator, from unresolved incidents and component statuses."""
    worst = Impact.NONE
    for inc in snapshot.incidents:
        if (
            inc.status is not IncidentStatus.RESOLVED
            and IMPACT_ORDER[inc.impact] > IMPACT_ORDER[worst]
        ):
            worst = inc.impact
    statuses = {c.status for c in snapshot.components}
    indicator = Indicator(worst.value) if worst is not Impact.MAINTENANCE else Indicator.NONE
    if indicator is Indicator.NONE and statuses - {
        ComponentStatus.OPERATIONAL,
        ComponentStatus.UNDER_MAINTENANCE,
    }:
        indicator = Indicator.MINOR
    description = _DESCRIPTIONS[indicator]
    if indicator is Indicator.NONE and ComponentStatus.UNDER_MAINTENANCE in statuses:
        description = "Service Under Maintenance"
    return {"indicator": indicator.value, "description": description}


def page_json(snapshot: PageSnapshot) -> JSON:
    """The `page` object."""
    return {
        "id": snapshot.page_id,
        "name": snapshot.name,
        "url": snapshot.url,
        "time_zone": snapshot.time_zone,
        "updated_at": ts(snapshot.updated_at),
    }


def component_json(c: PageComponent, page_id: str) -> JSON:
    """One component."""
    return {
        "id": c.id,
        "name": c.name,
        "status": c.status.value,
        "created_at": ts(c.created_at),
        "updated_at": ts(c.updated_at),
        "position": c.position,
        "description": c.description,
        "showcase": True,
        "start_date": None,
        "group_id": c.group_id,
        "page_id": page_id,
        "group": c.is_group,
        "only_show_if_degraded": False,
    }


def _update_json(u: IncidentUpdate, incident_id: str) -> JSON:
    return {
        "id": u.id,
        "status": u.status.value,
        "body": u.body,
        "incident_id": incident_id,
        "created_at": ts(u.created_at),
        "updated_at": ts(u.created_at),
        "display_at": ts(u.display_at),
        "affected_components": None,
        "deliver_notifications": True,
        "custom_tweet": None,
        "tweet_id": None,
    }


def incident_json(inc: PageIncident, snapshot: PageSnapshot) -> JSON:
    """One incident with its updates, newest first."""
    by_id = {c.id: c for c in snapshot.components}
    return {
        "id": inc.id,
        "name": inc.name,
        "status": inc.status.value,
        "created_at": ts(inc.created_at),
        "updated_at": ts(inc.updated_at),
        "monitoring_at": ts(inc.monitoring_at),
        "resolved_at": ts(inc.resolved_at),
        "impact": inc.impact.value,
        "shortlink": inc.shortlink or f"{snapshot.url.rstrip('/')}/incidents/{inc.id}",
        "started_at": ts(inc.started_at),
        "page_id": snapshot.page_id,
        "incident_updates": [_update_json(u, inc.id) for u in inc.updates],
        "components": [
            component_json(by_id[c], snapshot.page_id) for c in inc.components if c in by_id
        ],
    }


def maintenance_json(m: Maintenance, snapshot: PageSnapshot) -> JSON:
    """One scheduled maintenance."""
    by_id = {c.id: c for c in snapshot.components}
    return {
        "id": m.id,
        "name": m.name,
        "status": m.status.value,
        "created_at": ts(m.created_at),
        "updated_at": ts(m.updated_at),
        "monitoring_at": None,
        "resolved_at": ts(m.scheduled_until) if m.status is MaintenanceStatus.COMPLETED else None,
        "impact": m.impact.value,
        "shortlink": f"{snapshot.url.rstrip('/')}/incidents/{m.id}",
        "started_at": ts(m.scheduled_for),
        "page_id": snapshot.page_id,
        "incident_updates": [
            {
                "id": f"{m.id}-update",
                "status": m.status.value,
                "body": m.body or m.name,
                "incident_id": m.id,
                "created_at": ts(m.created_at),
                "updated_at": ts(m.updated_at),
                "display_at": ts(m.created_at),
                "affected_components": None,
                "deliver_notifications": True,
                "custom_tweet": None,
                "tweet_id": None,
            }
        ],
        "components": [
            component_json(by_id[c], snapshot.page_id) for c in m.components if c in by_id
        ],
        "scheduled_for": ts(m.scheduled_for),
        "scheduled_until": ts(m.scheduled_until),
    }


def _unresolved(snapshot: PageSnapshot) -> list[PageIncident]:
    return [i for i in snapshot.incidents if i.status is not IncidentStatus.RESOLVED]


def _maint(snapshot: PageSnapshot, *statuses: MaintenanceStatus) -> list[JSON]:
    return [maintenance_json(m, snapshot) for m in snapshot.maintenances if m.status in statuses]


def document(snapshot: PageSnapshot, path: str) -> JSON:
    """The v2 document at `path` (relative to /api/v2/, e.g. 'summary.json')."""
    page = page_json(snapshot)
    if path == "summary.json":
        return {
            "page": page,
            "components": [component_json(c, snapshot.page_id) for c in snapshot.components],
            "incidents": [incident_json(i, snapshot) for i in _unresolved(snapshot)],
            "scheduled_maintenances": _maint(
                snapshot,
                MaintenanceStatus.SCHEDULED,
                MaintenanceStatus.IN_PROGRESS,
                MaintenanceStatus.VERIFYING,
            ),
            "status": page_status(snapshot),
        }
    if path == "status.json":
        return {"page": page, "status": page_status(snapshot)}
    if path == "components.json":
        return {
            "page": page,
            "components": [component_json(c, snapshot.page_id) for c in snapshot.components],
        }
    if path == "incidents.json":
        return {
            "page": page,
            "incidents": [incident_json(i, snapshot) for i in snapshot.incidents[:50]],
        }
    if path == "incidents/unresolved.json":
        return {
            "page": page,
            "incidents": [incident_json(i, snapshot) for i in _unresolved(snapshot)],
        }
    if path == "scheduled-maintenances.json":
        return {"page": page, "scheduled_maintenances": _maint(snapshot, *MaintenanceStatus)}
    if path == "scheduled-maintenances/upcoming.json":
        return {
            "page": page,
            "scheduled_maintenances": _maint(snapshot, MaintenanceStatus.SCHEDULED),
        }
    if path == "scheduled-maintenances/active.json":
        return {
            "page": page,
            "scheduled_maintenances": _maint(
                snapshot, MaintenanceStatus.IN_PROGRESS, MaintenanceStatus.VERIFYING
            ),
        }
    raise KeyError(path)


DOCUMENTS = (
    "summary.json",
    "status.json",
    "components.json",
    "incidents.json",
    "incidents/unresolved.json",
    "scheduled-maintenances.json",
    "scheduled-maintenances/upcoming.json",
    "scheduled-maintenances/active.json",
)
