"""POST /ingest/cloudevents: CloudEvents 1.0 over HTTP, structured, batched and binary modes.

The mode follows the Content-Type (HTTP protocol binding): `application/cloudevents+json`
(structured), `application/cloudevents-batch+json` (batch), anything else binary with `ce-*`
headers. Event types and their signals: `outagelens.signals.cloudevents.TYPE_MAP`.
Idempotency: (source|id) of the event, which CloudEvents defines as unique per event.
"""

from __future__ import annotations

from typing import Any

from fastapi import APIRouter, Depends, Request

from outagelens.server.auth import Caller
from outagelens.server.errors import INGEST_RESPONSES
from outagelens.server.ingest.common import IngestAnswer, commit_answer, ingest_caller
from outagelens.signals.cloudevents import BATCH_JSON, STRUCTURED_JSON, parse_http, to_signal
from outagelens.signals.types import Alert, Change, HardwareAlarm
from outagelens.store.records import InboxItem

router = APIRouter()
SOURCE = "cloudevents"
EVENT_SCHEMA: dict[str, Any] = {
    "type": "object",
    "required": ["specversion", "id", "source", "type"],
    "properties": {
        "specversion": {"type": "string", "enum": ["1.0"]},
        "id": {"type": "string"},
        "source": {"type": "string"},
        "type": {"type": "string"},
        "subject": {"type": "string"},
        "time": {"type": "string", "format": "date-time"},
        "datacontenttype": {"type": "string"},
        "data": {},
    },
}
BODY: dict[str, Any] = {
    "requestBody": {
        "required": True,
        "content": {
            STRUCTURED_JSON: {"schema": EVENT_SCHEMA},
            BATCH_JSON: {"schema": {"type": "array", "items": EVENT_SCHEMA}},
            "application/json": {"schema": {"type": "object"}},
        },
    }
}


def _kind(signal: Any) -> str:
    if isinstance(signal, Alert):
        return "alert"
    if isinstance(signal, Change):
        return "change"
    if isinstance(signal, HardwareAlarm):
        return "hardware"
    return "hazard"


@router.post(
    "/cloudevents",
    status_code=202,
    response_model=IngestAnswer,
    responses=INGEST_RESPONSES,
    openapi_extra=BODY,
    summary="CloudEvents 1.0 (structured, batch or binary mode)",
)
async def ingest_cloudevents(
    request: Request, _caller: Caller = Depends(ingest_caller)
) -> IngestAnswer:
    """Map each event to its canonical signal and commit them all, then answer 202."""
    events = parse_http(dict(request.headers), await request.body(), source=SOURCE)
    items = []
    for event in events:
        signal = to_signal(event, source=SOURCE)
        items.append(
            InboxItem(
                source=SOURCE,
                kind=_kind(signal),
                dedup_key=f"{event.source}|{event.id}"[:512],
                starts_at="",
                payload=signal.model_dump(mode="json"),
            )
        )
    return await commit_answer(request, SOURCE, items)
