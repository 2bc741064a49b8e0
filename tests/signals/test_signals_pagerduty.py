"""PagerDuty Events API v2 adapter: field mapping and dedup_key lifecycle semantics."""

from __future__ import annotations

import copy
import json
from datetime import UTC, datetime, timedelta
from typing import Any

import pytest

from outagelens.errors import SignalError
from outagelens.signals.pagerduty import PagerDutyAlerts, PagerDutyMapping

T0 = datetime(2026, 3, 14, 9, 0, tzinfo=UTC)

# Shaped like the trigger example in PagerDuty's "Send an Alert Event" documentation.
TRIGGER: dict[str, Any] = {
    "payload": {
        "summary": "Replication lag on db-fra1-2",
        "timestamp": "2026-03-14T08:42:58.315+0000",
        "source": "monitoringtool:cloudvendor:fra1:852559987:cluster/db-prod-003",
        "severity": "error",
        "component": "db-fra1-2",
        "group": "prod-datapipe",
        "class": "replication lag",
        "custom_details": {"lag seconds": 95, "location": "fra1"},
    },
    "routing_key": "samplekeyhere",
    "dedup_key": "db-fra1-2-lag",
    "images": [{"src": "https://example.com/graph.png"}],
    "links": [{"href": "https://example.com/", "text": "dashboard"}],
    "event_action": "trigger",
    "client": "Sample Monitoring Service",
    "client_url": "https://monitoring.example.com",
}
ACK = {"routing_key": "samplekeyhere", "dedup_key": "db-fra1-2-lag", "event_action": "acknowledge"}
RESOLVE = {"routing_key": "samplekeyhere", "dedup_key": "db-fra1-2-lag", "event_action": "resolve"}


def test_trigger_maps_fields() -> None:
    alert = PagerDutyAlerts().apply(TRIGGER, received_at=T0)
    assert alert is not None
    assert alert.status == "firing"
    assert alert.labels == {
        "alertname": "replication_lag",
        "severity": "error",
        "instance": "monitoringtool:cloudvendor:fra1:852559987:cluster/db-prod-003",
        "component": "db-fra1-2",
        "group": "prod-datapipe",
        "location": "fra1",
        "dedup_key": "db-fra1-2-lag",
    }
    assert alert.annotations["summary"] == "Replication lag on db-fra1-2"
    assert json.loads(alert.annotations["custom_details"]) == {"lag seconds": 95}
    assert alert.starts_at == datetime(2026, 3, 14, 8, 42, 58, 315000, tzinfo=UTC)
    assert alert.generator_url == "https://monitoring.example.com"
    assert "routing_key" not in json.dumps(alert.model_dump(mode="json"))


def test_dedup_key_lifecycle() -> None:
    pd = PagerDutyAlerts()
    opened = pd.apply(TRIGGER, received_at=T0)
    assert opened is not None
    retrigger = copy.deepcopy(TRIGGER)
    retrigger["payload"].update(severity="critical", timestamp="2026-03-14T08:50:00Z")
    updated = pd.apply(retrigger, received_at=T0 + timedelta(minutes=1))
    assert updated is not None
    assert updated.severity == "critical"
    assert updated.starts_at == opened.starts_at  # same alert: the start is kept
    acked = pd.apply(ACK, received_at=T0 + timedelta(minutes=2))
    assert acked is not None and acked.status == "firing"
    assert acked.annotations["acknowledged_at"] == "2026-03-14T09:02:00Z"
    resolved = pd.apply(RESOLVE, received_at=T0 + timedelta(minutes=5))
    assert resolved is not None
    assert resolved.status == "resolved"
    assert resolved.ends_at == T0 + timedelta(minutes=5)
    assert pd.open_alerts() == []
    # Resolve or acknowledge for a key with no open alert: PagerDuty drops them.
    assert pd.apply(RESOLVE, received_at=T0 + timedelta(minutes=6)) is None
    assert pd.apply(ACK, received_at=T0 + timedelta(minutes=6)) is None
    # A trigger after resolve opens a new alert.
    later = copy.deepcopy(TRIGGER)
    later["payload"]["timestamp"] = "2026-03-14T09:30:00Z"
    reopened = pd.apply(later, received_at=T0 + timedelta(minutes=30))
    assert reopened is not None and reopened.starts_at == T0 + timedelta(minutes=30)
    assert len(pd.open_alerts()) == 1


