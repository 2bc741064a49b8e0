"""Prometheus HTTP API adapter: SLI series and edge traffic read with `query_range`.

Works against anything that speaks the Prometheus HTTP API (Prometheus, Thanos, Mimir,
VictoriaMetrics, Cortex). One range query per metric, step one scenario minute, chunked so no
query asks for more than `max_points` points per series (Prometheus refuses over 11,000).

| frame metric (SeriesSet) | Prometheus metric (default) | labels | scale |
|---|---|---|---|
| availability | outagelens_sli_availability | customer, service, location | 1 |
| request_rate | outagelens_sli_request_rate | 〃 | 1 |
| error_rate | outagelens_sli_error_rate | 〃 | 1 |
| latency_p95_ms | outagelens_sli_latency_p95_seconds | 〃 | 1000 |
| throughput | outagelens_sli_throughput | 〃 | 1 |

| frame metric (TrafficSet) | Prometheus metric (default) | labels |
|---|---|---|
| requests_per_s | outagelens_edge_requests_per_second | location, component |
| bytes_per_s | outagelens_edge_bytes_per_second | 〃 |
| distinct_source_networks | outagelens_edge_distinct_source_networks | 〃 |
| new_source_networks | outagelens_edge_new_source_networks | 〃 |
| syn_ratio | outagelens_edge_syn_ratio | 〃 |

Every row of the table is configurable (`PrometheusConfig.series`, `.traffic`): point a frame
metric at any PromQL expression whose result carries the key labels (e.g. a recording rule).
Series of several targets with the same key are averaged (`avg by (keys)` is added).
"""

from __future__ import annotations

import math
from collections.abc import Sequence
from dataclasses import dataclass, field
from datetime import datetime, timedelta
from typing import Any, TypeVar

import httpx
import numpy as np

from outagelens.errors import SignalError
from outagelens.signals.alertmanager import AlertmanagerMapping, alert_from_webhook_alert
from outagelens.signals.frames import MinuteFrame, SeriesSet, TrafficSet
from outagelens.signals.replay_clock import ReplayClock, retime
from outagelens.signals.timefmt import ZERO_TIME_TEXT, format_time
from outagelens.signals.types import Alert, Meta, SignalSet


@dataclass(frozen=True, slots=True)
class MetricMap:
    """One frame metric read from one PromQL expression, multiplied by `scale`."""

    metric: str
    query: str
    scale: float = 1.0


SERIES_MAP: tuple[MetricMap, ...] = (
    MetricMap("availability", "outagelens_sli_availability"),
    MetricMap("request_rate", "outagelens_sli_request_rate"),
    MetricMap("error_rate", "outagelens_sli_error_rate"),
    MetricMap("latency_p95_ms", "outagelens_sli_latency_p95_seconds", 1000.0),
    MetricMap("throughput", "outagelens_sli_throughput"),
)
TRAFFIC_MAP: tuple[MetricMap, ...] = (
    MetricMap("requests_per_s", "outagelens_edge_requests_per_second"),
    MetricMap("bytes_per_s", "outagelens_edge_bytes_per_second"),
    MetricMap("distinct_source_networks", "outagelens_edge_distinct_source_networks"),
    MetricMap("new_source_networks", "outagelens_edge_new_source_networks"),
    MetricMap("syn_ratio", "outagelens_edge_syn_ratio"),
)
F = TypeVar("F", bound=MinuteFrame)
REPLAY_SPEED = "outagelens_replay_speed"
REPLAY_ORIGIN = "outagelens_replay_origin_timestamp_seconds"


@dataclass(frozen=True, slots=True)
class PrometheusConfig:
    """Where and how to read: base URL, metric mapping, chunking, timeouts."""

    url: str
    series: tuple[MetricMap, ...] = SERIES_MAP
    traffic: tuple[MetricMap, ...] = TRAFFIC_MAP
    max_points: int = 10_000
    timeout_seconds: float = 30.0
    headers: dict[str, str] = field(default_factory=dict)


