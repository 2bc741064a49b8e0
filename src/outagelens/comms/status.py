"""From live incidents to what one page shows: components, statuses, incidents, for one audience.

The public page lists every service in every location; a customer's page lists only the
services and locations of its own subscriptions, and its incidents mention only those. No page
ever carries another customer's name, figures or internal notes.
"""

from __future__ import annotations

from collections.abc import Iterable, Iterator, Sequence
from dataclasses import dataclass, field
from datetime import datetime

from outagelens.comms.models import (
    COMPONENT_SEVERITY,
    ComponentStatus,
    Impact,
    IncidentStatus,
    IncidentUpdate,
    Maintenance,
    MaintenanceStatus,
    PageComponent,
    PageIncident,
    PageSnapshot,
)
from outagelens.correlate.models import AffectedSubscription, OutageInterval, Scope
from outagelens.detect.models import HealthState
from outagelens.topology import Catalog
from outagelens.topology.validate import deployment_id

PUBLIC = "public"


@dataclass(frozen=True)
class CauseStatement:
    """A cause the investigation has reached (or a person confirmed), in public words."""

    category: str
    component_kind: str
    location: str | None
    confirmed: bool


@dataclass(frozen=True)
class LiveIncident:
    """An incident as the server holds it, with every update written for every audience."""

    id: str
    status: IncidentStatus
    created_at: datetime
    updated_at: datetime
    scope: Scope
    cause: CauseStatement | None = None
    monitoring_at: datetime | None = None
    resolved_at: datetime | None = None
    updates: dict[str, tuple[IncidentUpdate, ...]] = field(default_factory=dict)
    status_override: dict[str, ComponentStatus] = field(default_factory=dict)


def interval_status(state: HealthState, failed_fraction: float) -> ComponentStatus:
    """Statuspage status of one component from how much of its traffic fails."""
    if state is HealthState.DOWN and failed_fraction >= 0.9:
        return ComponentStatus.MAJOR_OUTAGE
    if failed_fraction >= 0.25:
        return ComponentStatus.PARTIAL_OUTAGE
    return ComponentStatus.DEGRADED_PERFORMANCE


def _component_ids(catalog: Catalog, audience: str) -> list[str]:
    """Deployment ids (or global service ids) the audience's page lists, in display order."""
    if audience == PUBLIC:
        out: list[str] = []
        for svc in catalog.services.values():
            out.extend(
                [deployment_id(svc.id, loc) for loc in svc.locations] if svc.locations else [svc.id]
            )
        return out
    seen: dict[str, None] = {}
    for ref in catalog.subscriptions_of(audience):
        svc = catalog.services[ref.service]
        for loc in ref.subscription.locations:
            seen[deployment_id(svc.id, loc) if svc.locations else svc.id] = None
    return list(seen)


def component_name(catalog: Catalog, entity: str) -> str:
    """Readable component name: 'Managed Kubernetes, Frankfurt am Main, DE (fra1)'."""
    if "@" in entity:
        svc_id, loc_id = entity.rsplit("@", 1)
        loc = catalog.locations[loc_id]
        return f"{catalog.services[svc_id].name}, {loc.geography} ({loc_id})"
    return catalog.services[entity].name


def visible_intervals(
    catalog: Catalog, scope: Scope, audience: str
) -> Iterator[tuple[AffectedSubscription, OutageInterval, str]]:
    """(subscription, interval, page component id) of every outage interval `audience` may see."""
    for sub in scope.subscriptions:
        if audience != PUBLIC and sub.customer != audience:
            continue
        svc = catalog.services.get(sub.service)
        if svc is None:
            continue
        for iv in sub.intervals:
            yield sub, iv, deployment_id(svc.id, iv.location) if svc.locations else svc.id


def _affected_entities(
    catalog: Catalog, scope: Scope, audience: str, *, ongoing_only: bool
) -> dict[str, ComponentStatus]:
    """Component entity -> worst status among the audience-visible affected subscriptions."""
    out: dict[str, ComponentStatus] = {}
    for _, iv, entity in visible_intervals(catalog, scope, audience):
        if ongoing_only and iv.end is not None:
            continue
        status = interval_status(iv.state, iv.failed_fraction)
        if COMPONENT_SEVERITY[status] > COMPONENT_SEVERITY.get(
            out.get(entity, ComponentStatus.OPERATIONAL), 0
        ):
            out[entity] = status
    return out


