"""The status service: keeps every page true from the live incidents, drafts and publishes
updates per audience, and enqueues subscriber notifications.

`sync()` runs on its own thread every `status_refresh_seconds` (and at once after an admin
change). It reads incidents and overrides, drafts the missing update of each incident's current
stage for the public page and every affected customer (published at once when
`status_auto_publish`, else kept as a draft for approval), then re-renders every page into the
snapshot cache when anything it shows changed. A store failure leaves the last pages in place,
marked stale.
"""

from __future__ import annotations

import hashlib
import logging
import threading
from collections.abc import Callable, Sequence
from datetime import datetime, timedelta
from typing import Any

from outagelens.comms.drafts import draft_update
from outagelens.comms.models import ComponentStatus, IncidentStatus
from outagelens.comms.status import (
    PUBLIC,
    LiveIncident,
    incident_impact,
    incident_name,
    interval_status,
)
from outagelens.errors import StoreError
from outagelens.server.context import ServerContext
from outagelens.server.status.incidents import audience_entities, audiences_of, live_incident
from outagelens.server.status.render import maintenance_models, page_path, render_audience
from outagelens.server.status.reported import (
    covered_keys,
    provisional,
    reported_incident,
    reports_of,
)
from outagelens.server.status.snapshots import SnapshotCache
from outagelens.server.status.tokens import TokenBook
from outagelens.store.rows import now_utc
from outagelens.store.status_records import OutboxItem, StatusUpdate, UpdateState
from outagelens.store.status_sql import SqlStatusStore
from outagelens.topology import Catalog

log = logging.getLogger("outagelens.server.status")
AUTHOR = "outagelens"
EVENT = "incident.update"
OPEN = (IncidentStatus.INVESTIGATING, IncidentStatus.IDENTIFIED)
ALL = 10_000


