"""The result of an investigation: per incident, its scope, ranked hypotheses and timeline."""

from __future__ import annotations

from datetime import datetime

from pydantic import BaseModel, ConfigDict, Field

from outagelens.correlate.models import Incident
from outagelens.impact.models import ImpactReport
from outagelens.rca.models import Hypothesis


class TimelineEvent(BaseModel):
    """One dated event of an incident: first signal, detection, change, alarm, hazard, recovery."""

    model_config = ConfigDict(frozen=True)

    time: datetime
    kind: str = Field(
        description="first_signal, detection, onset, change, alarm, hazard, traffic, recovery."
    )
    entity: str | None = None
    sentence: str


class IncidentInvestigation(BaseModel):
    """One incident with its ranked root-cause hypotheses and timeline."""

    model_config = ConfigDict(frozen=True)

    incident: Incident
    hypotheses: list[Hypothesis] = Field(description="Ranked, best first.")
    timeline: list[TimelineEvent] = Field(description="Sorted by time.")
    impact: ImpactReport | None = Field(
        default=None, description="Per-customer impact: downtime, losses, SLA, regulation."
    )

    @property
    def top(self) -> Hypothesis | None:
        """The best hypothesis, if any."""
        return self.hypotheses[0] if self.hypotheses else None


class Investigation(BaseModel):
    """What is affected, since when, what failed and why, for one window of signals."""

    model_config = ConfigDict(frozen=True)

    window_start: datetime
    window_end: datetime
    catalog_provider: str
    catalog_source: str | None = None
    symptom_count: int = Field(description="Symptoms detected from alerts and series.")
    ignored_alerts: int = Field(default=0, description="Alerts naming no catalog entity.")
    incidents: list[IncidentInvestigation] = Field(
        description="Primary incident first (most customer-facing evidence)."
    )

    @property
    def primary(self) -> IncidentInvestigation | None:
        """The primary incident (the most customer-facing evidence), if any."""
        return self.incidents[0] if self.incidents else None
