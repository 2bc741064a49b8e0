"""POST /ingest/cap: one CAP 1.2 <alert> XML document (natural hazards, grid warnings).

Idempotency: (sender|identifier, sent). Area -> catalog location mapping happens at
investigation time (`signals.cap.hazard_locations`: polygon, circle, or geocode match).
"""

from __future__ import annotations

from fastapi import APIRouter, Depends, Request

from outagelens.server.auth import Caller
from outagelens.server.errors import INGEST_RESPONSES
from outagelens.server.ingest.common import IngestAnswer, commit_answer, ingest_caller
from outagelens.signals.cap import parse_cap
from outagelens.signals.timefmt import format_time
from outagelens.store.records import InboxItem

router = APIRouter()
SOURCE = "cap"
XML = {"schema": {"type": "string", "description": "A CAP 1.2 <alert> document."}}


@router.post(
    "/cap",
    status_code=202,
    response_model=IngestAnswer,
    responses=INGEST_RESPONSES,
    openapi_extra={
        "requestBody": {
            "required": True,
            "content": {"application/cap+xml": XML, "application/xml": XML},
        }
    },
    summary="CAP 1.2 hazard alert",
)
async def ingest_cap(request: Request, _caller: Caller = Depends(ingest_caller)) -> IngestAnswer:
    """Parse and validate the CAP document, commit it, answer 202."""
    hazard = parse_cap(await request.body(), source=SOURCE)
    item = InboxItem(
        source=SOURCE,
        kind="hazard",
        dedup_key=f"{hazard.sender}|{hazard.identifier}"[:512],
        starts_at=format_time(hazard.sent),
        payload=hazard.model_dump(mode="json"),
    )
    return await commit_answer(request, SOURCE, [item])
