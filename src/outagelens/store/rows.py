"""Shared pieces of the SQL store: table handles, time, the supersede rule, row converters."""

from __future__ import annotations

from collections.abc import Iterator, Sequence
from datetime import UTC, datetime
from typing import Any, TypeVar

from sqlalchemy import Row, Table

from outagelens.store.records import (
    FramePoint,
    InboxRecord,
    IncidentRecord,
    IncidentStatus,
    SignalRecord,
)
from outagelens.store.tables import (
    ApiKeyRow,
    CatalogRow,
    FramePointRow,
    InboxRow,
    IncidentRow,
    IncidentVersionRow,
    NoteRow,
    OverrideRow,
    SignalRow,
)

T = TypeVar("T")
_CHUNK = 500


def table_of(model: Any) -> Table:
    table = model.__table__
    assert isinstance(table, Table)  # declarative models always carry a Table
    return table


INBOX = table_of(InboxRow)
SIGNALS = table_of(SignalRow)
POINTS = table_of(FramePointRow)
INCIDENTS = table_of(IncidentRow)
VERSIONS = table_of(IncidentVersionRow)
OVERRIDES = table_of(OverrideRow)
NOTES = table_of(NoteRow)
KEYS = table_of(ApiKeyRow)
CATALOGS = table_of(CatalogRow)


def now_utc() -> datetime:
    """The current time, aware UTC."""
    return datetime.now(UTC)


def supersedes(new: SignalRecord, old: SignalRecord) -> bool:
    """Whether a newer delivery of the same signal replaces the stored one.

    An ended signal (resolved alert, cleared alarm) is never replaced by a still-open copy of
    itself: Alertmanager may redeliver the firing state after the resolution.
    """
    if old.end is None:
        return True
    return new.end is not None and new.end >= old.end


def chunks(items: Sequence[T], size: int = _CHUNK) -> Iterator[Sequence[T]]:
    for i in range(0, len(items), size):
        yield items[i : i + size]


def as_utc(value: datetime | str) -> datetime:
    """Aggregates bypass the column type on SQLite (they come back as text)."""
    if isinstance(value, str):
        value = datetime.fromisoformat(value)
    return value.replace(tzinfo=UTC) if value.tzinfo is None else value.astimezone(UTC)


def inbox_record(r: Row[Any]) -> InboxRecord:
    return InboxRecord(
        id=r.id,
        source=r.source,
        kind=r.kind,
        dedup_key=r.dedup_key,
        starts_at=r.starts_at,
        payload=dict(r.payload),
        received_at=r.received_at,
        processed=r.processed,
    )


def signal_record(r: Row[Any]) -> SignalRecord:
    return SignalRecord(
        kind=r.kind, key=r.key, time=r.time, end=r.end, entity=r.entity, payload=dict(r.payload)
    )


def signal_row(s: SignalRecord) -> dict[str, Any]:
    return {
        "kind": s.kind,
        "key": s.key,
        "time": s.time,
        "end": s.end,
        "entity": s.entity,
        "payload": s.payload,
    }


def point_row(p: FramePoint) -> dict[str, Any]:
    k = (*p.key, "", "", "")
    return {
        "frame": p.frame,
        "key1": k[0],
        "key2": k[1],
        "key3": k[2],
        "minute": p.minute,
        "values": p.values,
    }


def version_row(
    incident_id: str, version: int, at: datetime, status: IncidentStatus, snap: dict[str, Any]
) -> dict[str, Any]:
    return {
        "incident_id": incident_id,
        "version": version,
        "created_at": at,
        "status": str(status),
        "snapshot": snap,
    }


def incident_record_from(row: dict[str, Any]) -> IncidentRecord:
    return IncidentRecord(
        id=row["id"],
        status=IncidentStatus(row["status"]),
        created_at=row["created_at"],
        updated_at=row["updated_at"],
        match_key=row["match_key"],
        version=row["version"],
        snapshot=dict(row["snapshot"]),
        resolved_at=row["resolved_at"],
    )
