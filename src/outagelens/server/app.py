"""`create_app(settings)`: the FastAPI application with its store, worker, metrics and auth."""

from __future__ import annotations

import logging
import time
from collections.abc import AsyncIterator, Awaitable, Callable
from contextlib import asynccontextmanager
from pathlib import Path
from typing import Any

from fastapi import Depends, FastAPI, Request, Response
from fastapi.openapi.utils import get_openapi
from starlette.routing import Match

from outagelens import __version__
from outagelens.server import ingest
from outagelens.server.api import catalog as catalog_api
from outagelens.server.api import incidents, keys, signals
from outagelens.server.auth import require
from outagelens.server.context import ServerContext
from outagelens.server.errors import ERROR_RESPONSES, ErrorBody, install_error_handlers
from outagelens.server.lease import lease_for
from outagelens.server.limits import BodyLimitMiddleware, TokenBuckets
from outagelens.server.metrics import Metrics
from outagelens.server.schemas import Health
from outagelens.server.settings import ServerSettings
from outagelens.server.status import install as install_status
from outagelens.server.worker import LiveStep, Worker
from outagelens.store.db import make_engine, upgrade
from outagelens.store.protocol import Store
from outagelens.store.records import Scope
from outagelens.store.sql import SqlStore

log = logging.getLogger("outagelens.server")


def open_store(settings: ServerSettings, *, migrate: bool = True) -> SqlStore:
    """Engine for the configured database, schema upgraded to the newest revision."""
    engine = make_engine(settings.db_url, schema=settings.db_schema)
    if migrate:
        upgrade(engine)
    return SqlStore(engine)


def activate_catalog_file(store: Store, path: Path) -> None:
    """Store and activate a catalog file unless the same text is already active."""
    from outagelens.server.api.catalog import parse_catalog

    text = path.read_text(encoding="utf-8")
    parse_catalog(text, str(path))
    active = store.active_catalog()
    if active is None or active.text != text:
        store.add_catalog(text, str(path), activate=True)


def create_app(
    settings: ServerSettings, *, store: Store | None = None, live: LiveStep | None = None
) -> FastAPI:
    """Build the app; the store is opened (and migrated) unless one is given."""
    the_store = store if store is not None else open_store(settings)
    if settings.catalog_path is not None:
        activate_catalog_file(the_store, settings.catalog_path)
    metrics = Metrics()
    ctx = ServerContext(
        settings=settings,
        store=the_store,
        metrics=metrics,
        buckets=TokenBuckets(settings.rate_limit_per_second, settings.rate_limit_burst),
    )
    if live is None:
        from outagelens.server.live import live_step_for

        live = live_step_for(ctx)
    engine = the_store.engine if isinstance(the_store, SqlStore) else None
    lease = lease_for(engine, settings.db_schema)
    ctx.worker = Worker(the_store, settings, metrics, live, on_depth=ctx.set_depth, lease=lease)

    @asynccontextmanager
    async def lifespan(_: FastAPI) -> AsyncIterator[None]:
        if settings.worker_enabled and ctx.worker is not None:
            ctx.worker.start()
        log.info("server started", extra={"db": _safe_url(settings.db_url)})
        yield
        if ctx.worker is not None:
            ctx.worker.stop()

    app = FastAPI(
        title="OutageLens",
        version=__version__,
        description="Ingest signals, investigate outages live, serve incidents (docs/server.md).",
        lifespan=lifespan,
    )
    app.state.ctx = ctx
    install_error_handlers(app, settings.retry_after_seconds)
    app.include_router(ingest.router)
    app.include_router(incidents.router)
    app.include_router(signals.router)
    app.include_router(catalog_api.router)
    app.include_router(keys.router)
    _add_operations(app, ctx)
    install_status(app, ctx)
    app.middleware("http")(_observe(metrics))
    app.add_middleware(BodyLimitMiddleware, limit=settings.max_body_bytes)
    app.openapi = lambda: _openapi(app)  # type: ignore[method-assign]
    return app


def _safe_url(url: str) -> str:
    return url.split("@", 1)[-1] if "@" in url else url


def _add_operations(app: FastAPI, ctx: ServerContext) -> None:
    @app.get("/healthz", response_model=Health, tags=["operations"], responses=ERROR_RESPONSES)
    def healthz() -> Health:
        """Liveness: the store answers; the inbox depth."""
        worker = ctx.worker
        if worker is None or not ctx.settings.worker_enabled:
            state = "disabled"
        else:
            state = "active" if worker.active else "standby"
        return Health(status="ok", inbox_depth=ctx.store.inbox_depth(), worker=state)

    @app.get(
        "/metrics",
        tags=["operations"],
        response_class=Response,
        responses={
            **ERROR_RESPONSES,
            200: {"content": {"text/plain": {"schema": {"type": "string"}}}},
        },
    )
    def metrics_endpoint(_: Any = Depends(require(Scope.READ))) -> Response:
        """Prometheus metrics of this server (read scope)."""
        return Response(ctx.metrics.render(), media_type="text/plain; version=0.0.4")


def _route_template(request: Request) -> str:
    for route in request.app.router.routes:
        match, _ = route.matches(request.scope)
        if match == Match.FULL:
            return str(getattr(route, "path", request.url.path))
    return "unmatched"


def _observe(
    metrics: Metrics,
) -> Callable[[Request, Callable[[Request], Awaitable[Response]]], Awaitable[Response]]:
    access = logging.getLogger("outagelens.server.access")

    async def middleware(
        request: Request, call_next: Callable[[Request], Awaitable[Response]]
    ) -> Response:
        started = time.perf_counter()
        response = await call_next(request)
        elapsed = time.perf_counter() - started
        route = _route_template(request)
        metrics.http_seconds.labels(route, request.method, str(response.status_code)).observe(
            elapsed
        )
        caller = getattr(request.state, "caller", None)
        access.info(
            "request",
            extra={
                "method": request.method,
                "route": route,
                "status": response.status_code,
                "ms": round(elapsed * 1000, 2),
                "key_id": getattr(caller, "key_id", None),
            },
        )
        return response

    return middleware


def _openapi(app: FastAPI) -> dict[str, Any]:
    """FastAPI's schema with its 422 answers replaced by our 400 error list."""
    if app.openapi_schema:
        return app.openapi_schema
    schema = get_openapi(
        title=app.title, version=app.version, description=app.description, routes=app.routes
    )
    ref = {"$ref": "#/components/schemas/ErrorBody"}
    for path in schema.get("paths", {}).values():
        for op in path.values():
            responses = op.get("responses", {})
            if responses.pop("422", None) is not None:
                responses.setdefault(
                    "400",
                    {
                        "description": "Invalid input",
                        "content": {"application/json": {"schema": ref}},
                    },
                )
    components = schema.setdefault("components", {}).setdefault("schemas", {})
    components.setdefault(
        "ErrorBody", ErrorBody.model_json_schema(ref_template="#/components/schemas/{model}")
    )
    components.pop("HTTPValidationError", None)
    components.pop("ValidationError", None)
    app.openapi_schema = schema
    return schema


def app_from_env() -> FastAPI:
    """Factory for `uvicorn --factory outagelens.server.app:app_from_env` (settings from env)."""
    from outagelens.server.logs import configure_logging
    from outagelens.server.settings import load_settings

    settings = load_settings()
    configure_logging(settings.log_level)
    return create_app(settings)
