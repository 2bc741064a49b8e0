"""Typed request and response bodies of the REST API (they make /openapi.json precise)."""

from __future__ import annotations

from datetime import datetime
from typing import Annotated, Any

from pydantic import BaseModel, ConfigDict, Field, StringConstraints

from outagelens.correlate.models import Scope
from outagelens.rca.models import CauseCategory, Hypothesis
from outagelens.store.records import IncidentRecord, IncidentStatus, Override
from outagelens.store.records import Scope as KeyScope


class RootCause(BaseModel):
    """What is believed to have failed: from the investigation, or a person's override."""

    entities: list[str]
    category: CauseCategory
    confidence: float | None = Field(default=None, description="None when set by a person.")
    source: str = Field(description="'investigation' or 'override'.")
    author: str | None = None
    comment: str | None = None
    at: datetime | None = None


class IncidentOut(BaseModel):
    """An incident as currently believed; an override's root cause wins over the computed one."""

    id: str
    status: IncidentStatus
    version: int
    created_at: datetime
    updated_at: datetime
    resolved_at: datetime | None
    root_cause: RootCause | None
    computed_root_cause: RootCause | None = Field(
        description="What the investigation believes, even when overridden."
    )
    scope: Scope | None
    summary: str


class InvestigationOut(IncidentOut):
    """An incident with its ranked hypotheses and impact."""

    hypotheses: list[Hypothesis]
    impact: Any = Field(default=None, description="Per-customer impact, when computed.")
    timeline: list[dict[str, Any]]


class VersionOut(BaseModel):
    """One version of an incident: what was believed when."""

    version: int
    created_at: datetime
    status: IncidentStatus
    root_cause: RootCause | None
    scope: Scope | None
    summary: str


class StatusChange(BaseModel):
    """Move an incident through its lifecycle."""

    status: IncidentStatus


class RootCauseOverride(BaseModel):
    """Confirm or replace the root cause; it wins everywhere from then on."""

    entities: list[str] = Field(min_length=1, max_length=50)
    category: CauseCategory
    comment: str = Field(default="", max_length=10_000)


class NoteIn(BaseModel):
    """A note to add to an incident."""

    text: str = Field(min_length=1, max_length=10_000)


class NoteOut(BaseModel):
    """A note on an incident."""

    id: int
    author: str
    text: str
    created_at: datetime


class SignalOut(BaseModel):
    """A canonical stored signal."""

    kind: str
    key: str
    time: datetime
    end: datetime | None
    entity: str | None
    payload: dict[str, Any]


class ApiKeyIn(BaseModel):
    """A new API key: its scope and who it is for."""

    model_config = ConfigDict(extra="forbid")

    scope: KeyScope
    name: Annotated[str, StringConstraints(strip_whitespace=True, min_length=1, max_length=200)]


class ApiKeyOut(BaseModel):
    """A stored API key (never its hash); `key` is the secret, present only on creation."""

    key_id: str
    scope: KeyScope
    name: str
    created_at: datetime
    revoked: bool
    key: str | None = None


class CatalogOut(BaseModel):
    """A stored catalog version."""

    id: int
    created_at: datetime
    source: str
    sha256: str
    active: bool
    provider: str
    counts: dict[str, int]


class CatalogCheck(BaseModel):
    """Result of validating a catalog without storing it."""

    valid: bool
    provider: str
    counts: dict[str, int]


class Health(BaseModel):
    """Liveness and queue state."""

    status: str
    inbox_depth: int
    worker: str = Field(
        description="'active' (this process holds the worker lease), 'standby' or 'disabled'."
    )


def root_cause_of(snapshot: dict[str, Any]) -> RootCause | None:
    """The investigation's top hypothesis as a root cause."""
    hyps = snapshot.get("hypotheses") or []
    if not hyps:
        return None
    top = hyps[0]
    return RootCause(
        entities=list(top["entities"]),
        category=top["category"],
        confidence=top["confidence"],
        source="investigation",
    )


def override_cause(override: Override) -> RootCause:
    """A person's override as a root cause."""
    return RootCause(
        entities=list(override.entities),
        category=CauseCategory(override.category),
        source="override",
        author=override.author,
        comment=override.comment,
        at=override.created_at,
    )


def incident_fields(snapshot: dict[str, Any], overrides: list[Override]) -> dict[str, Any]:
    """Root cause (override wins), computed root cause, scope and summary of a snapshot."""
    computed = root_cause_of(snapshot)
    chosen = override_cause(overrides[-1]) if overrides else computed
    scope = snapshot.get("scope")
    return {
        "root_cause": chosen,
        "computed_root_cause": computed,
        "scope": Scope.model_validate(scope) if scope else None,
        "summary": str(snapshot.get("summary", "")),
    }


def incident_out(record: IncidentRecord, overrides: list[Override]) -> IncidentOut:
    """The API view of an incident head."""
    return IncidentOut(
        id=record.id,
        status=record.status,
        version=record.version,
        created_at=record.created_at,
        updated_at=record.updated_at,
        resolved_at=record.resolved_at,
        **incident_fields(record.snapshot, overrides),
    )
