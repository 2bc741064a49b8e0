"""Tables of the status pages: page tokens, incident updates, overrides, maintenances, subscribers,
and the notification outbox (migration 0002_status_pages creates exactly these)."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from sqlalchemy import JSON, Boolean, Index, Integer, String, Text, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column

from outagelens.store.tables import Base, BigId


class PageTokenRow(Base):
    """A customer's private-page token: only its keyed hash is kept."""

    __tablename__ = "status_page_tokens"

    token_id: Mapped[str] = mapped_column(String(32), primary_key=True)
    customer_id: Mapped[str] = mapped_column(String(256), index=True)
    token_hash: Mapped[str] = mapped_column(String(128))
    name: Mapped[str] = mapped_column(String(256))
    created_at: Mapped[datetime]
    revoked: Mapped[bool] = mapped_column(Boolean, default=False)


class StatusUpdateRow(Base):
    """One incident update for one audience; rows are never deleted (edits add a row)."""

    __tablename__ = "status_updates"
    __table_args__ = (Index("ix_status_updates_incident_audience", "incident_id", "audience"),)

    id: Mapped[str] = mapped_column(String(200), primary_key=True)
    incident_id: Mapped[str] = mapped_column(String(64))
    audience: Mapped[str] = mapped_column(String(256))
    stage: Mapped[str] = mapped_column(String(16))
    body: Mapped[str] = mapped_column(Text)
    state: Mapped[str] = mapped_column(String(16), index=True)
    author: Mapped[str] = mapped_column(String(256))
    drafted: Mapped[bool] = mapped_column(Boolean, default=True)
    components: Mapped[list[str]] = mapped_column(JSON)
    replaces: Mapped[str | None] = mapped_column(String(200))
    created_at: Mapped[datetime]
    published_at: Mapped[datetime | None]


class ComponentOverrideRow(Base):
    """A person's component status override (status None clears it); history is kept."""

    __tablename__ = "status_component_overrides"

    id: Mapped[int] = mapped_column(BigId, primary_key=True, autoincrement=True)
    component: Mapped[str] = mapped_column(String(256), index=True)
    status: Mapped[str | None] = mapped_column(String(32))
    author: Mapped[str] = mapped_column(String(256))
    comment: Mapped[str] = mapped_column(Text)
    created_at: Mapped[datetime]


class MaintenanceRow(Base):
    """A scheduled maintenance window of some components."""

    __tablename__ = "status_maintenances"

    id: Mapped[str] = mapped_column(String(64), primary_key=True)
    name: Mapped[str] = mapped_column(String(512))
    body: Mapped[str] = mapped_column(Text)
    components: Mapped[list[str]] = mapped_column(JSON)
    scheduled_for: Mapped[datetime]
    scheduled_until: Mapped[datetime]
    author: Mapped[str] = mapped_column(String(256))
    created_at: Mapped[datetime]
    updated_at: Mapped[datetime]
    cancelled: Mapped[bool] = mapped_column(Boolean, default=False)


class SubscriberRow(Base):
    """Who is told about a page's updates: a webhook (with its secret) or an e-mail address."""

    __tablename__ = "status_subscribers"

    id: Mapped[str] = mapped_column(String(64), primary_key=True)
    audience: Mapped[str] = mapped_column(String(256), index=True)
    components: Mapped[list[str]] = mapped_column(JSON)
    kind: Mapped[str] = mapped_column(String(16))
    target: Mapped[str] = mapped_column(String(2048))
    secret: Mapped[str | None] = mapped_column(String(256))
    created_at: Mapped[datetime]
    active: Mapped[bool] = mapped_column(Boolean, default=True)


class OutboxRow(Base):
    """One notification to deliver at least once; `delivery_id` makes enqueueing idempotent."""

    __tablename__ = "status_outbox"
    __table_args__ = (
        UniqueConstraint("delivery_id", name="uq_status_outbox_delivery"),
        Index("ix_status_outbox_due", "delivered_at", "failed_at", "next_attempt_at"),
    )

    id: Mapped[int] = mapped_column(BigId, primary_key=True, autoincrement=True)
    delivery_id: Mapped[str] = mapped_column(String(300))
    subscriber_id: Mapped[str] = mapped_column(String(64), index=True)
    event: Mapped[str] = mapped_column(String(64))
    payload: Mapped[dict[str, Any]]
    attempts: Mapped[int] = mapped_column(Integer, default=0)
    next_attempt_at: Mapped[datetime]
    created_at: Mapped[datetime]
    delivered_at: Mapped[datetime | None]
    failed_at: Mapped[datetime | None]
    last_error: Mapped[str | None] = mapped_column(Text)
