"""The postmortem of a stored incident, rendered by `outagelens.report` (the override wins).

The stored snapshot holds the investigation's scope, hypotheses, timeline and impact; it is turned
back into an `IncidentInvestigation` and handed to the same builder the CLI uses. A person's
root-cause override becomes the leading hypothesis, named as confirmed by its author; the notes
people added become the communication log's neighbours in the timeline.
"""

from __future__ import annotations

from datetime import UTC, datetime
from typing import Any

from outagelens.correlate.models import Incident, Scope
from outagelens.errors import InvestigationError
from outagelens.impact.models import ImpactReport
from outagelens.investigation import IncidentInvestigation, TimelineEvent
from outagelens.rca.models import CauseCategory, Evidence, Hypothesis
from outagelens.report.build import build_postmortem
from outagelens.report.model import Postmortem
from outagelens.store.records import IncidentRecord, Note, Override
from outagelens.topology import Catalog


def _override_hypothesis(override: Override, computed: list[Hypothesis]) -> Hypothesis:
    """The person's root cause as the leading hypothesis, keeping the engine's evidence if same."""
    same = next((h for h in computed if sorted(h.entities) == sorted(override.entities)), None)
    category = CauseCategory(override.category)
    note = Evidence(
        kind="override",
        supports=True,
        time=override.created_at,
        sentence=f"Root cause confirmed by {override.author}"
        + (f": {override.comment}" if override.comment else ""),
    )
    return Hypothesis(
        rank=1,
        entities=tuple(override.entities),
        confidence=1.0,
        log_likelihood=same.log_likelihood if same else 0.0,
        category=category,
        category_probabilities={category: 1.0},
        onset=same.onset if same else None,
        explained=same.explained if same else (),
        unexplained=same.unexplained if same else (),
        contradicted=same.contradicted if same else (),
        contradicted_count=same.contradicted_count if same else 0,
        evidence_for=(note, *(same.evidence_for if same else ())),
        evidence_against=same.evidence_against if same else (),
        summary=f"{', '.join(override.entities)} ({category.value}), as confirmed by "
        f"{override.author}"
        + (f"; the engine agreed: {same.summary}" if same else "; the engine ranked it lower."),
    )


def stored_investigation(
    record: IncidentRecord, overrides: list[Override], notes: list[Note]
) -> tuple[IncidentInvestigation, str | None]:
    """The incident investigation a snapshot holds, and who confirmed its root cause."""
    snap: dict[str, Any] = record.snapshot
    if not snap.get("scope"):
        raise InvestigationError(f"incident '{record.id}' has no investigation yet")
    hypotheses = [Hypothesis.model_validate(h) for h in snap.get("hypotheses") or []]
    confirmed_by = None
    if overrides:
        latest = overrides[-1]
        rest = [h for h in hypotheses if sorted(h.entities) != sorted(latest.entities)]
        hypotheses = [_override_hypothesis(latest, hypotheses), *rest]
        hypotheses = [h.model_copy(update={"rank": i}) for i, h in enumerate(hypotheses, 1)]
        confirmed_by = latest.author
    timeline = [TimelineEvent.model_validate(t) for t in snap.get("timeline") or []]
    timeline += [
        TimelineEvent(time=n.created_at, kind="note", sentence=f"Note: {n.text}") for n in notes
    ]
    impact = snap.get("impact")
    ii = IncidentInvestigation(
        incident=Incident(id=record.id, symptoms=(), scope=Scope.model_validate(snap["scope"])),
        hypotheses=hypotheses,
        timeline=sorted(timeline, key=lambda e: e.time),
        impact=ImpactReport.model_validate(impact) if impact else None,
    )
    return ii, confirmed_by


def incident_postmortem(
    catalog: Catalog,
    record: IncidentRecord,
    overrides: list[Override],
    notes: list[Note],
    now: datetime | None = None,
) -> Postmortem:
    """The postmortem of a stored incident."""
    ii, confirmed_by = stored_investigation(record, overrides, notes)
    return build_postmortem(
        catalog,
        ii,
        status=str(record.status),
        confirmed_by=confirmed_by,
        generated_at=now or datetime.now(UTC),
    )
