"""RSS 2.0 and Atom feeds of a page's incidents and their updates (feedgen)."""

from __future__ import annotations

from typing import Literal

from feedgen.feed import FeedGenerator  # type: ignore[import-untyped]

from outagelens.comms.models import PageSnapshot


def render_feed(snapshot: PageSnapshot, kind: Literal["atom", "rss"]) -> bytes:
    """One entry per incident update, newest first; the entry id never changes."""
    fg = FeedGenerator()
    base = snapshot.url.rstrip("/")
    fg.id(f"{base}/history")
    fg.title(f"{snapshot.name}: incident history")
    fg.link(href=base, rel="alternate")
    fg.link(href=f"{base}/history.{kind}", rel="self")
    fg.description(f"Incidents and updates of {snapshot.name}")
    fg.language("en")
    fg.updated(snapshot.updated_at)
    entries = [(update, incident) for incident in snapshot.incidents for update in incident.updates]
    # feedgen prepends entries, so add oldest first to list newest first.
    for update, incident in sorted(entries, key=lambda e: (e[0].display_at, e[0].id)):
        fe = fg.add_entry()
        fe.id(f"{base}/incidents/{incident.id}#{update.id}")
        fe.title(f"{incident.name}: {update.status.value}")
        fe.link(href=f"{base}/incidents/{incident.id}")
        fe.published(update.display_at)
        fe.updated(update.created_at)
        fe.description(update.body)
        fe.content(update.body, type="text")
    out = fg.atom_str(pretty=True) if kind == "atom" else fg.rss_str(pretty=True)
    return bytes(out)
