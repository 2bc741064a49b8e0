"""Live investigation: rebuild the signal window from the store, investigate, upsert incidents.

Incidents are matched across runs by root cause (top hypothesis entities), else by overlapping
scope. A new version is written only when the belief changes (root cause, category, rounded
confidence, scope members, start/end), so the history says what was believed when. Lifecycle:
investigating -> identified (top hypothesis at least `confident`) -> monitoring (no ongoing
symptom) -> resolved (`quiet_minutes` after the last symptom ended); symptoms returning reopen.
"""

from __future__ import annotations

import importlib.util
import logging
import multiprocessing
from concurrent.futures import ProcessPoolExecutor
from concurrent.futures.process import BrokenProcessPool
from datetime import datetime, timedelta
from typing import Any

from pydantic_core import to_jsonable_python

from outagelens.errors import InvestigationError
from outagelens.server.context import ServerContext
from outagelens.server.processing import minute_floor, signal_set
from outagelens.server.status.sla import catalog_for_sla
from outagelens.store.db import make_engine
from outagelens.store.protocol import Store
from outagelens.store.records import IncidentRecord, IncidentStatus
from outagelens.store.rows import now_utc
from outagelens.store.sql import SqlStore
from outagelens.topology import Catalog
from outagelens.topology.construct import allow_gc_freeze

log = logging.getLogger("outagelens.server.live")
ORDER = list(IncidentStatus)
ALL = 10_000_000


class LiveInvestigator:
    """The live step: investigate in a child process (SqlStore) or in this thread (others).

    The investigation is CPU-bound Python; in the API process it would hold the GIL and slow
    every request. A one-process pool keeps it off the request path for real: the child opens
    its own connection, reads the window, investigates, and returns snapshots to upsert here.
    """

    def __init__(self, ctx: ServerContext) -> None:
        self.ctx = ctx
        self._pool: ProcessPoolExecutor | None = None
        self._closed = False
        if ctx.settings.investigate_in_subprocess and isinstance(ctx.store, SqlStore):
            self._pool = self._new_pool()

    def __call__(self) -> None:
        """One live pass; a crashed child is replaced for the next pass (unless closed)."""
        if self._closed:
            raise InvestigationError("the live investigation is shut down")
        try:
            run_live(self.ctx, pool=self._pool)
        except BrokenProcessPool:
            if self._closed:  # close() ended the child under this pass: shutting down
                raise InvestigationError("the live investigation is shut down") from None
            self._pool = self._new_pool()
            raise InvestigationError("the investigation process died; restarted it") from None

    def _new_pool(self) -> ProcessPoolExecutor:
        # the child lives as long as the server: no gc.freeze after its catalog loads either
        return ProcessPoolExecutor(
            1,
            mp_context=multiprocessing.get_context("spawn"),
            initializer=allow_gc_freeze,
            initargs=(False,),
        )

    def close(self) -> None:
        """Stop the child process now, even in the middle of an investigation.

        Shutting the pool down only cancels queued work: a child busy with a long investigation
        would outlive the server (SIGTERM from systemd or Kubernetes) by that investigation's
        length. Its result is not wanted any more, so the child is terminated and reaped.
        """
        self._closed = True
        if self._pool is None:
            return
        pool, self._pool = self._pool, None
        children = list(getattr(pool, "_processes", {}).values())  # CPython: pid -> Process
        for child in children:
            child.terminate()
        for child in children:
            child.join(5)
        pool.shutdown(wait=True, cancel_futures=True)


def live_step_for(ctx: ServerContext) -> LiveInvestigator | None:
    """The live step for this server, or None when the investigation engine is not installed."""
    # find_spec, not import: the engine pulls in scipy, which would slow every server start.
    if importlib.util.find_spec("outagelens.investigate") is None:
        log.warning("outagelens.investigate not available: live investigation is off")
        return None
    return LiveInvestigator(ctx)


def window_of(store: Store, minutes: int) -> tuple[datetime, datetime] | None:
    """The window of stored data to investigate: up to `minutes` ending at the latest."""
    bounds = store.time_range()
    if bounds is None:
        return None
    end = minute_floor(bounds[1]) + timedelta(minutes=1)
    start = max(minute_floor(bounds[0]), end - timedelta(minutes=minutes))
    return start, end


