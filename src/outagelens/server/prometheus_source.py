"""Live signals with SLI series and edge traffic read from Prometheus (`--prometheus URL`).

When `prometheus_url` is set, the live investigation reads series and traffic through the
Prometheus HTTP API instead of the points pushed to `/ingest/series|traffic`; alerts, changes,
hardware alarms and hazards still come from the store. The window ends with the current minute.

Everything stored and scraped is stamped in wall time. A replay exporter running faster than
real time publishes its clock in Prometheus (`outagelens_replay_speed`,
`outagelens_replay_origin_timestamp_seconds`); when those series exist, every time is mapped
to scenario time with that clock before the investigation (see `signals.replay_clock`).
Without them the clock is the identity, as in any real deployment.
"""

from __future__ import annotations

import dataclasses
from datetime import datetime, timedelta

from outagelens.server.processing import minute_floor, signal_set
from outagelens.signals.prometheus import PrometheusConfig, PrometheusSource
from outagelens.signals.replay_clock import ReplayClock, retime
from outagelens.signals.types import SignalSet
from outagelens.store.protocol import Store
from outagelens.store.rows import now_utc
from outagelens.topology import Catalog

ALL = 10_000_000


def prometheus_signal_set(
    store: Store,
    catalog: Catalog,
    minutes: int,
    prometheus_url: str,
    now: datetime | None = None,
) -> SignalSet:
    """The live window (scenario time) with series and traffic from Prometheus."""
    source = PrometheusSource(PrometheusConfig(url=prometheus_url))
    try:
        clock = source.replay_clock()
        end = minute_floor(clock.to_scenario(now or now_utc())) + timedelta(minutes=1)
        start = end - timedelta(minutes=minutes)
        series = source.series(start, minutes, clock)
        traffic = source.traffic(start, minutes, clock)
    finally:
        source.close()
    wall_start, wall_end = clock.to_wall(start), clock.to_wall(end)
    others = [r for k in ("change", "hardware", "hazard") for r in store.signals(k, limit=ALL)]
    stored = signal_set(
        store.signals("alert", since=wall_start, until=wall_end, limit=ALL),
        [r for r in others if r.time < wall_end],
        [],
        [],
        window_start=start,
        window_end=end,
        catalog=catalog.source or "server",
    )
    return _in_scenario_time(stored, clock, series=series, traffic=traffic)


def _in_scenario_time(signals: SignalSet, clock: ReplayClock, **frames: object) -> SignalSet:
    """The set with every record time mapped from wall to scenario time, frames replaced."""
    if clock.is_identity:
        return dataclasses.replace(signals, **frames)  # type: ignore[arg-type]
    fn = clock.to_scenario
    return dataclasses.replace(
        signals,
        alerts=tuple(retime(a, fn) for a in signals.alerts),
        changes=tuple(retime(c, fn) for c in signals.changes),
        hardware=tuple(retime(h, fn) for h in signals.hardware),
        hazards=tuple(retime(h, fn) for h in signals.hazards),
        **frames,  # type: ignore[arg-type]
    )
