"""/api/signals: query stored canonical signals; /api/inbox: queue state."""

from __future__ import annotations

from datetime import datetime
from enum import StrEnum

from fastapi import APIRouter, Depends, Query
from pydantic import BaseModel

from outagelens.server.auth import Caller, require
from outagelens.server.context import ServerContext, context
from outagelens.server.errors import ERROR_RESPONSES, RejectedError
from outagelens.server.schemas import SignalOut
from outagelens.store.records import Scope

router = APIRouter(prefix="/api", tags=["signals"])
READ = Depends(require(Scope.READ))


class SignalKind(StrEnum):
    """Kinds of canonical signals."""

    ALERT = "alert"
    CHANGE = "change"
    HARDWARE = "hardware"
    HAZARD = "hazard"


class InboxState(BaseModel):
    """How many signals were received and how many wait for processing."""

    total: int
    depth: int


@router.get("/signals", response_model=list[SignalOut], responses=ERROR_RESPONSES)
def list_signals(
    kind: SignalKind | None = None,
    since: datetime | None = Query(default=None, description="Active at or after (RFC 3339)."),
    until: datetime | None = Query(default=None, description="Started before (RFC 3339)."),
    limit: int = Query(default=100, ge=1, le=10_000),
    offset: int = Query(default=0, ge=0, le=10_000_000),
    ctx: ServerContext = Depends(context),
    _caller: Caller = READ,
) -> list[SignalOut]:
    """Canonical signals ordered by time."""
    for name, value in (("since", since), ("until", until)):
        if value is not None and value.tzinfo is None:
            raise RejectedError(400, "time needs a zone, e.g. 'Z'", where=f"query.{name}")
    records = ctx.store.signals(
        None if kind is None else str(kind), since=since, until=until, limit=limit, offset=offset
    )
    return [
        SignalOut(
            kind=r.kind, key=r.key, time=r.time, end=r.end, entity=r.entity, payload=r.payload
        )
        for r in records
    ]


@router.get("/inbox", response_model=InboxState, responses=ERROR_RESPONSES)
def inbox_state(ctx: ServerContext = Depends(context), _caller: Caller = READ) -> InboxState:
    """Inbox totals."""
    return InboxState(total=ctx.store.inbox_count(), depth=ctx.store.inbox_depth())
