"""Replay exporter: clock, gauges at a scenario minute, postings in wall time, the poster."""

from __future__ import annotations

import json
import time
from datetime import UTC, datetime, timedelta

import pytest
from prometheus_client import generate_latest
from prometheus_client.parser import text_string_to_metric_families
from prometheus_client.registry import CollectorRegistry
from tests.factories import recording_receiver

from outagelens.errors import ScenarioError
from outagelens.signals.replay_clock import ReplayClock, retime
from outagelens.signals.timefmt import parse_time
from outagelens.signals.types import Alert, SignalSet
from outagelens.sim.builtin import builtin_scenario
from outagelens.sim.replay import (
    Poster,
    Posting,
    ReplayCollector,
    ReplayConfig,
    ReplayTimeline,
    parse_listen,
    postings,
)
from outagelens.sim.runner import SimResult, simulate
from outagelens.topology import Catalog, load_catalog

ORIGIN = datetime(2026, 11, 24, 14, 0, 30, tzinfo=UTC)


@pytest.fixture(scope="module")
def sim() -> tuple[Catalog, SimResult]:
    catalog = load_catalog("examples/three-customers.yaml")
    return catalog, simulate(catalog, builtin_scenario("three-customers"), 0)


def _timeline(signals: SignalSet, start_minute: int, speed: float) -> ReplayTimeline:
    clock = ReplayClock(origin=ORIGIN, speed=speed)
    return ReplayTimeline(signals.window_start, signals.meta.n_minutes, start_minute, clock)


@pytest.mark.parametrize(
    ("speed", "wall_seconds", "minute"),
    [(1, 0, 800), (1, 29.9, 800), (1, 30, 801), (60, 0, 800), (60, 0.5, 801), (60, 10.5, 811)],
    ids=["start", "same-minute", "next-minute", "fast-start", "fast-next", "fast-later"],
)
def test_timeline_minute_at(
    sim: tuple[Catalog, SimResult], speed: float, wall_seconds: float, minute: int
) -> None:
    timeline = _timeline(sim[1].signals, 800, speed)
    assert timeline.minute_at(ORIGIN + timedelta(seconds=wall_seconds)) == minute


def test_timeline_wall_of_inverts_minute_at(sim: tuple[Catalog, SimResult]) -> None:
    signals = sim[1].signals
    timeline = _timeline(signals, 800, 20)
    for m in (800, 830, 1000):
        wall = timeline.wall_of(signals.window_start + timedelta(minutes=m))
        assert timeline.minute_at(wall + timedelta(milliseconds=1)) == m
        assert timeline.minute_at(wall - timedelta(milliseconds=1)) == m - 1


def test_clock_round_trip_and_identity() -> None:
    clock = ReplayClock(origin=ORIGIN, speed=45)
    when = ORIGIN + timedelta(seconds=7.25)
    assert clock.to_wall(clock.to_scenario(when)) == when
    assert clock.to_scenario(when) == ORIGIN + timedelta(seconds=7.25 * 45)
    assert ReplayClock.identity().to_scenario(when) == when


def test_retime_maps_every_time_field() -> None:
    alert = Alert.model_validate(
        {
            "status": "resolved",
            "labels": {"alertname": "X", "severity": "critical", "location": "fra1"},
            "startsAt": "2026-11-24T14:00:00Z",
            "endsAt": "2026-11-24T14:01:00Z",
        }
    )
    moved = retime(alert, lambda t: t + timedelta(hours=1))
    assert (moved.starts_at.hour, moved.ends_at and moved.ends_at.hour) == (15, 15)
    assert moved.fingerprint == alert.fingerprint


def _scrape(collector: ReplayCollector) -> dict[str, dict[tuple[tuple[str, str], ...], float]]:
    registry = CollectorRegistry(auto_describe=False)
    registry.register(collector)
    text = generate_latest(registry).decode()
    out: dict[str, dict[tuple[tuple[str, str], ...], float]] = {}
    for family in text_string_to_metric_families(text):
        for sample in family.samples:
            out.setdefault(sample.name, {})[tuple(sorted(sample.labels.items()))] = sample.value
    return out


