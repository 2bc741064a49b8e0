"""Request and response bodies of the status admin API (typed for /openapi.json)."""

from __future__ import annotations

from datetime import datetime

from pydantic import BaseModel, ConfigDict, Field, model_validator

from outagelens.comms.models import ComponentStatus, IncidentStatus
from outagelens.store.status_records import SubscriberKind, UpdateState


class _In(BaseModel):
    model_config = ConfigDict(extra="forbid")


class TokenIn(_In):
    """A name for a new customer page token (who it was given to)."""

    name: str = Field(default="page token", min_length=1, max_length=256)


class TokenOut(BaseModel):
    """A new page token: shown once, only its hash is kept."""

    token_id: str
    customer_id: str
    name: str
    token: str = Field(description="Use as 'Authorization: Bearer <token>' or '?token=<token>'.")
    created_at: datetime


class UpdateOut(BaseModel):
    """One incident update for one audience."""

    id: str
    incident_id: str
    audience: str
    status: IncidentStatus
    body: str
    state: UpdateState
    author: str
    drafted: bool
    components: list[str]
    created_at: datetime
    published_at: datetime | None
    replaces: str | None


class PublishIn(_In):
    """Approve (and optionally edit) a drafted update; an edit is kept as a new update."""

    author: str = Field(min_length=1, max_length=256)
    body: str | None = Field(default=None, min_length=1, max_length=20_000)


class DiscardIn(_In):
    """Who discards a draft."""

    author: str = Field(min_length=1, max_length=256)


class WrittenUpdateIn(_In):
    """An update written by a person for one audience of an incident."""

    audience: str = Field(min_length=1, max_length=256, description="'public' or a customer id.")
    status: IncidentStatus
    body: str = Field(min_length=1, max_length=20_000)
    author: str = Field(min_length=1, max_length=256)
    publish: bool = True


class ComponentOverrideIn(_In):
    """Set a component's status by hand; null clears the override."""

    status: ComponentStatus | None
    author: str = Field(min_length=1, max_length=256)
    comment: str = Field(default="", max_length=4000)


class ComponentOverrideOut(BaseModel):
    """One entry of a component's override history."""

    id: int
    component: str
    status: ComponentStatus | None
    author: str
    comment: str
    created_at: datetime


class MaintenanceIn(_In):
    """A maintenance window to schedule."""

    name: str = Field(min_length=1, max_length=512)
    body: str = Field(default="", max_length=20_000)
    components: list[str] = Field(min_length=1, description="Page component ids.")
    scheduled_for: datetime
    scheduled_until: datetime
    author: str = Field(min_length=1, max_length=256)

    @model_validator(mode="after")
    def _ordered(self) -> MaintenanceIn:
        if self.scheduled_for.tzinfo is None or self.scheduled_until.tzinfo is None:
            raise ValueError("scheduled_for and scheduled_until need a UTC offset")
        if self.scheduled_until <= self.scheduled_for:
            raise ValueError("scheduled_until must be after scheduled_for")
        return self


class MaintenanceOut(BaseModel):
    """A stored maintenance window."""

    id: str
    name: str
    body: str
    components: list[str]
    scheduled_for: datetime
    scheduled_until: datetime
    author: str
    created_at: datetime
    updated_at: datetime
    cancelled: bool


class SubscriberIn(_In):
    """A subscriber of one page, optionally of some of its components only."""

    audience: str = Field(min_length=1, max_length=256, description="'public' or a customer id.")
    kind: SubscriberKind
    target: str = Field(min_length=3, max_length=2048, description="Webhook URL or e-mail.")
    components: list[str] = Field(default_factory=list, description="Empty: every component.")
    secret: str | None = Field(
        default=None, min_length=16, max_length=256, description="Webhook HMAC secret."
    )


class CustomerSubscriberIn(_In):
    """A subscriber a customer adds to its own page."""

    kind: SubscriberKind
    target: str = Field(min_length=3, max_length=2048)
    components: list[str] = Field(default_factory=list)
    secret: str | None = Field(default=None, min_length=16, max_length=256)


class SubscriberOut(BaseModel):
    """A subscriber (its secret is never shown again)."""

    id: str
    audience: str
    kind: SubscriberKind
    target: str
    components: list[str]
    created_at: datetime
    active: bool


class DeliveryOut(BaseModel):
    """One notification in the outbox."""

    delivery_id: str
    subscriber_id: str
    event: str
    attempts: int
    next_attempt_at: datetime
    created_at: datetime
    delivered_at: datetime | None
    failed_at: datetime | None
    last_error: str | None


class SyncOut(BaseModel):
    """Result of a forced page rebuild."""

    rendered: bool
    stale: bool
    audiences: list[str]
