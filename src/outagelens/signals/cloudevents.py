"""CloudEvents 1.0 adapter: HTTP structured, batched and binary content modes -> canonical signals.

| CloudEvents `type`            | canonical signal      | `data` holds                           |
|-------------------------------|-----------------------|----------------------------------------|
| io.outagelens.alert           | Alert                 | an Alertmanager alert object           |
| io.outagelens.change.deploy   | Change, kind=deploy   | Change fields (changes.jsonl)          |
| io.outagelens.change.config   | Change, kind=config   | Change fields                          |
| io.outagelens.change.rollback | Change, kind=rollback | Change fields                          |
| io.outagelens.hardware.alarm  | HardwareAlarm         | HardwareAlarm fields (hardware.jsonl)  |
| io.outagelens.hazard.cap      | Hazard                | CAP 1.2 XML text (application/cap+xml) |

Defaults taken from the envelope when `data` omits them: Change/HardwareAlarm `id` <- `id`,
`time` <- `time`, `component` <- `subject`; Alert `labels.component` <- `subject`.
"""

from __future__ import annotations

import base64
import json
import re
import urllib.parse
from collections.abc import Mapping
from typing import Any, Literal

from pydantic import BaseModel, ConfigDict, Field, ValidationError

from outagelens.errors import SignalError
from outagelens.signals.cap import parse_cap, to_cap_xml
from outagelens.signals.directory import describe_validation, dump_json
from outagelens.signals.timefmt import format_time
from outagelens.signals.types import Alert, Change, HardwareAlarm, Hazard, UtcDatetime

Signal = Alert | Change | HardwareAlarm | Hazard
SignalKind = Literal["alert", "change", "hardware", "hazard"]
TYPE_PREFIX = "io.outagelens."
TYPE_MAP: dict[str, tuple[SignalKind, str | None]] = {
    "io.outagelens.alert": ("alert", None),
    "io.outagelens.change.deploy": ("change", "deploy"),
    "io.outagelens.change.config": ("change", "config"),
    "io.outagelens.change.rollback": ("change", "rollback"),
    "io.outagelens.hardware.alarm": ("hardware", None),
    "io.outagelens.hazard.cap": ("hazard", None),
}
CONTEXT_ATTRIBUTES = ("specversion", "id", "source", "type", "datacontenttype", "dataschema",
                      "subject", "time")  # fmt: skip
STRUCTURED_JSON = "application/cloudevents+json"
BATCH_JSON = "application/cloudevents-batch+json"
CAP_CONTENT_TYPE = "application/cap+xml"
_EXTENSION_NAME = re.compile(r"^[a-z0-9]+$")


class CloudEvent(BaseModel):
    """A CloudEvents 1.0 event: context attributes, extensions and data."""

    model_config = ConfigDict(frozen=True, extra="forbid")

    specversion: Literal["1.0"]
    id: str = Field(min_length=1)
    source: str = Field(min_length=1)
    type: str = Field(min_length=1)
    datacontenttype: str | None = None
    dataschema: str | None = None
    subject: str | None = None
    time: UtcDatetime | None = None
    extensions: dict[str, str | int | bool] = Field(default_factory=dict)
    data: Any = None
    """Parsed JSON for JSON content types, text for XML/text, bytes otherwise."""


def _event_from_mapping(obj: Any, source: str) -> CloudEvent:
    """A structured-mode JSON object -> CloudEvent (extensions = unknown lower-case attributes)."""
    if not isinstance(obj, dict):
        raise SignalError("a CloudEvent must be a JSON object", source=source)
    attrs = {k: v for k, v in obj.items() if k in CONTEXT_ATTRIBUTES}
    if "data" in obj and "data_base64" in obj:
        raise SignalError("field 'data_base64': not allowed together with 'data'", source=source)
    data: Any = obj.get("data")
    if "data_base64" in obj:
        try:
            data = base64.b64decode(obj["data_base64"], validate=True)
        except (ValueError, TypeError):
            raise SignalError("field 'data_base64': not valid base64", source=source) from None
    extensions = {k: v for k, v in obj.items() if k not in CONTEXT_ATTRIBUTES and
                  k not in ("data", "data_base64")}  # fmt: skip
    return _build(attrs, extensions, data, source)


