"""From stored incidents (head row, overrides, published updates) to the comms `LiveIncident`.

The root cause counts as *reached* when a person confirmed or overrode it (the latest override
wins), or when the top hypothesis' confidence is at least `confident` (the server's
`confident` setting, 0.6 by default: the same threshold that moves an incident to
'identified'). Before that, no page and no draft names a cause.
"""

from __future__ import annotations

from collections.abc import Sequence

from outagelens.comms.models import IncidentStatus, IncidentUpdate
from outagelens.comms.status import PUBLIC, CauseStatement, LiveIncident, visible_intervals
from outagelens.correlate.models import Scope
from outagelens.store.records import IncidentRecord, Override
from outagelens.store.status_records import StatusUpdate
from outagelens.topology import Catalog


def _statement(
    catalog: Catalog, entities: Sequence[str], category: str, confirmed: bool
) -> CauseStatement:
    component = next((catalog.components[e] for e in entities if e in catalog.components), None)
    if component is None:
        return CauseStatement(category, "component", None, confirmed)
    return CauseStatement(
        category,
        str(getattr(component.kind, "value", component.kind)),
        component.location,
        confirmed,
    )


def reached_cause(
    catalog: Catalog, record: IncidentRecord, overrides: Sequence[Override], confident: float
) -> CauseStatement | None:
    """The cause pages may state, or None while it is not reached."""
    if overrides:
        last = overrides[-1]
        return _statement(catalog, last.entities, last.category, True)
    hyps = record.snapshot.get("hypotheses") or []
    if not hyps or float(hyps[0].get("confidence", 0.0)) < confident:
        return None
    top = hyps[0]
    return _statement(catalog, top.get("entities", ()), str(top["category"]), False)


def page_stage(record: IncidentRecord, cause: CauseStatement | None) -> IncidentStatus:
    """Page status: the lifecycle, but 'identified' as soon as a person confirmed a cause."""
    status = IncidentStatus(record.status.value)
    if status is IncidentStatus.INVESTIGATING and cause is not None:
        return IncidentStatus.IDENTIFIED
    return status


def as_page_update(item: StatusUpdate) -> IncidentUpdate:
    """A published stored update as the page shows it."""
    at = item.published_at or item.created_at
    return IncidentUpdate(
        id=item.id,
        status=IncidentStatus(item.stage),
        body=item.body,
        created_at=item.created_at,
        display_at=at,
        affected_components=item.components,
        drafted=item.drafted,
    )


def live_incident(
    catalog: Catalog,
    record: IncidentRecord,
    overrides: Sequence[Override],
    published: Sequence[StatusUpdate],
    confident: float,
) -> LiveIncident | None:
    """The live incident for the pages, None when the snapshot has no scope."""
    raw = record.snapshot.get("scope")
    if not raw:
        return None
    scope = Scope.model_validate(raw)
    cause = reached_cause(catalog, record, overrides, confident)
    updates: dict[str, list[IncidentUpdate]] = {}
    for item in published:
        updates.setdefault(item.audience, []).append(as_page_update(item))
    status = page_stage(record, cause)
    return LiveIncident(
        id=record.id,
        status=status,
        created_at=record.created_at,
        updated_at=record.updated_at,
        scope=scope,
        cause=cause,
        monitoring_at=scope.end if status is IncidentStatus.MONITORING else None,
        resolved_at=record.resolved_at,
        updates={k: tuple(v) for k, v in updates.items()},
    )


def audiences_of(catalog: Catalog, incident: LiveIncident) -> list[str]:
    """'public' and every catalog customer the incident touched."""
    customers = [c for c in incident.scope.customers if c in catalog.customers]
    return [PUBLIC, *sorted(set(customers))]


def audience_entities(catalog: Catalog, incident: LiveIncident, audience: str) -> set[str]:
    """Page component ids (deployments) of the incident that `audience` may see."""
    return {entity for _, _, entity in visible_intervals(catalog, incident.scope, audience)}