def investigate_store(
    store: Store, catalog: Catalog, minutes: int, prometheus_url: str | None = None
) -> tuple[list[dict[str, Any]], datetime | None]:
    """Snapshots of every incident in the store's current window, and the window end."""
    from outagelens.investigate import investigate

    if prometheus_url is not None:  # series from Prometheus (server/prometheus_source.py)
        from outagelens.server.prometheus_source import prometheus_signal_set

        live = prometheus_signal_set(store, catalog, minutes, prometheus_url)
        return [snapshot_of(i) for i in investigate(catalog, live).incidents], live.window_end
    window = window_of(store, minutes)
    if window is None:
        return [], None
    start, end = window
    catalog = catalog_for_sla(store, catalog)  # scheduled maintenance is not SLA downtime
    others = [r for k in ("change", "hardware", "hazard") for r in store.signals(k, limit=ALL)]
    signals = signal_set(
        store.signals("alert", since=start, until=end, limit=ALL),
        [r for r in others if r.time < end],
        store.points("series", since=start, until=end),
        store.points("traffic", since=start, until=end),
        window_start=start,
        window_end=end,
        catalog=catalog.source or "server",
    )
    result = investigate(catalog, signals, earlier_outages=earlier_outages(store, catalog, start))
    return [snapshot_of(i) for i in result.incidents], end


def earlier_outages(
    store: Store, catalog: Catalog, before: datetime
) -> dict[str, list[tuple[datetime, datetime, float]]]:
    """Outage intervals of stored incidents that ended before `before`, per subscription.

    They count toward the month's SLA uptime of the incidents investigated now; incidents still
    inside the window are investigated again and are not counted twice. A degraded interval
    weighs the subscription SLA's `degraded_weight`, a down one 1.
    """
    out: dict[str, list[tuple[datetime, datetime, float]]] = {}
    for record in store.incidents():
        scope = record.snapshot.get("scope")
        if not scope or not scope.get("end"):
            continue
        if datetime.fromisoformat(scope["end"]) > before:
            continue
        for sub in scope.get("subscriptions", []):
            ref = catalog.subscriptions.get(sub["subscription"])
            sla = ref.subscription.sla if ref else None
            degraded = sla.degraded_weight if sla else 0.0
            for iv in sub.get("intervals", []):
                if iv.get("end") is None:
                    continue
                weight = 1.0 if iv["state"] == "down" else degraded
                out.setdefault(sub["subscription"], []).append(
                    (datetime.fromisoformat(iv["start"]), datetime.fromisoformat(iv["end"]), weight)
                )
    return out


def investigate_database(
    url: str,
    schema: str | None,
    catalog_text: str,
    source: str,
    minutes: int,
    prometheus_url: str | None = None,
) -> tuple[list[dict[str, Any]], datetime | None]:
    """`investigate_store` on its own connection: what the child process runs."""
    from outagelens.server.api.catalog import parse_catalog

    engine = make_engine(url, schema=schema, pool_size=1)
    try:
        catalog = parse_catalog(catalog_text, source)
        return investigate_store(SqlStore(engine), catalog, minutes, prometheus_url)
    finally:
        engine.dispose()


def run_live(
    ctx: ServerContext, now: datetime | None = None, pool: ProcessPoolExecutor | None = None
) -> list[str]:
    """Investigate the current window and upsert incidents; return the incident ids touched."""
    record = ctx.store.active_catalog()
    catalog = ctx.catalog()
    if record is None or catalog is None:
        return []
    minutes = ctx.settings.window_minutes
    if pool is not None:
        settings = ctx.settings
        job = pool.submit(
            investigate_database,
            settings.db_url,
            settings.db_schema,
            record.text,
            record.source,
            minutes,
            settings.prometheus_url,
        )
        snaps, end = job.result()
    else:
        snaps, end = investigate_store(ctx.store, catalog, minutes, ctx.settings.prometheus_url)
    if end is None:
        return []
    # Data time can run ahead of this clock (replays, skewed sources): take the later of both.
    clock = max(now or now_utc(), end)
    return upsert_incidents(ctx, snaps, clock)


