"""What every request handler reaches through `request.app.state.ctx`."""

from __future__ import annotations

import threading
from dataclasses import dataclass, field
from typing import TYPE_CHECKING

from fastapi import Request

from outagelens.server.limits import TokenBuckets
from outagelens.server.metrics import Metrics
from outagelens.server.settings import ServerSettings
from outagelens.store.protocol import Store
from outagelens.topology import Catalog

if TYPE_CHECKING:
    from outagelens.server.worker import Worker


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
