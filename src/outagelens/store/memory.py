"""MemoryStore: the Store in plain dicts, for core tests and single-process experiments."""

from __future__ import annotations

import hashlib
import threading
import uuid
from collections.abc import Sequence
from dataclasses import replace
from datetime import datetime
from typing import Any

from outagelens.errors import InboxClaimError, StoreError
from outagelens.store.records import (
    ApiKeyRecord,
    CatalogRecord,
    FramePoint,
    InboxItem,
    InboxRecord,
    IncidentRecord,
    IncidentStatus,
    IncidentVersion,
    IngestResult,
    Note,
    Override,
    SignalBatch,
    SignalRecord,
)
from outagelens.store.rows import now_utc, supersedes


class MemoryStore:
    """Same contract as SqlStore (insert-or-ignore inbox, upserts, versions), nothing durable."""

    def __init__(self) -> None:
        self._lock = threading.RLock()
        self._inbox: list[InboxRecord] = []
        self._delivered: set[tuple[str, str, str]] = set()
        self._signals: dict[tuple[str, str], SignalRecord] = {}
        self._points: dict[tuple[str, tuple[str, ...], datetime], FramePoint] = {}
        self._incidents: dict[str, IncidentRecord] = {}
        self._versions: dict[str, list[IncidentVersion]] = {}
        self._overrides: list[Override] = []
        self._notes: list[Note] = []
        self._keys: dict[str, ApiKeyRecord] = {}
        self._catalogs: list[CatalogRecord] = []

    def ping(self) -> None:
        """Always reachable."""

    def add_to_inbox(self, items: Sequence[InboxItem]) -> IngestResult:
        """Insert-or-ignore on (source, dedup_key, starts_at)."""
        accepted = 0
        with self._lock:
            for i in items:
                key = (i.source, i.dedup_key, i.starts_at)
                if key in self._delivered:
                    continue
                self._delivered.add(key)
                rec = InboxRecord(
                    len(self._inbox) + 1,
                    i.source,
                    i.kind,
                    i.dedup_key,
                    i.starts_at,
                    dict(i.payload),
                    now_utc(),
                    False,
                )
                self._inbox.append(rec)
                accepted += 1
        return IngestResult(accepted, len(items) - accepted)

    def inbox_depth(self) -> int:
        """Unprocessed rows."""
        return sum(not r.processed for r in self._inbox)

    def inbox_count(self, source: str | None = None) -> int:
        """All rows, optionally of one source."""
        return sum(source is None or r.source == source for r in self._inbox)

    def unprocessed(self, limit: int) -> list[InboxRecord]:
        """Oldest unprocessed rows."""
        return [r for r in self._inbox if not r.processed][:limit]

    def processed_of(self, source: str, kind: str) -> list[InboxRecord]:
        """Processed rows of one source and kind."""
        return [r for r in self._inbox if r.processed and r.source == source and r.kind == kind]

    def apply(self, batch: SignalBatch) -> None:
        """Upsert signals and points; mark rows processed."""
        with self._lock:
            done = set(batch.processed_ids)
            taken = [r.id for r in self._inbox if r.id in done and r.processed]
            if taken:
                raise InboxClaimError(
                    f"{len(taken)} of {len(done)} inbox rows were already processed by another "
                    "worker; batch not stored"
                )
            for sig in batch.signals:
                old = self._signals.get((sig.kind, sig.key))
                if old is None or supersedes(sig, old):
                    self._signals[(sig.kind, sig.key)] = sig
            for p in batch.points:
                self._points[(p.frame, p.key, p.minute)] = p
            self._inbox = [replace(r, processed=True) if r.id in done else r for r in self._inbox]

    def signals(
        self,
        kind: str | None = None,
        *,
        since: datetime | None = None,
        until: datetime | None = None,
        started_since: datetime | None = None,
        limit: int = 1000,
        offset: int = 0,
    ) -> list[SignalRecord]:
        """Signals by time then key."""
        out = [
            s
            for s in self._signals.values()
            if (kind is None or s.kind == kind)
            and (since is None or s.end is None or s.end >= since)
            and (until is None or s.time < until)
            and (started_since is None or s.time >= started_since)
        ]
        out.sort(key=lambda s: (s.time, s.key))
        return out[offset : offset + limit]

    def time_range(self) -> tuple[datetime, datetime] | None:
        """Earliest and latest signal or point time."""
        times = [t for s in self._signals.values() for t in (s.time, s.end) if t is not None]
        times += [p.minute for p in self._points.values()]
        return (min(times), max(times)) if times else None

    def points(
        self, frame: str, *, since: datetime | None = None, until: datetime | None = None
    ) -> list[FramePoint]:
        """Points of one frame in [since, until)."""
        return sorted(
            (
                p
                for p in self._points.values()
                if p.frame == frame
                and (since is None or p.minute >= since)
                and (until is None or p.minute < until)
            ),
            key=lambda p: (p.minute, p.key),
        )

    def create_incident(
        self, match_key: str, snapshot: dict[str, Any], status: IncidentStatus
    ) -> IncidentRecord:
        """Open an incident at version 1."""
        now = now_utc()
        resolved = now if status == IncidentStatus.RESOLVED else None
        rec = IncidentRecord(
            f"inc-{now:%Y%m%d}-{uuid.uuid4().hex[:8]}",
            status,
            now,
            now,
            match_key,
            1,
            dict(snapshot),
            resolved,
        )
        with self._lock:
            self._incidents[rec.id] = rec
            self._versions[rec.id] = [IncidentVersion(rec.id, 1, now, status, dict(snapshot))]
        return rec

    def update_incident(
        self,
        incident_id: str,
        *,
        snapshot: dict[str, Any] | None = None,
        status: IncidentStatus | None = None,
        match_key: str | None = None,
    ) -> IncidentRecord:
        """New version when snapshot or status changed."""
        with self._lock:
            head = self._incidents.get(incident_id)
            if head is None:
                raise StoreError(f"unknown incident '{incident_id}'")
            if match_key is not None:
                head = replace(head, match_key=match_key)
            changed = (snapshot is not None and snapshot != head.snapshot) or (
                status is not None and status != head.status
            )
            if changed:
                now = now_utc()
                new_status = status if status is not None else head.status
                resolved = now if new_status == IncidentStatus.RESOLVED else None
                head = replace(
                    head,
                    version=head.version + 1,
                    updated_at=now,
                    snapshot=dict(snapshot) if snapshot is not None else head.snapshot,
                    status=new_status,
                    resolved_at=resolved if status is not None else head.resolved_at,
                )
                self._versions[incident_id].append(
                    IncidentVersion(incident_id, head.version, now, head.status, head.snapshot)
                )
            self._incidents[incident_id] = head
            return head

    def incident(self, incident_id: str) -> IncidentRecord | None:
        """One incident or None."""
        return self._incidents.get(incident_id)

    def incidents(self, status: IncidentStatus | None = None) -> list[IncidentRecord]:
        """Newest first."""
        out = [i for i in self._incidents.values() if status is None or i.status == status]
        return sorted(out, key=lambda i: (-i.created_at.timestamp(), i.id))

    def incident_versions(self, incident_id: str) -> list[IncidentVersion]:
        """Oldest first."""
        return list(self._versions.get(incident_id, []))

    def add_override(
        self, incident_id: str, entities: Sequence[str], category: str, author: str, comment: str
    ) -> Override:
        """Record an override."""
        with self._lock:
            o = Override(
                len(self._overrides) + 1,
                incident_id,
                tuple(entities),
                category,
                author,
                comment,
                now_utc(),
            )
            self._overrides.append(o)
        return o

    def overrides(self, incident_id: str) -> list[Override]:
        """Oldest first."""
        return [o for o in self._overrides if o.incident_id == incident_id]

    def add_note(self, incident_id: str, author: str, text: str) -> Note:
        """Add a note."""
        with self._lock:
            n = Note(len(self._notes) + 1, incident_id, author, text, now_utc())
            self._notes.append(n)
        return n

    def notes(self, incident_id: str) -> list[Note]:
        """Oldest first."""
        return [n for n in self._notes if n.incident_id == incident_id]

    def add_api_key(self, record: ApiKeyRecord) -> None:
        """Store a key."""
        self._keys[record.key_id] = record

    def api_key(self, key_id: str) -> ApiKeyRecord | None:
        """A key or None."""
        return self._keys.get(key_id)

    def api_keys(self) -> list[ApiKeyRecord]:
        """Every key, oldest first."""
        return sorted(self._keys.values(), key=lambda k: (k.created_at, k.key_id))

    def revoke_api_key(self, key_id: str) -> bool:
        """Mark a key revoked; False if unknown."""
        record = self._keys.get(key_id)
        if record is None:
            return False
        self._keys[key_id] = replace(record, revoked=True)
        return True

    def add_catalog(self, text: str, source: str, *, activate: bool) -> CatalogRecord:
        """Store a catalog version."""
        with self._lock:
            if activate:
                self._catalogs = [replace(c, active=False) for c in self._catalogs]
            rec = CatalogRecord(
                len(self._catalogs) + 1,
                now_utc(),
                source,
                text,
                hashlib.sha256(text.encode()).hexdigest(),
                activate,
            )
            self._catalogs.append(rec)
        return rec

    def active_catalog(self) -> CatalogRecord | None:
        """The active catalog or None."""
        return next((c for c in reversed(self._catalogs) if c.active), None)
