"""Rendered pages kept in memory and on disk, so pages answer while the database is down.

Each audience's page is rendered in full (HTML, the stale-note HTML variant, every Statuspage v2
document, Atom, RSS) after every change and written atomically under
`<snapshot_dir>/<audience>/`. Requests are served from memory only; at start the last rendered
pages are read back from disk, so a restart during a database outage still serves them.
"""

from __future__ import annotations

import json
import logging
import os
import re
import tempfile
import threading
from dataclasses import dataclass
from pathlib import Path

from outagelens.comms.statuspage_v2 import DOCUMENTS

log = logging.getLogger("outagelens.server.status")
_SAFE = re.compile(r"^[A-Za-z0-9][A-Za-z0-9_.-]{0,200}$")


@dataclass(frozen=True)
class RenderedPage:
    """Every representation of one audience's page at one moment."""

    audience: str
    html: bytes
    stale_html: bytes
    documents: dict[str, bytes]
    atom: bytes
    rss: bytes

    def files(self) -> dict[str, bytes]:
        """Relative file name -> content, as written to disk."""
        out = {
            "index.html": self.html,
            "index.stale.html": self.stale_html,
            "history.atom": self.atom,
            "history.rss": self.rss,
        }
        out.update({f"api/v2/{doc}": body for doc, body in self.documents.items()})
        return out


def _write_atomic(path: Path, data: bytes) -> None:
    path.parent.mkdir(parents=True, exist_ok=True)
    fd, tmp = tempfile.mkstemp(dir=path.parent, prefix=".tmp-")
    try:
        with os.fdopen(fd, "wb") as fh:
            fh.write(data)
        os.replace(tmp, path)
    except BaseException:
        Path(tmp).unlink(missing_ok=True)
        raise


class SnapshotCache:
    """Audience -> rendered page, in memory and (if a directory is set) on disk."""

    def __init__(self, directory: Path | None) -> None:
        self.directory = directory
        self.stale = False
        self._pages: dict[str, RenderedPage] = {}
        self._lock = threading.Lock()

    def get(self, audience: str) -> RenderedPage | None:
        """The current page of an audience, None if never rendered."""
        return self._pages.get(audience)

    def audiences(self) -> list[str]:
        """Audiences with a rendered page."""
        return sorted(self._pages)

    def put(self, page: RenderedPage) -> None:
        """Replace an audience's page in memory, then on disk (disk errors are only logged)."""
        with self._lock:
            self._pages[page.audience] = page
        if self.directory is None or not _SAFE.match(page.audience):
            return
        try:
            for name, data in page.files().items():
                _write_atomic(self.directory / page.audience / name, data)
            _write_atomic(
                self.directory / page.audience / "manifest.json",
                json.dumps({"audience": page.audience}).encode(),
            )
        except OSError as exc:
            log.warning("cannot write page snapshot", extra={"error": str(exc)})

    def load(self) -> int:
        """Read every page saved on disk into memory; returns how many were read."""
        if self.directory is None or not self.directory.is_dir():
            return 0
        count = 0
        for folder in sorted(p for p in self.directory.iterdir() if p.is_dir()):
            try:
                page = RenderedPage(
                    audience=folder.name,
                    html=(folder / "index.html").read_bytes(),
                    stale_html=(folder / "index.stale.html").read_bytes(),
                    documents={d: (folder / "api/v2" / d).read_bytes() for d in DOCUMENTS},
                    atom=(folder / "history.atom").read_bytes(),
                    rss=(folder / "history.rss").read_bytes(),
                )
            except OSError as exc:
                log.warning(
                    "incomplete page snapshot", extra={"dir": str(folder), "error": str(exc)}
                )
                continue
            with self._lock:
                self._pages.setdefault(page.audience, page)
            count += 1
        return count