def test_resolve_via_other_routing_key_is_dropped() -> None:
    pd = PagerDutyAlerts()
    pd.apply(TRIGGER, received_at=T0)
    other = {**RESOLVE, "routing_key": "another-service"}
    assert pd.apply(other, received_at=T0) is None
    assert len(pd.open_alerts()) == 1


def test_trigger_without_dedup_key_gets_a_generated_one() -> None:
    event = {k: v for k, v in TRIGGER.items() if k != "dedup_key"}
    pd = PagerDutyAlerts()
    first = pd.apply(event, received_at=T0)
    second = pd.apply(event, received_at=T0 + timedelta(seconds=1))
    assert first is not None and second is not None
    assert len(first.labels["dedup_key"]) == 32
    assert first.labels["dedup_key"] != second.labels["dedup_key"]
    assert len(pd.open_alerts()) == 2
    again = PagerDutyAlerts().apply(event, received_at=T0)
    assert again is not None and again.labels["dedup_key"] == first.labels["dedup_key"]


def test_custom_field_mapping_puts_source_into_component() -> None:
    event = copy.deepcopy(TRIGGER)
    event["payload"].update(source="lb-fra1-a")
    del event["payload"]["component"]
    mapping = PagerDutyMapping(field_labels={"class": "alertname", "source": "component"})
    alert = PagerDutyAlerts(mapping).apply(event, received_at=T0)
    assert alert is not None and alert.component == "lb-fra1-a"


def _without(path: str) -> dict[str, Any]:
    event = copy.deepcopy(TRIGGER)
    *parents, leaf = path.split(".")
    target = event
    for p in parents:
        target = target[p]
    del target[leaf]
    return event


@pytest.mark.parametrize(
    ("event", "pattern"),
    [
        (_without("routing_key"), r"field 'routing_key'"),
        ({**TRIGGER, "event_action": "close"}, r"field 'event_action'"),
        ({**TRIGGER, "dedup_key": "k" * 256}, r"field 'dedup_key'"),
        ({k: v for k, v in ACK.items() if k != "dedup_key"}, r"field 'dedup_key': required"),
        (_without("payload"), r"field 'payload'"),
        (_without("payload.summary"), r"field 'payload\.summary'"),
        (_without("payload.source"), r"field 'payload\.source'"),
        ({**TRIGGER, "payload": {**TRIGGER["payload"], "severity": "high"}}, r"payload\.severity"),
        ({**TRIGGER, "payload": {**TRIGGER["payload"], "custom_details": "x"}}, r"custom_details"),
        ({**TRIGGER, "payload": {**TRIGGER["payload"], "timestamp": "soon"}}, r"\.timestamp"),
        (
            {**TRIGGER, "payload": {k: v for k, v in TRIGGER["payload"].items()
                                    if k not in ("component", "custom_details")}},
            r"mapped alert.*entity label",
        ),
        ("not an object", r"JSON object"),
    ],
    ids=[
        "no-routing-key", "bad-action", "long-dedup", "ack-without-key", "no-payload",
        "no-summary", "no-source", "bad-severity", "details-not-object", "bad-timestamp",
        "no-entity", "not-object",
    ],
)  # fmt: skip
def test_bad_events(event: Any, pattern: str) -> None:
    with pytest.raises(SignalError, match=pattern):
        PagerDutyAlerts().apply(event, received_at=T0, source="pagerduty:enqueue")
