"""The pages: public `/status...` and each customer's `/customers/{customer_id}/status...`.

Everything is served from the snapshot cache (no database access per request), so pages stay
fast and keep answering while the database is down (with the stale note on the HTML). A private
page needs that customer's page token (`Authorization: Bearer` or `?token=`); anything else,
including another customer's valid token, gets the same 404 as an unknown customer.
"""

from __future__ import annotations

from typing import Any

from fastapi import APIRouter, Depends, Query, Request, Response

from outagelens.comms.status import PUBLIC
from outagelens.server.errors import ERROR_RESPONSES, RejectedError
from outagelens.server.status.common import new_subscriber, status_service, subscriber_out
from outagelens.server.status.schemas import CustomerSubscriberIn, SubscriberOut
from outagelens.server.status.service import StatusService
from outagelens.server.status.snapshots import RenderedPage

router = APIRouter(tags=["status pages"])
Responses = dict[int | str, dict[str, Any]]
SERVICE = Depends(status_service)
PUBLIC_CACHE = "public, no-cache"  # browsers revalidate: a status page must be current
PUBLIC_DOCUMENT_CACHE = "public, max-age=5"
PRIVATE_CACHE = "private, no-store"
_NOT_FOUND: Responses = {
    404: {"model": ERROR_RESPONSES[400]["model"], "description": "No such page"}
}
_HTML: Responses = {
    **ERROR_RESPONSES,
    **_NOT_FOUND,
    200: {"content": {"text/html": {"schema": {"type": "string"}}}},
}
_JSON: Responses = {
    **ERROR_RESPONSES,
    **_NOT_FOUND,
    200: {
        "description": "The Statuspage public API v2 document",
        "content": {"application/json": {"schema": {"type": "object"}}},
    },
}
_ATOM: Responses = {
    **ERROR_RESPONSES,
    **_NOT_FOUND,
    200: {"content": {"application/atom+xml": {"schema": {"type": "string"}}}},
}
_RSS: Responses = {
    **ERROR_RESPONSES,
    **_NOT_FOUND,
    200: {"content": {"application/rss+xml": {"schema": {"type": "string"}}}},
}
TOKEN = Query(default=None, description="The customer's page token (for widgets).")


def _page(svc: StatusService, audience: str) -> RenderedPage:
    page = svc.cache.get(audience)
    if page is None:
        raise RejectedError(
            503, "the page is not rendered yet", where="status", **{"Retry-After": "2"}
        )
    return page


def customer_page(request: Request, customer_id: str, token: str | None = TOKEN) -> RenderedPage:
    """The customer's page if the token is that customer's, else 404 (never 401/403)."""
    svc = status_service(request)
    header = request.headers.get("authorization") or ""
    given = header[7:].strip() if header.lower().startswith("bearer ") else token
    if svc.tokens.customer_of(given) != customer_id:
        raise RejectedError(404, "no such page", where="path.customer_id")
    return _page(svc, customer_id)


def _html(page: RenderedPage, stale: bool, cache: str) -> Response:
    body = page.stale_html if stale else page.html
    return Response(body, media_type="text/html; charset=utf-8", headers={"Cache-Control": cache})


def _document(page: RenderedPage, document: str, cache: str) -> Response:
    body = page.documents.get(document)
    if body is None:
        raise RejectedError(404, f"no document '{document}'", where="path.document")
    headers = {"Cache-Control": cache, "Access-Control-Allow-Origin": "*"}
    return Response(body, media_type="application/json", headers=headers)


def _feed(page: RenderedPage, kind: str, cache: str) -> Response:
    if kind == "atom":
        return Response(
            page.atom, media_type="application/atom+xml", headers={"Cache-Control": cache}
        )
    return Response(page.rss, media_type="application/rss+xml", headers={"Cache-Control": cache})


@router.get("/status", response_class=Response, responses=_HTML)
async def public_page(svc: StatusService = SERVICE) -> Response:
    """The public status page (HTML)."""
    return _html(_page(svc, PUBLIC), svc.cache.stale, PUBLIC_CACHE)


