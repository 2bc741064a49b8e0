"""PagerDuty Events API v2 (alert events) adapter: trigger / acknowledge / resolve -> Alert.

Events for one `dedup_key` (per `routing_key`) describe one alert over time, as in PagerDuty:
a trigger opens the alert (or updates the open one), acknowledge marks it, resolve closes it;
acknowledge/resolve for a dedup_key with no open alert are dropped, and a trigger after a
resolve opens a new alert. `PagerDutyAlerts` applies events in arrival order and returns the
alert state each event produces.

| Events API v2 field        | canonical Alert field                 | catalog entity       |
|----------------------------|---------------------------------------|----------------------|
| payload.class              | labels.alertname (else "PagerDutyEvent") |                   |
| payload.severity           | labels.severity (same vocabulary)     |                      |
| payload.source             | labels.instance (configurable)        | component if mapped  |
| payload.component          | labels.component (configurable)       | component            |
| payload.group              | labels.group (configurable)           |                      |
| payload.custom_details.{customer,service,location,component} | labels.<same> | those entities |
| payload.custom_details (rest) | annotations.custom_details (JSON)  |                      |
| payload.summary            | annotations.summary                   |                      |
| payload.timestamp          | starts_at (else the time received)    |                      |
| dedup_key                  | labels.dedup_key (generated if absent) |                     |
| event_action               | status: trigger/acknowledge -> firing, resolve -> resolved |  |
| (time of resolve)          | ends_at                               |                      |
| acknowledge time           | annotations.acknowledged_at           |                      |
| client_url                 | generator_url                         |                      |
| routing_key                | not kept (it is a secret)             |                      |
| images, links, client      | dropped                               |                      |
"""

from __future__ import annotations

import hashlib
import json
from collections.abc import Mapping
from dataclasses import dataclass, field
from datetime import datetime
from typing import Any

from pydantic import ValidationError

from outagelens.errors import SignalError
from outagelens.signals.directory import describe_validation
from outagelens.signals.timefmt import format_time, parse_time, to_utc
from outagelens.signals.types import ENTITY_LABELS, Alert, label_fingerprint

EVENT_ACTIONS = ("trigger", "acknowledge", "resolve")
SEVERITIES = ("critical", "error", "warning", "info")
# payload field -> label name; override to put catalog ids found in e.g. `source` into `component`.
FIELD_LABELS: dict[str, str] = {
    "class": "alertname",
    "source": "instance",
    "component": "component",
    "group": "group",
}
DEFAULT_ALERTNAME = "PagerDutyEvent"
MAX_DEDUP_KEY = 255
MAX_SUMMARY = 1024


@dataclass(frozen=True)
class PagerDutyMapping:
    """Which label each payload field becomes (see FIELD_LABELS)."""

    field_labels: Mapping[str, str] = field(default_factory=lambda: dict(FIELD_LABELS))


def _require_str(obj: Mapping[str, Any], name: str, where: str, source: str) -> str:
    value = obj.get(name)
    if not isinstance(value, str) or not value.strip():
        raise SignalError(f"field '{where}{name}': required non-empty string", source=source)
    return value


def validate_event(event: Any, *, source: str = "pagerduty event") -> dict[str, Any]:
    """Check an Events API v2 alert event's required fields and limits; return it as a dict."""
    if not isinstance(event, dict):
        raise SignalError("event must be a JSON object", source=source)
    _require_str(event, "routing_key", "", source)
    action = event.get("event_action")
    if action not in EVENT_ACTIONS:
        raise SignalError(
            f"field 'event_action': must be one of {'|'.join(EVENT_ACTIONS)}, got {action!r}",
            source=source,
        )
    dedup = event.get("dedup_key")
    if dedup is not None and (not isinstance(dedup, str) or not 0 < len(dedup) <= MAX_DEDUP_KEY):
        raise SignalError(
            f"field 'dedup_key': must be a string of 1..{MAX_DEDUP_KEY} characters", source=source
        )
    if action != "trigger":
        if dedup is None:
            raise SignalError(f"field 'dedup_key': required for {action}", source=source)
        return event
    payload = event.get("payload")
    if not isinstance(payload, dict):
        raise SignalError("field 'payload': required object for trigger", source=source)
    summary = _require_str(payload, "summary", "payload.", source)
    if len(summary) > MAX_SUMMARY:
        raise SignalError(f"field 'payload.summary': longer than {MAX_SUMMARY}", source=source)
    _require_str(payload, "source", "payload.", source)
    if payload.get("severity") not in SEVERITIES:
        raise SignalError(
            f"field 'payload.severity': must be one of {'|'.join(SEVERITIES)}, "
            f"got {payload.get('severity')!r}",
            source=source,
        )
    details = payload.get("custom_details")
    if details is not None and not isinstance(details, dict):
        raise SignalError("field 'payload.custom_details': must be an object", source=source)
    return event