class PrometheusSource:
    """Reads SeriesSet/TrafficSet windows and the replay clock through the HTTP API."""

    def __init__(self, config: PrometheusConfig, client: httpx.Client | None = None) -> None:
        self.config = config
        self.base = config.url.rstrip("/")
        self._client = client or httpx.Client(
            timeout=config.timeout_seconds, headers=config.headers
        )

    def close(self) -> None:
        """Close the HTTP client."""
        self._client.close()

    def _get(self, path: str, params: dict[str, str]) -> Any:
        url = f"{self.base}{path}"
        query = params.get("query", "")
        try:
            answer = self._client.get(url, params=params)
        except httpx.HTTPError as exc:
            raise SignalError(f"Prometheus {url} query {query!r}: {exc}") from None
        try:
            body = answer.json()
        except ValueError:
            body = None
        if (
            answer.status_code != 200
            or not isinstance(body, dict)
            or body.get("status") != "success"
        ):
            detail = body.get("error") if isinstance(body, dict) else answer.text[:200]
            raise SignalError(
                f"Prometheus {url} query {query!r}: HTTP {answer.status_code}: {detail}"
            )
        return body["data"]

    def instant(self, query: str) -> list[tuple[dict[str, str], float]]:
        """An instant vector query: (labels, value) pairs."""
        data = self._get("/api/v1/query", {"query": query})
        return [(r["metric"], float(r["value"][1])) for r in data.get("result", [])]

    def replay_clock(self) -> ReplayClock:
        """The clock published by a running replay exporter; identity when there is none."""
        speed = self.instant(f"max({REPLAY_SPEED})")
        origin = self.instant(f"max({REPLAY_ORIGIN})")
        if not speed or not origin:
            return ReplayClock.identity()
        return ReplayClock.from_epoch(origin[0][1], speed[0][1])

    def series(
        self, start: datetime, n_minutes: int, clock: ReplayClock | None = None
    ) -> SeriesSet:
        """SLI series over [start, start + n_minutes) scenario minutes."""
        return self._frame(SeriesSet, self.config.series, start, n_minutes, clock)

    def traffic(
        self, start: datetime, n_minutes: int, clock: ReplayClock | None = None
    ) -> TrafficSet:
        """Edge traffic over [start, start + n_minutes) scenario minutes."""
        return self._frame(TrafficSet, self.config.traffic, start, n_minutes, clock)

    def _frame(
        self,
        cls: type[F],
        mapping: Sequence[MetricMap],
        start: datetime,
        n_minutes: int,
        clock: ReplayClock | None,
    ) -> F:
        clock = clock or ReplayClock.identity()
        rows: dict[tuple[str, ...], dict[str, np.ndarray]] = {}
        for entry in mapping:
            by = ", ".join(cls.KEY_NAMES)
            query = f"avg by ({by}) ({entry.query})"
            for key, col, value in self._range(query, cls.KEY_NAMES, start, n_minutes, clock):
                row = rows.setdefault(
                    key, {m: np.full(n_minutes, np.nan, dtype=np.float32) for m in cls.METRICS}
                )
                row[entry.metric][col] = value * entry.scale
        return cls.from_series(start, n_minutes, rows)

    def _range(
        self,
        query: str,
        key_names: Sequence[str],
        start: datetime,
        n_minutes: int,
        clock: ReplayClock,
    ) -> list[tuple[tuple[str, ...], int, float]]:
        """(key, minute column, value) of every sample; one sample per scenario minute."""
        # One point per scenario minute, taken at the minute's last wall instant the
        # exporter still showed it: that is `step` after the minute's start, minus a margin.
        step = 60.0 / clock.speed
        out: list[tuple[tuple[str, ...], int, float]] = []
        for first in range(0, n_minutes, self.config.max_points):
            count = min(self.config.max_points, n_minutes - first)
            begin = clock.to_wall(start + timedelta(minutes=first)) + timedelta(seconds=step * 0.9)
            end = begin + timedelta(seconds=step * (count - 1))
            params = {
                "query": query,
                "start": _epoch(begin),
                "end": _epoch(end),
                "step": _seconds(step),
            }
            data = self._get("/api/v1/query_range", params)
            for result in data.get("result", []):
                labels = result.get("metric", {})
                if not all(labels.get(k) for k in key_names):
                    continue
                key = tuple(labels[k] for k in key_names)
                for stamp, text in result.get("values", []):
                    col = first + round((float(stamp) - begin.timestamp()) / step)
                    value = float(text)
                    if 0 <= col < n_minutes and math.isfinite(value):
                        out.append((key, col, value))
        return out


def _epoch(when: datetime) -> str:
    return f"{when.timestamp():.3f}"


def _seconds(value: float) -> str:
    return f"{value:.3f}"


def alertmanager_alerts(url: str, *, timeout: float = 30.0) -> tuple[list[Alert], int]:
    """Active alerts from Alertmanager's `/api/v2/alerts` naming catalog entities, and how many
    alerts were skipped (no entity label or no usable severity: other teams' alerts)."""
    endpoint = f"{url.rstrip('/')}/api/v2/alerts"
    try:
        answer = httpx.get(endpoint, params={"active": "true"}, timeout=timeout)
        answer.raise_for_status()
        body = answer.json()
    except (httpx.HTTPError, ValueError) as exc:
        raise SignalError(f"Alertmanager {endpoint}: {exc}") from None
    if not isinstance(body, list):
        raise SignalError(f"Alertmanager {endpoint}: expected a JSON list of alerts")
    mapping = AlertmanagerMapping()
    alerts: list[Alert] = []
    skipped = 0
    for i, raw in enumerate(body):
        # API v2 gives a firing alert its estimated end; canonically it has none yet.
        obj = {**raw, "status": "firing", "endsAt": ZERO_TIME_TEXT}
        try:
            alerts.append(alert_from_webhook_alert(obj, mapping, source=endpoint, where=f"[{i}]"))
        except SignalError:
            skipped += 1
    return alerts, skipped


def window_text(start: datetime, n_minutes: int) -> str:
    """'2026-11-19T13:00:00Z + 60 min' for messages."""
    return f"{format_time(start)} + {n_minutes} min"


def prometheus_window(
    url: str,
    start: datetime,
    end: datetime,
    *,
    alertmanager_url: str | None = None,
    catalog_ref: str = "catalog",
) -> SignalSet:
    """A SignalSet over [start, end) (whole minutes) with series and traffic from Prometheus
    and, if given, the active alerts from Alertmanager; times mapped by a replay clock if one
    is published (otherwise wall time)."""
    first = start.replace(second=0, microsecond=0)
    n_minutes = math.ceil((end - first) / timedelta(minutes=1))
    if n_minutes <= 0:
        raise SignalError(f"--to {format_time(end)} must be after --from {format_time(start)}")
    source = PrometheusSource(PrometheusConfig(url=url))
    try:
        clock = source.replay_clock()
        series = source.series(first, n_minutes, clock)
        traffic = source.traffic(first, n_minutes, clock)
    finally:
        source.close()
    alerts: list[Alert] = []
    if alertmanager_url is not None:
        active, _skipped = alertmanager_alerts(alertmanager_url)
        alerts = [retime(a, clock.to_scenario) for a in active]
    meta = Meta(
        window_start=first,
        window_end=first + timedelta(minutes=n_minutes),
        catalog=catalog_ref,
        generator="outagelens-prometheus",
    )
    return SignalSet(meta=meta, series=series, traffic=traffic, alerts=tuple(alerts))
