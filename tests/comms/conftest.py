"""Builders for comms tests: the example catalog and an incident scope on it."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest

from outagelens.comms.models import IncidentStatus
from outagelens.comms.status import CauseStatement, LiveIncident
from outagelens.correlate.models import AffectedSubscription, OutageInterval, Scope
from outagelens.detect.models import HealthState
from outagelens.topology import Catalog, load_catalog

T0 = datetime(2026, 11, 20, 8, 0, tzinfo=UTC)


@pytest.fixture(scope="session")
def catalog() -> Catalog:
    return load_catalog("examples/three-customers.yaml")


def make_scope(*, ended: bool = False) -> Scope:
    end = T0 + timedelta(minutes=47) if ended else None
    subs = (
        AffectedSubscription(
            subscription="hansa-direktbank/online-banking",
            customer="hansa-direktbank",
            service="vm-hosting",
            state=HealthState.DOWN,
            locations=("fra1",),
            intervals=(
                OutageInterval(
                    location="fra1", start=T0, end=end, state=HealthState.DOWN, failed_fraction=0.98
                ),
            ),
        ),
        AffectedSubscription(
            subscription="shopwave/managed-k8s",
            customer="shopwave",
            service="managed-k8s",
            state=HealthState.DEGRADED,
            locations=("fra1",),
            intervals=(
                OutageInterval(
                    location="fra1", start=T0, end=end, state=HealthState.DOWN, failed_fraction=0.95
                ),
            ),
        ),
        AffectedSubscription(
            subscription="rheinlogistik/colocation",
            customer="rheinlogistik",
            service="colocation",
            state=HealthState.DEGRADED,
            locations=("fra1",),
            intervals=(
                OutageInterval(
                    location="fra1",
                    start=T0,
                    end=end,
                    state=HealthState.DEGRADED,
                    failed_fraction=0.4,
                ),
            ),
        ),
    )
    return Scope(
        start=T0,
        end=end,
        ongoing=not ended,
        duration_minutes=47 if ended else 10,
        customers=("hansa-direktbank", "rheinlogistik", "shopwave"),
        services=("colocation", "managed-k8s", "vm-hosting"),
        locations=("fra1",),
        regions=("eu-central",),
        geography=("Frankfurt am Main, DE",),
        subscriptions=subs,
    )


def make_incident(
    status: IncidentStatus = IncidentStatus.INVESTIGATING,
    *,
    cause: CauseStatement | None = None,
    ended: bool = False,
) -> LiveIncident:
    return LiveIncident(
        id="inc-1",
        status=status,
        created_at=T0 + timedelta(minutes=3),
        updated_at=T0 + timedelta(minutes=5),
        scope=make_scope(ended=ended),
        cause=cause,
        resolved_at=T0 + timedelta(minutes=60) if status is IncidentStatus.RESOLVED else None,
    )
