"""The `Framework` protocol, the context a framework assesses, and the framework registry."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from typing import Protocol

from outagelens.correlate.models import Scope
from outagelens.impact.config import RegulatoryFacts
from outagelens.impact.models import RegulatoryAssessment, SubscriptionImpact
from outagelens.topology import SubscriptionRef
from outagelens.topology.models import Customer, RegulatoryProfile


@dataclass(frozen=True)
class RegulatoryContext:
    """Everything a framework needs to classify one incident for one regulated customer."""

    customer: Customer
    profile: RegulatoryProfile
    impacts: tuple[SubscriptionImpact, ...]
    subscriptions: dict[str, SubscriptionRef]
    scope: Scope
    incident_start: datetime
    incident_end: datetime
    affected_countries: tuple[str, ...]
    classified_at: datetime | None
    facts: RegulatoryFacts
    eur_per_unit: dict[str, float]

    @property
    def aware_at(self) -> datetime:
        """When the entity became aware: a stated fact, else the first alert, else the start."""
        return self.facts.aware_at or self.scope.first_alert_at or self.incident_start


class Framework(Protocol):
    """A regulatory incident-classification framework (DORA, NIS2, ...)."""

    name: str

    def assess(self, ctx: RegulatoryContext) -> RegulatoryAssessment:
        """Classify the incident for the customer and compute the reporting deadlines."""
        ...


_REGISTRY: dict[str, Framework] = {}


def register(framework: Framework) -> Framework:
    """Add a framework to the registry under its upper-cased name; returns it."""
    _REGISTRY[framework.name.upper()] = framework
    return framework


def get_framework(name: str) -> Framework | None:
    """The registered framework of that name (case-insensitive), or None."""
    return _REGISTRY.get(name.upper())


def registered() -> list[str]:
    """Names of the registered frameworks."""
    return sorted(_REGISTRY)