def _build(attrs: dict[str, Any], extensions: dict[str, Any], data: Any, source: str) -> CloudEvent:
    for name in extensions:
        if not _EXTENSION_NAME.match(name):
            raise SignalError(
                f"field '{name}': attribute names must be lower-case letters and digits",
                source=source,
            )
    try:
        return CloudEvent.model_validate({**attrs, "extensions": extensions, "data": data})
    except ValidationError as exc:
        raise SignalError(describe_validation(exc), source=source) from None


def _media_type(content_type: str | None) -> str:
    return (content_type or "").split(";")[0].strip().lower()


def _decode_data(body: bytes, content_type: str | None, source: str) -> Any:
    media = _media_type(content_type)
    if media == "application/json" or media.endswith("+json"):
        try:
            return json.loads(body) if body else None
        except (json.JSONDecodeError, UnicodeDecodeError) as exc:
            raise SignalError(f"data is not valid JSON: {exc}", source=source) from None
    if media.endswith(("/xml", "+xml")) or media.startswith("text/"):
        try:
            return body.decode("utf-8")
        except UnicodeDecodeError:
            raise SignalError("data is not UTF-8 text", source=source) from None
    return body


def decode_header_value(value: str) -> str:
    """Undo RFC 7230 quoted-string quoting, then one round of strict UTF-8 percent-decoding."""
    text = value.strip()
    if len(text) >= 2 and text[0] == text[-1] == '"':
        text = re.sub(r"\\(.)", r"\1", text[1:-1])
    return urllib.parse.unquote(text, errors="strict")


def encode_header_value(value: str) -> str:
    """Percent-encode space, '"', '%' and everything outside printable ASCII (upper-case hex)."""
    return urllib.parse.quote(value, safe="!#$&'()*+,/:;<=>?@[\\]^`{|}~-._")


def parse_binary(
    headers: Mapping[str, str], body: bytes, *, source: str = "cloudevent"
) -> CloudEvent:
    """Binary content mode: attributes in ce-* headers, Content-Type = datacontenttype."""
    lowered = {k.lower(): v for k, v in headers.items()}
    if "ce-datacontenttype" in lowered:
        raise SignalError(
            "header 'ce-datacontenttype' is not allowed in binary mode", source=source
        )
    attrs: dict[str, Any] = {}
    extensions: dict[str, Any] = {}
    for name, raw in lowered.items():
        if not name.startswith("ce-"):
            continue
        try:
            value = decode_header_value(raw)
        except UnicodeDecodeError:
            raise SignalError(
                f"header '{name}': invalid percent-encoded UTF-8", source=source
            ) from None
        attr = name[3:]
        (attrs if attr in CONTEXT_ATTRIBUTES else extensions)[attr] = value
    content_type = lowered.get("content-type")
    if content_type is not None:
        attrs["datacontenttype"] = content_type
    return _build(attrs, extensions, _decode_data(body, content_type, source), source)


def parse_http(
    headers: Mapping[str, str], body: bytes, *, source: str = "cloudevent"
) -> list[CloudEvent]:
    """Any HTTP content mode, chosen by Content-Type as the HTTP binding prescribes."""
    content_type = next((v for k, v in headers.items() if k.lower() == "content-type"), None)
    media = _media_type(content_type)
    if media.startswith("application/cloudevents-batch"):
        items = _json(body, source)
        if not isinstance(items, list):
            raise SignalError("a batch must be a JSON array", source=source)
        return [_event_from_mapping(item, f"{source}[{i}]") for i, item in enumerate(items)]
    if media.startswith("application/cloudevents"):
        if media != STRUCTURED_JSON:
            raise SignalError(f"unsupported event format '{media}'", source=source)
        return [_event_from_mapping(_json(body, source), source)]
    return [parse_binary(headers, body, source=source)]


def parse_structured(
    body: bytes | str | Mapping[str, Any], *, source: str = "cloudevent"
) -> CloudEvent:
    """Structured content mode (application/cloudevents+json) body -> CloudEvent."""
    obj = dict(body) if isinstance(body, Mapping) else _json(body, source)
    return _event_from_mapping(obj, source)


