"""Canonical signal types: what every adapter produces and every stage reads.

Record types are frozen pydantic models that parse the JSON shapes of the signals directory
directly (see docs/signals.md); SLI series and traffic are columnar (`frames.py`).
All times are timezone-aware UTC datetimes. Entities are referenced by catalog id strings.
"""

from __future__ import annotations

import re
import zoneinfo
from collections.abc import Iterable
from dataclasses import dataclass
from datetime import UTC, datetime
from typing import Annotated, Any, Literal

from pydantic import (
    BeforeValidator,
    Field,
    field_serializer,
    field_validator,
    model_validator,
)

from outagelens.errors import SignalError
from outagelens.signals.base import CapDatetime, EntityId, FrozenModel, UtcDatetime
from outagelens.signals.cap_types import (
    CapArea,
    CapCategory,
    CapCertainty,
    CapCircle,
    CapInfo,
    CapResponse,
    CapSeverity,
    CapUrgency,
    Hazard,
)
from outagelens.signals.frames import SeriesSet, TrafficSet
from outagelens.signals.timefmt import ZERO_TIME_TEXT, format_time, is_zero_time

__all__ = [
    "ALARM_KIND_CATEGORY",
    "ENTITY_LABELS",
    "AlarmSeverity",
    "Alert",
    "AlertSeverity",
    "CapArea",
    "CapCategory",
    "CapCertainty",
    "CapCircle",
    "CapDatetime",
    "CapInfo",
    "CapResponse",
    "CapSeverity",
    "CapUrgency",
    "CauseCategory",
    "Change",
    "ChangeKind",
    "EntityId",
    "HardwareAlarm",
    "Hazard",
    "Meta",
    "SecondaryFault",
    "SeriesSet",
    "SignalSet",
    "TrafficSet",
    "Truth",
    "UtcDatetime",
    "alert_intervals",
    "label_fingerprint",
]

CauseCategory = Literal["hardware", "software", "cyberattack", "natural_disaster"]
AlertSeverity = Literal["critical", "error", "warning", "info"]
AlarmSeverity = Literal["critical", "major", "minor", "warning"]
ChangeKind = Literal["deploy", "config", "rollback"]

ENTITY_LABELS: tuple[str, ...] = ("customer", "service", "location", "component")
"""Alert labels that name catalog entities, in scope order."""

# Known hardware/facility alarm kinds and the cause category each one points to by itself.
# Power and environment alarms point to natural_disaster (the project's "power/environment" bucket).
ALARM_KIND_CATEGORY: dict[str, CauseCategory] = {
    "psu_failure": "hardware",
    "disk_failure": "hardware",
    "link_down": "hardware",
    "over_temperature": "natural_disaster",
    "ecc_errors": "hardware",
    "fan_failure": "hardware",
    "cpu_failure": "hardware",
    "memory_failure": "hardware",
    "controller_failure": "hardware",
    "optic_degraded": "hardware",
    "ups_on_battery": "natural_disaster",
    "generator_start": "natural_disaster",
    "utility_power_loss": "natural_disaster",
    "cooling_failure": "natural_disaster",
    "water_leak": "natural_disaster",
    "fire_alarm": "natural_disaster",
}
_ALERT_SEVERITY: dict[str, AlertSeverity] = {
    "critical": "critical",
    "error": "error",
    "warning": "warning",
    "info": "info",
}
_ENTITY_ID = re.compile(r"^\S{1,256}$")
_LABEL_NAME = re.compile(r"^[a-zA-Z_][a-zA-Z0-9_]*$")
_ALARM_KIND = re.compile(r"^[a-z][a-z0-9_]*$")
_FINGERPRINT = re.compile(r"^[0-9a-f]{16}$")
_FNV_OFFSET = 14695981039346656037
_FNV_PRIME = 1099511628211


def label_fingerprint(labels: dict[str, str]) -> str:
    """Alertmanager's alert fingerprint: FNV-1a 64 over sorted name/value pairs, 0xff-separated."""
    digest = _FNV_OFFSET
    for name in sorted(labels):
        for chunk in (name.encode(), b"\xff", labels[name].encode(), b"\xff"):
            for byte in chunk:
                digest ^= byte
                digest = (digest * _FNV_PRIME) & 0xFFFFFFFFFFFFFFFF
    return f"{digest:016x}"


def _zero_time_to_none(value: Any) -> Any:
    """Alertmanager's zero time means 'no end yet'."""
    if value is None or (isinstance(value, str) and is_zero_time(value)):
        return None
    return value


