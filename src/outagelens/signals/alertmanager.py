"""Prometheus Alertmanager webhook (payload version 4) adapter.

Alertmanager POSTs `{"version": "4", "status", "receiver", "groupKey", "truncatedAlerts",
"groupLabels", "commonLabels", "commonAnnotations", "externalURL", "alerts": [...]}`; each
element of `alerts` is already the canonical alert shape (see docs/signals.md), so this adapter
only renames labels to catalog entity labels and maps severities.

| webhook alert field | canonical Alert field | notes                                      |
|---------------------|-----------------------|--------------------------------------------|
| status              | status                | firing / resolved                          |
| labels              | labels                | renamed per `label_map`; severity mapped   |
| annotations         | annotations           |                                            |
| startsAt            | starts_at             | RFC 3339, converted to UTC                 |
| endsAt              | ends_at               | 0001-01-01T00:00:00Z -> None               |
| generatorURL        | generator_url         |                                            |
| fingerprint         | fingerprint           | recomputed from the mapped labels          |
| (others, e.g. Grafana's silenceURL) | dropped |                                    |
"""

from __future__ import annotations

import json
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any

from pydantic import ValidationError

from outagelens.errors import SignalError
from outagelens.signals.directory import describe_validation
from outagelens.signals.timefmt import parse_time
from outagelens.signals.types import ENTITY_LABELS, Alert, label_fingerprint

# Source severity label values -> canonical severity (critical|error|warning|info).
SEVERITY_MAP: dict[str, str] = {
    "critical": "critical",
    "page": "critical",
    "emergency": "critical",
    "fatal": "critical",
    "high": "error",
    "major": "error",
    "error": "error",
    "warning": "warning",
    "warn": "warning",
    "medium": "warning",
    "minor": "warning",
    "low": "info",
    "info": "info",
    "informational": "info",
    "none": "info",
}
# The seven fields Alertmanager puts on every alert of a v4 webhook payload, with their JSON types.
ALERT_SHAPE: dict[str, type] = {
    "status": str,
    "labels": dict,
    "annotations": dict,
    "startsAt": str,
    "endsAt": str,
    "generatorURL": str,
    "fingerprint": str,
}
CANONICAL_FIELDS = frozenset(ALERT_SHAPE)


@dataclass(frozen=True)
class AlertmanagerMapping:
    """How source labels become OutageLens labels.

    `label_map` renames source labels to canonical ones, e.g. {"datacenter": "location",
    "instance": "component"}; a label already named canonically wins over a renamed one.
    """

    label_map: Mapping[str, str] = field(default_factory=dict)
    severity_map: Mapping[str, str] = field(default_factory=lambda: dict(SEVERITY_MAP))
    default_severity: str | None = None
    """Severity for alerts without a severity label; None makes such alerts an error."""


def map_labels(labels: Mapping[str, str], mapping: AlertmanagerMapping) -> dict[str, str]:
    """Apply the label renames and the severity map to one alert's labels."""
    out = {mapping.label_map.get(name, name): value for name, value in labels.items()}
    for name in ENTITY_LABELS:  # explicit canonical labels win over renamed ones
        if name in labels:
            out[name] = labels[name]
    raw = out.get("severity", mapping.default_severity)
    if raw is not None:
        out["severity"] = mapping.severity_map.get(raw.strip().lower(), raw)
    return out


def validate_alert_shape(obj: Any, *, source: str = "<alert>", line: int | None = None) -> None:
    """Check that `obj` has exactly Alertmanager's alert shape (all 7 fields, right JSON types)."""
    if not isinstance(obj, dict):
        raise SignalError("an alert must be a JSON object", source=source, line=line)
    for name, kind in ALERT_SHAPE.items():
        if name not in obj:
            raise SignalError(f"field '{name}': missing", source=source, line=line)
        if not isinstance(obj[name], kind):
            raise SignalError(
                f"field '{name}': expected JSON {kind.__name__}", source=source, line=line
            )
    extra = sorted(set(obj) - CANONICAL_FIELDS)
    if extra:
        raise SignalError(
            f"field '{extra[0]}': not part of the alert shape", source=source, line=line
        )
    if obj["status"] not in ("firing", "resolved"):
        raise SignalError("field 'status': must be firing or resolved", source=source, line=line)
    for part in ("labels", "annotations"):
        for key, value in obj[part].items():
            if not isinstance(value, str):
                raise SignalError(
                    f"field '{part}.{key}': values must be strings", source=source, line=line
                )
    for part in ("startsAt", "endsAt"):
        try:
            parse_time(obj[part])
        except ValueError as exc:
            raise SignalError(f"field '{part}': {exc}", source=source, line=line) from None


