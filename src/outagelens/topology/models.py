"""Pydantic models of the catalog file: locations, components, services, customers, subscriptions.

These models validate one entity at a time (types, ranges, ordering of SLA tiers). Checks that
need the whole catalog (unknown ids, duplicates, cycles) live in `validate.py`.
"""

from __future__ import annotations

import itertools
import zoneinfo
from datetime import datetime
from enum import StrEnum
from typing import Annotated, Literal

from pydantic import BaseModel, ConfigDict, Field, field_validator, model_validator

EntityId = Annotated[
    str,
    Field(
        min_length=1,
        max_length=200,
        pattern=r"^[A-Za-z0-9][A-Za-z0-9._:/@-]*$",
        description="Identifier unique across the whole catalog.",
    ),
]


def _check_timezone(value: str) -> str:
    """Accept only IANA time-zone names that this system knows."""
    try:
        zoneinfo.ZoneInfo(value)
    except (zoneinfo.ZoneInfoNotFoundError, ValueError):
        raise ValueError(
            f"unknown IANA time zone '{value}' (e.g. 'Europe/Berlin', 'UTC')"
        ) from None
    return value


class _Strict(BaseModel):
    """Base: unknown fields are errors, so a typo never passes silently."""

    model_config = ConfigDict(extra="forbid", frozen=True)


class ComponentKind(StrEnum):
    """What a component is; drives the evidence the investigation looks for."""

    POWER = "power"
    UTILITY_FEED = "utility_feed"
    UPS = "ups"
    GENERATOR = "generator"
    COOLING = "cooling"
    NETWORK = "network"
    ROUTER = "router"
    SWITCH = "switch"
    FIREWALL = "firewall"
    DDOS_PROTECTION = "ddos_protection"
    EDGE = "edge"
    STORAGE = "storage"
    COMPUTE = "compute"
    HYPERVISOR = "hypervisor"
    CONTAINER_PLATFORM = "container_platform"
    DATABASE = "database"
    CACHE = "cache"
    MESSAGE_QUEUE = "message_queue"
    DNS = "dns"
    CDN = "cdn"
    LOAD_BALANCER = "load_balancer"
    API_GATEWAY = "api_gateway"
    IDENTITY = "identity"
    PLATFORM_SERVICE = "platform_service"
    APPLICATION = "application"
    OTHER = "other"


class RedundancyGroup(_Strict):
    """A k-of-n group: the dependent fails only when fewer than `k` members are healthy."""

    name: str = Field(min_length=1, description="Name of the group, unique within its owner.")
    k: int = Field(ge=1, description="Members that must be healthy for the dependent to work.")
    members: list[EntityId] = Field(min_length=1)
    failover_minutes: float = Field(
        default=0.0,
        ge=0,
        description="Minutes the dependent is down while the group fails over.",
    )

    @model_validator(mode="after")
    def _k_within_n(self) -> RedundancyGroup:
        if len(set(self.members)) != len(self.members):
            dupes = sorted({m for m in self.members if self.members.count(m) > 1})
            raise ValueError(f"group '{self.name}' lists members more than once: {dupes}")
        if self.k > len(self.members):
            raise ValueError(
                f"group '{self.name}' needs k={self.k} healthy members "
                f"but has only n={len(self.members)}"
            )
        return self


class Dependent(_Strict):
    """Fields shared by everything that can depend on other entities."""

    requires: list[EntityId] = Field(
        default_factory=list, description="Entities that must all be healthy."
    )
    redundancy: list[RedundancyGroup] = Field(
        default_factory=list, description="k-of-n groups; each must keep k healthy members."
    )

    def dependency_ids(self) -> list[str]:
        """Every entity id this one depends on, requires first, then group members."""
        ids = list(self.requires)
        for group in self.redundancy:
            ids.extend(group.members)
        return ids


class Software(_Strict):
    """Software a component runs, so that a change to it can be tied to the component."""

    name: str = Field(min_length=1)
    version: str | None = None


class Recovery(_Strict):
    """Recovery figures used by what-if simulation and DR drills."""

    restore_minutes: float = Field(
        default=60.0, ge=0, description="Minutes to repair or replace the failed entity."
    )


class Replication(_Strict):
    """Data replication of a stateful component, for RPO checks."""

    mode: Literal["sync", "async", "none"] = "none"
    lag_seconds: float = Field(default=0.0, ge=0)
    target: EntityId | None = Field(default=None, description="Replica component, if any.")


