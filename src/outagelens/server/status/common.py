"""Helpers the status routes share: the service, audience and component checks, conversions."""

from __future__ import annotations

import uuid
from collections.abc import Sequence
from dataclasses import replace

from fastapi import Request

from outagelens.comms.models import IncidentStatus
from outagelens.comms.notify import NotificationError, check_webhook_url
from outagelens.comms.status import PUBLIC, build_page
from outagelens.server.errors import RejectedError
from outagelens.server.status.delivery import Deliverer, target_policy
from outagelens.server.status.schemas import SubscriberOut, UpdateOut
from outagelens.server.status.service import StatusService
from outagelens.store.sql import now_utc
from outagelens.store.status_records import StatusUpdate, Subscriber, SubscriberKind
from outagelens.topology import Catalog


def status_service(request: Request) -> StatusService:
    """The app's status service (a FastAPI dependency)."""
    svc = request.app.state.status
    assert isinstance(svc, StatusService)
    return svc


def deliverer(request: Request) -> Deliverer:
    """The app's delivery worker."""
    worker = request.app.state.status_delivery
    assert isinstance(worker, Deliverer)
    return worker


def catalog_of(svc: StatusService) -> Catalog:
    """The active catalog; 404 when none is active (no pages exist then)."""
    catalog = svc.ctx.catalog()
    if catalog is None:
        raise RejectedError(404, "no catalog is active, so no page exists", where="catalog")
    return catalog


def check_audience(catalog: Catalog, audience: str, where: str) -> None:
    """'public' or a known customer, else 404."""
    if audience != PUBLIC and audience not in catalog.customers:
        raise RejectedError(404, f"no page '{audience}'", where=where)


def page_components(catalog: Catalog, audience: str) -> set[str]:
    """Component ids listed on an audience's page."""
    page = build_page(catalog, [], audience=audience, now=now_utc(), page_url="")
    return {c.id for c in page.components}


def check_components(
    catalog: Catalog, audience: str, components: Sequence[str], where: str
) -> None:
    """Every id must be a component of the audience's page (400 names the first that is not)."""
    known = page_components(catalog, audience)
    for i, c in enumerate(components):
        if c not in known:
            raise RejectedError(400, f"'{c}' is not a component of this page", where=f"{where}.{i}")


def update_out(u: StatusUpdate) -> UpdateOut:
    """API view of an update."""
    return UpdateOut(
        id=u.id,
        incident_id=u.incident_id,
        audience=u.audience,
        status=IncidentStatus(u.stage),
        body=u.body,
        state=u.state,
        author=u.author,
        drafted=u.drafted,
        components=list(u.components),
        created_at=u.created_at,
        published_at=u.published_at,
        replaces=u.replaces,
    )


def subscriber_out(s: Subscriber) -> SubscriberOut:
    """API view of a subscriber (no secret)."""
    return SubscriberOut(
        id=s.id,
        audience=s.audience,
        kind=s.kind,
        target=s.target,
        components=list(s.components),
        created_at=s.created_at,
        active=s.active,
    )


def new_subscriber(
    svc: StatusService,
    audience: str,
    kind: SubscriberKind,
    target: str,
    components: Sequence[str],
    secret: str | None,
) -> Subscriber:
    """Validate (SSRF policy, components, secret) and store a subscriber."""
    catalog = catalog_of(svc)
    check_audience(catalog, audience, "body.audience")
    check_components(catalog, audience, components, "body.components")
    if kind is SubscriberKind.WEBHOOK:
        if not secret:
            raise RejectedError(
                400, "a webhook needs a secret (16+ characters)", where="body.secret"
            )
        try:
            check_webhook_url(target, target_policy(svc.ctx.settings))
        except NotificationError as exc:
            raise RejectedError(400, str(exc), where="body.target") from None
    elif "@" not in target or any(ch in target for ch in "\r\n <>"):
        raise RejectedError(400, "not an e-mail address", where="body.target")
    sub = Subscriber(
        id=uuid.uuid4().hex[:16],
        audience=audience,
        components=tuple(components),
        kind=kind,
        target=target,
        secret=secret if kind is SubscriberKind.WEBHOOK else None,
        created_at=now_utc(),
    )
    svc.store.add_subscriber(sub)
    return sub


def publish(svc: StatusService, item: StatusUpdate) -> StatusUpdate:
    """After storing an update as published: enqueue its notifications, rebuild the pages."""
    now = now_utc()
    published = replace(item, published_at=now)
    catalog = catalog_of(svc)
    record = svc.ctx.store.incident(item.incident_id)
    if record is not None:
        live = next((i for i in svc.live_incidents(catalog) if i.id == record.id), None)
        if live is not None:
            svc.notify(catalog, live, published, now)
    svc.sync(force=True)
    return published