def test_collector_exposes_the_minute_shown(sim: tuple[Catalog, SimResult]) -> None:
    catalog, result = sim
    signals = result.signals
    assert result.truth.onset is not None
    minute = int((result.truth.onset - signals.window_start) / timedelta(minutes=1)) + 5
    timeline = _timeline(signals, minute, 1)
    metrics = _scrape(ReplayCollector(catalog, signals, timeline, now=lambda: ORIGIN))
    assert metrics["outagelens_replay_scenario_minute"][()] == minute
    assert metrics["outagelens_replay_speed"][()] == 1
    key = ("shopwave", "managed-postgres", "fra1")
    labels = (("customer", key[0]), ("location", key[2]), ("service", key[1]))
    row = signals.series.row(key)
    expected_ms = float(signals.series.values["latency_p95_ms"][row, minute])
    assert metrics["outagelens_sli_latency_p95_seconds"][labels] == pytest.approx(
        expected_ms / 1000, rel=1e-6
    )
    availability = metrics["outagelens_sli_availability"][labels]
    assert availability == pytest.approx(float(signals.series.values["availability"][row, minute]))
    assert availability < 0.5  # five minutes into the outage, the row is down
    alarm = (
        ("alarm", "psu_failure"),
        ("component", "fra1-spine-2"),
        ("location", "fra1"),
        ("severity", "error"),
    )
    assert metrics["outagelens_hardware_alarm"][alarm] == 1.0
    assert set(metrics["outagelens_power_feed_up"].values()) == {1.0}


def test_collector_shows_no_sli_past_the_window(sim: tuple[Catalog, SimResult]) -> None:
    catalog, result = sim
    timeline = _timeline(result.signals, result.signals.meta.n_minutes - 1, 1)
    later = ORIGIN + timedelta(minutes=2)
    metrics = _scrape(ReplayCollector(catalog, result.signals, timeline, now=lambda: later))
    assert "outagelens_sli_availability" not in metrics
    assert metrics["outagelens_replay_scenario_minute"][()] == result.signals.meta.n_minutes + 1


def test_postings_are_wall_stamped_in_order(sim: tuple[Catalog, SimResult]) -> None:
    _, result = sim
    signals = result.signals
    timeline = _timeline(signals, 800, 30)
    items = postings(signals, timeline)
    assert [p.wall for p in items] == sorted(p.wall for p in items)
    changes = [json.loads(p.body)[0] for p in items if p.path == "/ingest/changes"]
    assert len(changes) == len(signals.changes)
    first = signals.changes[0]
    posted = next(c for c in changes if c["id"] == first.id)
    assert parse_time(posted["time"]) == timeline.wall_of(first.time)
    assert timeline.wall_of(first.time) < ORIGIN  # history, posted at once
    alarm = json.loads(next(p.body for p in items if p.path == "/ingest/hardware"))[0]
    # Raised before the start and cleared after it: posted without its future clear time.
    assert alarm["component"] == "fra1-spine-2" and alarm["cleared_at"] is None


def test_poster_posts_with_the_key_when_due() -> None:
    with recording_receiver(script=[503]) as receiver:
        now = datetime.now(UTC)
        items = [
            Posting(now - timedelta(seconds=5), "/ingest/changes", "[1]", "application/json"),
            Posting(now + timedelta(seconds=0.3), "/ingest/cap", "<alert/>", "application/cap+xml"),
        ]
        poster = Poster(ReplayConfig(post_to=receiver.url, api_key="olk_k"), items)
        poster.start()
        deadline = time.monotonic() + 10
        while poster.posted < 2 and time.monotonic() < deadline:
            time.sleep(0.05)
        poster.stop()
    # The 503 was retried: three requests, two records posted, none failed.
    assert [r.path for r in receiver.requests] == ["/ingest/changes"] * 2 + ["/ingest/cap"]
    assert poster.posted == 2 and poster.failed == []
    assert all(r.headers["Authorization"] == "Bearer olk_k" for r in receiver.requests)
    assert receiver.requests[-1].headers["Content-Type"] == "application/cap+xml"


@pytest.mark.parametrize(
    ("text", "expected"),
    [("127.0.0.1:9464", ("127.0.0.1", 9464)), ("[::1]:0", ("::1", 0)), ("host:80", ("host", 80))],
    ids=["ipv4", "ipv6-any-port", "name"],
)
def test_parse_listen(text: str, expected: tuple[str, int]) -> None:
    assert parse_listen(text) == expected


@pytest.mark.parametrize("text", ["9464", ":9464", "host:", "host:x", "h:70000"])
def test_parse_listen_rejects(text: str) -> None:
    with pytest.raises(ScenarioError, match="HOST:PORT"):
        parse_listen(text)


@pytest.mark.parametrize(
    ("kwargs", "message"),
    [({"speed": 0}, "speed"), ({"speed": float("inf")}, "speed"), ({"start_minute": -1}, "minute")],
    ids=["zero-speed", "infinite-speed", "negative-minute"],
)
def test_replay_config_rejects(kwargs: dict[str, float], message: str) -> None:
    with pytest.raises(ScenarioError, match=message):
        ReplayConfig(**kwargs)  # type: ignore[arg-type]
