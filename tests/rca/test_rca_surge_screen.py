"""The quick surge screen never hides a verdict `_edge` would give (property-based)."""

from __future__ import annotations

from datetime import UTC, datetime

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from outagelens.errors import ConfigError
from outagelens.rca.signals_index import TrafficConfig, _edge, surge_possible
from outagelens.signals.frames import TrafficSet

START = datetime(2026, 11, 20, tzinfo=UTC)
CFG = TrafficConfig()


def _traffic(req: np.ndarray) -> TrafficSet:
    n = req.size
    row = {
        "requests_per_s": req,
        "bytes_per_s": req * 900,
        "distinct_source_networks": np.full(n, 400.0),
        "new_source_networks": np.full(n, 8.0),
        "syn_ratio": np.full(n, 0.04),
    }
    return TrafficSet.from_series(START, n, {("fra1", "fra1-edge-1"): row})


@st.composite
def _rates(draw: st.DrawFn) -> np.ndarray:
    n = draw(st.integers(min_value=1, max_value=260))
    seed = draw(st.integers(min_value=0, max_value=2**32 - 1))
    rng = np.random.default_rng(seed)
    sigma = draw(st.sampled_from([0.0, 0.01, 0.05, 0.3, 0.6]))
    req = 1000.0 * np.exp(sigma * rng.standard_normal(n))
    for _ in range(draw(st.integers(0, 3))):  # surges, some just around the threshold
        a = int(rng.integers(0, n))
        req[a : a + int(rng.integers(1, 60))] *= draw(st.floats(1.5, 4.0))
    holes = rng.random(n) < draw(st.floats(0.0, 0.5))
    req[holes] = np.nan
    if draw(st.booleans()):
        req[int(rng.integers(0, n))] = draw(st.sampled_from([0.0, -5.0, np.inf]))
    return req.astype(np.float32)


@settings(max_examples=200, deadline=None)
@given(_rates())
def test_screen_only_rejects_minutes_without_a_surge(req: np.ndarray) -> None:
    tr = _traffic(req)
    possible = surge_possible(tr.values["requests_per_s"][0], CFG)
    assert possible.shape == (req.size,)
    for col in np.flatnonzero(~possible).tolist():
        assert _edge(tr, 0, col, CFG) is None, col


def test_screen_keeps_a_real_surge_and_drops_quiet_minutes() -> None:
    n = 400
    req = np.full(n, 1000.0, dtype=np.float32)
    req[300:330] = 4000.0  # 4x baseline: a surge the edge verdict reports
    tr = _traffic(req)
    possible = surge_possible(tr.values["requests_per_s"][0], CFG)
    assert possible[300] and _edge(tr, 0, 300, CFG) is not None
    assert not possible[200]  # flat traffic: nothing to analyse
    assert possible[:80].all()  # the first minutes' shortened baseline is left to `_edge`


@pytest.mark.parametrize(
    "cfg",
    [
        TrafficConfig(baseline_minutes=0),
        TrafficConfig(lookaround_minutes=0, lookahead_minutes=0),
    ],
    ids=["no-baseline", "no-peak-window"],
)
def test_screen_leaves_empty_windows_to_the_verdict(cfg: TrafficConfig) -> None:
    # `_edge` finds no surge over an empty window (None); the screen must not fail on one.
    req = np.full(200, 1000.0, dtype=np.float32)
    req[150:170] = 4000.0
    tr = _traffic(req)
    possible = surge_possible(tr.values["requests_per_s"][0], cfg)
    assert possible.shape == (200,)
    for col in np.flatnonzero(~possible).tolist():
        assert _edge(tr, 0, col, cfg) is None, col


@pytest.mark.parametrize(
    ("field", "value"),
    [
        ("surge_factor", 1.0),
        ("new_source_share", 0.0),
        ("syn_ratio_rise", 1.5),
        ("baseline_minutes", -1),
        ("lookaround_minutes", -5),
        ("lookahead_minutes", -1),
    ],
)
def test_traffic_config_names_a_bad_setting(field: str, value: float) -> None:
    with pytest.raises(ConfigError, match=f"TrafficConfig.{field}"):
        TrafficConfig(**{field: value})  # type: ignore[arg-type]
