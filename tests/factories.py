"""Shared test builders: a recording HTTP receiver for webhook and Alertmanager tests."""

from __future__ import annotations

import threading
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer


@dataclass
class Recorded:
    """One request the receiver got."""

    path: str
    headers: dict[str, str]
    body: bytes


@dataclass
class RecordingReceiver:
    """A real HTTP server on 127.0.0.1 that records requests and answers from a script."""

    url: str
    requests: list[Recorded] = field(default_factory=list)
    # Status codes to answer, in order; once used up, 200.
    script: list[int] = field(default_factory=list)
    redirect_to: str | None = None
    lock: threading.Lock = field(default_factory=threading.Lock)


@contextmanager
def recording_receiver(script: list[int] | None = None) -> Iterator[RecordingReceiver]:
    """Start a receiver on a free loopback port; stop it on exit."""
    state = RecordingReceiver(url="", script=list(script or []))

    class Handler(BaseHTTPRequestHandler):
        def do_POST(self) -> None:
            length = int(self.headers.get("Content-Length", "0"))
            body = self.rfile.read(length)
            with state.lock:
                state.requests.append(Recorded(self.path, dict(self.headers.items()), body))
                code = state.script.pop(0) if state.script else 200
            self.send_response(code)
            if 300 <= code < 400 and state.redirect_to:
                self.send_header("Location", state.redirect_to)
            self.send_header("Content-Length", "0")
            self.end_headers()

        def log_message(self, format: str, *args: object) -> None:
            pass

    server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
    state.url = f"http://127.0.0.1:{server.server_address[1]}"
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    try:
        yield state
    finally:
        server.shutdown()
        server.server_close()
