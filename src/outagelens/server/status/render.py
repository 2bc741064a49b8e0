"""One audience's page from live incidents: snapshot (with overrides and maintenances), 90-day
uptime bars, and every representation (HTML, stale HTML, Statuspage v2 JSON, Atom, RSS)."""

from __future__ import annotations

import json
from collections.abc import Mapping, Sequence
from datetime import datetime

from outagelens.comms.feeds import render_feed
from outagelens.comms.models import ComponentStatus, Maintenance, MaintenanceStatus, PageSnapshot
from outagelens.comms.pages import render_status_page
from outagelens.comms.status import (
    PUBLIC,
    LiveIncident,
    build_page,
    interval_status,
    visible_intervals,
)
from outagelens.comms.statuspage_v2 import DOCUMENTS, document
from outagelens.comms.uptime import DayBar, OutageSpan, uptime_history
from outagelens.server.status.snapshots import RenderedPage
from outagelens.store.status_records import MaintenanceRecord
from outagelens.topology import Catalog


def page_path(audience: str) -> str:
    """Path of an audience's page on this server, with a trailing slash."""
    return "/status/" if audience == PUBLIC else f"/customers/{audience}/status/"


def maintenance_status(record: MaintenanceRecord, now: datetime) -> MaintenanceStatus:
    """Scheduled before the window, in progress during it, completed after (or cancelled)."""
    if record.cancelled or now >= record.scheduled_until:
        return MaintenanceStatus.COMPLETED
    if now >= record.scheduled_for:
        return MaintenanceStatus.IN_PROGRESS
    return MaintenanceStatus.SCHEDULED


def maintenance_models(records: Sequence[MaintenanceRecord], now: datetime) -> list[Maintenance]:
    """Stored windows as the comms model (cancelled ones are not shown)."""
    return [
        Maintenance(
            id=r.id,
            name=r.name,
            status=maintenance_status(r, now),
            scheduled_for=r.scheduled_for,
            scheduled_until=r.scheduled_until,
            created_at=r.created_at,
            updated_at=r.updated_at,
            components=r.components,
            body=r.body,
        )
        for r in records
        if not r.cancelled
    ]


def with_overrides(
    snapshot: PageSnapshot, overrides: Mapping[str, ComponentStatus]
) -> PageSnapshot:
    """The snapshot with people's component statuses in place of the computed ones."""
    if not overrides:
        return snapshot
    components = tuple(
        c.model_copy(update={"status": overrides[c.id]}) if c.id in overrides else c
        for c in snapshot.components
    )
    return snapshot.model_copy(update={"components": components})


def outage_spans(
    catalog: Catalog, incidents: Sequence[LiveIncident], audience: str
) -> list[OutageSpan]:
    """Not-operational stretches of every component the audience may see."""
    return [
        OutageSpan(entity, iv.start, iv.end, interval_status(iv.state, iv.failed_fraction))
        for inc in incidents
        for _, iv, entity in visible_intervals(catalog, inc.scope, audience)
    ]


def history_bars(
    snapshot: PageSnapshot, spans: Sequence[OutageSpan], now: datetime
) -> dict[str, list[DayBar]]:
    """90 daily bars per component of the page."""
    return {
        c.id: uptime_history(c.id, spans, now=now, timezone=snapshot.time_zone)
        for c in snapshot.components
    }


def render_audience(
    catalog: Catalog,
    incidents: Sequence[LiveIncident],
    *,
    audience: str,
    now: datetime,
    base_url: str,
    maintenances: Sequence[Maintenance],
    overrides: Mapping[str, ComponentStatus],
) -> tuple[PageSnapshot, RenderedPage]:
    """Build and render one audience's page."""
    path = page_path(audience)
    snapshot = build_page(
        catalog,
        incidents,
        audience=audience,
        now=now,
        page_url=base_url.rstrip("/") + path.rstrip("/"),
        maintenances=maintenances,
    )
    snapshot = with_overrides(snapshot, overrides)
    bars = history_bars(snapshot, outage_spans(catalog, incidents, audience), now)
    html = render_status_page(snapshot, history=bars, base=path)
    stale = render_status_page(snapshot, history=bars, base=path, stale=True)
    docs = {
        doc: json.dumps(document(snapshot, doc), separators=(",", ":")).encode()
        for doc in DOCUMENTS
    }
    page = RenderedPage(
        audience=audience,
        html=html.encode(),
        stale_html=stale.encode(),
        documents=docs,
        atom=render_feed(snapshot, "atom"),
        rss=render_feed(snapshot, "rss"),
    )
    return snapshot, page
