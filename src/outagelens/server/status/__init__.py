"""Status pages on the server: `install(app, ctx)` adds routes, the page refresher and the
notification delivery worker (see docs/status-pages.md)."""

from __future__ import annotations

from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from typing import Any

from fastapi import FastAPI
from sqlalchemy import create_engine
from sqlalchemy.pool import StaticPool

from outagelens.server.context import ServerContext
from outagelens.store.db import upgrade
from outagelens.store.sql import SqlStore
from outagelens.store.status_sql import SqlStatusStore


def status_store(ctx: ServerContext) -> SqlStatusStore:
    """The status store on the server's database; an in-memory SQLite one beside other stores."""
    if isinstance(ctx.store, SqlStore):
        return SqlStatusStore(ctx.store.engine)
    engine = create_engine(
        "sqlite://", connect_args={"check_same_thread": False}, poolclass=StaticPool
    )
    upgrade(engine)
    return SqlStatusStore(engine)


def install(app: FastAPI, ctx: ServerContext) -> None:
    """Add the status routes and run the refresher and delivery threads with the app."""
    from outagelens.server.status import admin, pages
    from outagelens.server.status.delivery import Deliverer
    from outagelens.server.status.fastpath import install_fast_path
    from outagelens.server.status.service import StatusService
    from outagelens.server.status.snapshots import SnapshotCache

    settings = ctx.settings
    if not settings.status_enabled:
        return
    store = status_store(ctx)
    cache = SnapshotCache(settings.status_snapshot_dir)
    cache.load()
    service = StatusService(ctx, store, cache)
    delivery = Deliverer(store, settings)
    service.on_enqueue = delivery.wake
    if ctx.worker is not None:  # alerts stored, incidents recomputed: refresh the pages now
        ctx.worker.listeners.append(service.wake)
    app.state.status = service
    app.state.status_delivery = delivery
    app.include_router(pages.router)
    app.include_router(admin.router)
    install_fast_path(app, cache)
    inner = app.router.lifespan_context

    @asynccontextmanager
    async def lifespan(a: FastAPI) -> AsyncIterator[Any]:
        async with inner(a) as state:
            service.start()
            delivery.start()
            try:
                yield state
            finally:
                delivery.stop()
                service.stop()

    app.router.lifespan_context = lifespan
