"""Replay a simulated scenario live: a Prometheus exporter plus posts to the ingest endpoints.

Time mapping (see `signals.replay_clock`): the replay starts at wall instant `origin` on
scenario minute `start_minute`, and shifts the whole scenario so that scenario time equals wall
time at `origin`; from then on scenario time = origin + (wall - origin) × speed. The scenario
minute shown at wall time w is `start_minute + floor((scenario(w) - anchor) / 60 s)`, where
`anchor` is `origin` floored to the minute (so minutes keep whole-minute boundaries).

Prometheus stamps scraped samples with wall time; changes, hardware alarms and CAP hazards are
posted stamped in wall time too (their scenario time mapped back by the clock), when the replay
reaches them; records older than the start minute are posted at once, as history. Readers map
wall time back to scenario time with the clock the exporter publishes as
`outagelens_replay_speed` and `outagelens_replay_origin_timestamp_seconds`.
"""

from __future__ import annotations

import logging
import math
import threading
import time
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from typing import Any

import httpx
import numpy as np
from prometheus_client import start_http_server
from prometheus_client.core import GaugeMetricFamily, Metric
from prometheus_client.registry import Collector, CollectorRegistry
from pydantic import BaseModel

from outagelens.errors import ScenarioError
from outagelens.signals.cap import to_cap_xml
from outagelens.signals.frames import MinuteFrame
from outagelens.signals.prometheus import REPLAY_ORIGIN, REPLAY_SPEED, SERIES_MAP, TRAFFIC_MAP
from outagelens.signals.replay_clock import ReplayClock, retime
from outagelens.signals.types import Change, HardwareAlarm, Hazard, SignalSet
from outagelens.topology import Catalog

log = logging.getLogger("outagelens.sim.replay")
POWER_ALARMS = frozenset({"utility_power_loss", "ups_on_battery", "generator_start"})
POWER_KINDS = frozenset({"power", "utility_feed", "ups", "generator"})
# Hardware/facility alarm severities as alert severities (the Alert model's vocabulary).
ALARM_SEVERITY = {
    "critical": "critical",
    "major": "error",
    "minor": "warning",
    "warning": "warning",
}


@dataclass(frozen=True, slots=True)
class ReplayConfig:
    """How to replay: speed, first scenario minute, where to serve and post."""

    speed: float = 1.0
    start_minute: int = 0
    host: str = "127.0.0.1"
    port: int = 0
    post_to: str | None = None
    api_key: str | None = None
    post_timeout_seconds: float = 10.0

    def __post_init__(self) -> None:
        if not self.speed > 0 or not math.isfinite(self.speed):
            raise ScenarioError(f"replay speed must be a positive number, got {self.speed}")
        if self.start_minute < 0:
            raise ScenarioError(f"replay start minute must be >= 0, got {self.start_minute}")


@dataclass(frozen=True, slots=True)
class ReplayTimeline:
    """Scenario minutes <-> shifted scenario times <-> wall times for one replay."""

    window_start: datetime
    n_minutes: int
    start_minute: int
    clock: ReplayClock

    @property
    def anchor(self) -> datetime:
        """Shifted time at which `start_minute` begins: the origin floored to the minute."""
        return self.clock.origin.replace(second=0, microsecond=0)

    @property
    def shift(self) -> timedelta:
        """Added to an original scenario time to place it on the replay's time line."""
        return self.anchor - (self.window_start + timedelta(minutes=self.start_minute))

    def minute_at(self, wall: datetime) -> int:
        """Scenario minute index shown at wall time `wall` (may pass the window's end)."""
        elapsed = self.clock.to_scenario(wall) - self.anchor
        return self.start_minute + math.floor(elapsed / timedelta(minutes=1))

    def wall_of(self, original: datetime) -> datetime:
        """Wall time at which an original scenario time is reached."""
        return self.clock.to_wall(original + self.shift)

    @property
    def wall_end(self) -> datetime:
        """Wall time at which the scenario's last minute ends."""
        return self.wall_of(self.window_start + timedelta(minutes=self.n_minutes))


