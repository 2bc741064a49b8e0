"""/api/incidents: list, get, history, lifecycle, root-cause override, notes, investigation."""

from __future__ import annotations

from typing import Any

from fastapi import APIRouter, Depends, Response

from outagelens.server.auth import Caller, require
from outagelens.server.context import ServerContext, context
from outagelens.server.errors import NOT_FOUND, RejectedError
from outagelens.server.report import render_report
from outagelens.server.schemas import (
    IncidentOut,
    InvestigationOut,
    NoteIn,
    NoteOut,
    RootCauseOverride,
    StatusChange,
    VersionOut,
    incident_fields,
    incident_out,
)
from outagelens.store.records import IncidentRecord, IncidentStatus, Scope

router = APIRouter(prefix="/api/incidents", tags=["incidents"])
READ = Depends(require(Scope.READ))
ADMIN = Depends(require(Scope.ADMIN))


def _incident(ctx: ServerContext, incident_id: str) -> IncidentRecord:
    record = ctx.store.incident(incident_id)
    if record is None:
        raise RejectedError(404, f"no incident '{incident_id}'", where="path.incident_id")
    return record


@router.get("", response_model=list[IncidentOut], responses=NOT_FOUND)
def list_incidents(
    status: IncidentStatus | None = None,
    ctx: ServerContext = Depends(context),
    _caller: Caller = READ,
) -> list[IncidentOut]:
    """Incidents, newest first, optionally of one lifecycle status."""
    return [incident_out(r, ctx.store.overrides(r.id)) for r in ctx.store.incidents(status)]


@router.get("/{incident_id}", response_model=IncidentOut, responses=NOT_FOUND)
def get_incident(
    incident_id: str, ctx: ServerContext = Depends(context), _caller: Caller = READ
) -> IncidentOut:
    """One incident as currently believed."""
    record = _incident(ctx, incident_id)
    return incident_out(record, ctx.store.overrides(record.id))


@router.get("/{incident_id}/versions", response_model=list[VersionOut], responses=NOT_FOUND)
def incident_versions(
    incident_id: str, ctx: ServerContext = Depends(context), _caller: Caller = READ
) -> list[VersionOut]:
    """What was believed when: every version, oldest first, with overrides made by then."""
    _incident(ctx, incident_id)
    overrides = ctx.store.overrides(incident_id)
    out = []
    for v in ctx.store.incident_versions(incident_id):
        known = [o for o in overrides if o.created_at <= v.created_at]
        fields = incident_fields(v.snapshot, known)
        fields.pop("computed_root_cause")
        out.append(
            VersionOut(version=v.version, created_at=v.created_at, status=v.status, **fields)
        )
    return out


def _investigation(ctx: ServerContext, record: IncidentRecord) -> InvestigationOut:
    head = incident_out(record, ctx.store.overrides(record.id))
    snap: dict[str, Any] = record.snapshot
    return InvestigationOut(
        **head.model_dump(),
        hypotheses=snap.get("hypotheses") or [],
        impact=snap.get("impact"),
        timeline=snap.get("timeline") or [],
    )


@router.get("/{incident_id}/investigation", response_model=InvestigationOut, responses=NOT_FOUND)
def incident_investigation(
    incident_id: str, ctx: ServerContext = Depends(context), _caller: Caller = READ
) -> InvestigationOut:
    """Ranked hypotheses with evidence, scope, impact and timeline."""
    return _investigation(ctx, _incident(ctx, incident_id))


@router.get("/{incident_id}/impact", responses=NOT_FOUND)
def incident_impact(
    incident_id: str, ctx: ServerContext = Depends(context), _caller: Caller = READ
) -> dict[str, Any]:
    """Per-customer impact (empty until the impact stage is part of the investigation)."""
    impact = _incident(ctx, incident_id).snapshot.get("impact")
    return dict(impact) if isinstance(impact, dict) else {}


@router.get(
    "/{incident_id}/report",
    response_class=Response,
    responses={**NOT_FOUND, 200: {"content": {"text/markdown": {"schema": {"type": "string"}}}}},
)
def incident_report(
    incident_id: str, ctx: ServerContext = Depends(context), _caller: Caller = READ
) -> Response:
    """The postmortem report in Markdown (the root-cause override wins)."""
    investigation = _investigation(ctx, _incident(ctx, incident_id))
    notes = ctx.store.notes(incident_id)
    text = render_report(investigation, notes)
    return Response(text, media_type="text/markdown; charset=utf-8")


@router.post("/{incident_id}/status", response_model=IncidentOut, responses=NOT_FOUND)
def change_status(
    incident_id: str,
    change: StatusChange,
    ctx: ServerContext = Depends(context),
    _caller: Caller = ADMIN,
) -> IncidentOut:
    """Set the lifecycle status by hand (a new version is written)."""
    _incident(ctx, incident_id)
    record = ctx.store.update_incident(incident_id, status=change.status)
    return incident_out(record, ctx.store.overrides(incident_id))


@router.post("/{incident_id}/root-cause", response_model=IncidentOut, responses=NOT_FOUND)
def override_root_cause(
    incident_id: str,
    body: RootCauseOverride,
    ctx: ServerContext = Depends(context),
    caller: Caller = ADMIN,
) -> IncidentOut:
    """Confirm or replace the root cause; entities must exist in the active catalog."""
    record = _incident(ctx, incident_id)
    catalog = ctx.catalog()
    if catalog is not None:
        unknown = [e for e in body.entities if not catalog.has(e)]
        if unknown:
            raise RejectedError(
                400, f"not in the active catalog: {', '.join(unknown)}", where="body.entities"
            )
    ctx.store.add_override(
        incident_id, body.entities, str(body.category), caller.name, body.comment
    )
    return incident_out(record, ctx.store.overrides(incident_id))


@router.get("/{incident_id}/notes", response_model=list[NoteOut], responses=NOT_FOUND)
def list_notes(
    incident_id: str, ctx: ServerContext = Depends(context), _caller: Caller = READ
) -> list[NoteOut]:
    """Notes, oldest first."""
    _incident(ctx, incident_id)
    return [
        NoteOut(id=n.id, author=n.author, text=n.text, created_at=n.created_at)
        for n in ctx.store.notes(incident_id)
    ]


@router.post("/{incident_id}/notes", response_model=NoteOut, status_code=201, responses=NOT_FOUND)
def add_note(
    incident_id: str,
    body: NoteIn,
    ctx: ServerContext = Depends(context),
    caller: Caller = ADMIN,
) -> NoteOut:
    """Add a note (author: the API key's name)."""
    _incident(ctx, incident_id)
    n = ctx.store.add_note(incident_id, caller.name, body.text)
    return NoteOut(id=n.id, author=n.author, text=n.text, created_at=n.created_at)
