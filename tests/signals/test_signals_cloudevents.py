"""CloudEvents 1.0 adapter: structured, batched and binary HTTP modes; type -> signal mapping."""

from __future__ import annotations

import base64
import json
from datetime import UTC, datetime
from typing import Any

import pytest
from tests.signals.signal_builders import make_signal_set

from outagelens.errors import SignalError
from outagelens.signals.cloudevents import (
    CloudEvent,
    decode_header_value,
    encode_header_value,
    from_signal,
    parse_binary,
    parse_http,
    parse_structured,
    to_binary,
    to_signal,
    to_structured,
)
from outagelens.signals.types import Change, HardwareAlarm, Hazard

DEPLOY: dict[str, Any] = {
    "specversion": "1.0",
    "type": "io.outagelens.change.deploy",
    "source": "https://ci.example.com/pipelines/lb",
    "id": "deploy-8812",
    "time": "2026-03-14T08:58:00+01:00",
    "subject": "lb-fra1",
    "datacontenttype": "application/json",
    "traceparent": "00-4bf92f3577b34da6a3ce929d0e0e4736-00f067aa0ba902b7-01",
    "data": {
        "software": "haproxy",
        "from_version": "2.8.3",
        "to_version": "2.8.5",
        "actor": "ci-bot",
    },
}


def test_structured_deploy_takes_defaults_from_envelope() -> None:
    events = parse_http(
        {"Content-Type": "application/cloudevents+json; charset=UTF-8"}, json.dumps(DEPLOY).encode()
    )
    assert len(events) == 1
    event = events[0]
    assert event.extensions == {"traceparent": DEPLOY["traceparent"]}
    change = to_signal(event)
    assert isinstance(change, Change)
    assert change.id == "deploy-8812"
    assert change.kind == "deploy"
    assert change.component == "lb-fra1"
    assert change.time == datetime(2026, 3, 14, 7, 58, tzinfo=UTC)


def test_binary_mode_hardware_alarm_with_percent_encoded_headers() -> None:
    headers = {
        "ce-specversion": "1.0",
        "ce-type": "io.outagelens.hardware.alarm",
        "ce-source": "/dcim/fra1",
        "ce-id": "alarm-1",
        "ce-time": "2026-03-14T08:59:00Z",
        "ce-subject": "pdu-fra1-a",
        "ce-site": "Frankfurt%20%E2%82%AC%20DC",
        "Content-Type": "application/json; charset=utf-8",
    }
    body = json.dumps(
        {"alarm": "utility_power_loss", "severity": "critical", "message": "feed A lost"}
    ).encode()
    (event,) = parse_http(headers, body)
    assert event.datacontenttype == "application/json; charset=utf-8"
    assert event.extensions == {"site": "Frankfurt € DC"}
    alarm = to_signal(event)
    assert isinstance(alarm, HardwareAlarm)
    assert (alarm.id, alarm.component, alarm.alarm) == (
        "alarm-1",
        "pdu-fra1-a",
        "utility_power_loss",
    )
    assert alarm.category_hint == "natural_disaster"


def test_batch_mode() -> None:
    second = {**DEPLOY, "id": "cfg-1", "type": "io.outagelens.change.config",
              "data": {"software": "bgp-policy", "actor": "neteng"}}  # fmt: skip
    events = parse_http(
        {"content-type": "application/cloudevents-batch+json"},
        json.dumps([DEPLOY, second]).encode(),
    )
    kinds = [to_signal(e).kind for e in events]  # type: ignore[union-attr]
    assert kinds == ["deploy", "config"]


def test_data_base64_is_decoded() -> None:
    raw = b"\x00\x01binary"
    event = parse_structured({**{k: v for k, v in DEPLOY.items() if k != "data"},
                              "datacontenttype": "application/octet-stream",
                              "data_base64": base64.b64encode(raw).decode()})  # fmt: skip
    assert event.data == raw
    assert to_structured(event)["data_base64"] == base64.b64encode(raw).decode()