def incident_impact(statuses: Iterable[ComponentStatus]) -> Impact:
    """Statuspage impact: critical for several major outages, major for one, minor otherwise."""
    values = list(statuses)
    majors = sum(1 for s in values if s is ComponentStatus.MAJOR_OUTAGE)
    if majors >= 2:
        return Impact.CRITICAL
    if majors == 1:
        return Impact.MAJOR
    if any(s is not ComponentStatus.OPERATIONAL for s in values):
        return Impact.MINOR
    return Impact.NONE


def incident_name(catalog: Catalog, entities: Sequence[str], impact: Impact) -> str:
    """'Outage of Virtual machines, Managed PostgreSQL in Frankfurt am Main, DE'."""
    services = list(dict.fromkeys(catalog.services[e.split("@")[0]].name for e in entities))
    places = list(
        dict.fromkeys(
            catalog.locations[e.rsplit("@", 1)[1]].geography for e in entities if "@" in e
        )
    )
    what = "Outage" if impact in (Impact.MAJOR, Impact.CRITICAL) else "Degraded service"
    where = f" in {', '.join(places)}" if places else ""
    return f"{what} of {', '.join(services) or 'services'}{where}"


def build_page(
    catalog: Catalog,
    incidents: Sequence[LiveIncident],
    *,
    audience: str,
    now: datetime,
    page_url: str,
    maintenances: Sequence[Maintenance] = (),
    created_at: datetime | None = None,
) -> PageSnapshot:
    """The snapshot one page shows now."""
    ids = _component_ids(catalog, audience)
    current: dict[str, ComponentStatus] = {}
    page_incidents: list[PageIncident] = []
    for inc in incidents:
        ongoing = _affected_entities(catalog, inc.scope, audience, ongoing_only=True)
        ever = _affected_entities(catalog, inc.scope, audience, ongoing_only=False)
        if not ever:
            continue  # nothing of this audience was touched: the incident is not theirs
        if inc.status is not IncidentStatus.RESOLVED:
            for entity, status in {**ongoing, **inc.status_override}.items():
                if entity in ever and COMPONENT_SEVERITY[status] > COMPONENT_SEVERITY.get(
                    current.get(entity, ComponentStatus.OPERATIONAL), 0
                ):
                    current[entity] = status
        impact = incident_impact(ever.values())
        page_incidents.append(
            PageIncident(
                id=f"{inc.id}" if audience == PUBLIC else f"{inc.id}-{audience}",
                name=incident_name(catalog, sorted(ever), impact),
                status=inc.status,
                impact=impact,
                created_at=inc.created_at,
                updated_at=inc.updated_at,
                started_at=inc.scope.start,
                monitoring_at=inc.monitoring_at,
                resolved_at=inc.resolved_at,
                components=tuple(sorted(ever)),
                updates=tuple(
                    sorted(inc.updates.get(audience, ()), key=lambda u: u.display_at, reverse=True)
                ),
            )
        )
    in_maintenance = {
        c
        for m in maintenances
        if m.status in (MaintenanceStatus.IN_PROGRESS, MaintenanceStatus.VERIFYING)
        for c in m.components
    }
    created = created_at or now
    components = []
    for pos, entity in enumerate(ids, start=1):
        status = current.get(entity, ComponentStatus.OPERATIONAL)
        if status is ComponentStatus.OPERATIONAL and entity in in_maintenance:
            status = ComponentStatus.UNDER_MAINTENANCE
        components.append(
            PageComponent(
                id=entity,
                name=component_name(catalog, entity),
                status=status,
                position=pos,
                created_at=created,
                updated_at=now,
                entity=entity,
            )
        )
    name = catalog.provider.name
    if audience != PUBLIC:
        name = f"{name} status for {catalog.customers[audience].name}"
    return PageSnapshot(
        page_id=audience,
        name=name,
        url=page_url,
        time_zone=catalog.provider.timezone,
        updated_at=now,
        audience=audience,
        components=tuple(components),
        incidents=tuple(sorted(page_incidents, key=lambda i: i.created_at, reverse=True)),
        maintenances=tuple(
            m for m in maintenances if audience == PUBLIC or set(m.components) & set(ids)
        ),
    )
