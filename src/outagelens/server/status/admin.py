"""/api/status: admin endpoints for page tokens, updates, overrides, maintenance, subscribers."""

from __future__ import annotations

import uuid
from dataclasses import replace
from typing import Any

from fastapi import APIRouter, Depends

from outagelens.comms.status import PUBLIC
from outagelens.server.auth import Caller, require
from outagelens.server.errors import NOT_FOUND, ErrorBody, RejectedError
from outagelens.server.status.common import (
    catalog_of,
    check_audience,
    check_components,
    deliverer,
    new_subscriber,
    page_components,
    publish,
    status_service,
    subscriber_out,
    update_out,
)
from outagelens.server.status.delivery import Deliverer
from outagelens.server.status.incidents import audience_entities
from outagelens.server.status.schemas import (
    ComponentOverrideIn,
    ComponentOverrideOut,
    DeliveryOut,
    DiscardIn,
    MaintenanceIn,
    MaintenanceOut,
    PublishIn,
    SubscriberIn,
    SubscriberOut,
    SyncOut,
    TokenIn,
    TokenOut,
    UpdateOut,
    WrittenUpdateIn,
)
from outagelens.server.status.service import StatusService
from outagelens.server.status.tokens import new_page_token
from outagelens.store.records import Scope
from outagelens.store.sql import now_utc
from outagelens.store.status_records import MaintenanceRecord, StatusUpdate, UpdateState

router = APIRouter(prefix="/api/status", tags=["status admin"])
CONFLICT = {
    **NOT_FOUND,
    409: {"model": ErrorBody, "description": "The update is not a draft (any more)"},
}
READ = Depends(require(Scope.READ))
ADMIN = Depends(require(Scope.ADMIN))
SERVICE = Depends(status_service)


@router.post("/customers/{customer_id}/tokens", response_model=TokenOut, responses=NOT_FOUND)
def create_token(
    customer_id: str, body: TokenIn, svc: StatusService = SERVICE, _c: Caller = ADMIN
) -> TokenOut:
    """Create a page token for a customer's private page (shown once)."""
    catalog = catalog_of(svc)
    if customer_id not in catalog.customers:
        raise RejectedError(404, f"no customer '{customer_id}'", where="path.customer_id")
    token, record = new_page_token(customer_id, body.name, svc.ctx.settings.api_key_pepper)
    svc.store.add_page_token(record)
    svc.tokens.add(record)
    return TokenOut(
        token_id=record.token_id,
        customer_id=customer_id,
        name=record.name,
        token=token,
        created_at=record.created_at,
    )


@router.delete("/tokens/{token_id}", status_code=204, responses=NOT_FOUND)
def revoke_token(token_id: str, svc: StatusService = SERVICE, _c: Caller = ADMIN) -> None:
    """Revoke a page token."""
    if not svc.store.revoke_page_token(token_id):
        raise RejectedError(404, f"no page token '{token_id}'", where="path.token_id")
    svc.tokens.load(svc.store.page_tokens())


@router.get("/updates", response_model=list[UpdateOut], responses=NOT_FOUND)
def list_updates(
    state: UpdateState | None = None,
    incident_id: str | None = None,
    audience: str | None = None,
    svc: StatusService = SERVICE,
    _c: Caller = READ,
) -> list[UpdateOut]:
    """Every update kept (drafts, published, discarded, superseded), oldest first."""
    items = svc.store.status_updates(incident_id=incident_id, audience=audience, state=state)
    return [update_out(u) for u in items]


def _update(svc: StatusService, update_id: str) -> StatusUpdate:
    item = svc.store.status_update(update_id)
    if item is None:
        raise RejectedError(404, f"no update '{update_id}'", where="path.update_id")
    return item