class StatusService:
    """Pages, drafts and notifications of one server."""

    def __init__(self, ctx: ServerContext, store: SqlStatusStore, cache: SnapshotCache) -> None:
        self.ctx = ctx
        self.store = store
        self.cache = cache
        self.tokens = TokenBook(ctx.settings.api_key_pepper)
        self._fingerprint: str | None = None
        self._lock = threading.Lock()
        self._stop = threading.Event()
        self._wake = threading.Event()
        self._thread: threading.Thread | None = None
        self.on_enqueue: Callable[[], None] | None = None

    # -- the loop -----------------------------------------------------------------------------

    def start(self) -> None:
        """Sync now, then keep syncing on a thread."""
        self.sync()
        self._thread = threading.Thread(target=self._run, name="outagelens-status", daemon=True)
        self._thread.start()

    def stop(self) -> None:
        """Stop the thread."""
        self._stop.set()
        self._wake.set()
        if self._thread is not None:
            self._thread.join(10)

    def wake(self) -> None:
        """Ask for a sync soon."""
        self._wake.set()

    def _run(self) -> None:
        while not self._stop.is_set():
            self._wake.wait(self.ctx.settings.status_refresh_seconds)
            self._wake.clear()
            if self._stop.is_set():
                break
            try:
                self.sync()
            except Exception:  # a bug must not end the pages' refresh silently
                log.exception("status sync crashed")

    # -- one pass -----------------------------------------------------------------------------

    def sync(self, now: datetime | None = None, *, force: bool = False) -> bool:
        """Bring drafts, notifications and pages up to date; True if pages were re-rendered."""
        with self._lock:
            try:
                return self._sync(now or now_utc(), force)
            except StoreError as exc:
                if not self.cache.stale:
                    log.warning("store unavailable: serving saved pages", extra={"error": str(exc)})
                self.cache.stale = True
                return False

    def _sync(self, now: datetime, force: bool) -> bool:
        self.tokens.load(self.store.page_tokens())
        catalog = self.ctx.catalog()
        if catalog is None:
            self.cache.stale = False
            return False
        wall = now
        lives = self.live_incidents(catalog)
        now = data_clock(now, lives)
        if self._draft_missing(catalog, lives, now, wall):
            lives = self.live_incidents(catalog)
        lives = self.page_incidents(catalog, lives, now, wall)
        maint = self.store.maintenances()
        overrides = self.component_overrides()
        fingerprint = _fingerprint(lives, maint, overrides, now)
        if not force and fingerprint == self._fingerprint and not self.cache.stale:
            return False
        clock = now
        maintenances = maintenance_models(maint, clock)
        for audience in [PUBLIC, *sorted(catalog.customers)]:
            _, page = render_audience(
                catalog,
                lives,
                audience=audience,
                now=clock,
                base_url=self.ctx.settings.status_base_url,
                maintenances=maintenances,
                overrides=overrides,
            )
            self.cache.put(page)
        self._fingerprint = fingerprint
        self.cache.stale = False
        return True

    def live_incidents(self, catalog: Catalog) -> list[LiveIncident]:
        """Every stored incident with its published updates."""
        published: dict[str, list[StatusUpdate]] = {}
        for item in self.store.status_updates(state=UpdateState.PUBLISHED):
            published.setdefault(item.incident_id, []).append(item)
        out = []
        for record in self.ctx.store.incidents():
            live = live_incident(
                catalog,
                record,
                self.ctx.store.overrides(record.id),
                published.get(record.id, []),
                self.ctx.settings.confident,
            )
            if live is not None:
                out.append(live)
        return out

    def page_incidents(
        self, catalog: Catalog, lives: Sequence[LiveIncident], now: datetime, wall: datetime
    ) -> list[LiveIncident]:
        """What the pages show: announced incidents as they are; open unannounced ones as
        'investigating' without a cause; firing customer-facing alerts no stored incident covers
        (an open one covers every alert of its components, a resolved one those that started
        before its resolution) as one provisional incident (server/status/reported.py).
        Nothing here notifies."""
        announced = {u.incident_id for u in self.store.status_updates()}
        settings = self.ctx.settings
        auto = settings.status_auto_publish
        shown: list[LiveIncident] = []
        for inc in lives:
            if inc.id in announced:
                shown.append(inc)
            elif inc.status in OPEN:
                shown.append(provisional(catalog, inc, now, texts=auto))
            elif inc.scope.duration_minutes * 60 >= settings.status_confirm_seconds:
                # Over before it was confirmed (signals that arrived late): a real outage for
                # the history and uptime bars, told to nobody. A shorter one was a blip.
                shown.append(inc)
        since = wall - timedelta(minutes=self.ctx.settings.window_minutes)
        # firing now and started within the window (old alerts that never resolved must not
        # take the limit's places of the newest ones)
        alerts = self.ctx.store.signals("alert", since=wall, started_since=since, limit=ALL)
        reports = reports_of(catalog, alerts, wall)
        early = reported_incident(catalog, reports, covered_keys(lives), now, texts=auto)
        return [*shown, early] if early is not None else shown

    def component_overrides(self) -> dict[str, ComponentStatus]:
        """Component -> status a person set (the latest per component; None clears)."""
        latest: dict[str, str | None] = {}
        for o in self.store.component_overrides():
            latest[o.component] = o.status
        return {c: ComponentStatus(s) for c, s in latest.items() if s is not None}

    # -- drafts and notifications -------------------------------------------------------------

    def _draft_missing(
        self, catalog: Catalog, lives: Sequence[LiveIncident], now: datetime, wall: datetime
    ) -> int:
        """Draft each audience's update of each incident's current stage, once; count new ones.

        An incident is announced only once confirmed: open for `status_confirm_seconds` (wall
        clock), or its cause confirmed by a person. One that ends before that is never
        announced, so a short-lived split of the first minutes sends neither 'investigating'
        nor 'resolved'. An audience is told only when the incident touches a component of its
        page (a hardware alarm on a redundant peer touches none), or when it was told before
        (so it hears how the incident ends).
        """
        stored = self.store.status_updates()
        existing = {u.id for u in stored}
        told = {(u.incident_id, u.audience) for u in stored}
        announced = {u.incident_id for u in stored}
        confirm = timedelta(seconds=self.ctx.settings.status_confirm_seconds)
        auto = self.ctx.settings.status_auto_publish
        added = 0
        for inc in lives:
            person = inc.cause is not None and inc.cause.confirmed  # a person confirmed it
            if inc.id not in announced and (
                inc.status not in OPEN or (wall - inc.created_at < confirm and not person)
            ):
                continue
            for audience in audiences_of(catalog, inc):
                if (inc.id, audience) not in told and not audience_entities(catalog, inc, audience):
                    continue
                update_id = f"{inc.id}:{audience}:{inc.status.value}{_cause_key(inc)}"
                if update_id in existing:
                    continue
                draft = draft_update(catalog, inc, audience=audience, stage=inc.status, now=now)
                item = StatusUpdate(
                    id=update_id,
                    incident_id=inc.id,
                    audience=audience,
                    stage=inc.status.value,
                    body=draft.body,
                    state=UpdateState.PUBLISHED if auto else UpdateState.DRAFTED,
                    author=AUTHOR,
                    drafted=True,
                    components=tuple(sorted(audience_entities(catalog, inc, audience))),
                    created_at=now,
                    published_at=now if auto else None,
                )
                if self.store.add_status_update(item):
                    added += 1
                    if auto:
                        self.notify(catalog, inc, item, now)
        return added

    def notify(
        self, catalog: Catalog, incident: LiveIncident, item: StatusUpdate, now: datetime
    ) -> int:
        """Enqueue a published update for the page's subscribers it concerns; count new ones."""
        payload = notification_payload(catalog, incident, item, self.ctx.settings.status_base_url)
        items = [
            OutboxItem(f"{item.id}:{sub.id}", sub.id, EVENT, payload)
            for sub in self.store.subscribers(item.audience)
            if not sub.components or set(sub.components) & set(item.components)
        ]
        # The outbox runs on the wall clock (deliveries are due by it), even when the data clock
        # that dates the update runs ahead of it (a replay faster than real time).
        added = self.store.enqueue(items, min(now, now_utc())) if items else 0
        if added and self.on_enqueue is not None:
            self.on_enqueue()
        return added


