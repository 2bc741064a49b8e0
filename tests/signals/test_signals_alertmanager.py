"""Alertmanager webhook v4 adapter: documented payload shape, label mapping, shape validation."""

from __future__ import annotations

import copy
import json
from datetime import UTC, datetime
from typing import Any

import pytest
from tests.signals.signal_builders import make_signal_set

from outagelens.errors import SignalError
from outagelens.signals.alertmanager import (
    AlertmanagerMapping,
    parse_webhook,
    to_webhook_payload,
    validate_alert_shape,
)
from outagelens.signals.types import label_fingerprint

# Shaped like the example in the Alertmanager webhook_config documentation (version "4"),
# with the label conventions a Prometheus rule for OutageLens would use.
WEBHOOK: dict[str, Any] = {
    "version": "4",
    "groupKey": '{}/{severity="critical"}:{alertname="ProbeFailure"}',
    "truncatedAlerts": 0,
    "status": "firing",
    "receiver": "outagelens",
    "groupLabels": {"alertname": "ProbeFailure"},
    "commonLabels": {"alertname": "ProbeFailure", "job": "blackbox", "severity": "critical"},
    "commonAnnotations": {},
    "externalURL": "http://alertmanager.example.org:9093",
    "alerts": [
        {
            "status": "firing",
            "labels": {
                "alertname": "ProbeFailure",
                "job": "blackbox",
                "severity": "critical",
                "customer": "bankco",
                "service": "online-banking",
                "location": "fra1",
            },
            "annotations": {"summary": "online banking probe failing from fra1"},
            "startsAt": "2026-03-14T10:08:45.828127431+02:00",
            "endsAt": "0001-01-01T00:00:00Z",
            "generatorURL": "http://prometheus.example.org:9090/graph?g0.expr=probe_success+%3D%3D+0",
            "fingerprint": "1a30ba71cca2921f",
        },
        {
            "status": "resolved",
            "labels": {
                "alertname": "ProbeFailure",
                "job": "blackbox",
                "severity": "critical",
                "datacenter": "fra1",
                "instance": "lb-fra1-a",
            },
            "annotations": {},
            "startsAt": "2026-03-14T08:01:00Z",
            "endsAt": "2026-03-14T08:31:00.5Z",
            "generatorURL": "",
            "fingerprint": "0000000000000000",
            "silenceURL": "http://grafana.example.org/alerting/silence/new",
        },
    ],
}
MAPPING = AlertmanagerMapping(label_map={"datacenter": "location", "instance": "component"})


def test_parse_documented_payload() -> None:
    first, second = parse_webhook(json.dumps(WEBHOOK), MAPPING)
    assert first.status == "firing"
    assert first.starts_at == datetime(2026, 3, 14, 8, 8, 45, 828127, tzinfo=UTC)
    assert first.ends_at is None
    assert first.entity_ids == {
        "customer": "bankco",
        "service": "online-banking",
        "location": "fra1",
    }
    assert first.fingerprint == label_fingerprint(first.labels)
    assert second.status == "resolved"
    assert second.ends_at == datetime(2026, 3, 14, 8, 31, 0, 500000, tzinfo=UTC)
    assert second.component == "lb-fra1-a"
    assert second.location == "fra1"
    assert "datacenter" not in second.labels


def test_canonical_label_wins_over_renamed_one() -> None:
    payload = copy.deepcopy(WEBHOOK)
    payload["alerts"][1]["labels"]["component"] = "lb-fra1-b"
    alerts = parse_webhook(payload, MAPPING)
    assert alerts[1].component == "lb-fra1-b"


@pytest.mark.parametrize(
    ("raw", "expected"),
    [("page", "critical"), ("High", "error"), ("warn", "warning"), ("low", "info")],
    ids=["page", "high-case-insensitive", "warn", "low"],
)
def test_severity_map(raw: str, expected: str) -> None:
    payload = copy.deepcopy(WEBHOOK)
    payload["alerts"][0]["labels"]["severity"] = raw
    assert parse_webhook(payload, MAPPING)[0].severity == expected


