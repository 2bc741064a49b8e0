"""Canonical record types: validation rules, time handling, helpers."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta, timezone
from typing import Any

import pytest
from pydantic import ValidationError

from outagelens.signals.timefmt import format_time, parse_time
from outagelens.signals.types import (
    Alert,
    Change,
    HardwareAlarm,
    Meta,
    Truth,
    alert_intervals,
)

T0 = datetime(2026, 3, 14, 9, 0, tzinfo=UTC)
LABELS = {"alertname": "LinkDown", "severity": "warning", "component": "sw-1"}


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("2026-03-14T09:00:00Z", T0),
        ("2026-03-14T11:00:00+02:00", T0),
        ("2026-03-14T09:00:00.123456789Z", T0.replace(microsecond=123456)),
        ("2026-03-14T09:00:00.5z", T0.replace(microsecond=500000)),
        ("2015-07-17T08:42:58.315+0000", datetime(2015, 7, 17, 8, 42, 58, 315000, tzinfo=UTC)),
    ],
    ids=["zulu", "offset", "nanoseconds", "lower-z", "pagerduty-offset"],
)
def test_parse_time(text: str, expected: datetime) -> None:
    assert parse_time(text) == expected


@pytest.mark.parametrize(
    "text",
    ["2026-03-14T09:00:00", "2026-03-14", "yesterday", ""],
    ids=["naive", "date", "word", "empty"],
)
def test_parse_time_rejects(text: str) -> None:
    with pytest.raises(ValueError):
        parse_time(text)


def test_format_time() -> None:
    assert format_time(T0) == "2026-03-14T09:00:00Z"
    assert format_time(T0.replace(microsecond=5)) == "2026-03-14T09:00:00.000005Z"
    assert format_time(T0.astimezone(timezone(timedelta(hours=-5)))) == "2026-03-14T09:00:00Z"
    with pytest.raises(ValueError, match="no time zone"):
        format_time(datetime(2026, 1, 1))


@pytest.mark.parametrize(
    ("fields", "pattern"),
    [
        ({"status": "resolved"}, "resolved alert needs endsAt"),
        ({"endsAt": "2026-03-14T08:00:00Z"}, "endsAt is before startsAt"),
        ({"labels": {**LABELS, "bad-name": "x"}}, "not a valid Prometheus label name"),
        ({"labels": {"severity": "info", "component": "c"}}, "alertname"),
        ({"startsAt": 1710406800}, "RFC 3339"),
    ],
    ids=["resolved-no-end", "end-before-start", "label-name", "no-alertname", "epoch-number"],
)
def test_alert_rules(fields: dict[str, Any], pattern: str) -> None:
    data = {"status": "firing", "labels": LABELS, "startsAt": "2026-03-14T09:00:00Z", **fields}
    with pytest.raises(ValidationError, match=pattern):
        Alert.model_validate(data)


def test_alert_helpers() -> None:
    alert = Alert(status="firing", labels=LABELS, starts_at=T0, ends_at=T0 + timedelta(minutes=5))
    assert alert.entity_ids == {"component": "sw-1"}
    assert alert.customer is None and alert.component == "sw-1"
    assert alert.active_at(T0) and not alert.active_at(T0 + timedelta(minutes=5))
    with pytest.raises(ValidationError, match="frozen"):
        alert.status = "resolved"  # type: ignore[misc]


def test_alert_intervals_keep_final_state() -> None:
    firing = Alert(status="firing", labels=LABELS, starts_at=T0)
    resolved = firing.model_copy(update={"status": "resolved", "ends_at": T0 + timedelta(hours=1)})
    later = Alert(status="firing", labels=LABELS, starts_at=T0 + timedelta(hours=2))
    assert alert_intervals([resolved, later, firing]) == [resolved, later]


def test_change_and_alarm_rules() -> None:
    base = {"id": "c1", "time": T0, "component": "lb", "software": "haproxy", "actor": "ci"}
    assert Change.model_validate({**base, "kind": "config"}).to_version is None
    with pytest.raises(ValidationError, match="needs to_version"):
        Change.model_validate({**base, "kind": "rollback"})
    alarm = HardwareAlarm(
        id="a", time=T0, component="ups-1", alarm="ups_on_battery", severity="major"
    )
    assert alarm.category_hint == "natural_disaster"
    odd = HardwareAlarm(id="b", time=T0, component="x", alarm="gremlins", severity="minor")
    assert odd.category_hint is None
    with pytest.raises(ValidationError, match="snake_case"):
        HardwareAlarm(id="c", time=T0, component="x", alarm="PSU Failure", severity="minor")


def test_truth_consistency() -> None:
    quiet = Truth(scenario="quiet-day", seed=1)
    assert quiet.category is None and quiet.root_causes == ()
    with pytest.raises(ValidationError, match="both set or both empty"):
        Truth(scenario="x", root_causes=("pdu-1",))
    with pytest.raises(ValidationError, match="onset is required"):
        Truth(scenario="x", root_causes=("pdu-1",), category="hardware")


def test_meta_window() -> None:
    meta = Meta(window_start=T0, window_end=T0 + timedelta(hours=24), catalog="c", generator="g")
    assert meta.n_minutes == 1440
    with pytest.raises(ValidationError, match="after window_start"):
        Meta(window_start=T0, window_end=T0, catalog="c", generator="g")
