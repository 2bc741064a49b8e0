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


def test_alert_entity_through_an_observation_index() -> None:
    """The index's (customer, service) lookup resolves every case as the plain call does."""
    from outagelens.correlate.observations import ObservationIndex

    cat = small_catalog()
    index = ObservationIndex(cat)
    for _, labels, want in ENTITY_CASES:
        alert = _alert(severity="critical", **labels)
        assert alert_entity(alert, cat, index.by_use) == want


def test_alert_symptoms_equal_validated_symptoms() -> None:
    """Symptoms are built without validation: the same values, types and JSON as validated,
    and the same with the index's lookup as with the module's own map."""
    from outagelens.correlate.observations import ObservationIndex
    from outagelens.detect.models import Symptom

    cat = small_catalog()
    alerts = [
        _alert(severity="critical", component="san"),
        _alert(severity="warning", customer="bank", service="sql", location="a", summary="x"),
        _alert(
            "resolved", T0 + timedelta(minutes=5), severity="error", service="web", location="b"
        ),
        _alert(severity="critical", component="nope"),
    ]
    symptoms, unknown = alert_symptoms(alerts, cat)
    assert len(symptoms) == 3 and len(unknown) == 1
    for s in symptoms:
        validated = Symptom.model_validate(dict(s.__dict__))
        assert validated == s
        assert {k: type(v) for k, v in validated.__dict__.items()} == {
            k: type(v) for k, v in s.__dict__.items()
        }
        assert validated.model_dump_json() == s.model_dump_json()
        assert validated.model_fields_set == s.model_fields_set
    index = ObservationIndex(cat)
    again, unknown_again = alert_symptoms(alerts, cat, by_use=index.by_use)
    assert again == symptoms and unknown_again == unknown