def _json(body: bytes | str, source: str) -> Any:
    try:
        return json.loads(body)
    except (json.JSONDecodeError, UnicodeDecodeError) as exc:
        raise SignalError(f"invalid JSON: {exc}", source=source) from None


def to_structured(event: CloudEvent) -> dict[str, Any]:
    """Structured-mode JSON object of an event (bytes data go to data_base64)."""
    out: dict[str, Any] = {k: getattr(event, k) for k in CONTEXT_ATTRIBUTES}
    out = {k: v for k, v in out.items() if v is not None}
    if event.time is not None:
        out["time"] = format_time(event.time)
    out.update(event.extensions)
    if isinstance(event.data, bytes):
        out["data_base64"] = base64.b64encode(event.data).decode("ascii")
    elif event.data is not None:
        out["data"] = event.data
    return out


def to_binary(event: CloudEvent) -> tuple[dict[str, str], bytes]:
    """Binary-mode headers and body of an event."""
    headers: dict[str, str] = {}
    for name, value in to_structured(event).items():
        if name in ("data", "data_base64"):
            continue
        if name == "datacontenttype":
            headers["Content-Type"] = str(value)
        else:
            text = str(value).lower() if isinstance(value, bool) else str(value)
            headers[f"ce-{name}"] = encode_header_value(text)
    data = event.data
    if isinstance(data, bytes):
        body = data
    elif isinstance(data, str):
        body = data.encode("utf-8")
    else:
        body = b"" if data is None else json.dumps(data, sort_keys=True).encode("utf-8")
    return headers, body


def to_signal(event: CloudEvent, *, source: str = "cloudevent") -> Signal:
    """Map an OutageLens CloudEvent to its canonical signal (see TYPE_MAP)."""
    where = f"{source} {event.id}"
    if event.type not in TYPE_MAP:
        raise SignalError(
            f"field 'type': '{event.type}' is not one of {sorted(TYPE_MAP)}", source=where
        )
    kind, change_kind = TYPE_MAP[event.type]
    if kind == "hazard":
        if not isinstance(event.data, str | bytes):
            raise SignalError("field 'data': a CAP 1.2 XML document is required", source=where)
        return parse_cap(event.data, source=where)
    if not isinstance(event.data, dict):
        raise SignalError("field 'data': a JSON object is required", source=where)
    data = dict(event.data)
    model: type[Alert] | type[Change] | type[HardwareAlarm]
    if kind == "alert":
        model = Alert
        labels = data.get("labels")
        if event.subject and isinstance(labels, dict) and "component" not in labels:
            data["labels"] = {**labels, "component": event.subject}
    else:
        model = Change if kind == "change" else HardwareAlarm
        data.setdefault("id", event.id)
        if event.time is not None:
            data.setdefault("time", format_time(event.time))
        if event.subject:
            data.setdefault("component", event.subject)
        if change_kind is not None and data.setdefault("kind", change_kind) != change_kind:
            raise SignalError(f"field 'data.kind': type says {change_kind}", source=where)
    try:
        return model.model_validate(data)
    except ValidationError as exc:
        raise SignalError(describe_validation(exc, "data"), source=where) from None


def from_signal(signal: Signal, *, source: str, event_id: str | None = None) -> CloudEvent:
    """Wrap a canonical signal in an OutageLens CloudEvent (inverse of to_signal)."""
    if isinstance(signal, Hazard):
        return CloudEvent(specversion="1.0", id=event_id or signal.identifier, source=source,
                          type="io.outagelens.hazard.cap", time=signal.sent,
                          datacontenttype=CAP_CONTENT_TYPE, data=to_cap_xml(signal))  # fmt: skip
    data = json.loads(dump_json(signal))
    if isinstance(signal, Alert):
        return CloudEvent(specversion="1.0", id=event_id or signal.fingerprint, source=source,
                          type="io.outagelens.alert", time=signal.starts_at,
                          datacontenttype="application/json", data=data)  # fmt: skip
    kind = f"change.{signal.kind}" if isinstance(signal, Change) else "hardware.alarm"
    return CloudEvent(specversion="1.0", id=event_id or signal.id, source=source,
                      type=TYPE_PREFIX + kind, time=signal.time, subject=signal.component,
                      datacontenttype="application/json", data=data)  # fmt: skip
