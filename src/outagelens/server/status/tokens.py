"""Customer page tokens: `olp_<id>_<secret>`, stored as HMAC-SHA256(pepper, token).

Checks run against an in-memory copy of the token table (refreshed on every sync and on
every change), so private pages keep answering while the database is down. Every failure
(missing, malformed, unknown, revoked, or another customer's token) looks the same: 404.
"""

from __future__ import annotations

import hmac
import secrets
from collections.abc import Sequence

from outagelens.server.auth import hash_key
from outagelens.store.sql import now_utc
from outagelens.store.status_records import PageToken

TOKEN_PREFIX = "olp"


def new_page_token(customer_id: str, name: str, pepper: str) -> tuple[str, PageToken]:
    """A fresh token (shown once) and its record to store."""
    token_id = secrets.token_hex(6)
    token = f"{TOKEN_PREFIX}_{token_id}_{secrets.token_urlsafe(32)}"
    record = PageToken(
        token_id=token_id,
        customer_id=customer_id,
        token_hash=hash_key(token, pepper),
        name=name,
        created_at=now_utc(),
    )
    return token, record


class TokenBook:
    """Token id -> record, checked without the database."""

    def __init__(self, pepper: str) -> None:
        self.pepper = pepper
        self._tokens: dict[str, PageToken] = {}

    def load(self, tokens: Sequence[PageToken]) -> None:
        """Replace the in-memory copy."""
        self._tokens = {t.token_id: t for t in tokens}

    def add(self, token: PageToken) -> None:
        """Remember a token created just now."""
        self._tokens = {**self._tokens, token.token_id: token}

    def customer_of(self, token: str | None) -> str | None:
        """The customer whose valid token this is, None otherwise."""
        if not token:
            return None
        parts = token.split("_", 2)
        if len(parts) != 3 or parts[0] != TOKEN_PREFIX:
            return None
        record = self._tokens.get(parts[1])
        if record is None or record.revoked:
            return None
        if not hmac.compare_digest(record.token_hash, hash_key(token, self.pepper)):
            return None
        return record.customer_id
