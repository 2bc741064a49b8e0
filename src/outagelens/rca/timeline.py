"""The timeline of an incident as data: first signal, detection, evidence, onset, recovery."""

from __future__ import annotations

from outagelens.correlate.models import Incident
from outagelens.detect.models import SymptomSource
from outagelens.investigation import TimelineEvent
from outagelens.rca.models import Hypothesis
from outagelens.topology.construct import construct

_EVIDENCE_KINDS = {
    "alarm": "alarm",
    "change": "change",
    "rollback": "change",
    "hazard": "hazard",
    "traffic_attack": "traffic",
    "traffic_surge_legitimate": "traffic",
}


def build_timeline(incident: Incident, hypotheses: list[Hypothesis]) -> list[TimelineEvent]:
    """Dated events of one incident, sorted by time.

    Events are built from our own typed values (times of validated models, strings), once or
    more per incident of thousands of lone ones under harsh noise: no re-validation.
    """
    scope = incident.scope
    first = min(incident.symptoms, key=lambda s: s.start)
    events = [
        construct(
            TimelineEvent,
            time=first.start,
            kind="first_signal",
            entity=first.entity,
            sentence=f"First signal: {first.sentence}",
        )
    ]
    alerts = [s for s in incident.symptoms if s.source is SymptomSource.ALERT]
    if alerts:
        a = min(alerts, key=lambda s: s.start)
        delay = scope.detection_delay_minutes or 0.0
        events.append(
            construct(
                TimelineEvent,
                time=a.start,
                kind="detection",
                entity=a.entity,
                sentence=f"Detected by alert {a.metric} on {a.entity}, "
                f"{delay:.0f} min after the first evidence",
            )
        )
    if hypotheses:
        top = hypotheses[0]
        if top.onset is not None:
            events.append(
                construct(
                    TimelineEvent,
                    time=top.onset,
                    kind="onset",
                    entity=",".join(top.entities),
                    sentence=f"Most likely root cause {', '.join(top.entities)} "
                    f"({top.category.value}) fails",
                )
            )
        seen: set[tuple[str, str]] = set()
        for ev in (*top.evidence_for, *top.evidence_against):
            kind = _EVIDENCE_KINDS.get(ev.kind)
            if kind is None or ev.time is None or (ev.kind, ev.sentence) in seen:
                continue
            seen.add((ev.kind, ev.sentence))
            events.append(
                construct(
                    TimelineEvent, time=ev.time, kind=kind, entity=ev.entity, sentence=ev.sentence
                )
            )
    if scope.end is not None:
        events.append(
            construct(
                TimelineEvent,
                time=scope.end,
                kind="recovery",
                entity=None,
                sentence=f"Service restored after {scope.duration_minutes:.0f} min",
            )
        )
    return sorted(events, key=lambda e: (e.time, e.kind))
