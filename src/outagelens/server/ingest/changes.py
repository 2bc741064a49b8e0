"""POST /ingest/changes and /ingest/hardware: change/deploy events and hardware alarms as JSON.

Body: one object, a JSON array of objects, or `{"changes": [...]}` / `{"alarms": [...]}`, each
object in the changes.jsonl / hardware.jsonl shape of docs/signals.md. Every invalid item is
listed in the 400 answer. Idempotency: the record's `id` with its `time`.
"""

from __future__ import annotations

from typing import Any

from fastapi import APIRouter, Depends, Request
from pydantic import BaseModel, ValidationError

from outagelens.errors import SignalError
from outagelens.server.auth import Caller
from outagelens.server.errors import INGEST_RESPONSES, Problem, ProblemsError
from outagelens.server.ingest.common import (
    IngestAnswer,
    commit_answer,
    ingest_caller,
    json_body,
    request_body,
)
from outagelens.signals.timefmt import format_time
from outagelens.signals.types import Change, HardwareAlarm
from outagelens.store.records import InboxItem

router = APIRouter()


def records(
    body: Any, model: type[Change] | type[HardwareAlarm], wrapper: str, source: str
) -> list[BaseModel]:
    """Validate every item; raise one error listing all invalid items."""
    if isinstance(body, dict) and wrapper in body and len(body) == 1:
        body = body[wrapper]
    items = body if isinstance(body, list) else [body]
    out: list[BaseModel] = []
    problems: list[Problem] = []
    for i, item in enumerate(items):
        try:
            out.append(model.model_validate(item))
        except ValidationError as exc:
            for err in exc.errors():
                loc = ".".join(str(p) for p in err["loc"])
                problems.append(
                    Problem(where=f"{wrapper}[{i}].{loc}".rstrip("."), message=err["msg"])
                )
    if problems:
        raise ProblemsError(problems)
    if not out:
        raise SignalError(f"no {wrapper} in the body", source=source)
    return out


def _items(models: list[BaseModel], source: str, kind: str) -> list[InboxItem]:
    items = []
    for m in models:
        assert isinstance(m, Change | HardwareAlarm)
        items.append(
            InboxItem(
                source=source,
                kind=kind,
                dedup_key=m.id,
                starts_at=format_time(m.time),
                payload=m.model_dump(mode="json"),
            )
        )
    return items


def _schema(model: type[BaseModel]) -> dict[str, Any]:
    one = {"type": "object", "description": f"A {model.__name__} record (docs/signals.md)."}
    return {"oneOf": [one, {"type": "array", "items": one}]}


@router.post(
    "/changes",
    status_code=202,
    response_model=IngestAnswer,
    responses=INGEST_RESPONSES,
    openapi_extra=request_body(_schema(Change)),
    summary="Change and deploy events (JSON)",
)
async def ingest_changes(
    request: Request, _caller: Caller = Depends(ingest_caller)
) -> IngestAnswer:
    """Validate and commit deploys, config changes and rollbacks."""
    models = records(json_body(await request.body(), "changes"), Change, "changes", "changes")
    return await commit_answer(request, "changes", _items(models, "changes", "change"))


@router.post(
    "/hardware",
    status_code=202,
    response_model=IngestAnswer,
    responses=INGEST_RESPONSES,
    openapi_extra=request_body(_schema(HardwareAlarm)),
    summary="Hardware and facility alarms (JSON)",
)
async def ingest_hardware(
    request: Request, _caller: Caller = Depends(ingest_caller)
) -> IngestAnswer:
    """Validate and commit hardware/facility alarms."""
    body = json_body(await request.body(), "hardware")
    models = records(body, HardwareAlarm, "alarms", "hardware")
    return await commit_answer(request, "hardware", _items(models, "hardware", "hardware"))