@pytest.mark.parametrize(
    "index",
    [0, 1, 2, 3],
    ids=["alert", "change", "hardware-alarm", "hazard"],
)
@pytest.mark.parametrize("mode", ["binary", "structured"], ids=["binary", "structured"])
def test_signal_round_trips_through_http(index: int, mode: str) -> None:
    signals = make_signal_set()
    signal = [signals.alerts[0], signals.changes[0], signals.hardware[0], signals.hazards[0]][index]
    event = from_signal(signal, source="/outagelens/sim")
    if mode == "binary":
        headers, body = to_binary(event)
    else:
        headers = {"Content-Type": "application/cloudevents+json"}
        body = json.dumps(to_structured(event)).encode()
    (parsed,) = parse_http(headers, body)
    assert to_signal(parsed) == signal
    if isinstance(signal, Hazard):
        assert parsed.datacontenttype == "application/cap+xml"


def test_header_value_encoding_follows_the_spec_example() -> None:
    assert encode_header_value("Euro € 😀") == "Euro%20%E2%82%AC%20%F0%9F%98%80"
    assert encode_header_value('say "100%"') == "say%20%22100%25%22"
    assert decode_header_value("Euro%20%e2%82%ac") == "Euro €"
    assert decode_header_value('"quoted \\"old style\\" value"') == 'quoted "old style" value'


def _binary_headers(**extra: str) -> dict[str, str]:
    return {"ce-specversion": "1.0", "ce-type": "io.outagelens.hardware.alarm",
            "ce-source": "/x", "ce-id": "1", **extra}  # fmt: skip


@pytest.mark.parametrize(
    ("call", "pattern"),
    [
        (lambda: parse_binary(_binary_headers(**{"ce-datacontenttype": "a/b"}), b""),
         r"ce-datacontenttype"),
        (lambda: parse_binary(_binary_headers(**{"ce-subject": "%C0%A0"}), b""),
         r"header 'ce-subject': invalid percent-encoded UTF-8"),
        (lambda: parse_binary({"ce-type": "t", "ce-source": "/x", "ce-id": "1"}, b""),
         r"field 'specversion'"),
        (lambda: parse_structured({**DEPLOY, "specversion": "0.3"}), r"field 'specversion'"),
        (lambda: parse_structured({**DEPLOY, "Bad_Name": 1}), r"field 'Bad_Name'"),
        (lambda: parse_structured({**DEPLOY, "data_base64": "AA=="}), r"data_base64"),
        (lambda: parse_http({"Content-Type": "application/cloudevents+avro"}, b""),
         r"unsupported event format"),
        (lambda: parse_http({"Content-Type": "application/cloudevents-batch+json"}, b"{}"),
         r"batch must be a JSON array"),
        (lambda: to_signal(parse_structured({**DEPLOY, "type": "com.example.other"})),
         r"field 'type'.*com\.example\.other"),
        (lambda: to_signal(parse_structured({**DEPLOY, "data": {**DEPLOY["data"],
                                                                 "kind": "rollback"}})),
         r"field 'data\.kind'"),
        (lambda: to_signal(parse_structured({**DEPLOY, "data": {"software": "x"}})),
         r"deploy-8812: field 'data\.actor'"),
        (lambda: to_signal(parse_structured({**DEPLOY, "type": "io.outagelens.hazard.cap",
                                              "data": {"x": 1}})),
         r"CAP 1\.2 XML document is required"),
    ],
    ids=[
        "datacontenttype-header", "overlong-utf8", "no-specversion", "old-specversion",
        "bad-extension-name", "data-and-base64", "avro-format", "batch-not-array",
        "unknown-type", "kind-mismatch", "missing-field", "hazard-not-xml",
    ],
)  # fmt: skip
def test_bad_events(call: Any, pattern: str) -> None:
    with pytest.raises(SignalError, match=pattern):
        call()


def test_event_model_is_frozen() -> None:
    event = CloudEvent(specversion="1.0", id="1", source="/x", type="t")
    with pytest.raises(ValueError, match="frozen"):
        event.id = "2"  # type: ignore[misc]