def _cause_key(inc: LiveIncident) -> str:
    """Suffix naming the cause an 'identified' update states, so a revised cause is a new update.

    The investigation may revise its cause after the first 'identified' update: the page must
    then say the new cause, not keep the first one.
    """
    if inc.status is not IncidentStatus.IDENTIFIED or inc.cause is None:
        return ""
    c = inc.cause
    return f":{c.category}:{c.component_kind}:{c.location or '-'}"


def data_clock(now: datetime, lives: Sequence[LiveIncident]) -> datetime:
    """The later of the wall clock and the newest data time (replays and skewed sources run
    ahead of the clock; the live investigation takes the same view)."""
    latest = [i.scope.start + timedelta(minutes=i.scope.duration_minutes) for i in lives]
    return max([now, *latest])


def notification_payload(
    catalog: Catalog, incident: LiveIncident, item: StatusUpdate, base_url: str
) -> dict[str, Any]:
    """What a subscriber receives: the page, the incident as that page shows it, the update."""
    audience = item.audience
    statuses: list[ComponentStatus] = []
    for sub in incident.scope.subscriptions:
        if audience != PUBLIC and sub.customer != audience:
            continue
        statuses.extend(interval_status(iv.state, iv.failed_fraction) for iv in sub.intervals)
    impact = incident_impact(statuses)
    page_incident_id = incident.id if audience == PUBLIC else f"{incident.id}-{audience}"
    return {
        "page": {"id": audience, "url": base_url.rstrip("/") + page_path(audience)},
        "incident": {
            "id": page_incident_id,
            "name": incident_name(catalog, list(item.components), impact),
            "impact": impact.value,
            "components": list(item.components),
        },
        "update": {
            "id": item.id,
            "status": item.stage,
            "body": item.body,
            "created_at": (item.published_at or item.created_at).isoformat(),
        },
    }


def _fingerprint(
    lives: Sequence[LiveIncident],
    maint: Sequence[Any],
    overrides: dict[str, ComponentStatus],
    now: datetime,
) -> str:
    """What pages show, hashed; the minute is in it so time-driven states move on."""
    parts: list[Any] = [now.replace(second=0, microsecond=0).isoformat(), sorted(overrides.items())]
    for inc in lives:
        parts.append((inc.id, inc.status, inc.updated_at, inc.cause, inc.resolved_at))
        # Provisional incidents change with the alerts behind them, not with `updated_at`.
        parts.append(
            [
                (sub.subscription, iv.location, iv.state, iv.failed_fraction, iv.end)
                for sub in inc.scope.subscriptions
                for iv in sub.intervals
            ]
        )
        parts.append(sorted((k, [u.id for u in v]) for k, v in inc.updates.items()))
    parts.append([(m.id, m.cancelled, m.updated_at) for m in maint])
    return hashlib.sha256(repr(parts).encode()).hexdigest()
