"""Plain records of the status-page store (no SQLAlchemy types leak out)."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from enum import StrEnum
from typing import Any


class UpdateState(StrEnum):
    """Life of an incident update: drafted, then published (or discarded/superseded by an edit)."""

    DRAFTED = "drafted"
    PUBLISHED = "published"
    DISCARDED = "discarded"
    SUPERSEDED = "superseded"


class SubscriberKind(StrEnum):
    """How a subscriber is told."""

    WEBHOOK = "webhook"
    EMAIL = "email"


@dataclass(frozen=True)
class PageToken:
    """A customer's private-page token (hash only)."""

    token_id: str
    customer_id: str
    token_hash: str
    name: str
    created_at: datetime
    revoked: bool = False


@dataclass(frozen=True)
class StatusUpdate:
    """One incident update for one audience ('public' or a customer id)."""

    id: str
    incident_id: str
    audience: str
    stage: str
    body: str
    state: UpdateState
    author: str
    drafted: bool
    components: tuple[str, ...]
    created_at: datetime
    published_at: datetime | None = None
    replaces: str | None = None


@dataclass(frozen=True)
class ComponentOverride:
    """A person's status for a component; `status` None clears the previous override."""

    id: int
    component: str
    status: str | None
    author: str
    comment: str
    created_at: datetime


@dataclass(frozen=True)
class MaintenanceRecord:
    """A scheduled maintenance window."""

    id: str
    name: str
    body: str
    components: tuple[str, ...]
    scheduled_for: datetime
    scheduled_until: datetime
    author: str
    created_at: datetime
    updated_at: datetime
    cancelled: bool = False


@dataclass(frozen=True)
class Subscriber:
    """A page's (optionally some components') subscriber."""

    id: str
    audience: str
    components: tuple[str, ...]
    kind: SubscriberKind
    target: str
    secret: str | None
    created_at: datetime
    active: bool = True


@dataclass(frozen=True)
class OutboxItem:
    """A notification to enqueue; the same `delivery_id` is only ever enqueued once."""

    delivery_id: str
    subscriber_id: str
    event: str
    payload: dict[str, Any]


@dataclass(frozen=True)
class OutboxRecord:
    """A stored notification with its delivery state."""

    id: int
    delivery_id: str
    subscriber_id: str
    event: str
    payload: dict[str, Any]
    attempts: int
    next_attempt_at: datetime
    created_at: datetime
    delivered_at: datetime | None
    failed_at: datetime | None
    last_error: str | None
