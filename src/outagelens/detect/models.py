"""Symptoms: entities observed unhealthy over an interval, from alerts or detected anomalies."""

from __future__ import annotations

from datetime import datetime
from enum import StrEnum

from pydantic import BaseModel, ConfigDict, Field


class HealthState(StrEnum):
    """How unhealthy an entity is observed to be."""

    DOWN = "down"
    DEGRADED = "degraded"


class SymptomSource(StrEnum):
    """Where a symptom was observed."""

    ALERT = "alert"
    SERIES = "series"
    ALARM = "alarm"  # a critical hardware/facility alarm: the device reports its own failure


class Symptom(BaseModel):
    """An entity observed unhealthy from `start` to `end` (None: still unhealthy)."""

    model_config = ConfigDict(frozen=True)

    entity: str = Field(description="Catalog entity id the symptom is about.")
    source: SymptomSource
    state: HealthState
    start: datetime
    end: datetime | None = None
    customer: str | None = None
    service: str | None = None
    location: str | None = None
    component: str | None = None
    metric: str | None = Field(default=None, description="SLI or alert name that showed it.")
    failed_fraction: float = Field(
        default=1.0, ge=0, le=1, description="Share of traffic or throughput lost (0..1)."
    )
    score: float = Field(default=1.0, ge=0, le=1, description="Detector confidence.")
    refs: tuple[str, ...] = Field(default=(), description="Alert fingerprints or series keys.")
    sentence: str = Field(default="", description="One readable sentence.")