def generated_dedup_key(event: Mapping[str, Any], received_at: datetime) -> str:
    """Stand-in for PagerDuty's generated key: stable hash of the event and its arrival time."""
    blob = json.dumps(event, sort_keys=True, default=str) + format_time(received_at)
    return hashlib.sha256(blob.encode()).hexdigest()[:32]


def trigger_labels(
    payload: Mapping[str, Any], dedup_key: str, mapping: PagerDutyMapping
) -> dict[str, str]:
    """Labels of the alert a trigger payload describes."""
    labels: dict[str, str] = {}
    for name, label in mapping.field_labels.items():
        value = payload.get(name)
        if isinstance(value, str) and value.strip():
            labels[label] = value.strip()
    labels.setdefault("alertname", DEFAULT_ALERTNAME)
    labels["alertname"] = "".join(ch if ch.isalnum() else "_" for ch in labels["alertname"])
    labels["severity"] = str(payload["severity"])
    details = payload.get("custom_details") or {}
    for name in ENTITY_LABELS:
        if isinstance(details.get(name), str) and details[name]:
            labels[name] = details[name]
    labels["dedup_key"] = dedup_key
    return labels


def _annotations(payload: Mapping[str, Any]) -> dict[str, str]:
    notes = {"summary": str(payload["summary"])}
    details = payload.get("custom_details") or {}
    rest = {k: v for k, v in details.items() if k not in ENTITY_LABELS}
    if rest:
        notes["custom_details"] = json.dumps(rest, sort_keys=True, ensure_ascii=False)
    return notes


class PagerDutyAlerts:
    """Applies Events API v2 alert events in order with PagerDuty's dedup_key semantics."""

    def __init__(self, mapping: PagerDutyMapping | None = None) -> None:
        self.mapping = mapping or PagerDutyMapping()
        self._open: dict[tuple[str, str], Alert] = {}

    def open_alerts(self) -> list[Alert]:
        """Alerts triggered and not yet resolved, by start time."""
        return sorted(self._open.values(), key=lambda a: (a.starts_at, a.fingerprint))

    def apply(
        self, event: Any, *, received_at: datetime, source: str = "pagerduty event"
    ) -> Alert | None:
        """Apply one event; return the alert state it produced, or None if PagerDuty drops it."""
        checked = validate_event(event, source=source)
        received = to_utc(received_at)
        action = checked["event_action"]
        dedup = checked.get("dedup_key") or generated_dedup_key(checked, received)
        key = (checked["routing_key"], dedup)
        current = self._open.get(key)
        if action == "trigger":
            alert = self._trigger(checked["payload"], dedup, current, received, checked, source)
            self._open[key] = alert
            return alert
        if current is None:
            return None
        if action == "acknowledge":
            notes = {**current.annotations, "acknowledged_at": format_time(received)}
            alert = current.model_copy(update={"annotations": notes})
            self._open[key] = alert
            return alert
        del self._open[key]
        end = max(received, current.starts_at)
        return current.model_copy(update={"status": "resolved", "ends_at": end})

    def _trigger(
        self,
        payload: Mapping[str, Any],
        dedup: str,
        current: Alert | None,
        received: datetime,
        event: Mapping[str, Any],
        source: str,
    ) -> Alert:
        labels = trigger_labels(payload, dedup, self.mapping)
        try:
            stamp = payload.get("timestamp")
            starts = parse_time(stamp) if isinstance(stamp, str) else received
        except ValueError as exc:
            raise SignalError(f"field 'payload.timestamp': {exc}", source=source) from None
        if current is not None:  # a re-trigger updates the open alert; it keeps its start
            starts = current.starts_at
        client_url = event.get("client_url")
        try:
            return Alert(
                status="firing",
                labels=labels,
                annotations=_annotations(payload),
                starts_at=starts,
                generator_url=client_url if isinstance(client_url, str) else "",
                fingerprint=label_fingerprint(labels),
            )
        except ValidationError as exc:
            raise SignalError(describe_validation(exc, "mapped alert"), source=source) from None