class Location(_Strict):
    """A site (data center, availability zone, edge PoP)."""

    id: EntityId
    region: str = Field(min_length=1)
    geography: str = Field(min_length=1, description='Human-readable place, e.g. "Frankfurt, DE".')
    country: str | None = Field(default=None, description="ISO 3166-1 alpha-2 code.")
    timezone: str = Field(default="UTC", description="IANA time zone of the site.")
    lat: float | None = Field(default=None, ge=-90, le=90)
    lon: float | None = Field(default=None, ge=-180, le=180)
    geocodes: dict[str, str] = Field(
        default_factory=dict,
        description="CAP geocode valueName -> value pairs that cover this site (e.g. NUTS3).",
    )
    recovery: Recovery = Field(default_factory=Recovery)

    @model_validator(mode="after")
    def _lat_lon_together(self) -> Location:
        if (self.lat is None) != (self.lon is None):
            raise ValueError("lat and lon must be given together")
        return self


class Component(Dependent):
    """A piece of shared infrastructure."""

    id: EntityId
    kind: ComponentKind
    name: str | None = None
    location: EntityId | None = Field(
        default=None, description="Site the component is in; it fails when the site fails."
    )
    software: Software | None = None
    recovery: Recovery = Field(default_factory=Recovery)
    replication: Replication | None = None
    labels: dict[str, str] = Field(default_factory=dict)


class ServiceDeployment(Dependent):
    """What a service needs in one location."""


class Service(Dependent):
    """A service offered to customers; `requires`/`redundancy` apply in every location."""

    id: EntityId
    name: str = Field(min_length=1)
    description: str | None = None
    locations: dict[EntityId, ServiceDeployment] = Field(
        default_factory=dict,
        description="Per-location deployments; the entity id of each is '<service>@<location>'.",
    )


class CreditTier(_Strict):
    """Credit owed when monthly uptime falls below `below_percent`."""

    below_percent: float = Field(gt=0, le=100)
    credit_percent: float = Field(gt=0, le=100, description="Percent of the monthly fee.")


class MaintenanceWindow(_Strict):
    """A recurring or one-off window excluded from SLA uptime."""

    start: str = Field(description="ISO 8601 start, with offset.")
    end: str = Field(description="ISO 8601 end, with offset.")
    description: str | None = None

    @field_validator("start", "end")
    @classmethod
    def _iso_with_offset(cls, value: str) -> str:
        try:
            parsed = datetime.fromisoformat(value)
        except ValueError:
            raise ValueError(f"'{value}' is not an ISO 8601 date-time") from None
        if parsed.tzinfo is None:
            raise ValueError(f"'{value}' has no UTC offset (write e.g. +01:00 or Z)")
        return value

    @model_validator(mode="after")
    def _end_after_start(self) -> MaintenanceWindow:
        if datetime.fromisoformat(self.end) <= datetime.fromisoformat(self.start):
            raise ValueError(f"maintenance window end {self.end} is not after start {self.start}")
        return self


class Sla(_Strict):
    """Service level agreement of one subscription, following the usual cloud conventions."""

    target_percent: float = Field(gt=0, le=100, description="Monthly uptime promised.")
    credit_tiers: list[CreditTier] = Field(default_factory=list)
    timezone: str = Field(default="UTC", description="Time zone in which the month is counted.")
    min_credit: float = Field(default=0.0, ge=0, description="Credits below this are not paid.")
    max_credit_percent: float = Field(default=100.0, gt=0, le=100)
    degraded_weight: float = Field(
        default=0.0,
        ge=0,
        le=1,
        description="How much a degraded minute counts as downtime (0: not at all, 1: fully).",
    )
    maintenance_windows: list[MaintenanceWindow] = Field(default_factory=list)

    @field_validator("timezone")
    @classmethod
    def _known_timezone(cls, value: str) -> str:
        return _check_timezone(value)

    @field_validator("credit_tiers")
    @classmethod
    def _tiers_in_order(cls, tiers: list[CreditTier]) -> list[CreditTier]:
        for prev, cur in itertools.pairwise(tiers):
            if cur.below_percent >= prev.below_percent:
                raise ValueError(
                    "credit tiers must be ordered by strictly decreasing below_percent "
                    f"({prev.below_percent} then {cur.below_percent})"
                )
            if cur.credit_percent <= prev.credit_percent:
                raise ValueError(
                    "credit tiers must grant strictly increasing credit_percent "
                    f"({prev.credit_percent} then {cur.credit_percent})"
                )
        return tiers

    @model_validator(mode="after")
    def _first_tier_at_or_below_target(self) -> Sla:
        if self.credit_tiers and self.credit_tiers[0].below_percent > self.target_percent:
            raise ValueError(
                f"first credit tier below_percent={self.credit_tiers[0].below_percent} "
                f"is above the target {self.target_percent}"
            )
        return self


