"""Request bodies in each source's real format, valid and invalid, for the ingest tests."""

from __future__ import annotations

import json
from typing import Any

CSV_HEADER = "timestamp,customer,service,location,availability,request_rate,error_rate,latency_p95_ms,throughput\n"  # noqa: E501


def am_alert(
    name: str, status: str = "firing", start: str = "2026-03-14T09:00:00Z"
) -> dict[str, Any]:
    """One alert as Alertmanager puts it in a webhook."""
    return {
        "status": status,
        "labels": {"alertname": name, "severity": "critical", "component": "fra1-ups-a"},
        "annotations": {"summary": name},
        "startsAt": start,
        "endsAt": "2026-03-14T09:30:00Z" if status == "resolved" else "0001-01-01T00:00:00Z",
        "generatorURL": "http://prometheus/graph",
        "fingerprint": "0000000000000000",
    }


def webhook(*alerts: dict[str, Any]) -> dict[str, Any]:
    """An Alertmanager webhook v4 payload."""
    return {
        "version": "4",
        "groupKey": "{}:{}",
        "truncatedAlerts": 0,
        "status": "firing",
        "receiver": "outagelens",
        "groupLabels": {},
        "commonLabels": {},
        "commonAnnotations": {},
        "externalURL": "http://alertmanager",
        "alerts": list(alerts),
    }


def pd_trigger(dedup: str = "dk-1") -> dict[str, Any]:
    """A PagerDuty Events API v2 trigger."""
    return {
        "routing_key": "R0UT1NGKEY",
        "event_action": "trigger",
        "dedup_key": dedup,
        "payload": {
            "summary": "UPS A on battery",
            "source": "fra1-ups-a.mgmt",
            "severity": "critical",
            "timestamp": "2026-03-14T09:00:00Z",
            "component": "fra1-ups-a",
            "custom_details": {"location": "fra1"},
        },
    }


CHANGE = {
    "id": "chg-1",
    "time": "2026-03-14T08:58:00Z",
    "component": "fra1-ups-a",
    "software": "ups-firmware",
    "from_version": "1.0",
    "to_version": "1.1",
    "kind": "deploy",
    "actor": "ci",
}
ALARM = {
    "id": "hw-1",
    "time": "2026-03-14T08:59:00Z",
    "component": "fra1-ups-a",
    "alarm": "ups_on_battery",
    "severity": "critical",
}
CAP = """<?xml version="1.0" encoding="UTF-8"?>
<alert xmlns="urn:oasis:names:tc:emergency:cap:1.2">
  <identifier>DWD-2026-1</identifier><sender>cap@dwd.example</sender>
  <sent>2026-03-14T08:00:00+00:00</sent><status>Actual</status><msgType>Alert</msgType>
  <scope>Public</scope>
  <info><category>Met</category><event>Flood</event><urgency>Immediate</urgency>
    <severity>Severe</severity><certainty>Observed</certainty>
    <area><areaDesc>Frankfurt</areaDesc>
      <geocode><valueName>NUTS3</valueName><value>DE712</value></geocode></area>
  </info>
</alert>
"""
SERIES_CSV = (
    CSV_HEADER
    + "2026-03-14T08:00:00Z,hansa-direktbank,online-banking,fra1,1,80,0,55.5,\n"
    + "2026-03-14T08:01:00Z,hansa-direktbank,online-banking,fra1,0.5,80,40,,\n"
)
TRAFFIC_CSV = (
    "timestamp,location,component,requests_per_s,bytes_per_s,distinct_source_networks,"
    "new_source_networks,syn_ratio\n2026-03-14T08:00:00Z,fra1,fra1-edge,1500,1350000,400,3,0.05\n"
)


def cloudevent(kind: str = "io.outagelens.change.deploy", event_id: str = "ce-1") -> dict[str, Any]:
    """A structured-mode CloudEvent carrying a change."""
    data = {k: v for k, v in CHANGE.items() if k not in ("id", "kind")}
    return {"specversion": "1.0", "id": event_id, "source": "/ci", "type": kind, "data": data}


# (endpoint, request kwargs) per source: valid requests
VALID: dict[str, tuple[str, dict[str, Any]]] = {
    "alertmanager": ("/ingest/alertmanager", {"json": webhook(am_alert("A"), am_alert("B"))}),
    "pagerduty": ("/ingest/pagerduty", {"json": pd_trigger()}),
    "cloudevents-structured": (
        "/ingest/cloudevents",
        {
            "content": json.dumps(cloudevent()),
            "headers": {"content-type": "application/cloudevents+json"},
        },
    ),
    "cloudevents-binary": (
        "/ingest/cloudevents",
        {
            "content": json.dumps(ALARM),
            "headers": {
                "content-type": "application/json",
                "ce-specversion": "1.0",
                "ce-id": "ce-2",
                "ce-source": "/dcim",
                "ce-type": "io.outagelens.hardware.alarm",
            },
        },
    ),
    "cap": ("/ingest/cap", {"content": CAP, "headers": {"content-type": "application/cap+xml"}}),
    "changes": ("/ingest/changes", {"json": [CHANGE]}),
    "hardware": ("/ingest/hardware", {"json": {"alarms": [ALARM]}}),
    "series": ("/ingest/series", {"content": SERIES_CSV, "headers": {"content-type": "text/csv"}}),
    "traffic": (
        "/ingest/traffic",
        {"content": TRAFFIC_CSV, "headers": {"content-type": "text/csv"}},
    ),
}
# how many signals each valid request carries
VALID_COUNT = {"alertmanager": 2}

# (endpoint, request kwargs, text expected in the first problem) per invalid case
INVALID: dict[str, tuple[str, dict[str, Any], str]] = {
    "am-not-json": ("/ingest/alertmanager", {"content": b"{nope"}, "invalid JSON"),
    "am-version": ("/ingest/alertmanager", {"json": {**webhook(), "version": "3"}}, "version"),
    "am-no-severity": (
        "/ingest/alertmanager",
        {"json": webhook({**am_alert("A"), "labels": {"alertname": "A", "component": "x"}})},
        "severity",
    ),
    "pd-action": (
        "/ingest/pagerduty",
        {"json": {**pd_trigger(), "event_action": "x"}},
        "event_action",
    ),
    "pd-resolve-no-key": (
        "/ingest/pagerduty",
        {"json": {"routing_key": "r", "event_action": "resolve"}},
        "dedup_key",
    ),
    "ce-type": (
        "/ingest/cloudevents",
        {
            "content": json.dumps(cloudevent(kind="com.example.other")),
            "headers": {"content-type": "application/cloudevents+json"},
        },
        "type",
    ),
    "cap-not-xml": (
        "/ingest/cap",
        {"content": "<alert", "headers": {"content-type": "application/xml"}},
        "",
    ),
    "changes-missing": ("/ingest/changes", {"json": [CHANGE, {"id": "c2"}]}, "changes[1]"),
    "series-ratio": (
        "/ingest/series",
        {"content": SERIES_CSV.replace(",0.5,", ",1.5,"), "headers": {"content-type": "text/csv"}},
        "availability",
    ),
    "series-type": (
        "/ingest/series",
        {"content": SERIES_CSV, "headers": {"content-type": "text/plain"}},
        "Content-Type",
    ),
}
