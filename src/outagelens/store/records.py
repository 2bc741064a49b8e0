"""Plain records the store takes and returns: no SQLAlchemy types leak out of the store."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime
from enum import StrEnum
from typing import Any


class Scope(StrEnum):
    """What an API key may do; admin may do everything, read may not ingest."""

    INGEST = "ingest"
    READ = "read"
    ADMIN = "admin"


class IncidentStatus(StrEnum):
    """Incident lifecycle, in order."""

    INVESTIGATING = "investigating"
    IDENTIFIED = "identified"
    MONITORING = "monitoring"
    RESOLVED = "resolved"


@dataclass(frozen=True)
class InboxItem:
    """One raw signal to commit: (source, dedup_key, starts_at) identifies a delivery."""

    source: str
    kind: str
    dedup_key: str
    starts_at: str
    payload: dict[str, Any]


@dataclass(frozen=True)
class InboxRecord:
    """A committed inbox row."""

    id: int
    source: str
    kind: str
    dedup_key: str
    starts_at: str
    payload: dict[str, Any]
    received_at: datetime
    processed: bool


@dataclass(frozen=True)
class IngestResult:
    """How many items were new and how many were repeated deliveries."""

    accepted: int
    duplicates: int


@dataclass(frozen=True)
class SignalRecord:
    """A canonical signal: kind (alert, change, hardware, hazard) plus its unique key."""

    kind: str
    key: str
    time: datetime
    end: datetime | None
    entity: str | None
    payload: dict[str, Any]


@dataclass(frozen=True)
class FramePoint:
    """One minute of one series or traffic key; values None where no sample."""

    frame: str
    key: tuple[str, ...]
    minute: datetime
    values: dict[str, float | None]


@dataclass(frozen=True)
class SignalBatch:
    """What processing some inbox rows produced, applied in one transaction."""

    processed_ids: list[int]
    signals: list[SignalRecord] = field(default_factory=list)
    points: list[FramePoint] = field(default_factory=list)


@dataclass(frozen=True)
class IncidentRecord:
    """An incident's head row: status, latest believed snapshot and its version number."""

    id: str
    status: IncidentStatus
    created_at: datetime
    updated_at: datetime
    match_key: str
    version: int
    snapshot: dict[str, Any]
    resolved_at: datetime | None = None


@dataclass(frozen=True)
class IncidentVersion:
    """What was believed about an incident at `created_at`."""

    incident_id: str
    version: int
    created_at: datetime
    status: IncidentStatus
    snapshot: dict[str, Any]


@dataclass(frozen=True)
class Override:
    """A person's confirmation or replacement of the root cause; the latest one wins."""

    id: int
    incident_id: str
    entities: tuple[str, ...]
    category: str
    author: str
    comment: str
    created_at: datetime


@dataclass(frozen=True)
class Note:
    """A free-text note on an incident."""

    id: int
    incident_id: str
    author: str
    text: str
    created_at: datetime


@dataclass(frozen=True)
class ApiKeyRecord:
    """A stored API key: its public id, the hash of the full key, and its scope."""

    key_id: str
    key_hash: str
    scope: Scope
    name: str
    created_at: datetime
    revoked: bool = False


@dataclass(frozen=True)
class CatalogRecord:
    """One uploaded catalog version; at most one is active."""

    id: int
    created_at: datetime
    source: str
    text: str
    sha256: str
    active: bool
