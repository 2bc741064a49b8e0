"""Prometheus HTTP API adapter: query shape, chunking, label/metric mapping, clock, errors.

The HTTP side is an httpx MockTransport answering like Prometheus; the real Prometheus is
driven by tests/live/test_live_pipeline.py.
"""

from __future__ import annotations

import json
from collections.abc import Callable
from datetime import UTC, datetime, timedelta
from typing import Any

import httpx
import numpy as np
import pytest

from outagelens.errors import SignalError
from outagelens.signals.prometheus import (
    MetricMap,
    PrometheusConfig,
    PrometheusSource,
)
from outagelens.signals.replay_clock import ReplayClock

START = datetime(2026, 11, 24, 14, 0, tzinfo=UTC)
KEY = {"customer": "shopwave", "service": "checkout", "location": "fra1"}


def _matrix(samples: list[tuple[float, float]], labels: dict[str, str]) -> dict[str, Any]:
    values = [[t, str(v)] for t, v in samples]
    result = [{"metric": labels, "values": values}]
    return {"status": "success", "data": {"resultType": "matrix", "result": result}}


def _source(handler: Callable[[httpx.Request], httpx.Response], **config: Any) -> PrometheusSource:
    client = httpx.Client(transport=httpx.MockTransport(handler))
    return PrometheusSource(PrometheusConfig(url="http://prom:9090/", **config), client=client)


def _range_handler(calls: list[dict[str, str]]) -> Callable[[httpx.Request], httpx.Response]:
    """Answers every range query with one sample per step, value = minute index."""

    def handler(request: httpx.Request) -> httpx.Response:
        params = dict(request.url.params)
        calls.append(params)
        start, end, step = (float(params[k]) for k in ("start", "end", "step"))
        n = round((end - start) / step) + 1
        first = (start - step * 0.9 - START.timestamp()) / step
        samples = [(start + i * step, first + i) for i in range(n)]
        return httpx.Response(200, json=_matrix(samples, {**KEY, "instance": "x"}))

    return handler


@pytest.mark.parametrize(
    ("speed", "n_minutes", "max_points", "queries_per_metric"),
    [(1, 30, 10_000, 1), (1, 25, 10, 3), (20, 30, 10_000, 1)],
    ids=["one-chunk", "chunked", "replay-speed"],
)
def test_series_one_point_per_minute(
    speed: float, n_minutes: int, max_points: int, queries_per_metric: int
) -> None:
    calls: list[dict[str, str]] = []
    source = _source(_range_handler(calls), max_points=max_points)
    clock = ReplayClock(origin=START, speed=speed)
    frame = source.series(START, n_minutes, clock)
    assert len(calls) == 5 * queries_per_metric
    assert all(float(c["step"]) == pytest.approx(60 / speed) for c in calls)
    assert calls[0]["query"] == "avg by (customer, service, location) (outagelens_sli_availability)"
    assert (
        max(round((float(c["end"]) - float(c["start"])) / float(c["step"])) + 1 for c in calls)
        <= max_points
    )
    key = ("shopwave", "checkout", "fra1")
    assert frame.keys == (key,)
    np.testing.assert_allclose(frame.get(key, "availability"), np.arange(n_minutes))
    # latency comes in seconds and is stored in milliseconds
    np.testing.assert_allclose(frame.get(key, "latency_p95_ms"), np.arange(n_minutes) * 1000)


def test_custom_mapping_and_missing_labels() -> None:
    def handler(request: httpx.Request) -> httpx.Response:
        start = float(request.url.params["start"])
        rows = _matrix([(start, 0.5)], {"customer": "c", "service": "s"})  # no location
        rows["data"]["result"].append(
            {
                "metric": {"customer": "c", "service": "s", "location": "l"},
                "values": [[start, "NaN"], [start + 60, "0.25"]],
            }
        )
        return httpx.Response(200, json=rows)

    mapping = (MetricMap("availability", "job:availability:ratio"),)
    source = _source(handler, series=mapping)
    frame = source.series(START, 3, None)
    # the keyless row is dropped; the NaN sample is not a sample
    assert frame.keys == (("c", "s", "l"),)
    np.testing.assert_array_equal(
        frame.get(("c", "s", "l"), "availability"), [np.nan, 0.25, np.nan]
    )


@pytest.mark.parametrize(
    ("status", "body", "expected"),
    [
        (
            400,
            {"status": "error", "errorType": "bad_data", "error": "parse error"},
            "HTTP 400: parse error",
        ),
        (422, {"status": "error", "error": "exceeded maximum resolution"}, "maximum resolution"),
        (503, "<html>down</html>", "HTTP 503: <html>down"),
    ],
    ids=["bad-query", "too-many-points", "not-json"],
)
def test_api_errors_name_url_and_query(status: int, body: Any, expected: str) -> None:
    def handler(request: httpx.Request) -> httpx.Response:
        if isinstance(body, str):
            return httpx.Response(status, text=body)
        return httpx.Response(status, json=body)

    with pytest.raises(SignalError) as info:
        _source(handler).series(START, 5, None)
    message = str(info.value)
    assert "http://prom:9090/api/v1/query_range" in message
    assert "outagelens_sli_availability" in message and expected in message


def test_connection_error_names_url() -> None:
    def handler(request: httpx.Request) -> httpx.Response:
        raise httpx.ConnectError("connection refused", request=request)

    with pytest.raises(SignalError, match=r"http://prom:9090/api/v1/query .*connection refused"):
        _source(handler).replay_clock()


@pytest.mark.parametrize(
    ("answers", "expected"),
    [
        (
            {
                "outagelens_replay_speed": 30.0,
                "outagelens_replay_origin_timestamp_seconds": START.timestamp(),
            },
            ReplayClock(origin=START, speed=30.0),
        ),
        ({}, ReplayClock.identity()),
    ],
    ids=["replay-running", "no-replay"],
)
def test_replay_clock(answers: dict[str, float], expected: ReplayClock) -> None:
    def handler(request: httpx.Request) -> httpx.Response:
        query = request.url.params["query"]
        name = query[4:-1]  # max(NAME)
        result = [{"metric": {}, "value": [0, str(answers[name])]}] if name in answers else []
        body = {"status": "success", "data": {"resultType": "vector", "result": result}}
        return httpx.Response(200, content=json.dumps(body))

    assert _source(handler).replay_clock() == expected


def test_replay_clock_maps_query_window() -> None:
    calls: list[dict[str, str]] = []
    source = _source(_range_handler(calls))
    origin = START - timedelta(minutes=10)
    clock = ReplayClock(origin=origin, speed=10)
    source.traffic(START, 4, clock)
    first = calls[0]
    # scenario START is reached 60 s after the origin at speed 10; points near each minute's end
    assert float(first["start"]) == pytest.approx(origin.timestamp() + 60 + 0.9 * 6)
    assert float(first["end"]) - float(first["start"]) == pytest.approx(3 * 6)