def snapshot_of(inv: Any) -> dict[str, Any]:
    """The stored JSON of one incident investigation, with its belief fingerprint."""
    scope = inv.incident.scope.model_dump(mode="json")
    hyps = [h.model_dump(mode="json") for h in inv.hypotheses]
    impact = to_jsonable_python(inv.impact) if inv.impact is not None else None
    top = hyps[0] if hyps else None
    summary = top["summary"] if top else f"{len(inv.incident.symptoms)} symptoms, cause unknown"
    snap = {
        "scope": scope,
        "hypotheses": hyps,
        "impact": impact,
        "timeline": [t.model_dump(mode="json") for t in inv.timeline],
        "summary": summary,
        "symptom_count": len(inv.incident.symptoms),
    }
    snap["belief"] = belief_of(snap)
    return snap


def belief_of(snap: dict[str, Any]) -> dict[str, Any]:
    """What counts as a change of belief (a new version): not elapsed time."""
    scope = snap["scope"]
    top = snap["hypotheses"][0] if snap["hypotheses"] else None
    return {
        "root_cause": sorted(top["entities"]) if top else [],
        "category": top["category"] if top else None,
        "confidence": round(float(top["confidence"]), 2) if top else None,
        "customers": sorted(scope["customers"]),
        "services": sorted(scope["services"]),
        "locations": sorted(scope["locations"]),
        "start": scope["start"],
        "end": scope["end"],
        "ongoing": scope["ongoing"],
    }


def match_key_of(snap: dict[str, Any]) -> str:
    """Root cause entities if any, else the affected customers."""
    belief = snap["belief"]
    if belief["root_cause"]:
        return "rc:" + ",".join(belief["root_cause"])
    return "scope:" + ",".join(belief["customers"] or belief["locations"])


def status_of(
    snap: dict[str, Any], settings_confident: float, quiet: float, now: datetime
) -> IncidentStatus:
    """Lifecycle status the evidence supports."""
    belief = snap["belief"]
    if belief["ongoing"] or belief["end"] is None:
        confident = belief["confidence"] is not None and belief["confidence"] >= settings_confident
        return IncidentStatus.IDENTIFIED if confident else IncidentStatus.INVESTIGATING
    ended = datetime.fromisoformat(str(belief["end"]).replace("Z", "+00:00"))
    return (
        IncidentStatus.RESOLVED
        if now - ended >= timedelta(minutes=quiet)
        else IncidentStatus.MONITORING
    )


def next_status(current: IncidentStatus, evidence: IncidentStatus) -> IncidentStatus:
    """Move forward with the evidence; go back only when symptoms return (reopen)."""
    reopened = current in (IncidentStatus.MONITORING, IncidentStatus.RESOLVED) and evidence in (
        IncidentStatus.INVESTIGATING,
        IncidentStatus.IDENTIFIED,
    )
    if reopened or ORDER.index(evidence) > ORDER.index(current):
        return evidence
    return current


def _overlaps(record: IncidentRecord, snap: dict[str, Any]) -> bool:
    old = record.snapshot.get("belief", {})
    new = snap["belief"]
    return bool(set(old.get("customers", [])) & set(new["customers"])) or bool(
        set(old.get("root_cause", [])) & set(new["root_cause"])
    )


def upsert_incidents(ctx: ServerContext, snaps: list[dict[str, Any]], now: datetime) -> list[str]:
    """Match snapshots to stored incidents, write versions on changed belief, advance status."""
    store, settings = ctx.store, ctx.settings
    open_incidents = [r for r in store.incidents() if r.status != IncidentStatus.RESOLVED]
    recent = [r for r in store.incidents(IncidentStatus.RESOLVED)][:50]
    touched: list[str] = []
    for snap in snaps:
        key = match_key_of(snap)
        candidates = [r for r in open_incidents + recent if r.id not in touched]
        match = next((r for r in candidates if r.match_key == key), None) or next(
            (r for r in candidates if _overlaps(r, snap)), None
        )
        evidence = status_of(snap, settings.confident, settings.quiet_minutes, now)
        if match is None:
            record = store.create_incident(key, snap, evidence)
        else:
            changed = match.snapshot.get("belief") != snap["belief"]
            record = store.update_incident(
                match.id,
                snapshot=snap if changed else None,
                status=next_status(match.status, evidence),
                match_key=key,
            )
        touched.append(record.id)
    for record in open_incidents:
        if record.id not in touched:  # its symptoms left the window: time alone decides
            quiet = now - record.updated_at >= timedelta(minutes=settings.quiet_minutes)
            status = IncidentStatus.RESOLVED if quiet else IncidentStatus.MONITORING
            store.update_incident(record.id, status=next_status(record.status, status))
    return touched
