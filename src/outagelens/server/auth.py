"""API keys with scopes: generated once, stored as HMAC-SHA256(pepper, key), checked per request.

Keys are 256-bit random secrets, so a fast keyed hash is enough (slow password hashes guard
low-entropy secrets; these are not). The pepper (`api_key_pepper`) keeps a stolen database
from being used to check guesses without the server's configuration too.
"""

from __future__ import annotations

import hashlib
import hmac
import secrets
from collections.abc import Callable
from dataclasses import dataclass

from fastapi import Depends, Request

from outagelens.server.errors import RejectedError
from outagelens.store.protocol import Store
from outagelens.store.records import ApiKeyRecord, Scope
from outagelens.store.rows import now_utc

KEY_PREFIX = "olk"
ALLOWED: dict[Scope, frozenset[Scope]] = {
    Scope.INGEST: frozenset({Scope.INGEST, Scope.ADMIN}),
    Scope.READ: frozenset({Scope.READ, Scope.ADMIN}),
    Scope.ADMIN: frozenset({Scope.ADMIN}),
}
"""For each required scope, the key scopes that satisfy it."""


@dataclass(frozen=True)
class Caller:
    """Who made a request: key id and scope."""

    key_id: str
    scope: Scope
    name: str


def hash_key(key: str, pepper: str) -> str:
    """HMAC-SHA256 of the full key under the pepper, hex."""
    return hmac.new(pepper.encode(), key.encode(), hashlib.sha256).hexdigest()


def create_api_key(store: Store, scope: Scope, name: str, pepper: str) -> str:
    """Create, store (hashed) and return a new key `olk_<id>_<secret>`; shown only once."""
    return issue_api_key(store, scope, name, pepper)[0]


def issue_api_key(store: Store, scope: Scope, name: str, pepper: str) -> tuple[str, ApiKeyRecord]:
    """Create and store a new key; the key itself and its stored record (hash only)."""
    key_id = secrets.token_hex(6)
    key = f"{KEY_PREFIX}_{key_id}_{secrets.token_urlsafe(32)}"
    record = ApiKeyRecord(
        key_id=key_id,
        key_hash=hash_key(key, pepper),
        scope=scope,
        name=name,
        created_at=now_utc(),
    )
    store.add_api_key(record)
    return key, record


def authenticate(
    lookup: Callable[[str], ApiKeyRecord | None], header: str | None, pepper: str
) -> Caller:
    """Check `Authorization: Bearer <key>`; 401 when missing or unknown."""
    if not header or not header.lower().startswith("bearer "):
        raise RejectedError(
            401,
            "missing 'Authorization: Bearer <key>'",
            where="header.Authorization",
            **{"WWW-Authenticate": "Bearer"},
        )
    key = header[7:].strip()
    parts = key.split("_")
    if len(parts) < 3 or parts[0] != KEY_PREFIX:
        raise RejectedError(401, "malformed API key", where="header.Authorization")
    record = lookup(parts[1])
    if (
        record is None
        or record.revoked
        or not hmac.compare_digest(record.key_hash, hash_key(key, pepper))
    ):
        raise RejectedError(401, "unknown or revoked API key", where="header.Authorization")
    return Caller(key_id=record.key_id, scope=record.scope, name=record.name)


def require(scope: Scope) -> Callable[[Request], Caller]:
    """A FastAPI dependency: the caller must hold `scope` (admin holds every scope)."""

    def check(request: Request) -> Caller:
        ctx = request.app.state.ctx
        caller = authenticate(
            ctx.api_key, request.headers.get("authorization"), ctx.settings.api_key_pepper
        )
        if caller.scope not in ALLOWED[scope]:
            raise RejectedError(
                403, f"API key scope '{caller.scope}' cannot do '{scope}'", where="scope"
            )
        request.state.caller = caller
        return caller

    return check


def scoped(scope: Scope) -> Caller:
    """`caller: Caller = scoped(Scope.READ)` in an endpoint signature."""
    return Depends(require(scope))  # type: ignore[no-any-return]
