"""The status-page store on SQLAlchemy Core (SQLite and PostgreSQL), sharing SqlStore's engine."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import fields
from datetime import datetime
from typing import Any

from sqlalchemy import Row, Table, and_, select, update

from outagelens.store.sql import SqlStore, now_utc
from outagelens.store.status_records import (
    ComponentOverride,
    MaintenanceRecord,
    OutboxItem,
    OutboxRecord,
    PageToken,
    StatusUpdate,
    Subscriber,
    SubscriberKind,
    UpdateState,
)
from outagelens.store.status_tables import (
    ComponentOverrideRow,
    MaintenanceRow,
    OutboxRow,
    PageTokenRow,
    StatusUpdateRow,
    SubscriberRow,
)


def _table(model: Any) -> Table:
    table = model.__table__
    assert isinstance(table, Table)
    return table


TOKENS = _table(PageTokenRow)
UPDATES = _table(StatusUpdateRow)
COMPONENT_OVERRIDES = _table(ComponentOverrideRow)
MAINTENANCES = _table(MaintenanceRow)
SUBSCRIBERS = _table(SubscriberRow)
OUTBOX = _table(OutboxRow)


def _row(record: Any) -> dict[str, Any]:
    out = {f.name: getattr(record, f.name) for f in fields(record)}
    return {k: list(v) if isinstance(v, tuple) else v for k, v in out.items()}


def _update(r: Row[Any]) -> StatusUpdate:
    m = dict(r._mapping)
    return StatusUpdate(
        **{**m, "state": UpdateState(m["state"]), "components": tuple(m["components"])}
    )


def _subscriber(r: Row[Any]) -> Subscriber:
    m = dict(r._mapping)
    return Subscriber(
        **{**m, "kind": SubscriberKind(m["kind"]), "components": tuple(m["components"])}
    )


def _maintenance(r: Row[Any]) -> MaintenanceRecord:
    m = dict(r._mapping)
    return MaintenanceRecord(**{**m, "components": tuple(m["components"])})


class SqlStatusStore(SqlStore):
    """Status-page persistence; every public method is one committed transaction."""

    # -- page tokens --------------------------------------------------------------------------

    def add_page_token(self, token: PageToken) -> None:
        """Store a new token (hash only)."""
        with self._write() as conn:
            conn.execute(TOKENS.insert().values(**_row(token)))

    def page_tokens(self) -> list[PageToken]:
        """Every token, revoked ones included."""
        with self._read() as conn:
            rows = conn.execute(select(TOKENS).order_by(TOKENS.c.created_at)).all()
        return [PageToken(**dict(r._mapping)) for r in rows]

    def revoke_page_token(self, token_id: str) -> bool:
        """Revoke a token; False if unknown."""
        with self._write() as conn:
            done = conn.execute(
                update(TOKENS).where(TOKENS.c.token_id == token_id).values(revoked=True)
            )
        return bool(done.rowcount)

    # -- incident updates ---------------------------------------------------------------------

    def add_status_update(self, item: StatusUpdate) -> bool:
        """Insert an update unless one with its id exists; True if it was new."""
        with self._write() as conn:
            stmt = self._insert(UPDATES).values(**_row(item)).on_conflict_do_nothing()
            return bool(conn.execute(stmt).rowcount)

    def status_updates(
        self,
        *,
        incident_id: str | None = None,
        audience: str | None = None,
        state: UpdateState | None = None,
    ) -> list[StatusUpdate]:
        """Updates, oldest first, optionally filtered."""
        query = select(UPDATES).order_by(UPDATES.c.created_at, UPDATES.c.id)
        if incident_id is not None:
            query = query.where(UPDATES.c.incident_id == incident_id)
        if audience is not None:
            query = query.where(UPDATES.c.audience == audience)
        if state is not None:
            query = query.where(UPDATES.c.state == state.value)
        with self._read() as conn:
            return [_update(r) for r in conn.execute(query).all()]

    def status_update(self, update_id: str) -> StatusUpdate | None:
        """One update, None if unknown."""
        with self._read() as conn:
            row = conn.execute(select(UPDATES).where(UPDATES.c.id == update_id)).first()
        return _update(row) if row is not None else None

    def set_update_state(
        self, update_id: str, state: UpdateState, *, published_at: datetime | None = None
    ) -> None:
        """Move an update to a new state (publishing sets `published_at`)."""
        values: dict[str, Any] = {"state": state.value}
        if published_at is not None:
            values["published_at"] = published_at
        with self._write() as conn:
            conn.execute(update(UPDATES).where(UPDATES.c.id == update_id).values(**values))

    # -- component overrides ------------------------------------------------------------------

    def add_component_override(
        self, component: str, status: str | None, author: str, comment: str
    ) -> ComponentOverride:
        """Record an override (or its clearing) of a component's status."""
        now = now_utc()
        values = {
            "component": component,
            "status": status,
            "author": author,
            "comment": comment,
            "created_at": now,
        }
        with self._write() as conn:
            new_id = conn.execute(
                COMPONENT_OVERRIDES.insert().values(**values)
            ).inserted_primary_key
        assert new_id is not None
        return ComponentOverride(id=int(new_id[0]), **values)  # type: ignore[arg-type]

    def component_overrides(self, component: str | None = None) -> list[ComponentOverride]:
        """Override history, oldest first."""
        query = select(COMPONENT_OVERRIDES).order_by(COMPONENT_OVERRIDES.c.id)
        if component is not None:
            query = query.where(COMPONENT_OVERRIDES.c.component == component)
        with self._read() as conn:
            return [ComponentOverride(**dict(r._mapping)) for r in conn.execute(query).all()]

    # -- maintenances -------------------------------------------------------------------------

    def add_maintenance(self, item: MaintenanceRecord) -> None:
        """Schedule a maintenance window."""
        with self._write() as conn:
            conn.execute(MAINTENANCES.insert().values(**_row(item)))

    def maintenances(self) -> list[MaintenanceRecord]:
        """Every maintenance window, by start."""
        query = select(MAINTENANCES).order_by(MAINTENANCES.c.scheduled_for, MAINTENANCES.c.id)
        with self._read() as conn:
            return [_maintenance(r) for r in conn.execute(query).all()]

    def cancel_maintenance(self, maintenance_id: str) -> bool:
        """Cancel a window (kept for history); False if unknown."""
        with self._write() as conn:
            done = conn.execute(
                update(MAINTENANCES)
                .where(MAINTENANCES.c.id == maintenance_id)
                .values(cancelled=True, updated_at=now_utc())
            )
        return bool(done.rowcount)

    # -- subscribers --------------------------------------------------------------------------

    def add_subscriber(self, item: Subscriber) -> None:
        """Add a subscriber."""
        with self._write() as conn:
            conn.execute(SUBSCRIBERS.insert().values(**{**_row(item), "kind": item.kind.value}))

    def subscribers(self, audience: str | None = None) -> list[Subscriber]:
        """Active subscribers, optionally of one page."""
        query = select(SUBSCRIBERS).where(SUBSCRIBERS.c.active.is_(True))
        if audience is not None:
            query = query.where(SUBSCRIBERS.c.audience == audience)
        with self._read() as conn:
            return [_subscriber(r) for r in conn.execute(query.order_by(SUBSCRIBERS.c.id)).all()]

    def subscriber(self, subscriber_id: str) -> Subscriber | None:
        """One subscriber (even if removed), None if unknown."""
        with self._read() as conn:
            row = conn.execute(select(SUBSCRIBERS).where(SUBSCRIBERS.c.id == subscriber_id)).first()
        return _subscriber(row) if row is not None else None

    def remove_subscriber(self, subscriber_id: str) -> bool:
        """Deactivate a subscriber (kept for the outbox's history)."""
        with self._write() as conn:
            done = conn.execute(
                update(SUBSCRIBERS).where(SUBSCRIBERS.c.id == subscriber_id).values(active=False)
            )
        return bool(done.rowcount)

    # -- outbox -------------------------------------------------------------------------------

    def enqueue(self, items: Sequence[OutboxItem], now: datetime | None = None) -> int:
        """Add notifications; an already known delivery id is ignored. Returns how many were new."""
        at = now or now_utc()
        added = 0
        with self._write() as conn:
            for item in items:
                values = {**_row(item), "attempts": 0, "next_attempt_at": at, "created_at": at}
                stmt = self._insert(OUTBOX).values(**values).on_conflict_do_nothing()
                added += conn.execute(stmt).rowcount
        return added

    def due(self, now: datetime, limit: int = 50) -> list[OutboxRecord]:
        """Undelivered, not given up, due notifications, oldest first."""
        query = (
            select(OUTBOX)
            .where(
                OUTBOX.c.delivered_at.is_(None),
                OUTBOX.c.failed_at.is_(None),
                OUTBOX.c.next_attempt_at <= now,
            )
            .order_by(OUTBOX.c.id)
            .limit(limit)
        )
        with self._read() as conn:
            return [OutboxRecord(**dict(r._mapping)) for r in conn.execute(query).all()]

    def claim(self, record: OutboxRecord, lease_until: datetime) -> bool:
        """Take a due notification for this worker (compare-and-set on `next_attempt_at`)."""
        with self._write() as conn:
            done = conn.execute(
                update(OUTBOX)
                .where(
                    and_(
                        OUTBOX.c.id == record.id,
                        OUTBOX.c.delivered_at.is_(None),
                        OUTBOX.c.next_attempt_at == record.next_attempt_at,
                    )
                )
                .values(next_attempt_at=lease_until)
            )
        return bool(done.rowcount)

    def finish_attempt(
        self,
        outbox_id: int,
        *,
        attempts: int,
        delivered_at: datetime | None = None,
        next_attempt_at: datetime | None = None,
        failed_at: datetime | None = None,
        error: str | None = None,
    ) -> None:
        """Record one attempt's outcome: delivered, retry later, or given up."""
        values: dict[str, Any] = {"attempts": attempts, "last_error": error}
        if delivered_at is not None:
            values["delivered_at"] = delivered_at
        if next_attempt_at is not None:
            values["next_attempt_at"] = next_attempt_at
        if failed_at is not None:
            values["failed_at"] = failed_at
        with self._write() as conn:
            conn.execute(update(OUTBOX).where(OUTBOX.c.id == outbox_id).values(**values))

    def outbox(self, subscriber_id: str | None = None) -> list[OutboxRecord]:
        """Every notification, oldest first, optionally of one subscriber."""
        query = select(OUTBOX).order_by(OUTBOX.c.id)
        if subscriber_id is not None:
            query = query.where(OUTBOX.c.subscriber_id == subscriber_id)
        with self._read() as conn:
            return [OutboxRecord(**dict(r._mapping)) for r in conn.execute(query).all()]
