"""Alert symptoms: which entity an alert is about, its state, and de-duplication."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest
from tests.rca.engine_builders import small_catalog

from outagelens.detect.alerts import (
    alert_entity,
    alert_symptoms,
    dedupe_alerts,
    subscriptions_by_use,
)
from outagelens.detect.models import HealthState
from outagelens.signals.types import Alert

T0 = datetime(2026, 3, 14, 9, 0, tzinfo=UTC)


def _alert(status: str = "firing", end: datetime | None = None, **labels: str) -> Alert:
    return Alert.model_validate(
        {"status": status, "labels": {"alertname": "X", **labels}, "startsAt": T0, "endsAt": end}
    )


ENTITY_CASES = [
    ("component", {"component": "san", "location": "a"}, "san"),
    ("customer-service", {"customer": "bank", "service": "sql", "location": "a"}, "bank/sql"),
    ("service-location", {"service": "web", "location": "b"}, "web@b"),
    ("location", {"location": "a"}, "a"),
    ("customer-only", {"customer": "shop"}, "shop"),
    ("unknown-component", {"component": "nope"}, None),
]


@pytest.mark.parametrize(
    ("labels", "want"), [(c[1], c[2]) for c in ENTITY_CASES], ids=[c[0] for c in ENTITY_CASES]
)
def test_alert_entity(labels: dict[str, str], want: str | None) -> None:
    cat, alert = small_catalog(), _alert(severity="critical", **labels)
    assert alert_entity(alert, cat) == want
    # The precomputed (customer, service) map resolves exactly as the plain call.
    assert alert_entity(alert, cat, subscriptions_by_use(cat)) == want


@pytest.mark.parametrize(
    ("severity", "state"),
    [
        ("critical", HealthState.DOWN),
        ("error", HealthState.DEGRADED),
        ("warning", HealthState.DEGRADED),
        ("info", None),
    ],
    ids=["critical", "error", "warning", "info"],
)
def test_severity_maps_to_state(severity: str, state: HealthState | None) -> None:
    symptoms, _ = alert_symptoms([_alert(severity=severity, component="san")], small_catalog())
    assert [s.state for s in symptoms] == ([] if state is None else [state])


def test_flapping_records_collapse_to_latest_state() -> None:
    firing = _alert(severity="critical", component="san")
    resolved = _alert("resolved", T0 + timedelta(minutes=30), severity="critical", component="san")
    assert dedupe_alerts([firing, resolved]) == [resolved]
    [s] = alert_symptoms([firing, resolved], small_catalog())[0]
    assert s.end == T0 + timedelta(minutes=30)


def test_unknown_entities_are_returned_not_dropped_silently() -> None:
    symptoms, unknown = alert_symptoms(
        [_alert(severity="critical", component="ghost")], small_catalog()
    )
    assert symptoms == [] and len(unknown) == 1
