"""Observations: what the signals say about catalog entities, symptomatic or healthy.

An observation is one thing we can see: a subscription in one location (its SLI series, or a
customer alert naming a location), or an entity named by an alert (component, deployment,
location). Each maps to graph nodes; it is predicted down when any of those nodes is down.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from datetime import datetime

from outagelens.detect.alerts import subscriptions_by_use
from outagelens.detect.models import HealthState, Symptom, SymptomSource
from outagelens.topology.catalog import Catalog


@dataclass(slots=True)
class Observation:
    """One observed thing, its graph nodes, and the symptoms seen on it (none: healthy)."""

    key: str
    nodes: tuple[int, ...]
    customer: str | None = None
    service: str | None = None
    location: str | None = None
    subscription: str | None = None
    symptoms: list[Symptom] = field(default_factory=list)

    @property
    def symptomatic(self) -> bool:
        """Whether any symptom was seen on it."""
        return bool(self.symptoms)

    @property
    def state(self) -> HealthState | None:
        """Worst observed state, None when healthy."""
        if not self.symptoms:
            return None
        if any(s.state is HealthState.DOWN for s in self.symptoms):
            return HealthState.DOWN
        return HealthState.DEGRADED

    @property
    def start(self) -> datetime | None:
        """Earliest symptom start."""
        return min((s.start for s in self.symptoms), default=None)

    @property
    def confidence(self) -> float:
        """How sure we are it is unhealthy: combined (noisy-OR) over its symptoms."""
        miss = 1.0
        for s in self.symptoms:
            miss *= 1.0 - s.score
        return 1.0 - miss

    @property
    def has_series(self) -> bool:
        """Whether a series symptom backs it."""
        return any(s.source is SymptomSource.SERIES for s in self.symptoms)


class ObservationIndex:
    """Resolves symptoms and series keys to observations on the catalog graph."""

    def __init__(self, catalog: Catalog) -> None:
        self.catalog = catalog
        # (customer, service) -> the customer's first subscription to it.
        self.by_use = subscriptions_by_use(catalog)

    def subscription_for(self, customer: str, service: str) -> str | None:
        """Subscription id of a customer's use of a service."""
        return self.by_use.get((customer, service))

    def site_node(self, service: str, location: str) -> int | None:
        """Graph node of a service in a location: its deployment, else the location."""
        idx = self.catalog.graph.index
        return idx.get(f"{service}@{location}", idx.get(location))

    def for_subscription_location(
        self, customer: str, service: str, location: str | None
    ) -> Observation | None:
        """Observation of a customer's service (in one location, if given)."""
        sub = self.subscription_for(customer, service)
        if sub is None:
            return None
        idx = self.catalog.graph.index
        nodes = [idx[sub]]
        if location is not None:
            site = self.site_node(service, location)
            if site is not None:
                nodes.append(site)
        key = f"{sub}@{location}" if location else sub
        return Observation(key, tuple(nodes), customer, service, location, sub)

    def for_symptom(self, s: Symptom) -> Observation | None:
        """Observation a symptom is about, None if it names nothing in the catalog."""
        if s.component is None and s.customer and s.service:
            return self.for_subscription_location(s.customer, s.service, s.location)
        idx = self.catalog.graph.index
        if s.entity in idx:
            return Observation(s.entity, (idx[s.entity],), s.customer, s.service, s.location)
        if s.entity in self.catalog.customers:
            subs = self.catalog.subscriptions_of(s.entity)
            return Observation(s.entity, tuple(idx[r.id] for r in subs), s.entity)
        return None


def build_observations(
    index: ObservationIndex,
    symptoms: Iterable[Symptom],
    healthy_keys: Sequence[tuple[str, str, str]],
) -> list[Observation]:
    """Observations for the symptoms (merged by key) plus healthy series keys without any."""
    by_key: dict[str, Observation] = {}
    for s in symptoms:
        obs = index.for_symptom(s)
        if obs is None:
            continue
        cur = by_key.setdefault(obs.key, obs)
        cur.symptoms.append(s)
    for customer, service, location in healthy_keys:
        obs = index.for_subscription_location(customer, service, location)
        if obs is not None and obs.key not in by_key:
            by_key[obs.key] = obs
    return list(by_key.values())
