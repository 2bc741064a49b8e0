"""Typed results of the impact assessment: per subscription, per customer, and totals."""

from __future__ import annotations

from datetime import datetime
from enum import StrEnum

from pydantic import BaseModel, ConfigDict, Field


class _Result(BaseModel):
    """Base of impact results: immutable, unknown fields rejected."""

    model_config = ConfigDict(frozen=True, extra="forbid")


class BaselineMethod(StrEnum):
    """Where the expected (no-outage) figures for a minute came from."""

    SAME_MINUTE_EARLIER_DAYS = "same_minute_earlier_days"
    PRE_ONSET_MEDIAN = "pre_onset_median"
    CATALOG = "catalog"
    NONE = "none"


class SubscriptionImpact(_Result):
    """What an incident cost one subscription: minutes, requests, transactions, money."""

    subscription: str
    customer: str
    service: str
    start: datetime | None = Field(description="First minute with any failure.")
    end: datetime | None = Field(description="End of the last minute with any failure.")
    minutes_down: float = Field(ge=0, description="Minutes with (nearly) all traffic failing.")
    minutes_degraded: float = Field(ge=0, description="Minutes with part of the traffic failing.")
    weighted_downtime_minutes: float = Field(
        ge=0, description="Sum over minutes of the share of traffic that failed."
    )
    longest_down_minutes: float = Field(
        default=0.0, ge=0, description="Longest run of consecutive down minutes."
    )
    peak_failed_fraction: float = Field(ge=0, le=1)
    failed_requests: float = Field(ge=0)
    expected_requests: float = Field(ge=0)
    failed_transactions: float = Field(ge=0)
    expected_transactions: float = Field(ge=0)
    transaction_name: str
    lost_revenue: float = Field(ge=0)
    currency: str
    end_users_affected: int = Field(ge=0)
    baseline: BaselineMethod
    failure_source: str = Field(description='"series" or "intervals".')
    method: str = Field(description="How the figures were computed, as sentences.")
    headline: str = Field(description='e.g. "orders fell 52% for 47 minutes: 118,000 EUR".')


class SlaAssessment(_Result):
    """Uptime of one subscription over one SLA month and the credit it earns."""

    subscription: str
    month: str = Field(description="YYYY-MM in the SLA's time zone.")
    timezone: str
    month_start: datetime
    month_end: datetime
    target_percent: float
    uptime_percent: float
    eligible_minutes: float = Field(description="Month minutes less maintenance windows.")
    unavailable_minutes: float = Field(description="Weighted unavailable minutes, all incidents.")
    incident_minutes: float = Field(description="This incident's weighted minutes in the month.")
    earlier_minutes: float = Field(description="Earlier incidents' weighted minutes this month.")
    excluded_maintenance_minutes: float = Field(
        description="Unavailable minutes not counted because they fell in maintenance windows."
    )
    met: bool
    tier_below_percent: float | None = Field(description="Tier reached, by its threshold.")
    credit_percent: float
    credit_amount: float
    currency: str
    monthly_fee: float
    note: str


class CriterionResult(_Result):
    """One regulatory criterion: met or not, why, and the figures it used."""

    key: str
    name: str
    article: str
    met: bool
    determined: bool = Field(
        default=True, description="False when the figures to decide it are not available."
    )
    reason: str
    figures: dict[str, float | int | str | bool | None] = Field(default_factory=dict)


class ReportingDeadline(_Result):
    """One report owed to the competent authority, with its latest permissible time."""

    report: str = Field(description='"initial", "intermediate" or "final".')
    due: datetime
    rule: str
    article: str


class RegulatoryAssessment(_Result):
    """Classification of the incident for one customer under one regulatory framework."""

    framework: str
    customer: str
    entity_type: str | None
    competent_authority: str | None
    classification: str = Field(
        description='DORA: "major" / "not major"; NIS2: "significant" / "not significant".'
    )
    major: bool = Field(description="Reportable: major (DORA) or significant (NIS2).")
    rule: str = Field(description="The classification rule applied, as a sentence.")
    criteria: tuple[CriterionResult, ...]
    aware_at: datetime | None
    classified_at: datetime | None
    deadlines: tuple[ReportingDeadline, ...]
    summary: str


class CustomerImpact(_Result):
    """Everything the incident cost one customer and what the provider owes it."""

    customer: str
    name: str
    subscriptions: tuple[SubscriptionImpact, ...]
    sla: tuple[SlaAssessment, ...]
    regulatory: tuple[RegulatoryAssessment, ...]
    lost_revenue: dict[str, float] = Field(
        description="Currency -> amount; a business flow through several subscriptions once."
    )
    failed_transactions: dict[str, float] = Field(
        description="Transaction name -> failed count; each business flow counted once."
    )
    credits: dict[str, float] = Field(description="Currency -> SLA credit owed.")
    end_users_affected: int
    expected_support_contacts: float


class ImpactTotals(_Result):
    """Totals across customers; money is kept per currency, never converted."""

    customers: int
    subscriptions: int
    minutes_down: float
    weighted_downtime_minutes: float
    failed_requests: float
    failed_transactions: float = Field(description="Each customer's business flows once.")
    lost_revenue: dict[str, float]
    credits: dict[str, float]
    end_users_affected: int
    expected_support_contacts: float
    support_contact_rate: float
    major_regulatory_incidents: int


class ImpactReport(_Result):
    """The impact of one incident on every affected customer, with totals."""

    incident: str
    as_of: datetime
    customers: tuple[CustomerImpact, ...]
    totals: ImpactTotals
    notes: tuple[str, ...] = ()


def format_money(amounts: dict[str, float]) -> str:
    """'118,000 EUR' per currency, currencies in order, never converted; '0' when empty."""
    if not amounts:
        return "0"
    return ", ".join(f"{v:,.0f} {c}" for c, v in sorted(amounts.items()))
