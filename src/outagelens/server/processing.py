"""Turn committed inbox rows into canonical signals, and stored signals back into a SignalSet.

Pure functions over records: the worker feeds them store rows; tests feed them directly.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from datetime import datetime, timedelta

import numpy as np
from pydantic import BaseModel, ValidationError

from outagelens.errors import SignalError
from outagelens.signals.frames import SeriesSet, TrafficSet
from outagelens.signals.pagerduty import PagerDutyAlerts
from outagelens.signals.timefmt import format_time, parse_time
from outagelens.signals.types import (
    Alert,
    Change,
    HardwareAlarm,
    Hazard,
    Meta,
    SignalSet,
)
from outagelens.store.records import FramePoint, InboxRecord, SignalBatch, SignalRecord

FRAME_KINDS = ("series", "traffic")


@dataclass
class Processed:
    """Result of one pass: the batch to apply and the rows that could not be read."""

    batch: SignalBatch
    invalid: list[tuple[int, str]] = field(default_factory=list)


def alert_record(alert: Alert) -> SignalRecord:
    """An alert is identified by fingerprint and start; its main entity is the first label."""
    entity = next(iter(alert.entity_ids.values()), None)
    return SignalRecord(
        kind="alert",
        key=f"{alert.fingerprint}@{format_time(alert.starts_at)}",
        time=alert.starts_at,
        end=alert.ends_at,
        entity=entity,
        payload=alert.model_dump(mode="json"),
    )


def model_record(model: BaseModel) -> SignalRecord:
    """Changes, hardware alarms and hazards as canonical signal records."""
    payload = model.model_dump(mode="json")
    if isinstance(model, Change):
        return SignalRecord("change", model.id, model.time, None, model.component, payload)
    if isinstance(model, HardwareAlarm):
        return SignalRecord(
            "hardware", model.id, model.time, model.cleared_at, model.component, payload
        )
    if isinstance(model, Hazard):
        key = f"{model.sender}|{model.identifier}"
        return SignalRecord("hazard", key, model.onset, model.expires, None, payload)
    if isinstance(model, Alert):
        return alert_record(model)
    raise TypeError(f"not a signal model: {type(model).__name__}")


_MODELS: dict[str, type[Alert] | type[Change] | type[HardwareAlarm] | type[Hazard]] = {
    "alert": Alert,
    "change": Change,
    "hardware": HardwareAlarm,
    "hazard": Hazard,
}


def frame_points(kind: str, rows: Iterable[Sequence[object]]) -> list[FramePoint]:
    """Rows `[timestamp, key..., metric...]` (stored by the batch endpoints) as points."""
    cls = SeriesSet if kind == "series" else TrafficSet
    n_keys = len(cls.KEY_NAMES)
    points = []
    for row in rows:
        minute = parse_time(str(row[0]))
        key = tuple(str(k) for k in row[1 : 1 + n_keys])
        values = {
            m: (None if v is None else float(str(v)))
            for m, v in zip(cls.METRICS, row[1 + n_keys :], strict=True)
        }
        points.append(FramePoint(frame=kind, key=key, minute=minute, values=values))
    return points


def process(records: Sequence[InboxRecord], pagerduty: PagerDutyAlerts) -> Processed:
    """Canonical signals and points for inbox rows; unreadable rows are reported, not raised."""
    signals: list[SignalRecord] = []
    points: list[FramePoint] = []
    invalid: list[tuple[int, str]] = []
    for rec in records:
        try:
            if rec.kind in _MODELS:
                signals.append(model_record(_MODELS[rec.kind].model_validate(rec.payload)))
            elif rec.kind == "pagerduty":
                alert = pagerduty.apply(rec.payload, received_at=rec.received_at)
                if alert is not None:
                    signals.append(alert_record(alert))
            elif rec.kind in FRAME_KINDS:
                rows = rec.payload.get("rows", [])
                points.extend(frame_points(rec.kind, rows))
            else:
                invalid.append((rec.id, f"unknown inbox kind '{rec.kind}'"))
        except (ValidationError, SignalError, ValueError, TypeError) as exc:
            invalid.append((rec.id, str(exc)))
    batch = SignalBatch(processed_ids=[r.id for r in records], signals=signals, points=points)
    return Processed(batch=batch, invalid=invalid)


def build_frame(
    cls: type[SeriesSet] | type[TrafficSet],
    points: Iterable[FramePoint],
    start: datetime,
    n_minutes: int,
) -> SeriesSet | TrafficSet:
    """Pivot stored points into a SeriesSet/TrafficSet over [start, start + n_minutes)."""
    series: dict[tuple[str, ...], dict[str, np.ndarray]] = {}
    for p in points:
        col = int((p.minute - start).total_seconds() // 60)
        if not 0 <= col < n_minutes:
            continue
        row = series.setdefault(
            p.key, {m: np.full(n_minutes, np.nan, dtype=np.float32) for m in cls.METRICS}
        )
        for metric, value in p.values.items():
            if value is not None and metric in row:
                row[metric][col] = value
    return cls.from_series(start, n_minutes, series)


def signal_set(
    alerts: Iterable[SignalRecord],
    others: Iterable[SignalRecord],
    series: Iterable[FramePoint],
    traffic: Iterable[FramePoint],
    *,
    window_start: datetime,
    window_end: datetime,
    catalog: str,
) -> SignalSet:
    """Rebuild the SignalSet the investigation reads from stored records over a window."""
    meta = Meta(
        window_start=window_start,
        window_end=window_end,
        catalog=catalog,
        generator="outagelens-server",
    )
    n = meta.n_minutes
    by_kind: dict[str, list[BaseModel]] = {"change": [], "hardware": [], "hazard": []}
    for rec in others:
        if rec.kind in by_kind:
            by_kind[rec.kind].append(_MODELS[rec.kind].model_validate(rec.payload))
    return SignalSet(
        meta=meta,
        series=build_frame(SeriesSet, series, window_start, n),  # type: ignore[arg-type]
        traffic=build_frame(TrafficSet, traffic, window_start, n),  # type: ignore[arg-type]
        alerts=tuple(Alert.model_validate(a.payload) for a in alerts),
        changes=tuple(by_kind["change"]),  # type: ignore[arg-type]
        hardware=tuple(by_kind["hardware"]),  # type: ignore[arg-type]
        hazards=tuple(by_kind["hazard"]),  # type: ignore[arg-type]
    )


def minute_floor(when: datetime) -> datetime:
    """The start of the minute holding `when`."""
    return when.replace(second=0, microsecond=0)


def window_around(now: datetime, minutes: int) -> tuple[datetime, datetime]:
    """The live window: `minutes` whole minutes ending with the current minute."""
    end = minute_floor(now) + timedelta(minutes=1)
    return end - timedelta(minutes=minutes), end
