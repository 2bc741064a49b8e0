"""The replay clock: how wall time maps to scenario time when a scenario is replayed live.

Prometheus and Alertmanager stamp everything with wall time, so a replay at N times real time
needs one agreed mapping to read the data back as scenario minutes. The replay shifts the
scenario so that, at the wall instant `origin` the replay starts, scenario time equals wall
time; from then on scenario time runs N times faster:

    scenario(w) = origin + (w - origin) * speed        wall(s) = origin + (s - origin) / speed

At speed 1 both are the identity, so a real-time replay (and any real deployment) needs no
mapping at all. Everything sent to OutageLens and Prometheus is stamped in wall time; readers
map it back with the same clock (`retime`).
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from typing import Any, TypeVar

from pydantic import BaseModel

from outagelens.errors import SignalError

M = TypeVar("M", bound=BaseModel)
_EPOCH = datetime(1970, 1, 1, tzinfo=UTC)


@dataclass(frozen=True, slots=True)
class ReplayClock:
    """Affine wall <-> scenario time map; `speed` 1 is the identity."""

    origin: datetime
    speed: float = 1.0

    def __post_init__(self) -> None:
        if self.origin.tzinfo is None:
            raise SignalError("ReplayClock.origin must be timezone-aware")
        if not self.speed > 0:
            raise SignalError(f"ReplayClock.speed must be > 0, got {self.speed}")

    @classmethod
    def identity(cls) -> ReplayClock:
        """The clock of a real deployment: scenario time is wall time."""
        return cls(origin=_EPOCH, speed=1.0)

    @classmethod
    def from_epoch(cls, origin_seconds: float, speed: float) -> ReplayClock:
        """A clock from the exporter's gauges (Unix seconds of the origin, speed)."""
        return cls(origin=_EPOCH + timedelta(seconds=origin_seconds), speed=speed)

    @property
    def is_identity(self) -> bool:
        """True when scenario time equals wall time."""
        return self.speed == 1.0

    def to_scenario(self, wall: datetime) -> datetime:
        """The scenario time shown at wall time `wall`."""
        if self.is_identity:
            return wall
        return self.origin + (wall - self.origin) * self.speed

    def to_wall(self, scenario: datetime) -> datetime:
        """The wall time at which the replay reaches scenario time `scenario`."""
        if self.is_identity:
            return scenario
        return self.origin + (scenario - self.origin) / self.speed


def retime(model: M, fn: Callable[[datetime], datetime]) -> M:
    """A copy of a signal record with every datetime field (nested too) passed through `fn`."""
    updates: dict[str, Any] = {}
    for name in type(model).model_fields:
        value = getattr(model, name)
        mapped = _retime_value(value, fn)
        if mapped is not value:
            updates[name] = mapped
    return model.model_copy(update=updates) if updates else model


def _retime_value(value: Any, fn: Callable[[datetime], datetime]) -> Any:
    if isinstance(value, datetime):
        return fn(value)
    if isinstance(value, BaseModel):
        return retime(value, fn)
    if isinstance(value, tuple | list) and any(isinstance(v, datetime | BaseModel) for v in value):
        return type(value)(_retime_value(v, fn) for v in value)
    return value
