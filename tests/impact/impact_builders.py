"""Builders for impact tests: a small catalog, outage intervals, incidents, series."""

from __future__ import annotations

import copy
from collections.abc import Sequence
from datetime import UTC, datetime, timedelta
from typing import Any

from outagelens.correlate.models import AffectedSubscription, Incident, OutageInterval, Scope
from outagelens.detect.models import HealthState
from outagelens.topology import Catalog, catalog_from_dict

T0 = datetime(2026, 11, 24, 9, 0, tzinfo=UTC)

BASE: dict[str, Any] = {
    "version": 1,
    "provider": {"name": "P", "timezone": "UTC", "support_contact_rate": 0.02},
    "locations": [
        {"id": "fra1", "region": "eu-central", "geography": "Frankfurt, DE", "country": "DE"},
        {"id": "ams1", "region": "eu-west", "geography": "Amsterdam, NL", "country": "NL"},
    ],
    "services": [{"id": "web", "name": "Web", "locations": {"fra1": {}, "ams1": {}}}],
    "customers": [
        {
            "id": "shop",
            "name": "Shop",
            "industry": "e-commerce",
            "subscriptions": [
                {
                    "service": "web",
                    "locations": ["fra1", "ams1"],
                    "min_healthy_locations": 1,
                    "monthly_fee": 1000,
                    "sla": {
                        "target_percent": 99.95,
                        "credit_tiers": [
                            {"below_percent": 99.95, "credit_percent": 10},
                            {"below_percent": 99.0, "credit_percent": 25},
                            {"below_percent": 95.0, "credit_percent": 100},
                        ],
                    },
                    "business": {
                        "currency": "EUR",
                        "revenue_per_minute": 100,
                        "transactions_per_minute": 10,
                        "transaction_name": "orders",
                        "transaction_value": 10,
                        "requests_per_minute": 600,
                        "end_users": 1000,
                    },
                }
            ],
        }
    ],
}


def make_catalog(**sub_overrides: Any) -> Catalog:
    """The base catalog with fields of shop's subscription replaced."""
    raw = copy.deepcopy(BASE)
    raw["customers"][0]["subscriptions"][0].update(sub_overrides)
    return catalog_from_dict(raw)


def raw_catalog() -> dict[str, Any]:
    """A fresh copy of the base catalog mapping."""
    return copy.deepcopy(BASE)


def interval(
    location: str,
    start: datetime,
    minutes: float,
    *,
    state: HealthState = HealthState.DOWN,
    failed: float = 1.0,
) -> OutageInterval:
    """One outage interval of `minutes` from `start`."""
    return OutageInterval(
        location=location,
        start=start,
        end=start + timedelta(minutes=minutes),
        state=state,
        failed_fraction=failed,
    )


def affected(
    intervals: Sequence[OutageInterval],
    *,
    subscription: str = "shop/web",
    customer: str = "shop",
    service: str = "web",
) -> AffectedSubscription:
    """An affected subscription with the given intervals."""
    return AffectedSubscription(
        subscription=subscription,
        customer=customer,
        service=service,
        state=HealthState.DOWN,
        locations=tuple(dict.fromkeys(iv.location for iv in intervals)),
        intervals=tuple(intervals),
    )


def incident(subs: Sequence[AffectedSubscription], *, first_alert_delay: float = 2.0) -> Incident:
    """An incident whose scope spans all given subscriptions' intervals."""
    ivs = [iv for s in subs for iv in s.intervals]
    start = min(iv.start for iv in ivs)
    end = max(iv.end or iv.start for iv in ivs)
    return Incident(
        id="inc-test",
        symptoms=(),
        scope=Scope(
            start=start,
            end=end,
            ongoing=False,
            duration_minutes=(end - start) / timedelta(minutes=1),
            first_alert_at=start + timedelta(minutes=first_alert_delay),
            detection_delay_minutes=first_alert_delay,
            customers=tuple(sorted({s.customer for s in subs})),
            services=tuple(sorted({s.service for s in subs})),
            locations=tuple(sorted({iv.location for iv in ivs})),
            regions=(),
            geography=(),
            subscriptions=tuple(subs),
        ),
    )
