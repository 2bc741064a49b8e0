"""The `Store` interface the server and worker use; SqlStore and MemoryStore implement it."""

from __future__ import annotations

from collections.abc import Sequence
from datetime import datetime
from typing import Any, Protocol

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


class Store(Protocol):
    """Persistence for the server: every write is committed when the method returns."""

    def add_to_inbox(self, items: Sequence[InboxItem]) -> IngestResult:
        """Commit new deliveries; repeated (source, dedup_key, starts_at) are ignored."""
        ...

    def inbox_depth(self) -> int:
        """Number of committed but unprocessed inbox rows."""
        ...

    def inbox_count(self, source: str | None = None) -> int:
        """Number of inbox rows, optionally of one source."""
        ...

    def unprocessed(self, limit: int) -> list[InboxRecord]:
        """Oldest unprocessed inbox rows, in arrival order."""
        ...

    def processed_of(self, source: str, kind: str) -> list[InboxRecord]:
        """Processed inbox rows of one source and kind, in arrival order (to rebuild state)."""
        ...

    def apply(self, batch: SignalBatch) -> None:
        """Upsert canonical signals and points and mark inbox rows processed, atomically."""
        ...

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
        """Canonical signals by time, optionally of one kind, overlapping [since, until) (not
        ended before `since`, started before `until`), and started at or after `started_since`."""
        ...

    def time_range(self) -> tuple[datetime, datetime] | None:
        """Earliest and latest time over stored signals (start or end) and points."""
        ...

    def points(
        self, frame: str, *, since: datetime | None = None, until: datetime | None = None
    ) -> list[FramePoint]:
        """Series or traffic points in [since, until)."""
        ...

    def create_incident(
        self, match_key: str, snapshot: dict[str, Any], status: IncidentStatus
    ) -> IncidentRecord:
        """Open an incident with version 1."""
        ...

    def update_incident(
        self,
        incident_id: str,
        *,
        snapshot: dict[str, Any] | None = None,
        status: IncidentStatus | None = None,
        match_key: str | None = None,
    ) -> IncidentRecord:
        """Change snapshot and/or status; writes a new version row when either changes."""
        ...

    def incident(self, incident_id: str) -> IncidentRecord | None:
        """One incident, None if unknown."""
        ...

    def incidents(self, status: IncidentStatus | None = None) -> list[IncidentRecord]:
        """Incidents, newest first."""
        ...

    def incident_versions(self, incident_id: str) -> list[IncidentVersion]:
        """Every version of an incident, oldest first."""
        ...

    def add_override(
        self, incident_id: str, entities: Sequence[str], category: str, author: str, comment: str
    ) -> Override:
        """Record a person's root-cause confirmation or override."""
        ...

    def overrides(self, incident_id: str) -> list[Override]:
        """Overrides of an incident, oldest first (the last one wins)."""
        ...

    def add_note(self, incident_id: str, author: str, text: str) -> Note:
        """Add a note to an incident."""
        ...

    def notes(self, incident_id: str) -> list[Note]:
        """Notes of an incident, oldest first."""
        ...

    def add_api_key(self, record: ApiKeyRecord) -> None:
        """Store a new API key (hash only)."""
        ...

    def api_key(self, key_id: str) -> ApiKeyRecord | None:
        """Look up a key by its public id."""
        ...

    def api_keys(self) -> list[ApiKeyRecord]:
        """Every key, revoked ones included, oldest first."""
        ...

    def revoke_api_key(self, key_id: str) -> bool:
        """Mark a key revoked; False if there is no such key."""
        ...

    def add_catalog(self, text: str, source: str, *, activate: bool) -> CatalogRecord:
        """Store a catalog version; when `activate`, it becomes the only active one."""
        ...

    def active_catalog(self) -> CatalogRecord | None:
        """The active catalog version, None if none was uploaded."""
        ...

    def ping(self) -> None:
        """Raise StoreError if the store cannot be reached."""
        ...