class Alert(FrozenModel):
    """One alert in the Alertmanager webhook v4 alert shape, with catalog entity labels."""

    status: Literal["firing", "resolved"]
    labels: dict[str, str]
    annotations: dict[str, str] = Field(default_factory=dict)
    starts_at: UtcDatetime = Field(alias="startsAt")
    ends_at: Annotated[UtcDatetime | None, BeforeValidator(_zero_time_to_none)] = Field(
        default=None, alias="endsAt"
    )
    generator_url: str = Field(default="", alias="generatorURL")
    fingerprint: str = ""

    @model_validator(mode="before")
    @classmethod
    def _default_fingerprint(cls, data: Any) -> Any:
        if isinstance(data, dict) and not data.get("fingerprint"):
            labels = data.get("labels")
            if isinstance(labels, dict) and all(isinstance(v, str) for v in labels.values()):
                data = {**data, "fingerprint": label_fingerprint(labels)}
        return data

    @field_validator("labels")
    @classmethod
    def _check_labels(cls, labels: dict[str, str]) -> dict[str, str]:
        for name in labels:
            if not _LABEL_NAME.match(name):
                raise ValueError(f"label name '{name}' is not a valid Prometheus label name")
        if not labels.get("alertname"):
            raise ValueError("label 'alertname' is required")
        severity = labels.get("severity")
        if severity not in _ALERT_SEVERITY:
            raise ValueError(
                f"label 'severity' must be one of critical|error|warning|info, got {severity!r}"
            )
        if not any(labels.get(k) for k in ENTITY_LABELS):
            raise ValueError(f"at least one entity label of {list(ENTITY_LABELS)} is required")
        for name in ENTITY_LABELS:
            if name in labels and not _ENTITY_ID.match(labels[name]):
                raise ValueError(f"label '{name}' must be an entity id, got {labels[name]!r}")
        return labels

    @field_validator("fingerprint")
    @classmethod
    def _check_fingerprint(cls, value: str) -> str:
        if not _FINGERPRINT.match(value):
            raise ValueError(f"fingerprint must be 16 lowercase hex digits, got {value!r}")
        return value

    @model_validator(mode="after")
    def _check_times(self) -> Alert:
        if self.ends_at is not None and self.ends_at < self.starts_at:
            raise ValueError("endsAt is before startsAt")
        if self.status == "resolved" and self.ends_at is None:
            raise ValueError(f"a resolved alert needs endsAt (not {ZERO_TIME_TEXT})")
        return self

    @field_serializer("ends_at")
    def _serialize_ends_at(self, value: datetime | None) -> str:
        return ZERO_TIME_TEXT if value is None else format_time(value)

    @property
    def alertname(self) -> str:
        """The alert rule's name."""
        return self.labels["alertname"]

    @property
    def severity(self) -> AlertSeverity:
        """Canonical severity: critical, error, warning or info."""
        return _ALERT_SEVERITY[self.labels["severity"]]

    @property
    def customer(self) -> str | None:
        """Catalog customer id named by the alert, if any."""
        return self.labels.get("customer") or None

    @property
    def service(self) -> str | None:
        """Catalog service id named by the alert, if any."""
        return self.labels.get("service") or None

    @property
    def location(self) -> str | None:
        """Catalog location id named by the alert, if any."""
        return self.labels.get("location") or None

    @property
    def component(self) -> str | None:
        """Catalog component id named by the alert, if any."""
        return self.labels.get("component") or None

    @property
    def entity_ids(self) -> dict[str, str]:
        """The entity labels present, e.g. {'component': 'lb-1', 'location': 'fra1'}."""
        return {k: self.labels[k] for k in ENTITY_LABELS if self.labels.get(k)}

    def active_at(self, when: datetime) -> bool:
        """True if the alert was firing at `when` (startsAt <= when < endsAt)."""
        return self.starts_at <= when and (self.ends_at is None or when < self.ends_at)


def alert_intervals(alerts: Iterable[Alert]) -> list[Alert]:
    """One alert per (fingerprint, startsAt): resolved beats firing, then the latest endsAt wins."""
    best: dict[tuple[str, datetime], Alert] = {}
    for alert in alerts:
        key = (alert.fingerprint, alert.starts_at)
        if key not in best or _state_rank(alert) > _state_rank(best[key]):
            best[key] = alert
    return sorted(best.values(), key=_alert_order)


def _state_rank(alert: Alert) -> tuple[bool, datetime]:
    return (alert.status == "resolved", alert.ends_at or datetime.max.replace(tzinfo=UTC))


class Change(FrozenModel):
    """A deploy, configuration change or rollback applied to one component."""

    id: EntityId
    time: UtcDatetime
    component: EntityId
    software: str = Field(min_length=1)
    from_version: str | None = None
    to_version: str | None = None
    kind: ChangeKind
    actor: str = Field(min_length=1)
    description: str = ""

    @model_validator(mode="after")
    def _check_versions(self) -> Change:
        if self.kind in ("deploy", "rollback") and not self.to_version:
            raise ValueError(f"a {self.kind} needs to_version")
        return self