@router.get("/status/api/v2/{document:path}", response_class=Response, responses=_JSON)
async def public_document(document: str, svc: StatusService = SERVICE) -> Response:
    """A Statuspage public API v2 document of the public page (e.g. `summary.json`)."""
    return _document(_page(svc, PUBLIC), document, PUBLIC_DOCUMENT_CACHE)


@router.get("/status/history.atom", response_class=Response, responses=_ATOM)
async def public_atom(svc: StatusService = SERVICE) -> Response:
    """Incident history of the public page (Atom)."""
    return _feed(_page(svc, PUBLIC), "atom", PUBLIC_CACHE)


@router.get("/status/history.rss", response_class=Response, responses=_RSS)
async def public_rss(svc: StatusService = SERVICE) -> Response:
    """Incident history of the public page (RSS 2.0)."""
    return _feed(_page(svc, PUBLIC), "rss", PUBLIC_CACHE)


PAGE = Depends(customer_page)


@router.get("/customers/{customer_id}/status", response_class=Response, responses=_HTML)
async def private_page(
    customer_id: str, page: RenderedPage = PAGE, svc: StatusService = SERVICE
) -> Response:
    """A customer's private status page (HTML)."""
    return _html(page, svc.cache.stale, PRIVATE_CACHE)


@router.get(
    "/customers/{customer_id}/status/api/v2/{document:path}",
    response_class=Response,
    responses=_JSON,
)
async def private_document(customer_id: str, document: str, page: RenderedPage = PAGE) -> Response:
    """A Statuspage public API v2 document of a customer's page."""
    return _document(page, document, PRIVATE_CACHE)


@router.get(
    "/customers/{customer_id}/status/history.atom", response_class=Response, responses=_ATOM
)
async def private_atom(customer_id: str, page: RenderedPage = PAGE) -> Response:
    """Incident history of a customer's page (Atom)."""
    return _feed(page, "atom", PRIVATE_CACHE)


@router.get("/customers/{customer_id}/status/history.rss", response_class=Response, responses=_RSS)
async def private_rss(customer_id: str, page: RenderedPage = PAGE) -> Response:
    """Incident history of a customer's page (RSS 2.0)."""
    return _feed(page, "rss", PRIVATE_CACHE)


@router.get(
    "/customers/{customer_id}/status/subscribers",
    response_model=list[SubscriberOut],
    responses={**ERROR_RESPONSES, **_NOT_FOUND},
)
def private_subscribers(
    customer_id: str, page: RenderedPage = PAGE, svc: StatusService = SERVICE
) -> list[SubscriberOut]:
    """The customer's own subscribers."""
    return [subscriber_out(s) for s in svc.store.subscribers(customer_id)]


@router.post(
    "/customers/{customer_id}/status/subscribers",
    response_model=SubscriberOut,
    responses={**ERROR_RESPONSES, **_NOT_FOUND},
)
def private_subscribe(
    customer_id: str,
    body: CustomerSubscriberIn,
    page: RenderedPage = PAGE,
    svc: StatusService = SERVICE,
) -> SubscriberOut:
    """Subscribe a webhook or e-mail address to the customer's own page."""
    sub = new_subscriber(svc, customer_id, body.kind, body.target, body.components, body.secret)
    return subscriber_out(sub)


@router.delete(
    "/customers/{customer_id}/status/subscribers/{subscriber_id}",
    status_code=204,
    responses={**ERROR_RESPONSES, **_NOT_FOUND},
)
def private_unsubscribe(
    customer_id: str, subscriber_id: str, page: RenderedPage = PAGE, svc: StatusService = SERVICE
) -> None:
    """Remove one of the customer's own subscribers (another page's id: 404)."""
    sub = svc.store.subscriber(subscriber_id)
    if sub is None or sub.audience != customer_id or not sub.active:
        raise RejectedError(404, "no such subscriber", where="path.subscriber_id")
    svc.store.remove_subscriber(subscriber_id)


@router.get("/favicon.ico", include_in_schema=False)
async def favicon() -> Response:
    """No icon: answer 204 so browsers do not log a missing resource on every page view."""
    return Response(status_code=204, headers={"Cache-Control": "public, max-age=86400"})
