"""SQLAlchemy 2 table definitions; the Alembic migrations create exactly these."""

from __future__ import annotations

from datetime import UTC, datetime
from typing import Any, ClassVar

from sqlalchemy import (
    JSON,
    BigInteger,
    Boolean,
    DateTime,
    Dialect,
    Index,
    Integer,
    String,
    Text,
    UniqueConstraint,
)
from sqlalchemy.orm import DeclarativeBase, Mapped, mapped_column
from sqlalchemy.types import TypeDecorator

# SQLite has no 64-bit autoincrement type of its own; INTEGER PRIMARY KEY is its rowid.
BigId = BigInteger().with_variant(Integer(), "sqlite")


class UtcDateTime(TypeDecorator[datetime]):
    """Timezone-aware UTC datetimes on every dialect (SQLite stores them naive)."""

    impl = DateTime(timezone=True)
    cache_ok = True

    def process_bind_param(self, value: datetime | None, dialect: Dialect) -> datetime | None:
        """Store UTC; naive values are refused because their zone is unknown."""
        if value is None:
            return None
        if value.tzinfo is None:
            raise ValueError("naive datetime given to the store; use timezone-aware UTC")
        value = value.astimezone(UTC)
        return value.replace(tzinfo=None) if dialect.name == "sqlite" else value

    def process_result_value(self, value: datetime | None, dialect: Dialect) -> datetime | None:
        """Return aware UTC."""
        if value is None:
            return None
        return value.replace(tzinfo=UTC) if value.tzinfo is None else value.astimezone(UTC)


class Base(DeclarativeBase):
    """Declarative base of the store's tables."""

    type_annotation_map: ClassVar[dict[Any, Any]] = {datetime: UtcDateTime, dict[str, Any]: JSON}


class InboxRow(Base):
    """Raw signals as delivered, committed before the HTTP answer."""

    __tablename__ = "inbox"
    __table_args__ = (
        UniqueConstraint("source", "dedup_key", "starts_at", name="uq_inbox_delivery"),
        Index("ix_inbox_processed_id", "processed", "id"),
    )

    id: Mapped[int] = mapped_column(BigId, primary_key=True, autoincrement=True)
    source: Mapped[str] = mapped_column(String(32))
    kind: Mapped[str] = mapped_column(String(16))
    dedup_key: Mapped[str] = mapped_column(String(512))
    starts_at: Mapped[str] = mapped_column(String(40))
    received_at: Mapped[datetime]
    payload: Mapped[dict[str, Any]]
    processed: Mapped[bool] = mapped_column(Boolean, default=False)


class SignalRow(Base):
    """Canonical signals: alerts (one per fingerprint and start), changes, alarms, hazards."""

    __tablename__ = "signals"
    __table_args__ = (
        UniqueConstraint("kind", "key", name="uq_signals_kind_key"),
        Index("ix_signals_kind_time_key", "kind", "time", "key"),
    )

    id: Mapped[int] = mapped_column(BigId, primary_key=True, autoincrement=True)
    kind: Mapped[str] = mapped_column(String(16))
    key: Mapped[str] = mapped_column(String(600))
    time: Mapped[datetime]
    end: Mapped[datetime | None]
    entity: Mapped[str | None] = mapped_column(String(256))
    payload: Mapped[dict[str, Any]]


class FramePointRow(Base):
    """One minute of an SLI series key (customer, service, location) or traffic key."""

    __tablename__ = "frame_points"

    frame: Mapped[str] = mapped_column(String(16), primary_key=True)
    key1: Mapped[str] = mapped_column(String(256), primary_key=True)
    key2: Mapped[str] = mapped_column(String(256), primary_key=True)
    key3: Mapped[str] = mapped_column(String(256), primary_key=True)
    minute: Mapped[datetime] = mapped_column(primary_key=True)
    values: Mapped[dict[str, Any]]


class IncidentRow(Base):
    """An incident's head: lifecycle status and the latest snapshot."""

    __tablename__ = "incidents"

    id: Mapped[str] = mapped_column(String(64), primary_key=True)
    status: Mapped[str] = mapped_column(String(16), index=True)
    match_key: Mapped[str] = mapped_column(String(600), index=True)
    created_at: Mapped[datetime]
    updated_at: Mapped[datetime]
    resolved_at: Mapped[datetime | None]
    version: Mapped[int] = mapped_column(Integer)
    snapshot: Mapped[dict[str, Any]]


class IncidentVersionRow(Base):
    """History: what was believed about an incident, and when."""

    __tablename__ = "incident_versions"

    incident_id: Mapped[str] = mapped_column(String(64), primary_key=True)
    version: Mapped[int] = mapped_column(Integer, primary_key=True)
    created_at: Mapped[datetime]
    status: Mapped[str] = mapped_column(String(16))
    snapshot: Mapped[dict[str, Any]]


class OverrideRow(Base):
    """Root-cause confirmations or overrides by a person."""

    __tablename__ = "incident_overrides"

    id: Mapped[int] = mapped_column(BigId, primary_key=True, autoincrement=True)
    incident_id: Mapped[str] = mapped_column(String(64), index=True)
    entities: Mapped[list[str]] = mapped_column(JSON)
    category: Mapped[str] = mapped_column(String(32))
    author: Mapped[str] = mapped_column(String(256))
    comment: Mapped[str] = mapped_column(Text)
    created_at: Mapped[datetime]


class NoteRow(Base):
    """Free-text notes on incidents."""

    __tablename__ = "incident_notes"

    id: Mapped[int] = mapped_column(BigId, primary_key=True, autoincrement=True)
    incident_id: Mapped[str] = mapped_column(String(64), index=True)
    author: Mapped[str] = mapped_column(String(256))
    text: Mapped[str] = mapped_column(Text)
    created_at: Mapped[datetime]


class ApiKeyRow(Base):
    """API keys: only the hash of the full key is kept."""

    __tablename__ = "api_keys"

    key_id: Mapped[str] = mapped_column(String(32), primary_key=True)
    key_hash: Mapped[str] = mapped_column(String(128))
    scope: Mapped[str] = mapped_column(String(16))
    name: Mapped[str] = mapped_column(String(256))
    created_at: Mapped[datetime]
    revoked: Mapped[bool] = mapped_column(Boolean, default=False)


class CatalogRow(Base):
    """Uploaded catalog versions; the active one drives investigation."""

    __tablename__ = "catalogs"

    id: Mapped[int] = mapped_column(BigId, primary_key=True, autoincrement=True)
    created_at: Mapped[datetime]
    source: Mapped[str] = mapped_column(String(512))
    text: Mapped[str] = mapped_column(Text)
    sha256: Mapped[str] = mapped_column(String(64))
    active: Mapped[bool] = mapped_column(Boolean, default=False, index=True)

# The status-page tables share this metadata (Alembic and compare_metadata see them too).
from outagelens.store import status_tables as _status_tables  # noqa: E402,F401