class HardwareAlarm(FrozenModel):
    """A hardware or facility alarm raised by one component (device, PDU, UPS, chiller...)."""

    id: EntityId
    time: UtcDatetime
    component: EntityId
    alarm: str
    severity: AlarmSeverity
    message: str = ""
    cleared_at: UtcDatetime | None = None

    @field_validator("alarm")
    @classmethod
    def _check_alarm(cls, value: str) -> str:
        if not _ALARM_KIND.match(value):
            raise ValueError(f"alarm kind must be snake_case like 'psu_failure', got {value!r}")
        return value

    @model_validator(mode="after")
    def _check_cleared(self) -> HardwareAlarm:
        if self.cleared_at is not None and self.cleared_at < self.time:
            raise ValueError("cleared_at is before time")
        return self

    @property
    def category_hint(self) -> CauseCategory | None:
        """Cause category this alarm kind points to on its own, None for unknown kinds."""
        return ALARM_KIND_CATEGORY.get(self.alarm)


class Meta(FrozenModel):
    """meta.json: the observation window and where the signals came from (never the answer)."""

    format_version: Literal[1] = 1
    window_start: UtcDatetime
    window_end: UtcDatetime
    catalog: str = Field(min_length=1)
    generator: str = Field(min_length=1)
    seed: int | None = None
    timezone: str = "UTC"

    @field_validator("timezone")
    @classmethod
    def _check_tz(cls, value: str) -> str:
        try:
            zoneinfo.ZoneInfo(value)
        except (zoneinfo.ZoneInfoNotFoundError, ValueError):
            raise ValueError(f"unknown IANA time zone '{value}'") from None
        return value

    @model_validator(mode="after")
    def _check_window(self) -> Meta:
        for name, value in (("window_start", self.window_start), ("window_end", self.window_end)):
            if value.second or value.microsecond:
                raise ValueError(f"{name} must be on a whole minute, got {format_time(value)}")
        if self.window_end <= self.window_start:
            raise ValueError("window_end must be after window_start")
        return self

    @property
    def n_minutes(self) -> int:
        """Length of the window in whole minutes."""
        return int((self.window_end - self.window_start).total_seconds() // 60)


class SecondaryFault(FrozenModel):
    """A fault in the same window that is unrelated to the main outage (a distractor)."""

    entity: EntityId
    category: CauseCategory
    onset: UtcDatetime
    end: UtcDatetime | None = None
    description: str = ""


class Truth(FrozenModel):
    """truth.json: the right answer, for the scorer only; investigation code must never read it."""

    scenario: str = Field(min_length=1)
    seed: int | None = None
    root_causes: tuple[EntityId, ...] = ()
    category: CauseCategory | None = None
    onset: UtcDatetime | None = None
    end: UtcDatetime | None = None
    affected_customers: tuple[EntityId, ...] = ()
    secondary_faults: tuple[SecondaryFault, ...] = ()
    description: str = ""

    @model_validator(mode="after")
    def _check_consistency(self) -> Truth:
        if bool(self.root_causes) != (self.category is not None):
            raise ValueError("root_causes and category must be both set or both empty")
        if self.root_causes and self.onset is None:
            raise ValueError("onset is required when root_causes is set")
        if self.onset and self.end and self.end < self.onset:
            raise ValueError("end is before onset")
        return self


def _alert_order(a: Alert) -> tuple[datetime, str, str]:
    return (a.starts_at, a.fingerprint, a.status)


@dataclass(frozen=True)
class SignalSet:
    """Everything in a signals directory except truth.json: the window plus every signal kind.

    Record collections are sorted on construction (alerts by startsAt, fingerprint; changes and
    alarms by time, id; hazards by sent, identifier) so equal content compares equal.
    """

    meta: Meta
    series: SeriesSet
    traffic: TrafficSet
    alerts: tuple[Alert, ...] = ()
    changes: tuple[Change, ...] = ()
    hardware: tuple[HardwareAlarm, ...] = ()
    hazards: tuple[Hazard, ...] = ()

    def __post_init__(self) -> None:
        sort = object.__setattr__
        sort(self, "alerts", tuple(sorted(self.alerts, key=_alert_order)))
        sort(self, "changes", tuple(sorted(self.changes, key=lambda c: (c.time, c.id))))
        sort(self, "hardware", tuple(sorted(self.hardware, key=lambda h: (h.time, h.id))))
        sort(self, "hazards", tuple(sorted(self.hazards, key=lambda h: (h.sent, h.identifier))))
        for name, frame in (("series", self.series), ("traffic", self.traffic)):
            if frame.start != self.meta.window_start or frame.n_minutes != self.meta.n_minutes:
                raise SignalError(
                    f"SignalSet.{name} covers {format_time(frame.start)} + {frame.n_minutes} min, "
                    f"but meta window is {format_time(self.meta.window_start)} + "
                    f"{self.meta.n_minutes} min"
                )

    @property
    def window_start(self) -> datetime:
        """Inclusive start of the observation window (UTC)."""
        return self.meta.window_start

    @property
    def window_end(self) -> datetime:
        """Exclusive end of the observation window (UTC)."""
        return self.meta.window_end

    @classmethod
    def empty(cls, meta: Meta) -> SignalSet:
        """A signal set with the given window and no signals."""
        return cls(
            meta=meta,
            series=SeriesSet.empty(meta.window_start, meta.n_minutes),
            traffic=TrafficSet.empty(meta.window_start, meta.n_minutes),
        )