@router.post("/updates/{update_id}/publish", response_model=UpdateOut, responses=CONFLICT)
def publish_update(
    update_id: str, body: PublishIn, svc: StatusService = SERVICE, _c: Caller = ADMIN
) -> UpdateOut:
    """Approve a draft (optionally edited: the edit is a new update, the draft is kept)."""
    item = _update(svc, update_id)
    if item.state is not UpdateState.DRAFTED:
        raise RejectedError(409, f"update is {item.state.value}, not drafted", where="state")
    now = now_utc()
    if body.body is not None and body.body != item.body:
        edited = replace(
            item,
            id=f"{item.id}:edit-{uuid.uuid4().hex[:8]}",
            body=body.body,
            author=body.author,
            drafted=False,
            state=UpdateState.PUBLISHED,
            created_at=now,
            published_at=now,
            replaces=item.id,
        )
        svc.store.add_status_update(edited)
        svc.store.set_update_state(item.id, UpdateState.SUPERSEDED)
        item = edited
    else:
        svc.store.set_update_state(item.id, UpdateState.PUBLISHED, published_at=now)
        item = replace(item, state=UpdateState.PUBLISHED, published_at=now)
    return update_out(publish(svc, item))


@router.post("/updates/{update_id}/discard", response_model=UpdateOut, responses=CONFLICT)
def discard_update(
    update_id: str, body: DiscardIn, svc: StatusService = SERVICE, _c: Caller = ADMIN
) -> UpdateOut:
    """Discard a draft (kept, never shown)."""
    item = _update(svc, update_id)
    if item.state is not UpdateState.DRAFTED:
        raise RejectedError(409, f"update is {item.state.value}, not drafted", where="state")
    svc.store.set_update_state(item.id, UpdateState.DISCARDED)
    return update_out(replace(item, state=UpdateState.DISCARDED))


@router.post("/incidents/{incident_id}/updates", response_model=UpdateOut, responses=NOT_FOUND)
def write_update(
    incident_id: str, body: WrittenUpdateIn, svc: StatusService = SERVICE, _c: Caller = ADMIN
) -> UpdateOut:
    """An update written by a person for one audience (published now, or kept as a draft)."""
    catalog = catalog_of(svc)
    if svc.ctx.store.incident(incident_id) is None:
        raise RejectedError(404, f"no incident '{incident_id}'", where="path.incident_id")
    check_audience(catalog, body.audience, "body.audience")
    now = now_utc()
    live = next((i for i in svc.live_incidents(catalog) if i.id == incident_id), None)
    components = sorted(audience_entities(catalog, live, body.audience)) if live else []
    item = StatusUpdate(
        id=f"{incident_id}:{body.audience}:{body.status.value}:by-{uuid.uuid4().hex[:8]}",
        incident_id=incident_id,
        audience=body.audience,
        stage=body.status.value,
        body=body.body,
        state=UpdateState.PUBLISHED if body.publish else UpdateState.DRAFTED,
        author=body.author,
        drafted=False,
        components=tuple(components),
        created_at=now,
        published_at=now if body.publish else None,
    )
    svc.store.add_status_update(item)
    return update_out(publish(svc, item) if body.publish else item)


@router.post(
    "/components/{component_id}/override", response_model=ComponentOverrideOut, responses=NOT_FOUND
)
def override_component(
    component_id: str, body: ComponentOverrideIn, svc: StatusService = SERVICE, _c: Caller = ADMIN
) -> ComponentOverrideOut:
    """Set (or clear, with null) a component's status by hand; the history is kept."""
    catalog = catalog_of(svc)
    if component_id not in page_components(catalog, PUBLIC):
        raise RejectedError(404, f"no component '{component_id}'", where="path.component_id")
    status = body.status.value if body.status is not None else None
    record = svc.store.add_component_override(component_id, status, body.author, body.comment)
    svc.sync(force=True)
    return ComponentOverrideOut(**{**record.__dict__, "status": body.status})


@router.get(
    "/components/{component_id}/overrides",
    response_model=list[ComponentOverrideOut],
    responses=NOT_FOUND,
)
def component_override_history(
    component_id: str, svc: StatusService = SERVICE, _c: Caller = READ
) -> list[ComponentOverrideOut]:
    """Every override of a component, oldest first."""
    return [ComponentOverrideOut(**o.__dict__) for o in svc.store.component_overrides(component_id)]


def _maintenance_out(m: MaintenanceRecord) -> MaintenanceOut:
    return MaintenanceOut(**{**m.__dict__, "components": list(m.components)})


