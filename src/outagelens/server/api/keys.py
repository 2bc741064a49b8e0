"""/api/keys: list, create and revoke API keys (admin scope).

A revoked key is refused from the next request on this server; other server processes notice
within `KEY_CACHE_SECONDS` (their key cache). The secret of a key is returned once, on creation.
"""

from __future__ import annotations

from fastapi import APIRouter, Depends

from outagelens.server.auth import Caller, issue_api_key, require
from outagelens.server.context import ServerContext, context
from outagelens.server.errors import NOT_FOUND, RejectedError
from outagelens.server.schemas import ApiKeyIn, ApiKeyOut
from outagelens.store.records import ApiKeyRecord, Scope

router = APIRouter(prefix="/api/keys", tags=["api keys"])
ADMIN = Depends(require(Scope.ADMIN))
CTX = Depends(context)


def key_out(record: ApiKeyRecord, key: str | None = None) -> ApiKeyOut:
    """API view of a stored key: never its hash."""
    return ApiKeyOut(
        key_id=record.key_id,
        scope=record.scope,
        name=record.name,
        created_at=record.created_at,
        revoked=record.revoked,
        key=key,
    )


@router.get("", response_model=list[ApiKeyOut], response_model_exclude_none=True)
def list_keys(ctx: ServerContext = CTX, _c: Caller = ADMIN) -> list[ApiKeyOut]:
    """Every key, revoked ones included, oldest first (ids, scopes and names; no secrets)."""
    return [key_out(k) for k in ctx.store.api_keys()]


@router.post("", response_model=ApiKeyOut, status_code=201)
def create_key(body: ApiKeyIn, ctx: ServerContext = CTX, _c: Caller = ADMIN) -> ApiKeyOut:
    """Create a key; the response holds its secret (`key`), shown only this once."""
    key, record = issue_api_key(ctx.store, body.scope, body.name, ctx.settings.api_key_pepper)
    return key_out(record, key)


@router.delete("/{key_id}", status_code=204, responses=NOT_FOUND)
def revoke_key(key_id: str, ctx: ServerContext = CTX, _c: Caller = ADMIN) -> None:
    """Revoke a key: requests with it get 401 from then on (the caller's own key included)."""
    if not ctx.store.revoke_api_key(key_id):
        raise RejectedError(404, f"no API key '{key_id}'", where="path.key_id")
    ctx.forget_key(key_id)
