"""A pure-ASGI fast path for the public page and its documents, outermost in the app.

Public status traffic surges exactly when an outage happens, so the public HTML and the
Statuspage documents are answered straight from the snapshot cache, before routing and the
per-request logging middleware: one dict lookup and one send. Everything else (private pages,
admin, 404s) passes through to the full app.
"""

from __future__ import annotations

from collections.abc import Awaitable, Callable, MutableMapping
from typing import Any

from outagelens.comms.status import PUBLIC
from outagelens.server.status.snapshots import SnapshotCache

Scope = MutableMapping[str, Any]
Message = MutableMapping[str, Any]
Receive = Callable[[], Awaitable[Message]]
Send = Callable[[Message], Awaitable[None]]
ASGIApp = Callable[[Scope, Receive, Send], Awaitable[None]]
DOC_PREFIX = "/status/api/v2/"
_HTML_HEADERS = [
    (b"content-type", b"text/html; charset=utf-8"),
    (b"cache-control", b"public, no-cache"),
]
_JSON_HEADERS = [
    (b"content-type", b"application/json"),
    (b"cache-control", b"public, max-age=5"),
    (b"access-control-allow-origin", b"*"),
]


class PublicPageFastPath:
    """Serve GET /status and /status/api/v2/<document> from the cache; pass the rest on."""

    def __init__(self, app: ASGIApp, cache: SnapshotCache) -> None:
        self.app = app
        self.cache = cache

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        """ASGI entry point."""
        if scope["type"] == "http" and scope["method"] in ("GET", "HEAD"):
            body, headers = self._lookup(scope["path"])
            if body is not None:
                await send(
                    {
                        "type": "http.response.start",
                        "status": 200,
                        "headers": [*headers, (b"content-length", str(len(body)).encode())],
                    }
                )
                head = scope["method"] == "HEAD"
                await send({"type": "http.response.body", "body": b"" if head else body})
                return
        await self.app(scope, receive, send)

    def _lookup(self, path: str) -> tuple[bytes | None, list[tuple[bytes, bytes]]]:
        page = self.cache.get(PUBLIC)
        if page is None:
            return None, []
        if path == "/status":
            return (page.stale_html if self.cache.stale else page.html), _HTML_HEADERS
        if path.startswith(DOC_PREFIX):
            return page.documents.get(path[len(DOC_PREFIX) :]), _JSON_HEADERS
        return None, []


def install_fast_path(app: Any, cache: SnapshotCache) -> None:
    """Wrap the app's middleware stack (built lazily by Starlette) with the fast path."""
    build = app.build_middleware_stack

    def wrapped() -> ASGIApp:
        return PublicPageFastPath(build(), cache)

    app.build_middleware_stack = wrapped
