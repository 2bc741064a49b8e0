"""What every request handler reaches through `request.app.state.ctx`."""

from __future__ import annotations

import threading
import time
from dataclasses import dataclass, field, replace
from typing import TYPE_CHECKING

from fastapi import Request

from outagelens.server.limits import TokenBuckets
from outagelens.server.metrics import Metrics
from outagelens.server.settings import ServerSettings
from outagelens.store.protocol import Store
from outagelens.store.records import ApiKeyRecord
from outagelens.topology import Catalog

if TYPE_CHECKING:
    from outagelens.server.worker import Worker


KEY_CACHE_SECONDS = 10.0
"""How long a key lookup is reused; revoking a key takes effect within this time."""
DEPTH_CACHE_SECONDS = 0.25
"""How stale the inbox depth used for the 503 bound may be."""


@dataclass
class ServerContext:
    """Settings, store, metrics, rate limiter and the background worker of one app."""

    settings: ServerSettings
    store: Store
    metrics: Metrics
    buckets: TokenBuckets
    worker: Worker | None = None
    _catalog: tuple[str, Catalog] | None = field(default=None, repr=False)
    _lock: threading.Lock = field(default_factory=threading.Lock, repr=False)
    _keys: dict[str, tuple[float, ApiKeyRecord]] = field(default_factory=dict, repr=False)
    _revoked: set[str] = field(default_factory=set, repr=False)  # revoked through this process
    _key_lock: threading.Lock = field(default_factory=threading.Lock, repr=False)
    _depth: tuple[float, int] = field(default=(-1e9, 0), repr=False)

    def api_key(self, key_id: str) -> ApiKeyRecord | None:
        """A key record, cached for KEY_CACHE_SECONDS (saves one query per request)."""
        now = time.monotonic()
        hit = self._keys.get(key_id)
        if hit is not None and now - hit[0] < KEY_CACHE_SECONDS:
            return hit[1]
        record = self.store.api_key(key_id)
        if record is None:  # unknown ids are not cached: a new key works at once
            return None
        with self._key_lock:
            if key_id in self._revoked:
                # read before a revocation committed, by a request racing it: never cache it valid
                record = replace(record, revoked=True)
            self._keys[key_id] = (now, record)
        return record

    def forget_key(self, key_id: str) -> None:
        """Drop a key from the cache (after revocation: refused from the next request)."""
        with self._key_lock:
            self._revoked.add(key_id)
            self._keys.pop(key_id, None)

    def inbox_depth(self) -> int:
        """Unprocessed inbox rows, re-counted at most every DEPTH_CACHE_SECONDS."""
        now = time.monotonic()
        at, depth = self._depth
        if now - at >= DEPTH_CACHE_SECONDS:
            depth = self.store.inbox_depth()
            self._depth = (now, depth)
        return depth

    def set_depth(self, depth: int) -> None:
        """The worker's fresh count after a pass."""
        self._depth = (time.monotonic(), depth)

    def count_committed(self, accepted: int) -> None:
        """Keep the cached depth honest between re-counts."""
        at, depth = self._depth
        self._depth = (at, depth + accepted)

    def catalog(self) -> Catalog | None:
        """The active catalog, compiled once per stored version."""
        record = self.store.active_catalog()
        if record is None:
            return None
        with self._lock:
            if self._catalog is None or self._catalog[0] != record.sha256:
                from outagelens.server.api.catalog import parse_catalog

                self._catalog = (record.sha256, parse_catalog(record.text, record.source))
            return self._catalog[1]


def context(request: Request) -> ServerContext:
    """The app's context (a FastAPI dependency)."""
    ctx = request.app.state.ctx
    assert isinstance(ctx, ServerContext)
    return ctx