def test_default_severity_fills_missing_label() -> None:
    payload = copy.deepcopy(WEBHOOK)
    del payload["alerts"][0]["labels"]["severity"]
    with pytest.raises(SignalError, match=r"field 'alerts\[0\]\.labels'.*severity"):
        parse_webhook(payload, MAPPING)
    with_default = AlertmanagerMapping(label_map=MAPPING.label_map, default_severity="warning")
    alert = parse_webhook(payload, with_default)[0]
    assert alert.severity == "warning"


@pytest.mark.parametrize(
    ("edit", "pattern"),
    [
        (lambda p: p.update(version="3"), r"field 'version'"),
        (lambda p: p.update(alerts={}), r"field 'alerts': must be a list"),
        (lambda p: p["alerts"].append("x"), r"field 'alerts\[2\]'"),
        (lambda p: p["alerts"][1].update(status="pending"), r"field 'alerts\[1\]\.status'"),
        (lambda p: p["alerts"][0].update(startsAt="yesterday"), r"field 'alerts\[0\]\.startsAt'"),
        (lambda p: p["alerts"][1]["labels"].pop("instance") and p["alerts"][1]["labels"].pop(
            "datacenter"), r"alerts\[1\]\.labels'.*entity label"),
    ],
    ids=["version", "alerts-not-list", "alert-not-object", "status", "time", "no-entity"],
)  # fmt: skip
def test_bad_payload(edit: Any, pattern: str) -> None:
    payload = copy.deepcopy(WEBHOOK)
    edit(payload)
    with pytest.raises(SignalError, match=pattern):
        parse_webhook(payload, MAPPING)


def test_invalid_json_payload() -> None:
    with pytest.raises(SignalError, match="invalid JSON"):
        parse_webhook(b"{")


def test_build_payload_round_trips() -> None:
    alerts = list(make_signal_set().alerts)
    payload = to_webhook_payload(alerts, group_by=("alertname", "severity"))
    assert payload["version"] == "4"
    assert payload["status"] == "firing"
    assert payload["commonLabels"] == {}  # the two alerts share no label value
    assert parse_webhook(json.dumps(payload)) == alerts
    single = to_webhook_payload(alerts[:1], group_by=("alertname",))
    assert single["groupKey"] == '{}:{alertname="LinkDown"}'
    assert single["groupLabels"] == {"alertname": "LinkDown"}
    for obj in single["alerts"]:
        validate_alert_shape(obj)


def test_written_alert_lines_have_alertmanager_shape(tmp_path: Any) -> None:
    from outagelens.signals import write_signals_dir

    write_signals_dir(tmp_path, make_signal_set())
    lines = (tmp_path / "alerts.jsonl").read_text().splitlines()
    for n, line in enumerate(lines, start=1):
        validate_alert_shape(json.loads(line), source="alerts.jsonl", line=n)


GOOD = WEBHOOK["alerts"][0]


@pytest.mark.parametrize(
    ("obj", "pattern"),
    [
        ({k: v for k, v in GOOD.items() if k != "generatorURL"}, r"field 'generatorURL': missing"),
        ({**GOOD, "silenceURL": ""}, r"field 'silenceURL': not part"),
        ({**GOOD, "labels": {"a": 1}}, r"field 'labels\.a': values must be strings"),
        ({**GOOD, "labels": []}, r"field 'labels': expected JSON dict"),
        ({**GOOD, "status": "active"}, r"field 'status'"),
        ({**GOOD, "endsAt": "2026-03-14 10:00"}, r"field 'endsAt'"),
        ([], r"must be a JSON object"),
    ],
    ids=["missing", "extra", "label-type", "labels-type", "status", "naive-time", "not-object"],
)
def test_validate_alert_shape_rejects(obj: Any, pattern: str) -> None:
    with pytest.raises(SignalError, match=pattern) as info:
        validate_alert_shape(obj, source="alerts.jsonl", line=7)
    assert info.value.line == 7


@pytest.mark.parametrize(
    ("labels", "fingerprint"),
    [({}, "cbf29ce484222325"), ({"foo": "bar"}, "3fff2c2d7595e046"),
     ({"foo": "bar", "baz": "qux"}, "e4d83091cd448e77")],
    ids=["empty", "one", "two"],
)  # fmt: skip
def test_fingerprint_matches_prometheus_test_vectors(
    labels: dict[str, str], fingerprint: str
) -> None:
    assert label_fingerprint(labels) == fingerprint