@router.post("/maintenances", response_model=MaintenanceOut, responses=NOT_FOUND)
def schedule_maintenance(
    body: MaintenanceIn, svc: StatusService = SERVICE, _c: Caller = ADMIN
) -> MaintenanceOut:
    """Schedule a maintenance window (shown on pages; excluded from SLA downtime)."""
    catalog = catalog_of(svc)
    check_components(catalog, PUBLIC, body.components, "body.components")
    now = now_utc()
    record = MaintenanceRecord(
        id=uuid.uuid4().hex[:16],
        name=body.name,
        body=body.body,
        components=tuple(body.components),
        scheduled_for=body.scheduled_for,
        scheduled_until=body.scheduled_until,
        author=body.author,
        created_at=now,
        updated_at=now,
    )
    svc.store.add_maintenance(record)
    svc.sync(force=True)
    return _maintenance_out(record)


@router.get("/maintenances", response_model=list[MaintenanceOut], responses=NOT_FOUND)
def list_maintenances(svc: StatusService = SERVICE, _c: Caller = READ) -> list[MaintenanceOut]:
    """Every maintenance window, cancelled ones included."""
    return [_maintenance_out(m) for m in svc.store.maintenances()]


@router.delete("/maintenances/{maintenance_id}", status_code=204, responses=NOT_FOUND)
def cancel_maintenance(
    maintenance_id: str, svc: StatusService = SERVICE, _c: Caller = ADMIN
) -> None:
    """Cancel a maintenance window (kept for history)."""
    if not svc.store.cancel_maintenance(maintenance_id):
        raise RejectedError(404, f"no maintenance '{maintenance_id}'", where="path.maintenance_id")
    svc.sync(force=True)


@router.post("/subscribers", response_model=SubscriberOut, responses=NOT_FOUND)
def add_subscriber(
    body: SubscriberIn, svc: StatusService = SERVICE, _c: Caller = ADMIN
) -> SubscriberOut:
    """Subscribe a webhook (SSRF-checked, signed) or an e-mail address to a page."""
    sub = new_subscriber(svc, body.audience, body.kind, body.target, body.components, body.secret)
    return subscriber_out(sub)


@router.get("/subscribers", response_model=list[SubscriberOut], responses=NOT_FOUND)
def list_subscribers(
    audience: str | None = None, svc: StatusService = SERVICE, _c: Caller = READ
) -> list[SubscriberOut]:
    """Active subscribers, optionally of one page."""
    return [subscriber_out(s) for s in svc.store.subscribers(audience)]


@router.delete("/subscribers/{subscriber_id}", status_code=204, responses=NOT_FOUND)
def remove_subscriber(subscriber_id: str, svc: StatusService = SERVICE, _c: Caller = ADMIN) -> None:
    """Remove a subscriber (pending notifications to it are given up)."""
    if not svc.store.remove_subscriber(subscriber_id):
        raise RejectedError(404, f"no subscriber '{subscriber_id}'", where="path.subscriber_id")


@router.get("/outbox", response_model=list[DeliveryOut], responses=NOT_FOUND)
def list_outbox(
    subscriber_id: str | None = None, svc: StatusService = SERVICE, _c: Caller = READ
) -> list[DeliveryOut]:
    """Notifications and their delivery state, oldest first."""
    return [_delivery_out(r.__dict__) for r in svc.store.outbox(subscriber_id)]


def _delivery_out(row: dict[str, Any]) -> DeliveryOut:
    return DeliveryOut(**{k: v for k, v in row.items() if k in DeliveryOut.model_fields})


@router.post("/sync", response_model=SyncOut, responses=NOT_FOUND)
def sync_now(
    svc: StatusService = SERVICE, worker: Deliverer = Depends(deliverer), _c: Caller = ADMIN
) -> SyncOut:
    """Rebuild drafts and pages now, and wake the delivery worker."""
    rendered = svc.sync(force=True)
    worker.wake()
    return SyncOut(rendered=rendered, stale=svc.cache.stale, audiences=svc.cache.audiences())
