"""POST /ingest/alertmanager: Prometheus Alertmanager webhook v4 (webhook_configs receiver).

Each alert of the payload is one inbox row keyed by (fingerprint:status, startsAt): a redelivery
of the same state is a duplicate, while the resolution of a firing alert is a new row.
Label -> entity mapping: labels `customer`, `service`, `location`, `component` name catalog
entities; `severity` is mapped by `outagelens.signals.alertmanager.SEVERITY_MAP`.
"""

from __future__ import annotations

from typing import Any

from fastapi import APIRouter, Depends, Request

from outagelens.server.auth import Caller
from outagelens.server.errors import INGEST_RESPONSES
from outagelens.server.ingest.common import (
    IngestAnswer,
    commit_answer,
    ingest_caller,
    json_body,
    request_body,
)
from outagelens.signals.alertmanager import parse_webhook
from outagelens.signals.timefmt import format_time
from outagelens.store.records import InboxItem

router = APIRouter()
SOURCE = "alertmanager"
_STR_MAP = {"type": "object", "additionalProperties": {"type": "string"}}
ALERT_SCHEMA: dict[str, Any] = {
    "type": "object",
    "required": ["status", "labels", "startsAt"],
    "properties": {
        "status": {"type": "string", "enum": ["firing", "resolved"]},
        "labels": _STR_MAP,
        "annotations": _STR_MAP,
        "startsAt": {"type": "string", "format": "date-time"},
        "endsAt": {"type": "string", "format": "date-time"},
        "generatorURL": {"type": "string"},
        "fingerprint": {"type": "string"},
    },
}
WEBHOOK_SCHEMA: dict[str, Any] = {
    "type": "object",
    "required": ["version", "alerts"],
    "properties": {
        "version": {"type": "string", "enum": ["4"]},
        "groupKey": {"type": "string"},
        "truncatedAlerts": {"type": "integer"},
        "status": {"type": "string", "enum": ["firing", "resolved"]},
        "receiver": {"type": "string"},
        "groupLabels": _STR_MAP,
        "commonLabels": _STR_MAP,
        "commonAnnotations": _STR_MAP,
        "externalURL": {"type": "string"},
        "alerts": {"type": "array", "items": ALERT_SCHEMA},
    },
}


@router.post(
    "/alertmanager",
    status_code=202,
    response_model=IngestAnswer,
    responses=INGEST_RESPONSES,
    openapi_extra=request_body(WEBHOOK_SCHEMA),
    summary="Alertmanager webhook v4",
)
async def ingest_alertmanager(
    request: Request, _caller: Caller = Depends(ingest_caller)
) -> IngestAnswer:
    """Commit every alert of the webhook payload to the inbox, then answer 202."""
    alerts = parse_webhook(json_body(await request.body(), SOURCE), source=SOURCE)
    items = [
        InboxItem(
            source=SOURCE,
            kind="alert",
            dedup_key=f"{a.fingerprint}:{a.status}",
            starts_at=format_time(a.starts_at),
            payload=a.model_dump(mode="json"),
        )
        for a in alerts
    ]
    return await commit_answer(request, SOURCE, items)
