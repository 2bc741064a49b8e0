"""SqlStore: the Store on SQLAlchemy 2 Core, for SQLite and PostgreSQL."""

from __future__ import annotations

import hashlib
import uuid
from collections.abc import Callable, Iterator, Sequence
from contextlib import contextmanager
from dataclasses import replace
from datetime import datetime
from typing import Any

from sqlalchemy import Connection, Engine, Row, Table, func, select, text, update
from sqlalchemy.dialects import postgresql, sqlite
from sqlalchemy.exc import DBAPIError, SQLAlchemyError

from outagelens.errors import InboxClaimError, StoreError
from outagelens.store.db import WRITE_OPTION
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
    Scope,
    SignalBatch,
    SignalRecord,
)
from outagelens.store.rows import (
    CATALOGS,
    INBOX,
    INCIDENTS,
    KEYS,
    NOTES,
    OVERRIDES,
    POINTS,
    SIGNALS,
    VERSIONS,
    as_utc,
    chunks,
    inbox_record,
    incident_record_from,
    now_utc,
    point_row,
    signal_record,
    signal_row,
    supersedes,
    version_row,
)


class SqlStore:
    """The Store on a SQLAlchemy engine; every public method is one committed transaction."""

    def __init__(self, engine: Engine) -> None:
        self.engine = engine
        dialect = engine.dialect.name
        self._insert: Callable[[Table], Any] = (
            postgresql.insert if dialect == "postgresql" else sqlite.insert
        )

    @contextmanager
    def _read(self) -> Iterator[Connection]:
        try:
            with self.engine.connect() as conn:
                yield conn
        except DBAPIError as exc:
            raise StoreError(f"database unavailable: {exc.orig}") from exc
        except SQLAlchemyError as exc:
            raise StoreError(f"database error: {exc}") from exc

    @contextmanager
    def _write(self) -> Iterator[Connection]:
        try:
            with self.engine.connect() as conn:
                conn = conn.execution_options(**{WRITE_OPTION: True})
                with conn.begin():
                    yield conn
        except DBAPIError as exc:
            raise StoreError(f"database unavailable: {exc.orig}") from exc
        except SQLAlchemyError as exc:
            raise StoreError(f"database error: {exc}") from exc

    def ping(self) -> None:
        """Raise StoreError if the database cannot be reached."""
        with self._read() as conn:
            conn.execute(text("SELECT 1"))

    # ------------------------------------------------------------------ inbox
    def add_to_inbox(self, items: Sequence[InboxItem]) -> IngestResult:
        """Insert-or-ignore on (source, dedup_key, starts_at); committed before returning."""
        if not items:
            return IngestResult(0, 0)
        received = now_utc()
        rows = [
            {
                "source": i.source,
                "kind": i.kind,
                "dedup_key": i.dedup_key,
                "starts_at": i.starts_at,
                "received_at": received,
                "payload": i.payload,
                "processed": False,
            }
            for i in items
        ]
        stmt = (
            self._insert(INBOX)
            .on_conflict_do_nothing(index_elements=["source", "dedup_key", "starts_at"])
            .returning(INBOX.c.id)
        )
        accepted = 0
        with self._write() as conn:
            for chunk in chunks(rows):
                accepted += len(conn.execute(stmt, list(chunk)).all())
        return IngestResult(accepted=accepted, duplicates=len(items) - accepted)

    def inbox_depth(self) -> int:
        """Unprocessed inbox rows."""
        with self._read() as conn:
            q = select(func.count()).select_from(INBOX).where(INBOX.c.processed.is_(False))
            return int(conn.execute(q).scalar_one())

    def inbox_count(self, source: str | None = None) -> int:
        """All inbox rows, optionally of one source."""
        q = select(func.count()).select_from(INBOX)
        if source is not None:
            q = q.where(INBOX.c.source == source)
        with self._read() as conn:
            return int(conn.execute(q).scalar_one())

    def unprocessed(self, limit: int) -> list[InboxRecord]:
        """Oldest unprocessed rows first."""
        q = select(INBOX).where(INBOX.c.processed.is_(False)).order_by(INBOX.c.id).limit(limit)
        with self._read() as conn:
            return [inbox_record(r) for r in conn.execute(q)]

    def processed_of(self, source: str, kind: str) -> list[InboxRecord]:
        """Processed rows of one source and kind, in arrival order."""
        q = (
            select(INBOX)
            .where(INBOX.c.processed.is_(True), INBOX.c.source == source, INBOX.c.kind == kind)
            .order_by(INBOX.c.id)
        )
        with self._read() as conn:
            return [inbox_record(r) for r in conn.execute(q)]

    def apply(self, batch: SignalBatch) -> None:
        """Mark the inbox rows processed, upsert signals and points: one transaction.

        The rows are claimed first (`processed = false` -> true, row locks held to the commit):
        if any was processed meanwhile, by a worker that took over after this one lost its
        lease, the transaction rolls back and InboxClaimError says so; nothing is stored twice.
        """
        merged: dict[tuple[str, str], SignalRecord] = {}
        for sig in batch.signals:
            old = merged.get((sig.kind, sig.key))
            if old is None or supersedes(sig, old):
                merged[(sig.kind, sig.key)] = sig
        with self._write() as conn:
            claimed = 0
            for ids in chunks(batch.processed_ids):
                done = conn.execute(
                    update(INBOX)
                    .where(INBOX.c.id.in_(ids), INBOX.c.processed.is_(False))
                    .values(processed=True)
                )
                claimed += done.rowcount
            wanted = len(set(batch.processed_ids))
            if claimed != wanted:
                raise InboxClaimError(
                    f"{wanted - claimed} of {len(batch.processed_ids)} "
                    "inbox rows were already processed by another worker; batch not stored"
                )
            self._upsert_signals(conn, merged)
            self._upsert_points(conn, batch.points)

    def _upsert_signals(
        self, conn: Connection, merged: dict[tuple[str, str], SignalRecord]
    ) -> None:
        by_kind: dict[str, list[SignalRecord]] = {}
        for sig in merged.values():
            by_kind.setdefault(sig.kind, []).append(sig)
        for kind, sigs in by_kind.items():
            for chunk in chunks(sigs):
                keys = [s.key for s in chunk]
                q = select(SIGNALS).where(SIGNALS.c.kind == kind, SIGNALS.c.key.in_(keys))
                existing = {r.key: (r.id, signal_record(r)) for r in conn.execute(q)}
                new_rows = [signal_row(s) for s in chunk if s.key not in existing]
                if new_rows:
                    conn.execute(SIGNALS.insert(), new_rows)
                for s in chunk:
                    if s.key in existing and supersedes(s, existing[s.key][1]):
                        row_id = existing[s.key][0]
                        conn.execute(
                            update(SIGNALS).where(SIGNALS.c.id == row_id).values(signal_row(s))
                        )

    def _upsert_points(self, conn: Connection, points: Sequence[FramePoint]) -> None:
        latest: dict[tuple[str, tuple[str, ...], datetime], FramePoint] = {}
        for p in points:
            latest[(p.frame, p.key, p.minute)] = p  # a later upload of the same minute wins
        rows = [point_row(p) for p in latest.values()]
        stmt = self._insert(POINTS)
        stmt = stmt.on_conflict_do_update(
            index_elements=["frame", "key1", "key2", "key3", "minute"],
            set_={"values": stmt.excluded["values"]},
        )
        for chunk in chunks(rows):
            conn.execute(stmt, list(chunk))

    # ---------------------------------------------------------------- signals
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
        """Canonical signals ordered by time then key."""
        q = select(SIGNALS)
        if kind is not None:
            q = q.where(SIGNALS.c.kind == kind)
        if since is not None:
            q = q.where((SIGNALS.c.end.is_(None)) | (SIGNALS.c.end >= since))
        if until is not None:
            q = q.where(SIGNALS.c.time < until)
        if started_since is not None:
            q = q.where(SIGNALS.c.time >= started_since)
        q = q.order_by(SIGNALS.c.time, SIGNALS.c.key).limit(limit).offset(offset)
        with self._read() as conn:
            return [signal_record(r) for r in conn.execute(q)]

    def time_range(self) -> tuple[datetime, datetime] | None:
        """Earliest and latest time over signals (time, end) and frame points."""
        queries = [
            select(func.min(SIGNALS.c.time), func.max(SIGNALS.c.time)),
            select(func.min(SIGNALS.c.end), func.max(SIGNALS.c.end)),
            select(func.min(POINTS.c.minute), func.max(POINTS.c.minute)),
        ]
        times: list[datetime] = []
        with self._read() as conn:
            for q in queries:
                row = conn.execute(q).one()
                times.extend(as_utc(t) for t in row if t is not None)
        return (min(times), max(times)) if times else None

    def points(
        self, frame: str, *, since: datetime | None = None, until: datetime | None = None
    ) -> list[FramePoint]:
        """Points of one frame in [since, until)."""
        q = select(POINTS).where(POINTS.c.frame == frame)
        if since is not None:
            q = q.where(POINTS.c.minute >= since)
        if until is not None:
            q = q.where(POINTS.c.minute < until)
        with self._read() as conn:
            return [
                FramePoint(
                    frame=r.frame,
                    key=tuple(k for k in (r.key1, r.key2, r.key3) if k),
                    minute=r.minute,
                    values=dict(r.values),
                )
                for r in conn.execute(q.order_by(POINTS.c.minute))
            ]

    # -------------------------------------------------------------- incidents
    def create_incident(
        self, match_key: str, snapshot: dict[str, Any], status: IncidentStatus
    ) -> IncidentRecord:
        """Open an incident at version 1."""
        now = now_utc()
        incident_id = f"inc-{now:%Y%m%d}-{uuid.uuid4().hex[:8]}"
        row = {
            "id": incident_id,
            "status": str(status),
            "match_key": match_key,
            "created_at": now,
            "updated_at": now,
            "resolved_at": now if status == IncidentStatus.RESOLVED else None,
            "version": 1,
            "snapshot": snapshot,
        }
        with self._write() as conn:
            conn.execute(INCIDENTS.insert(), row)
            conn.execute(VERSIONS.insert(), version_row(incident_id, 1, now, status, snapshot))
        return incident_record_from(row)

    def update_incident(
        self,
        incident_id: str,
        *,
        snapshot: dict[str, Any] | None = None,
        status: IncidentStatus | None = None,
        match_key: str | None = None,
    ) -> IncidentRecord:
        """Write a new version when snapshot or status changed; return the head."""
        with self._write() as conn:
            row = conn.execute(select(INCIDENTS).where(INCIDENTS.c.id == incident_id)).first()
            if row is None:
                raise StoreError(f"unknown incident '{incident_id}'")
            head = dict(row._mapping)
            changed = (snapshot is not None and snapshot != head["snapshot"]) or (
                status is not None and str(status) != head["status"]
            )
            if match_key is not None:
                head["match_key"] = match_key
            if changed:
                now = now_utc()
                head["version"] += 1
                head["updated_at"] = now
                head["snapshot"] = snapshot if snapshot is not None else head["snapshot"]
                if status is not None:
                    head["status"] = str(status)
                    head["resolved_at"] = now if status == IncidentStatus.RESOLVED else None
                conn.execute(
                    VERSIONS.insert(),
                    version_row(
                        incident_id,
                        head["version"],
                        now,
                        IncidentStatus(head["status"]),
                        head["snapshot"],
                    ),
                )
            conn.execute(update(INCIDENTS).where(INCIDENTS.c.id == incident_id).values(head))
        return incident_record_from(head)

    def incident(self, incident_id: str) -> IncidentRecord | None:
        """One incident or None."""
        with self._read() as conn:
            row = conn.execute(select(INCIDENTS).where(INCIDENTS.c.id == incident_id)).first()
        return None if row is None else incident_record_from(dict(row._mapping))

    def incidents(self, status: IncidentStatus | None = None) -> list[IncidentRecord]:
        """Incidents, newest first."""
        q = select(INCIDENTS).order_by(INCIDENTS.c.created_at.desc(), INCIDENTS.c.id)
        if status is not None:
            q = q.where(INCIDENTS.c.status == str(status))
        with self._read() as conn:
            return [incident_record_from(dict(r._mapping)) for r in conn.execute(q)]

    def incident_versions(self, incident_id: str) -> list[IncidentVersion]:
        """Versions, oldest first."""
        q = select(VERSIONS).where(VERSIONS.c.incident_id == incident_id)
        with self._read() as conn:
            return [
                IncidentVersion(
                    incident_id=r.incident_id,
                    version=r.version,
                    created_at=r.created_at,
                    status=IncidentStatus(r.status),
                    snapshot=dict(r.snapshot),
                )
                for r in conn.execute(q.order_by(VERSIONS.c.version))
            ]

    def add_override(
        self, incident_id: str, entities: Sequence[str], category: str, author: str, comment: str
    ) -> Override:
        """Record an override; the newest one wins."""
        now = now_utc()
        row: dict[str, Any] = {
            "incident_id": incident_id,
            "entities": list(entities),
            "category": category,
            "author": author,
            "comment": comment,
            "created_at": now,
        }
        with self._write() as conn:
            new_id = conn.execute(OVERRIDES.insert().returning(OVERRIDES.c.id), row).scalar_one()
        return Override(int(new_id), incident_id, tuple(entities), category, author, comment, now)

    def overrides(self, incident_id: str) -> list[Override]:
        """Overrides, oldest first."""
        q = select(OVERRIDES).where(OVERRIDES.c.incident_id == incident_id)
        with self._read() as conn:
            return [
                Override(
                    id=r.id,
                    incident_id=r.incident_id,
                    entities=tuple(r.entities),
                    category=r.category,
                    author=r.author,
                    comment=r.comment,
                    created_at=r.created_at,
                )
                for r in conn.execute(q.order_by(OVERRIDES.c.id))
            ]

    def add_note(self, incident_id: str, author: str, text: str) -> Note:
        """Add a note."""
        now = now_utc()
        row = {"incident_id": incident_id, "author": author, "text": text, "created_at": now}
        with self._write() as conn:
            new_id = conn.execute(NOTES.insert().returning(NOTES.c.id), row).scalar_one()
        return Note(int(new_id), incident_id, author, text, now)

    def notes(self, incident_id: str) -> list[Note]:
        """Notes, oldest first."""
        q = select(NOTES).where(NOTES.c.incident_id == incident_id).order_by(NOTES.c.id)
        with self._read() as conn:
            return [
                Note(
                    id=r.id,
                    incident_id=r.incident_id,
                    author=r.author,
                    text=r.text,
                    created_at=r.created_at,
                )
                for r in conn.execute(q)
            ]

    # ------------------------------------------------------- keys and catalogs
    def add_api_key(self, record: ApiKeyRecord) -> None:
        """Store a key's hash and scope."""
        with self._write() as conn:
            conn.execute(
                KEYS.insert(),
                {
                    "key_id": record.key_id,
                    "key_hash": record.key_hash,
                    "scope": str(record.scope),
                    "name": record.name,
                    "created_at": record.created_at,
                    "revoked": record.revoked,
                },
            )

    def api_key(self, key_id: str) -> ApiKeyRecord | None:
        """A key by id, or None."""
        with self._read() as conn:
            r = conn.execute(select(KEYS).where(KEYS.c.key_id == key_id)).first()
        return None if r is None else _key_record(r)

    def api_keys(self) -> list[ApiKeyRecord]:
        """Every key, revoked ones included, oldest first."""
        with self._read() as conn:
            rows = conn.execute(select(KEYS).order_by(KEYS.c.created_at, KEYS.c.key_id)).all()
        return [_key_record(r) for r in rows]

    def revoke_api_key(self, key_id: str) -> bool:
        """Mark a key revoked; False if unknown."""
        with self._write() as conn:
            done = conn.execute(update(KEYS).where(KEYS.c.key_id == key_id).values(revoked=True))
        return bool(done.rowcount)

    def add_catalog(self, text: str, source: str, *, activate: bool) -> CatalogRecord:
        """Store a catalog version, optionally making it the only active one."""
        record = CatalogRecord(
            id=0,
            created_at=now_utc(),
            source=source,
            text=text,
            sha256=hashlib.sha256(text.encode()).hexdigest(),
            active=activate,
        )
        row = {k: v for k, v in vars(record).items() if k != "id"}
        with self._write() as conn:
            if activate:
                conn.execute(update(CATALOGS).where(CATALOGS.c.active).values(active=False))
            new_id = conn.execute(CATALOGS.insert().returning(CATALOGS.c.id), row).scalar_one()
        return replace(record, id=int(new_id))

    def active_catalog(self) -> CatalogRecord | None:
        """The active catalog, or None."""
        q = select(CATALOGS).where(CATALOGS.c.active).order_by(CATALOGS.c.id.desc()).limit(1)
        with self._read() as conn:
            r = conn.execute(q).first()
        if r is None:
            return None
        return CatalogRecord(
            id=r.id,
            created_at=r.created_at,
            source=r.source,
            text=r.text,
            sha256=r.sha256,
            active=r.active,
        )


def _key_record(r: Row[Any]) -> ApiKeyRecord:
    return ApiKeyRecord(
        key_id=r.key_id,
        key_hash=r.key_hash,
        scope=Scope(r.scope),
        name=r.name,
        created_at=r.created_at,
        revoked=r.revoked,
    )
