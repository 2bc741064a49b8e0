"""Shared ingest steps: rate limit per key, inbox bound, commit, metrics, wake the worker."""

from __future__ import annotations

import json
from collections.abc import Sequence
from typing import Any

from fastapi import Request
from pydantic import BaseModel, Field
from starlette.concurrency import run_in_threadpool

from outagelens.errors import SignalError
from outagelens.server.auth import Caller, require
from outagelens.server.context import context
from outagelens.server.errors import RejectedError
from outagelens.server.limits import retry_after_header
from outagelens.store.records import InboxItem, IngestResult, Scope


class IngestAnswer(BaseModel):
    """Committed: how many signals were new and how many were repeated deliveries."""

    accepted: int = Field(ge=0)
    duplicates: int = Field(ge=0)


def ingest_caller(request: Request) -> Caller:
    """Dependency: an ingest-scoped key within its rate limit (429 otherwise)."""
    caller = require(Scope.INGEST)(request)
    ctx = context(request)
    wait = ctx.buckets.take(caller.key_id)
    if wait > 0:
        ctx.metrics.rejected.labels(_source_of(request), "429").inc()
        raise RejectedError(
            429,
            f"rate limit of {ctx.settings.rate_limit_per_second}/s for key {caller.key_id}",
            where="header.Authorization",
            **{"Retry-After": retry_after_header(wait)},
        )
    return caller


def _source_of(request: Request) -> str:
    return request.url.path.rsplit("/", 1)[-1]


def commit(request: Request, source: str, items: Sequence[InboxItem]) -> IngestResult:
    """Commit items to the inbox (503 if over its bound); answer only after the commit."""
    ctx = context(request)
    depth = ctx.inbox_depth()
    if depth + len(items) > ctx.settings.inbox_bound:
        ctx.metrics.rejected.labels(source, "503").inc()
        raise RejectedError(
            503,
            f"inbox holds {depth} unprocessed signals, bound is {ctx.settings.inbox_bound}",
            where="inbox",
            **{"Retry-After": str(ctx.settings.retry_after_seconds)},
        )
    result = ctx.store.add_to_inbox(items)
    ctx.count_committed(result.accepted)
    ctx.metrics.ingested.labels(source, "accepted").inc(result.accepted)
    ctx.metrics.ingested.labels(source, "duplicate").inc(result.duplicates)
    ctx.metrics.inbox_depth.set(depth + result.accepted)
    if ctx.worker is not None:
        ctx.worker.wake()
    return result


def json_body(body: bytes, source: str) -> Any:
    """Parse a JSON body; invalid JSON is a SignalError (400)."""
    try:
        return json.loads(body)
    except (json.JSONDecodeError, UnicodeDecodeError) as exc:
        raise SignalError(f"invalid JSON: {exc}", source=source) from None


def request_body(schema: dict[str, Any], *content_types: str) -> dict[str, Any]:
    """`openapi_extra` documenting a body the endpoint reads raw (so errors become 400 lists)."""
    types = content_types or ("application/json",)
    return {
        "requestBody": {
            "required": True,
            "content": {t: {"schema": schema} for t in types},
        }
    }


async def commit_answer(request: Request, source: str, items: Sequence[InboxItem]) -> IngestAnswer:
    """`commit` on a worker thread (the store is synchronous), as the endpoint's answer."""
    result = await run_in_threadpool(commit, request, source, items)
    return IngestAnswer(accepted=result.accepted, duplicates=result.duplicates)