class ReplayCollector(Collector):
    """Gauges for the scenario minute the replay clock shows at scrape time."""

    def __init__(
        self,
        catalog: Catalog,
        signals: SignalSet,
        timeline: ReplayTimeline,
        now: Callable[[], datetime] | None = None,
    ) -> None:
        self.catalog = catalog
        self.signals = signals
        self.timeline = timeline
        self._now = now or (lambda: datetime.now(UTC))

    def collect(self) -> Iterator[Metric]:
        """Every gauge at the current scenario minute (nothing for SLIs past the window's end)."""
        wall = self._now()
        minute = self.timeline.minute_at(wall)
        yield from self._clock_gauges(minute)
        if not 0 <= minute < self.signals.meta.n_minutes:
            return
        yield from _frame_gauges(self.signals.series, SERIES_MAP, minute, "SLI")
        yield from _frame_gauges(self.signals.traffic, TRAFFIC_MAP, minute, "edge traffic")
        at = self.signals.window_start + timedelta(minutes=minute, seconds=59)
        yield from self._hardware_gauges(at)

    def _clock_gauges(self, minute: int) -> Iterator[Metric]:
        clock = self.timeline.clock
        yield GaugeMetricFamily(REPLAY_SPEED, "Replay speed (scenario s per wall s).", clock.speed)
        yield GaugeMetricFamily(
            REPLAY_ORIGIN,
            "Wall time (Unix s) at which scenario time equals wall time.",
            clock.origin.timestamp(),
        )
        yield GaugeMetricFamily(
            "outagelens_replay_scenario_minute", "Scenario minute shown (0 = window start).", minute
        )

    def _hardware_gauges(self, at: datetime) -> Iterator[Metric]:
        alarm = GaugeMetricFamily(
            "outagelens_hardware_alarm",
            "1 while a hardware/facility alarm of this kind is active on the component.",
            labels=["component", "location", "alarm", "severity"],
        )
        power = GaugeMetricFamily(
            "outagelens_power_feed_up",
            "0 while the power component runs on battery, generator or has lost utility power.",
            labels=["component", "location"],
        )
        active: dict[tuple[str, str, str, str], float] = {}
        power_down: set[str] = set()
        for record in self.signals.hardware:
            key = (record.component, self._location(record.component), record.alarm)
            labels = (*key, ALARM_SEVERITY[record.severity])
            is_active = record.time <= at and (record.cleared_at is None or at < record.cleared_at)
            active[labels] = max(active.get(labels, 0.0), 1.0 if is_active else 0.0)
            if is_active and record.alarm in POWER_ALARMS:
                power_down.add(record.component)
        for labels, value in sorted(active.items()):
            alarm.add_metric(list(labels), value)
        for comp in sorted(self.catalog.components.values(), key=lambda c: c.id):
            if comp.kind in POWER_KINDS:
                up = 0.0 if comp.id in power_down else 1.0
                power.add_metric([comp.id, self._location(comp.id)], up)
        yield alarm
        yield power

    def _location(self, component: str) -> str:
        comp = self.catalog.components.get(component)
        return comp.location if comp is not None and comp.location else ""


def _frame_gauges(
    frame: MinuteFrame, mapping: tuple[Any, ...], minute: int, what: str
) -> Iterator[Metric]:
    labels = list(frame.KEY_NAMES)
    for entry in mapping:
        family = GaugeMetricFamily(
            entry.query, f"{what} {entry.metric} / {entry.scale}", labels=labels
        )
        column = frame.values[entry.metric][:, minute]
        for key, value in zip(frame.keys, column, strict=True):
            if not np.isnan(value):
                family.add_metric(list(key), float(value) / entry.scale)
        yield family


@dataclass(frozen=True, slots=True)
class Posting:
    """One record to post: when (wall), where (endpoint path), what (body, content type)."""

    wall: datetime
    path: str
    body: str
    content_type: str


def postings(signals: SignalSet, timeline: ReplayTimeline) -> list[Posting]:
    """Changes, hardware alarms and hazards as posts stamped in wall time, in posting order."""
    out: list[Posting] = []

    def stamp(model: BaseModel) -> Any:
        return retime(model, timeline.wall_of)

    for change in signals.changes:
        out.append(_json_posting(timeline.wall_of(change.time), "/ingest/changes", stamp(change)))
    for alarm in signals.hardware:
        wall = timeline.wall_of(alarm.time)
        # The ingest keeps one record per alarm: an alarm still active when it is posted goes
        # without its (future) clear time; the gauge tells Prometheus when it clears.
        posted = stamp(alarm)
        if posted.cleared_at is not None and posted.cleared_at > max(wall, timeline.clock.origin):
            posted = posted.model_copy(update={"cleared_at": None})
        out.append(_json_posting(wall, "/ingest/hardware", posted))
    for hazard in signals.hazards:
        body = to_cap_xml(stamp(hazard))
        out.append(
            Posting(timeline.wall_of(hazard.sent), "/ingest/cap", body, "application/cap+xml")
        )
    return sorted(out, key=lambda p: p.wall)


