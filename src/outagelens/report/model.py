"""The postmortem as data: every sentence and figure the templates print.

Templates only lay this out; they compute nothing. That keeps "every number comes from the
investigation" checkable: tests compare this model with the investigation data.
"""

from __future__ import annotations

from datetime import datetime

from pydantic import BaseModel, ConfigDict, Field

UNKNOWN = "unknown"


class _Frozen(BaseModel):
    model_config = ConfigDict(frozen=True)


class Row(_Frozen):
    """A table row: cells already formatted for reading."""

    cells: tuple[str, ...]


class Table(_Frozen):
    """A titled table."""

    title: str
    columns: tuple[str, ...]
    rows: tuple[Row, ...]
    note: str | None = None


class EvidenceLine(_Frozen):
    """One piece of evidence, as a sentence, marked for or against."""

    supports: bool
    sentence: str
    time: datetime | None = None


class Alternative(_Frozen):
    """A hypothesis that was considered and ruled out, with why."""

    entities: str
    category: str
    confidence: str
    ruled_out_because: tuple[str, ...]


class RootCause(_Frozen):
    """The leading hypothesis."""

    entities: str
    description: str
    category: str
    category_probabilities: tuple[tuple[str, str], ...]
    confidence: str
    onset: str
    summary: str
    propagation_path: tuple[str, ...]
    evidence_for: tuple[EvidenceLine, ...]
    evidence_against: tuple[EvidenceLine, ...]
    confirmed_by: str | None = Field(default=None, description="Person who confirmed/overrode it.")


class TimelineEntry(_Frozen):
    """One significant event."""

    time: datetime
    time_text: str
    kind: str
    text: str


class Lesson(_Frozen):
    """A lesson with a concrete action."""

    finding: str
    action: str
    source: str


class CommunicationEntry(_Frozen):
    """One message sent to customers or the public."""

    time_text: str
    audience: str
    status: str
    text: str


class Chart(_Frozen):
    """A static chart: inline SVG text and a caption."""

    name: str
    caption: str
    svg: str


class Postmortem(_Frozen):
    """Everything a postmortem says, in reading order."""

    title: str
    incident_id: str
    generated_at: str
    timezone: str
    status: str
    summary: str
    scope: Table
    customers: Table
    root_cause: RootCause | None
    alternatives: tuple[Alternative, ...]
    financial: Table
    financial_totals: tuple[str, ...]
    regulatory: tuple[Table, ...]
    regulatory_notes: tuple[str, ...]
    timeline: tuple[TimelineEntry, ...]
    lessons: tuple[Lesson, ...]
    communications: tuple[CommunicationEntry, ...]
    communications_note: str
    charts: tuple[Chart, ...]
    facts: dict[str, str] = Field(
        default_factory=dict,
        description="Key figures of the summary, by name, for checking against the data.",
    )
