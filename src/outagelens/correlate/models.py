"""Incidents: symptoms that belong together, with their scope."""

from __future__ import annotations

from datetime import datetime

from pydantic import BaseModel, ConfigDict, Field

from outagelens.detect.models import HealthState, Symptom


class OutageInterval(BaseModel):
    """One stretch of a subscription's outage in one location."""

    model_config = ConfigDict(frozen=True)

    location: str
    start: datetime
    end: datetime | None = Field(default=None, description="None while ongoing.")
    state: HealthState
    failed_fraction: float = Field(ge=0, le=1, description="Share of its traffic that failed.")


class AffectedSubscription(BaseModel):
    """A customer subscription hit by the incident."""

    model_config = ConfigDict(frozen=True)

    subscription: str
    customer: str
    service: str
    state: HealthState = Field(description="Worst state over the incident.")
    locations: tuple[str, ...]
    intervals: tuple[OutageInterval, ...]
    basis: str = Field(
        default="observed",
        description=(
            "observed: symptoms seen; predicted: the root cause takes it down but it is not "
            "observed; redundancy_lost: an active-active location is down, failover hides it."
        ),
    )


class Scope(BaseModel):
    """What an incident affects, since when, for how long."""

    model_config = ConfigDict(frozen=True)

    start: datetime = Field(description="Earliest evidence (corrected for alert delay).")
    end: datetime | None = Field(default=None, description="None while ongoing.")
    ongoing: bool
    duration_minutes: float
    first_alert_at: datetime | None = None
    detection_delay_minutes: float | None = Field(
        default=None, description="From first evidence to first alert."
    )
    customers: tuple[str, ...]
    services: tuple[str, ...]
    locations: tuple[str, ...]
    regions: tuple[str, ...]
    geography: tuple[str, ...]
    subscriptions: tuple[AffectedSubscription, ...]


class Incident(BaseModel):
    """A group of symptoms that belong together, with its scope."""

    model_config = ConfigDict(frozen=True)

    id: str
    symptoms: tuple[Symptom, ...]
    scope: Scope
