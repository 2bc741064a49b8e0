"""POST /ingest/pagerduty: PagerDuty Events API v2 (`/v2/enqueue` body), dedup_key semantics.

Idempotency: (dedup_key:event_action, payload.timestamp) identifies a delivery, so a retried
event that carries its timestamp is a duplicate. An event without `payload.timestamp` (every
acknowledge and resolve, and triggers that omit it) is keyed by the time it was received: it is
never taken for an earlier event of the same dedup_key (a second lifecycle's resolve must close
the second alert), and a retry of it is applied again, which PagerDuty's dedup_key semantics make
harmless (a re-trigger updates the open alert, a repeated resolve is dropped), as in PagerDuty.
Events are applied in arrival order by `signals.pagerduty.PagerDutyAlerts`:
trigger opens (or updates) the alert of a dedup_key, acknowledge annotates it, resolve ends it.
A trigger without dedup_key gets a generated one, returned in the answer as PagerDuty does.
The routing_key is a secret: only its SHA-256 prefix is stored.
"""

from __future__ import annotations

import hashlib
from typing import Any

from fastapi import APIRouter, Depends, Request
from pydantic import BaseModel

from outagelens.server.auth import Caller
from outagelens.server.errors import INGEST_RESPONSES
from outagelens.server.ingest.common import commit_answer, ingest_caller, json_body, request_body
from outagelens.signals.pagerduty import generated_dedup_key, validate_event
from outagelens.store.records import InboxItem
from outagelens.store.rows import now_utc

router = APIRouter()
SOURCE = "pagerduty"
EVENT_SCHEMA: dict[str, Any] = {
    "type": "object",
    "required": ["routing_key", "event_action"],
    "properties": {
        "routing_key": {"type": "string"},
        "event_action": {"type": "string", "enum": ["trigger", "acknowledge", "resolve"]},
        "dedup_key": {"type": "string", "maxLength": 255},
        "payload": {
            "type": "object",
            "required": ["summary", "source", "severity"],
            "properties": {
                "summary": {"type": "string", "maxLength": 1024},
                "source": {"type": "string"},
                "severity": {"type": "string", "enum": ["critical", "error", "warning", "info"]},
                "timestamp": {"type": "string", "format": "date-time"},
                "component": {"type": "string"},
                "group": {"type": "string"},
                "class": {"type": "string"},
                "custom_details": {"type": "object"},
            },
        },
        "client": {"type": "string"},
        "client_url": {"type": "string"},
    },
}


class PagerDutyAnswer(BaseModel):
    """The Events API v2 answer shape, plus the inbox counts."""

    status: str
    message: str
    dedup_key: str
    accepted: int
    duplicates: int


@router.post(
    "/pagerduty",
    status_code=202,
    response_model=PagerDutyAnswer,
    responses=INGEST_RESPONSES,
    openapi_extra=request_body(EVENT_SCHEMA),
    summary="PagerDuty Events API v2",
)
async def ingest_pagerduty(
    request: Request, _caller: Caller = Depends(ingest_caller)
) -> PagerDutyAnswer:
    """Validate one event and commit it to the inbox, then answer 202 with its dedup_key."""
    event = validate_event(json_body(await request.body(), SOURCE), source=SOURCE)
    received = now_utc()
    dedup = event.get("dedup_key") or generated_dedup_key(event, received)
    routing = hashlib.sha256(str(event["routing_key"]).encode()).hexdigest()[:16]
    stored = {**event, "dedup_key": dedup, "routing_key": routing}
    payload = event.get("payload")
    stamp = payload.get("timestamp") if isinstance(payload, dict) else None
    item = InboxItem(
        source=SOURCE,
        kind="pagerduty",
        dedup_key=f"{routing}:{dedup}:{event['event_action']}",
        starts_at=str(stamp)[:40] if stamp else f"rcv {received.isoformat()}",
        payload=stored,
    )
    answer = await commit_answer(request, SOURCE, [item])
    return PagerDutyAnswer(
        status="success",
        message="Event processed",
        dedup_key=dedup,
        accepted=answer.accepted,
        duplicates=answer.duplicates,
    )