class Business(_Strict):
    """Business figures flowing through a subscription, for impact estimates."""

    currency: str = Field(default="EUR", min_length=3, max_length=3)
    revenue_per_minute: float = Field(default=0.0, ge=0)
    transactions_per_minute: float = Field(default=0.0, ge=0)
    transaction_name: str = Field(default="transactions", description='e.g. "orders", "payments".')
    transaction_value: float | None = Field(
        default=None, ge=0, description="Average value of one transaction, if known."
    )
    requests_per_minute: float = Field(default=0.0, ge=0)
    end_users: int = Field(default=0, ge=0, description="Active end users of the customer.")


class DisasterRecovery(_Strict):
    """RTO/RPO targets of a subscription, checked by DR drills."""

    rto_minutes: float = Field(gt=0)
    rpo_minutes: float = Field(ge=0)


class Subscription(Dependent):
    """A customer's use of a service in given locations, with SLA and money figures."""

    id: EntityId | None = Field(
        default=None, description="Defaults to '<customer>/<service>'; needed when ambiguous."
    )
    service: EntityId
    locations: list[EntityId] = Field(min_length=1)
    min_healthy_locations: int | None = Field(
        default=None,
        ge=1,
        description="Locations that must work (active-active: 1); default: all of them.",
    )
    location_failover_minutes: float = Field(default=0.0, ge=0)
    sla: Sla | None = None
    monthly_fee: float = Field(default=0.0, ge=0)
    business: Business = Field(default_factory=Business)
    dr: DisasterRecovery | None = None
    critical: bool = Field(
        default=False, description="Supports a critical or important function (DORA)."
    )

    @model_validator(mode="after")
    def _locations_consistent(self) -> Subscription:
        if len(set(self.locations)) != len(self.locations):
            raise ValueError("locations lists a location more than once")
        if self.min_healthy_locations is not None and self.min_healthy_locations > len(
            self.locations
        ):
            raise ValueError(
                f"min_healthy_locations={self.min_healthy_locations} exceeds "
                f"the {len(self.locations)} location(s) listed"
            )
        return self


class RegulatoryProfile(_Strict):
    """A regulatory framework a customer falls under, with the figures its criteria need."""

    framework: str = Field(min_length=1, description='e.g. "DORA", "NIS2".')
    entity_type: str | None = Field(default=None, description='e.g. "credit_institution".')
    total_clients: int | None = Field(default=None, ge=0)
    total_financial_counterparts: int | None = Field(default=None, ge=0)
    daily_transactions: float | None = Field(default=None, ge=0)
    daily_transaction_value: float | None = Field(default=None, ge=0)
    member_states: list[str] = Field(default_factory=list)
    competent_authority: str | None = None
    annual_turnover: float | None = Field(
        default=None, ge=0, description="Previous financial year's turnover, EUR (NIS2)."
    )


class Customer(_Strict):
    """A customer of the provider."""

    id: EntityId
    name: str = Field(min_length=1)
    industry: str = Field(min_length=1)
    tier: str | None = None
    regulation: list[RegulatoryProfile] = Field(default_factory=list)
    subscriptions: list[Subscription] = Field(default_factory=list)
    contacts: list[str] = Field(default_factory=list)


class Provider(_Strict):
    """Who runs the infrastructure."""

    name: str = Field(min_length=1)
    timezone: str = "UTC"
    support_contact_rate: float = Field(
        default=0.02,
        ge=0,
        le=1,
        description="Expected support contacts per affected end user (impact estimate).",
    )


class CatalogFile(_Strict):
    """The whole native catalog file."""

    version: Literal[1] = 1
    provider: Provider
    locations: list[Location] = Field(default_factory=list)
    components: list[Component] = Field(default_factory=list)
    services: list[Service] = Field(default_factory=list)
    customers: list[Customer] = Field(default_factory=list)