def _json_posting(wall: datetime, path: str, model: Change | HardwareAlarm | Hazard) -> Posting:
    return Posting(wall, path, "[" + model.model_dump_json(by_alias=True) + "]", "application/json")


class Poster:
    """Posts records to an OutageLens server when the replay reaches them (a daemon thread)."""

    def __init__(self, config: ReplayConfig, items: list[Posting]) -> None:
        if config.post_to is None:
            raise ScenarioError("Poster needs ReplayConfig.post_to")
        headers = {"Authorization": f"Bearer {config.api_key}"} if config.api_key else {}
        self.base = config.post_to.rstrip("/")
        self.items = items
        self.posted = 0
        self.failed: list[str] = []
        self._client = httpx.Client(timeout=config.post_timeout_seconds, headers=headers)
        self._stop = threading.Event()
        self._thread = threading.Thread(target=self._run, name="replay-poster", daemon=True)

    def start(self) -> None:
        """Start posting."""
        self._thread.start()

    def stop(self) -> None:
        """Stop posting and close the client."""
        self._stop.set()
        self._thread.join(timeout=5)
        self._client.close()

    def _run(self) -> None:
        for item in self.items:
            delay = (item.wall - datetime.now(UTC)).total_seconds()
            if delay > 0 and self._stop.wait(delay):
                return
            self._post(item)

    def _post(self, item: Posting) -> None:
        url = self.base + item.path
        for attempt in range(5):
            try:
                answer = self._client.post(
                    url, content=item.body, headers={"Content-Type": item.content_type}
                )
                if answer.status_code < 300:
                    self.posted += 1
                    return
                problem = f"HTTP {answer.status_code}: {answer.text[:200]}"
                if answer.status_code < 500 and answer.status_code != 429:
                    break
            except httpx.HTTPError as exc:
                problem = str(exc)
            if self._stop.wait(0.5 * 2**attempt):
                return
        log.warning("replay: posting to %s failed: %s", url, problem)
        self.failed.append(f"{url}: {problem}")


@dataclass
class Replay:
    """A running replay: the exporter's URL, its timeline, and the poster (if any)."""

    url: str
    timeline: ReplayTimeline
    poster: Poster | None
    _server: Any
    _thread: threading.Thread

    def stop(self) -> None:
        """Stop serving and posting."""
        if self.poster is not None:
            self.poster.stop()
        self._server.shutdown()
        self._server.server_close()
        self._thread.join(timeout=5)

    def wait(self) -> None:
        """Block until the scenario's last minute has been shown."""
        delay = (self.timeline.wall_end - datetime.now(UTC)).total_seconds()
        if delay > 0:
            time.sleep(delay)


def start_replay(
    catalog: Catalog, signals: SignalSet, config: ReplayConfig, origin: datetime | None = None
) -> Replay:
    """Start the exporter (own CollectorRegistry) and the poster; return at once."""
    if config.start_minute >= signals.meta.n_minutes:
        raise ScenarioError(
            f"replay start minute {config.start_minute} is past the scenario's "
            f"{signals.meta.n_minutes} minutes"
        )
    clock = ReplayClock(origin=origin or datetime.now(UTC), speed=config.speed)
    timeline = ReplayTimeline(
        signals.window_start, signals.meta.n_minutes, config.start_minute, clock
    )
    registry = CollectorRegistry(auto_describe=False)
    registry.register(ReplayCollector(catalog, signals, timeline))
    server, thread = start_http_server(config.port, addr=config.host, registry=registry)
    port = int(server.server_address[1])
    poster = None
    if config.post_to:
        poster = Poster(config, postings(signals, timeline))
        poster.start()
    return Replay(f"http://{config.host}:{port}/metrics", timeline, poster, server, thread)


def parse_listen(text: str) -> tuple[str, int]:
    """'HOST:PORT' (port 0: any free port) -> (host, port); ScenarioError names the value."""
    host, sep, port = text.rpartition(":")
    if not sep or not host or not port.isdigit() or int(port) > 65535:
        raise ScenarioError(f"--serve-metrics must be HOST:PORT, got {text!r}")
    return host.strip("[]"), int(port)