def alert_from_webhook_alert(
    obj: Mapping[str, Any], mapping: AlertmanagerMapping, *, source: str, where: str
) -> Alert:
    """Map one webhook alert object to a canonical Alert (fingerprint recomputed after mapping)."""
    labels = obj.get("labels")
    if not isinstance(labels, dict) or not all(isinstance(v, str) for v in labels.values()):
        raise SignalError(f"field '{where}.labels': must be an object of strings", source=source)
    mapped = map_labels(labels, mapping)
    data = {k: v for k, v in obj.items() if k in CANONICAL_FIELDS and k != "fingerprint"}
    data["labels"] = mapped
    data["fingerprint"] = label_fingerprint(mapped)
    try:
        return Alert.model_validate(data)
    except ValidationError as exc:
        raise SignalError(describe_validation(exc, where), source=source) from None


def parse_webhook(
    payload: Mapping[str, Any] | str | bytes,
    mapping: AlertmanagerMapping | None = None,
    *,
    source: str = "alertmanager webhook",
) -> list[Alert]:
    """Parse an Alertmanager webhook v4 payload into canonical alerts."""
    body = _json_body(payload, source)
    version = body.get("version")
    if version != "4":
        raise SignalError(f"field 'version': expected \"4\", got {version!r}", source=source)
    alerts = body.get("alerts")
    if not isinstance(alerts, list):
        raise SignalError("field 'alerts': must be a list", source=source)
    chosen = mapping or AlertmanagerMapping()
    result = []
    for i, obj in enumerate(alerts):
        if not isinstance(obj, dict):
            raise SignalError(f"field 'alerts[{i}]': must be an object", source=source)
        result.append(alert_from_webhook_alert(obj, chosen, source=source, where=f"alerts[{i}]"))
    return result


def _json_body(payload: Mapping[str, Any] | str | bytes, source: str) -> dict[str, Any]:
    if isinstance(payload, str | bytes):
        try:
            payload = json.loads(payload)
        except json.JSONDecodeError as exc:
            raise SignalError(f"invalid JSON: {exc.msg}", source=source, line=exc.lineno) from None
    if not isinstance(payload, Mapping):
        raise SignalError("payload must be a JSON object", source=source)
    return dict(payload)


def _common(maps: Sequence[Mapping[str, str]]) -> dict[str, str]:
    if not maps:
        return {}
    first = maps[0]
    return {k: v for k, v in first.items() if all(m.get(k) == v for m in maps[1:])}


def to_webhook_payload(
    alerts: Sequence[Alert],
    *,
    receiver: str = "outagelens",
    group_by: Sequence[str] = ("alertname",),
    external_url: str = "http://alertmanager.invalid:9093",
) -> dict[str, Any]:
    """Build a webhook v4 payload for one alert group, as Alertmanager would send it."""
    objs = [a.model_dump(mode="json") for a in alerts]
    common_labels = _common([a.labels for a in alerts])
    group_labels = {k: common_labels[k] for k in group_by if k in common_labels}
    inner = ", ".join(f'{k}="{v}"' for k, v in sorted(group_labels.items()))
    return {
        "version": "4",
        "groupKey": f"{{}}:{{{inner}}}",
        "truncatedAlerts": 0,
        "status": "firing" if any(a.status == "firing" for a in alerts) else "resolved",
        "receiver": receiver,
        "groupLabels": group_labels,
        "commonLabels": common_labels,
        "commonAnnotations": _common([a.annotations for a in alerts]),
        "externalURL": external_url,
        "alerts": objs,
    }
